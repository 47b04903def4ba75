// Issue 17 (h17ui), in the browser: the 権限 page is a table of roles ×
// actions with the Cedar source one click away; a long list jumps to a page
// by number and sorts by a column header; switching the classification
// scheme asks first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn, ADMIN_PASSWORD, navTo } from './server.mjs';

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

test('the 権限 table, page jumps, sorting and the scheme confirmation', async () => {
  const errors = [];
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
  });
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);

  // 権限: roles in Japanese, cells 可 / 条件付き (with the condition) / —.
  await navTo(page, '権限');
  const tables = page.locator('table.authz-matrix');
  assert.ok(await tables.count() >= 5, 'one table per area');
  const body = await page.textContent('main');
  for (const words of ['情報セキュリティ管理者', '職員', '可', '条件付き', '所管する所属のみ', '本人以外', '—']) {
    assert.ok(body.includes(words), words);
  }
  const source = page.locator('#authz-source');
  assert.equal(await source.locator('pre').first().isVisible(), false, 'the source is folded');
  await source.locator('summary').click();
  assert.match(await source.locator('pre').first().textContent(), /permit|namespace/);

  // The log: jump to page 3 by number, then back to 1 by its link.
  await page.goto(`${server.base}/events?per_page=5`);
  const jump = page.locator('form.jump').first();
  await jump.locator('input[type="number"]').fill('3');
  await Promise.all([page.waitForNavigation(), jump.locator('button').click()]);
  assert.equal(new URL(page.url()).searchParams.get('page'), '3');
  assert.equal(await page.locator('.pager [aria-current="page"]').first().textContent(), '3');
  await Promise.all([page.waitForNavigation(), page.locator('.pager .pages a', { hasText: /^1$/ }).first().click()]);
  assert.equal(new URL(page.url()).searchParams.get('page'), '1');
  // Past the last page: a link to the last one.
  await page.goto(`${server.base}/events?per_page=5&page=100000`);
  await Promise.all([page.waitForNavigation(), page.locator('a.past-last').first().click()]);
  assert.ok(await page.locator('#log tbody tr').count() > 0, 'the last page has entries');

  // Users sorted by name by clicking the header, then the other way.
  await navTo(page, '利用者');
  const header = page.locator('#users th', { hasText: '氏名' });
  await Promise.all([page.waitForNavigation(), header.locator('a').click()]);
  assert.equal(await page.locator('#users th', { hasText: '氏名' }).getAttribute('aria-sort'), 'ascending');
  await Promise.all([page.waitForNavigation(), page.locator('#users th', { hasText: '氏名' }).locator('a').click()]);
  assert.equal(await page.locator('#users th', { hasText: '氏名' }).getAttribute('aria-sort'), 'descending');

  // The classification scheme: a confirmation with the name and the count.
  await navTo(page, '格付け');
  const make = page.locator('form[action="/classification/confirm"] button').first();
  await Promise.all([page.waitForNavigation(), make.click()]);
  assert.equal(new URL(page.url()).pathname, '/classification/confirm');
  const confirm = await page.textContent('#scheme-confirm');
  assert.doesNotMatch(confirm, /mic-(r6|legacy)/, 'never the internal code');
  assert.match(await page.textContent('#scheme-flagged'), /\d+件 \/ \d+件/);
  const name = (await page.textContent('#scheme-new')).trim();
  await Promise.all([page.waitForNavigation(), page.locator('#scheme-switch').click()]);
  assert.ok((await page.textContent('main')).includes(`「${name}」に変更しました`));

  assert.deepEqual(errors, [], 'no console errors');
});
