// (h15b, issue 15) The security office opens an external service from the
// list, edits its address ranges on its page and reads them back; edits a
// contractor's data location on its page; and the incidents list's export
// link carries the filter chosen. No console or CSP errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

test('a service and a contractor are edited on their pages, and the incidents export follows the filter', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'security', DEMO_PASSWORD);

  // The service, from the list.
  await navTo(page, '外部サービス');
  await Promise.all([page.waitForNavigation(), page.click('#services a:has-text("庁内クラウドメール")')]);
  assert.match(page.url(), /\/services\/\d+$/);
  assert.match(await page.textContent('#service-facts'), /ISMAP/);
  const ranges = await page.inputValue('#service-edit-form textarea[name="ranges"]');
  await page.fill('#service-edit-form textarea[name="ranges"]', `${ranges}\n192.0.2.0/24`.trim());
  await Promise.all([page.waitForNavigation(), page.click('#service-edit-form button[type="submit"]')]);
  assert.match(await page.textContent('.flash'), /外部サービスを更新しました/);
  assert.match(await page.textContent('#service-ranges'), /192\.0\.2\.0\/24/);

  // A contractor's own fields.
  await navTo(page, '委託先');
  await Promise.all([page.waitForNavigation(), page.click('#contractors a:has-text("さくら印刷")')]);
  await page.click('#contractor-edit summary');
  await page.fill('#contractor-edit-form input[name="data_location"]', '国内（埼玉県の自社工場）');
  await Promise.all([page.waitForNavigation(), page.click('#contractor-edit-form button[type="submit"]')]);
  assert.match(await page.textContent('.flash'), /委託先を更新しました/);
  assert.match(await page.textContent('#contractor-facts'), /埼玉県の自社工場/);

  // The incidents list filtered by severity: the export link carries it.
  await page.goto(`${server.base}/incidents`);
  await page.selectOption('select[name="severity"]', 'high');
  await Promise.all([page.waitForNavigation(), page.click('form.filters button[type="submit"]')]);
  assert.match(await page.getAttribute('#incidents-xlsx', 'href'), /severity=high/);
  assert.match(await page.getAttribute('#incidents-csv', 'href'), /format=csv&severity=high/);

  assert.deepEqual(errors, [], 'no console or CSP errors');
});
