// Training (第8(2)): a member of staff sees their trainings and declares one
// completed; the security office sees who is overdue per unit and records a
// completion from the overdue list.
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

test('staff declare a training, the office records an overdue one', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
  });

  const staff = await (await browser.newContext()).newPage();
  watch(staff);
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await navTo(staff, '研修');
  assert.deepEqual(await staff.locator('#training-tabs a').allTextContents(), ['自分の研修'], 'staff see only their own tab');
  const mine = staff.locator('#my-trainings');
  assert.match(await mine.textContent(), /情報セキュリティ研修（年次）/);
  assert.match(await mine.textContent(), /特定個人情報の取扱研修/);
  const yearly = mine.locator('tr', { hasText: '情報セキュリティ研修（年次）' });
  await Promise.all([staff.waitForNavigation(), yearly.locator('button[name="declare"]').click()]);
  assert.match(await staff.textContent('#my-trainings'), /修了|完了|済/);
  assert.equal(
    await staff.locator('#my-trainings tr', { hasText: '情報セキュリティ研修（年次）' }).locator('button[name="declare"]').count(),
    0,
    'the yearly training is no longer open',
  );

  const admin = await (await browser.newContext()).newPage();
  watch(admin);
  await signIn(admin, server.base, 'admin', ADMIN_PASSWORD);
  await admin.goto(`${server.base}/training`);
  // The page is split by task: the office sees every tab, staff only their own.
  const tabs = admin.locator('#training-tabs a');
  assert.deepEqual(await tabs.allTextContents(), ['自分の研修', '状況', '科目', '割当て', '取込み']);
  await Promise.all([admin.waitForNavigation(), admin.locator('#training-tabs a', { hasText: '科目' }).click()]);
  assert.ok(await admin.locator('#courses').isVisible(), 'the courses tab lists the courses');
  await Promise.all([admin.waitForNavigation(), admin.locator('#training-tabs a', { hasText: '割当て' }).click()]);
  assert.ok(await admin.locator('#due-form').isVisible(), 'the assignments tab moves due dates');
  await Promise.all([admin.waitForNavigation(), admin.locator('#training-tabs a', { hasText: '取込み' }).click()]);
  assert.ok(await admin.locator('input[type="file"][name="file"]').isVisible(), 'the import tab takes a file');
  await Promise.all([admin.waitForNavigation(), admin.locator('#training-tabs a', { hasText: '状況' }).click()]);
  assert.equal(new URL(admin.url()).pathname, '/training/status');
  assert.ok(await admin.locator('svg#training-status-chart').count() === 1, 'completion by unit is drawn');
  for (const name of await admin.locator('#training-rates tbody tr td:first-child').allTextContents()) {
    assert.notEqual(name.trim(), '', 'every unit has a label (（所属なし） for staff without one)');
  }
  const row = admin.locator('#training-overdue tr', { hasText: '田中 美咲' });
  assert.match(await row.textContent(), /特定個人情報の取扱研修/);
  await Promise.all([admin.waitForNavigation(), row.locator('button').click()]);
  assert.match(await admin.textContent('body'), /修了を記録しました/);
  assert.equal(await admin.locator('#training-overdue tr', { hasText: '田中 美咲' }).count(), 0, 'no longer overdue');

  assert.deepEqual(errors, [], 'no console errors');
});
