// Acknowledgement (誓約): the security office asks every member of staff to confirm a
// policy version; a member of staff confirms it on the page; the rate moves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn, ADMIN_PASSWORD, navTo } from './server.mjs';

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

test('a staff member confirms the new policy version and the rate moves', async () => {
  const errors = [];
  const admin = await (await browser.newContext()).newPage();
  admin.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url + ' on ' + m.page()?.url()); });
  await signIn(admin, server.base, 'admin', ADMIN_PASSWORD);
  await admin.goto(`${server.base}/acknowledgements`);
  await admin.fill('#title', '令和7年度 基本方針改正の確認');
  await admin.fill('#due_on', '2026-12-31');
  await Promise.all([admin.waitForNavigation(), admin.click('form[action="/acknowledgements/campaigns"] button')]);
  assert.match(await admin.textContent('body'), /確認依頼を送りました/);
  const statusUrl = admin.url();
  assert.match(statusUrl, /campaign=\d+/);
  assert.match(await admin.textContent('#pending'), /田中 美咲/);

  const staff = await (await browser.newContext()).newPage();
  let expectErrors = false;
  staff.on('console', (m) => { if (m.type() === 'error' && !expectErrors) errors.push(m.text() + ' @ ' + m.location().url + ' on ' + m.page()?.url()); });
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await navTo(staff, '誓約');
  assert.match(await staff.textContent('#my-acknowledgements'), /令和7年度 基本方針改正の確認/);
  await Promise.all([staff.waitForNavigation(), staff.click('#my-acknowledgements button[name="confirm"]')]);
  assert.match(await staff.textContent('body'), /確認を記録しました/);
  assert.match(await staff.textContent('#my-acknowledgements'), /確認済み/);
  assert.equal(await staff.$('#my-acknowledgements button[name="confirm"]'), null);
  // A member of staff does not see the status of the campaign (the browser reports
  // the refusal, and the error page's favicon, on the console).
  expectErrors = true;
  const r = await staff.goto(statusUrl);
  assert.equal(r.status(), 403);

  await admin.goto(statusUrl);
  assert.doesNotMatch(await admin.textContent('#pending'), /田中 美咲/);
  assert.match(await admin.textContent('#unit-rates'), /1 \/ \d+/);
  // /favicon.ico is not served yet (the lead knows); anything else is an error.
  assert.deepEqual(errors.filter((e) => !e.includes('/favicon.ico')), [], 'no console errors');
});
