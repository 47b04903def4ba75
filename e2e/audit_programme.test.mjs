// Audits (第10) in the browser: the security office makes a three-year
// programme and adds an audit of 市民課 with the demo auditor (高橋, 総務課);
// an audit of the auditor's own unit is refused with the reason, the form
// coming back with what was typed; the auditor
// finds the audit on their to-do, records a result and attaches the evidence
// seen, which is listed under the item and downloads back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMamori, launchBrowser, signIn, navTo } from './server.mjs';

const DEMO_PASSWORD = 'mamori-demo-2025';
let server;
let browser;

before(async () => {
  server = await startMamori({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

/** The value of the first option of a select whose text contains `text`. */
async function optionValue(page, select, text) {
  return page.locator(`${select} option`, { hasText: text }).first().getAttribute('value');
}

async function addAudit(page, title, unitText) {
  await page.locator('#new-audit summary').click();
  const form = page.locator('#new-audit form');
  await form.locator('input[name=title]').fill(title);
  await form.locator('select[name=scope_units]').selectOption(await optionValue(page, '#new-audit select[name=scope_units]', unitText));
  await form.locator('input[name=period_from]').fill('2026-12-01');
  await form.locator('input[name=period_to]').fill('2027-01-29');
  const template = await page.locator('#new-audit select[name=template_id] option').nth(1).getAttribute('value');
  await form.locator('select[name=template_id]').selectOption(template);
  await form.locator('#auditor-users').selectOption(await optionValue(page, '#auditor-users', '高橋'));
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
}

test('the office plans an audit, independence holds, the auditor records with evidence', async () => {
  const errors = [];
  const office = await (await browser.newContext()).newPage();
  // The refused audit answers 422 on purpose; any other error counts.
  office.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('422')) errors.push(m.text()); });
  await signIn(office, server.base, 'security', DEMO_PASSWORD);
  await office.goto(`${server.base}/audits/programme`);
  await office.locator('#new-programme summary').click();
  const p = office.locator('#new-programme form');
  await p.locator('input[name=title]').fill('第3期 情報セキュリティ監査計画');
  await p.locator('input[name=first_year]').fill('2026');
  await p.locator('input[name=last_year]').fill('2028');
  await Promise.all([office.waitForNavigation(), p.locator('button[type=submit]').click()]);
  assert.match(await office.textContent('body'), /第3期 情報セキュリティ監査計画/);

  // The auditor belongs to 総務課: an audit of 総務課 by them is refused.
  await office.goto(`${server.base}/audits/programme`);
  await addAudit(office, '総務課の監査', '総務課');
  assert.match(await office.textContent('body'), /高橋 健 は 総務課 を監査できません/);
  // The form comes back open with what was typed, to correct rather than retype.
  const kept = office.locator('#new-audit form');
  assert.equal(await kept.locator('input[name=title]').inputValue(), '総務課の監査');
  assert.equal(await kept.locator('input[name=period_to]').inputValue(), '2027-01-29');
  assert.match(await kept.locator('#auditor-users option:checked').textContent(), /高橋/);
  assert.match(await kept.locator('select[name=scope_units] option:checked').textContent(), /総務課/);
  await office.goto(`${server.base}/audits/programme`);
  assert.equal(await office.locator('#audits a', { hasText: '総務課の監査' }).count(), 0, 'nothing written');

  // Of 市民課: taken.
  await addAudit(office, '市民課の情報セキュリティ監査', '市民課');
  await office.goto(`${server.base}/audits/programme`);
  assert.equal(await office.locator('#audits a', { hasText: '市民課の情報セキュリティ監査' }).count(), 1);

  // The auditor: the audit on the to-do, a result, the evidence seen.
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, server.base, 'auditor', DEMO_PASSWORD);
  const todo = page.locator('#todo a', { hasText: '市民課の情報セキュリティ監査' });
  assert.equal(await todo.count(), 1, 'on the auditor\'s to-do');
  await Promise.all([page.waitForNavigation(), todo.click()]);
  const record = page.locator('#results form.record').first();
  await record.locator('select[name=result]').selectOption('conforming');
  await record.locator('input[name=evidence]').fill('規程の掲示を確認');
  await Promise.all([page.waitForNavigation(), record.locator('button[type=submit]').click()]);
  assert.match(await page.locator('#results tbody tr').first().textContent(), /適合/);
  const proof = join(server.dataDir, '掲示写真.txt');
  writeFileSync(proof, 'seen on the wall');
  const item = await page.locator('#aev-item option').nth(1).getAttribute('value');
  await page.selectOption('#aev-item', item);
  await page.setInputFiles('#aev-file', proof);
  await Promise.all([page.waitForNavigation(), page.click('#audit-evidence-add')]);
  assert.match(await page.textContent('body'), /証跡を添付しました/);
  const cell = page.locator(`#audit-evidence-${item}`);
  assert.match(await cell.textContent(), /掲示写真\.txt/);
  const [download] = await Promise.all([page.waitForEvent('download'), cell.locator('a[download]').click()]);
  assert.equal(readFileSync(await download.path(), 'utf8'), 'seen on the wall');
  assert.deepEqual(errors, [], 'no console errors');
});
