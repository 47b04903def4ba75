// What a hostile member of staff tries (issue 10), in Chromium on the demo city:
// another unit's 機密性3 asset stays hidden from an auditor in the register and in
// the event log alike; a name with a bidirectional override or an over-long note is
// refused beside the field; a formula typed as a name leaves the CSV export as text,
// and the export is in the log.
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

async function as(username) {
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, username, DEMO_PASSWORD);
  return { page, errors };
}

async function newAsset(page, fields) {
  await page.goto(`${server.base}/assets/new`);
  await page.fill('#name', fields.name);
  await page.selectOption('#kind', 'administrative_information');
  await page.selectOption('#owner_unit_id', { label: fields.unit ?? '市民局 / 市民課' });
  await page.selectOption('#confidentiality', fields.c);
  await page.selectOption('#integrity', '1');
  await page.selectOption('#availability', '1');
  if (fields.notes) await page.fill('#notes', fields.notes);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#asset-submit')]);
  return response;
}

// Only refusals that the test provokes on purpose may reach the console.
function unexpected(errors, allowed) {
  return errors.filter((e) => !e.includes('/favicon.ico') && !allowed.some((a) => e.includes(a)));
}

test('an auditor finds nothing of another unit\'s top-level asset, in the register or the log', async () => {
  const staff = await as('tanaka');
  const r = await newAsset(staff.page, { name: '生活保護ケース記録（E2E秘）', c: '3A' });
  assert.equal(r.status(), 200);
  assert.match(await staff.page.textContent('.flash'), /情報資産を登録しました/);
  const id = staff.page.url().match(/\/assets\/(\d+)/)[1];

  const auditor = await as('auditor');
  const refused = await auditor.page.goto(`${server.base}/assets/${id}`);
  assert.equal(refused.status(), 404);
  await auditor.page.goto(`${server.base}/events?entity=asset&entity_id=${id}`);
  assert.doesNotMatch(await auditor.page.textContent('main'), new RegExp(`情報資産 ${id}(?!\\d)`));
  assert.doesNotMatch(await auditor.page.content(), /生活保護ケース記録（E2E秘）/);
  await auditor.page.goto(`${server.base}/events`);
  assert.doesNotMatch(await auditor.page.textContent('main'), new RegExp(`情報資産 ${id}(?!\\d)`));
  const api = await auditor.page.request.get(`${server.base}/api/v1/events?entity=asset&entity_id=${id}`);
  assert.equal(api.status(), 200);
  assert.equal((await api.json()).total, 0);

  const office = await as('security');
  await office.page.goto(`${server.base}/events?entity=asset&entity_id=${id}`);
  assert.match(await office.page.textContent('main'), new RegExp(`情報資産 ${id}(?!\\d)`));

  assert.deepEqual(unexpected(auditor.errors, ['status of 404']), []);
  assert.deepEqual(unexpected([...staff.errors, ...office.errors], []), []);
});

test('hostile values are refused beside the field, and formulas leave the export as text', async () => {
  const { page, errors } = await as('tanaka');
  let r = await newAsset(page, { name: 'invoice\u202Egpj.exe', c: '2', notes: 'あ'.repeat(4001) });
  assert.equal(r.status(), 422);
  assert.match(await page.textContent('#name-error'), /文字の向きを変える制御文字/);
  assert.match(await page.textContent('#notes-error'), /4000文字以内/);
  assert.equal(await page.getAttribute('#notes', 'aria-invalid'), 'true');

  r = await newAsset(page, { name: '=HYPERLINK("http://evil.example/","台帳")', c: '2' });
  assert.equal(r.status(), 200);
  const csv = await page.request.get(`${server.base}/assets/export?format=csv&q=HYPERLINK`);
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.match(text, /"'=HYPERLINK\(""http:\/\/evil\.example\/"",""台帳""\)"/);
  assert.doesNotMatch(text, /(^|,)"?=HYPERLINK/m);

  const office = await as('security');
  await office.page.goto(`${server.base}/events?entity=export`);
  assert.match(await office.page.textContent('main'), /出力 assets/);
  assert.deepEqual(unexpected(errors, ['status of 422']), []);
});
