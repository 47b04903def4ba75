// The organisation from the HR system (人事異動): an administrator imports a new
// section from a CSV of units, then its staff from a CSV of staff; a file with an
// unknown section is refused with the row and column named and changes nothing;
// the new staff are found in the user list. No console or CSP errors.
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

const UNITS = '組織コード,組織名,上位組織コード,種別,英語名\r\nD01-S09,デジタル推進課,D01,課,Digital Promotion Section\r\n';
const STAFF = [
  '職員番号,ログインID,氏名,所属コード,職名,雇用区分,利用可否',
  'E9001,digital1,デジタル 一郎,D01-S09,主事,正規職員,可',
  'E9002,digital2,デジタル 二葉,D01-S09,会計年度任用職員,会計年度任用職員,可',
].join('\r\n') + '\r\n';
const BAD = '職員番号,ログインID,氏名,所属コード\r\nE9003,digital3,デジタル 三郎,D99-NOWHERE\r\n';

async function upload(page, kind, name, text) {
  await page.goto(`${server.base}/org/import`);
  await page.selectOption('#kind', kind);
  const file = join(server.dataDir, name);
  writeFileSync(file, '\uFEFF' + text);
  await page.setInputFiles('#file', file);
  await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
}

test('an administrator brings a new section and its staff in from the HR system', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);

  await upload(page, 'units', '組織.csv', UNITS);
  assert.match(await page.textContent('#import-written'), /1/);

  await upload(page, 'staff', '職員.csv', STAFF);
  assert.match(await page.textContent('#import-written'), /2/);

  // An unknown section: refused, the row and the column named, nothing written.
  await upload(page, 'staff', '誤り.csv', BAD);
  assert.ok(await page.textContent('#import-failed'));
  const report = await page.textContent('#import-errors');
  assert.match(report, /2/, report);
  assert.match(report, /所属コード/, report);
  assert.match(report, /D99-NOWHERE/, report);

  // The new staff are in the user list; the refused one is not.
  await page.goto(`${server.base}/users?q=${encodeURIComponent('デジタル')}`);
  const users = await page.textContent('#users');
  assert.match(users, /デジタル 一郎/);
  assert.match(users, /デジタル 二葉/);
  assert.doesNotMatch(users, /デジタル 三郎/);
  assert.match(users, /デジタル推進課/);

  // The refused file answers 422, which the browser reports on the console;
  // anything else is an error.
  const unexpected = errors.filter((e) => !(e.includes('status of 422') && e.endsWith(`${server.base}/org/import`)));
  assert.deepEqual(unexpected, [], 'no console or CSP errors');
});
