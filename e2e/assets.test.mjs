// The asset register (情報資産管理台帳): the security office uploads a ledger with
// Japanese headers, reads the report, finds the new asset in the register and opens
// it; then registers one asset through the form. No console or CSP errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMamori, launchBrowser, signIn, ADMIN_PASSWORD } from './server.mjs';

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

const LEDGER = [
  '資産名,種別,所管課,管理者,保管場所,情報システム,ネットワーク区分,機密性,完全性,可用性,個人情報,特定個人情報,保存期間,状態,備考',
  '戸籍届書の控え（ブラウザ試験）,行政情報,市民課,市民課長,本庁舎2階 書庫,住民記録システム,マイナンバー利用事務系,3A,2,2,有,有,30年,使用中,試験用',
  '庁内掲示物（ブラウザ試験）,行政情報,総務課,総務課長,本庁舎1階,,LGWAN接続系,1,1,1,無,無,1年,登録,',
].join('\r\n') + '\r\n';

test('an administrator imports a ledger, finds the asset, and registers another', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);

  // Upload the ledger.
  await page.goto(`${server.base}/assets`);
  await Promise.all([page.waitForNavigation(), page.click('#import-ledger')]);
  const file = join(server.dataDir, '台帳.csv');
  writeFileSync(file, '\uFEFF' + LEDGER);
  await page.setInputFiles('#file', file);
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
  // First what it would do; nothing is written until the confirmation.
  assert.match(await page.textContent('#import-summary'), /まだ取り込んでいません.*新規 2/);
  assert.equal(await page.locator('#import-preview-rows tbody tr').count(), 2);
  await Promise.all([page.waitForNavigation(), page.click('#import-confirm')]);
  assert.match(await page.textContent('#import-summary'), /取り込みました: 2行（新規 2/);

  // The same file again is caught before it doubles the register.
  await page.goto(`${server.base}/assets/import`);
  await page.setInputFiles('#file', file);
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
  assert.match(await page.textContent('#import-warnings'), /同じ所管課に同名の資産/);
  await Promise.all([page.waitForNavigation(), page.click('#import-again')]);

  // A bad ledger is refused with the row and column named.
  writeFileSync(file, LEDGER.replace('市民課,市民課長', 'どこにもない課,市民課長'));
  await page.setInputFiles('#file', file);
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
  assert.match(await page.textContent('#import-summary'), /取り込みませんでした/);
  const report = await page.textContent('#import-errors');
  assert.match(report, /所管課/);
  assert.match(report, /どこにもない課/);

  // Find the asset in the register and open it.
  await page.goto(`${server.base}/assets`);
  await page.fill('#q', '戸籍届書の控え');
  await Promise.all([page.waitForNavigation(), page.click('#filter-submit')]);
  const rows = await page.$$eval('#assets tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1, rows.join('\n'));
  await Promise.all([page.waitForNavigation(), page.click('#assets tbody a')]);
  assert.match(await page.textContent('#asset-name'), /戸籍届書の控え（ブラウザ試験）/);
  assert.match(await page.textContent('#asset-name'), /C3A-I2-A2/);
  assert.match(await page.textContent('#handling'), /暗号/);

  // Register one asset through the form: first with a mistake, then right.
  await page.goto(`${server.base}/assets`);
  await Promise.all([page.waitForNavigation(), page.click('#new-asset')]);
  await page.selectOption('#kind', 'equipment');
  await page.selectOption('#owner_unit_id', { label: '総務局 / 総務課' });
  await page.selectOption('#confidentiality', '2');
  await page.selectOption('#integrity', '1');
  await page.selectOption('#availability', '1');
  await Promise.all([page.waitForNavigation(), page.click('#asset-submit')]);
  assert.match(await page.textContent('#name-error'), /資産名が空です/);
  await page.fill('#name', '窓口用タブレット（ブラウザ試験）');
  await page.fill('#administrator', '総務課長');
  await Promise.all([page.waitForNavigation(), page.click('#asset-submit')]);
  assert.match(await page.textContent('.flash'), /情報資産を登録しました/);
  assert.match(await page.textContent('#asset-name'), /窓口用タブレット（ブラウザ試験）/);
  assert.match(await page.textContent('#asset-name'), /C2-I1-A1/);

  // The two refused forms answer 422, which the browser reports on the console;
  // /favicon.ico is not served yet (the lead knows). Anything else is an error.
  const refused = (path) => (e) => e.includes('status of 422') && e.endsWith(`${server.base}${path}`);
  const expected = [refused('/assets/import'), refused('/assets/new')];
  const unexpected = errors.filter((e) => !e.includes('/favicon.ico') && !expected.some((ok) => ok(e)));
  assert.deepEqual(unexpected, [], 'no console or CSP errors');
  assert.equal(errors.filter((e) => e.includes('status of 422')).length, 2, errors.join('\n'));
});
