// Findings and corrective actions (第10; issue 14 part 2): the section's
// 情報セキュリティ管理者 (sasaki, D02-S01) submits the demo campaign with the
// items 未実施; the security office (security, 鈴木 花子) raises the findings
// from the campaign; sasaki plans the corrective action with herself as owner
// and reports it done; she is offered no verification and a posted one is
// refused with its reason; the security office verifies and closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn } from './server.mjs';

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

async function go(page, action) {
  await Promise.all([page.waitForNavigation(), action()]);
}

test('a finding is raised from a campaign, its action done by its owner and verified by another', async () => {
  const errors = [];
  const manager = await (await browser.newContext()).newPage();
  // The manager's look at the office's page answers 403 on purpose; any other error counts.
  manager.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('403')) errors.push(m.text()); });
  await signIn(manager, server.base, 'sasaki', DEMO_PASSWORD);
  await manager.goto(`${server.base}/audits`);
  await go(manager, () => manager.locator('#mine tr', { hasText: '自己点検（デモ）' }).locator('a').click());
  const selects = manager.locator('#questions select');
  const n = await selects.count();
  for (let i = 0; i < n; i++) await selects.nth(i).selectOption('not_done');
  await go(manager, () => manager.click('#submit'));
  assert.match(await manager.textContent('#target-state'), /提出済/);

  // The manager may not raise findings.
  const office = await (await browser.newContext()).newPage();
  office.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(office, server.base, 'security', DEMO_PASSWORD);
  await office.goto(`${server.base}/audits`);
  await go(office, () => office.locator('#inspections a', { hasText: '自己点検（デモ）' }).first().click());
  await go(office, () => office.click('#findings-link'));
  const findingsPage = office.url();
  const r = await manager.goto(findingsPage);
  assert.equal(await manager.locator('#raise-findings').count(), 0, `manager sees no raise button (${r.status()})`);

  // The security office raises them; again adds nothing.
  await go(office, () => office.click('#raise-findings button'));
  assert.match(await office.textContent('body'), /指摘事項を\d+件起票しました/);
  const raised = await office.locator('#not-done a[href^="/findings/"]').count();
  assert.ok(raised >= 1, 'findings linked from the items');
  await go(office, () => office.click('#raise-findings button'));
  assert.match(await office.textContent('body'), /指摘事項を0件起票しました/);

  // The manager finds it, plans the action (owner: herself) and reports it done.
  await manager.goto(`${server.base}/findings`);
  await go(manager, () => manager.locator('#findings tbody a').first().click());
  const finding = manager.url();
  assert.match(await manager.textContent('#finding-state'), /未対応/);
  await manager.fill('#plan input[name=due_on]', '2999-03-31');
  await manager.fill('#plan textarea[name=plan]', '規程を整備し、課内に周知する');
  await go(manager, () => manager.click('#plan button'));
  assert.match(await manager.textContent('#finding-state'), /是正計画あり/);
  assert.match(await manager.textContent('#owner'), /佐々木/);
  await manager.fill('#report-done textarea[name=note]', '規程を改正した');
  await go(manager, () => manager.click('#report-done button'));
  assert.match(await manager.textContent('#finding-state'), /是正完了報告/);

  // The owner is offered no verification; posting one anyway is refused.
  assert.equal(await manager.locator('#verify').count(), 0);
  assert.equal(await manager.locator('#not-verifier').count(), 1);
  const refused = await manager.evaluate(async (url) => {
    const csrf = document.querySelector('input[name=csrf]').value;
    const body = new URLSearchParams({ csrf, revision: '3', decision: 'accept' });
    const r = await fetch(`${url}/verification`, { method: 'POST', body, redirect: 'follow' });
    return r.text();
  }, finding);
  assert.match(refused, /自分が担当した是正措置は確認できません/);
  await manager.goto(finding);
  assert.match(await manager.textContent('#finding-state'), /是正完了報告/, 'nothing written');

  // Another person verifies and closes.
  await office.goto(finding);
  await office.fill('#verify input[name=note]', '改正後の規程を確認');
  await go(office, () => office.click('#verify button[value=accept]'));
  assert.match(await office.textContent('#finding-state'), /確認済/);
  assert.match(await office.textContent('#verifier'), /鈴木/);
  await go(office, () => office.click('#close button'));
  assert.match(await office.textContent('#finding-state'), /終結/);
  assert.deepEqual(errors, [], 'no console errors');
});

// --- h14: the report for the CISO and the committee ---
test('the office prints the campaign report (A4, no menu) and downloads it as .xlsx', async () => {
  const errors = [];
  const ctx = await browser.newContext({ acceptDownloads: true });
  const office = await ctx.newPage();
  office.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(office, server.base, 'security', DEMO_PASSWORD);
  await office.goto(`${server.base}/audits`);
  await go(office, () => office.locator('#inspections a', { hasText: '自己点検（デモ）' }).first().click());
  await go(office, () => office.click('#results-link'));
  assert.match(await office.textContent('#trend'), /自己点検（デモ）/, 'the trend table');
  assert.equal(await office.locator('#trend-chart').count(), 1, 'the trend chart');
  const score = (await office.textContent('#score')).trim();
  await go(office, () => office.click('#report-link'));
  assert.equal((await office.textContent('#report-score')).trim(), score, 'the same score');
  assert.match(await office.textContent('#printed-by'), /鈴木/);
  assert.match(await office.textContent('#printed-at'), /令和/);
  assert.ok(await office.locator('#report-units tbody tr').count() >= 1);
  // Printed: no menu, no links bar.
  await office.emulateMedia({ media: 'print' });
  assert.equal(await office.locator('header.top').isVisible(), false, 'no menu when printed');
  assert.equal(await office.locator('#report-xlsx').isVisible(), false);
  assert.equal(await office.locator('#report').isVisible(), true);
  await office.emulateMedia({ media: 'screen' });
  const [download] = await Promise.all([office.waitForEvent('download'), office.click('#report-xlsx')]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  assert.ok((await download.path()) !== null, 'downloaded');
  // A unit's manager may not read it.
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, server.base, 'sasaki', DEMO_PASSWORD);
  const r = await manager.goto(office.url());
  assert.equal(r.status(), 403);
  assert.deepEqual(errors, [], 'no console errors');
});
