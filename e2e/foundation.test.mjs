// Foundation: sign in, open the policy page, switch to English, sign out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn, ADMIN_PASSWORD, navTo } from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startMamori();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

test('a wrong password is refused with a clear message', async () => {
  const page = await browser.newPage();
  await signIn(page, server.base, 'admin', 'not the password');
  assert.match(await page.textContent('#login-error'), /ユーザー名またはパスワードが違います/);
  await page.close();
});

test('sign in and read the basic policy in Japanese and English', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/');
  await navTo(page, '基本方針');
  await page.click('text=千葉市情報セキュリティ対策基本方針');
  assert.match(await page.textContent('#policy-title'), /千葉市情報セキュリティ対策基本方針/);
  const articles = await page.$$('section.article');
  assert.equal(articles.length, 11, 'every article of the policy');
  assert.match(await page.textContent('#article-7'), /不正アクセス/);
  const body = await page.textContent('body');
  assert.match(body, /令和7年3月1日/);
  assert.match(body, /平成14年11月1日/);
  await page.click('a[lang="en"]');
  assert.match(await page.textContent('body'), /Revision history/);
  assert.match(await page.textContent('body'), /1 March 2025/);
  await page.screenshot({ path: process.env.SCREENSHOT_DIR ? `${process.env.SCREENSHOT_DIR}/policy.png` : '/tmp/mamori-policy.png', fullPage: false });
  await page.click('text=Sign out');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.deepEqual(errors, [], 'no console errors (the CSP would report here)');
  await context.close();
});
