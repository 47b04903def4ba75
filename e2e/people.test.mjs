// People first (issue 17): a member of staff (tanaka) proposes a lower
// classification of their section's asset; it waits; they cannot approve it
// themselves; the section's 情報セキュリティ管理者 (sasaki) finds it on the
// dashboard, approves it, and the asset has its new levels; tanaka is told.
// The menu fits 1366 px on one line.
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

test('staff propose a classification change and the section manager approves it', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
  });
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const staff = await ctx.newPage();
  watch(staff);
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  // The menu is one line at 1366 px.
  const navBox = await staff.locator('header nav').boundingBox();
  assert.ok(navBox.height < 60, `menu height ${navBox.height}`);
  // Staff see what is waiting for them.
  assert.ok(await staff.locator('#todo').count() === 1);

  await navTo(staff, '情報資産');
  const first = staff.locator('table tbody tr td:nth-child(2) a').first();
  const name = (await first.textContent()).trim();
  await Promise.all([staff.waitForNavigation(), first.click()]);
  const assetUrl = staff.url();
  const before = (await staff.textContent('body'));
  await Promise.all([staff.waitForNavigation(), staff.click('#reclassify-asset')]);
  const labelNow = (await staff.textContent('#label-now')).trim();
  assert.match(await staff.textContent('#reclassify-proposal'), /申請になります/);
  await staff.selectOption('#confidentiality', '1');
  await staff.selectOption('#integrity', '1');
  await staff.selectOption('#availability', '1');
  await staff.fill('#reason', '公開情報になったため');
  await Promise.all([staff.waitForNavigation(), staff.click('#asset-submit')]);
  assert.match(staff.url(), /\/classification-requests\/\d+$/);
  const requestUrl = staff.url();
  assert.match(await staff.textContent('body'), /申請しました/);
  assert.match(await staff.textContent('#request-state'), /承認待ち/);
  assert.match(await staff.textContent('#request-change'), new RegExp(`${labelNow.replace(/-/g, '\\-')} → C1-I1-A1`));
  // No approve button for the proposer, and a note saying who decides.
  assert.equal(await staff.locator('#decide').count(), 0);
  assert.match(await staff.textContent('#not-decider'), /申請者本人は承認できません/);
  // The asset keeps its levels meanwhile.
  await staff.goto(assetUrl);
  assert.match(await staff.textContent('body'), new RegExp(labelNow));
  assert.ok(before.includes(labelNow));

  // The section's administrator has it on the dashboard and approves it.
  const mgr = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  watch(mgr);
  await signIn(mgr, server.base, 'sasaki', DEMO_PASSWORD);
  assert.match(await mgr.textContent('#todo'), new RegExp(name));
  assert.ok(await mgr.locator('#unread-count').count() === 1, 'a notice is waiting');
  await Promise.all([mgr.waitForNavigation(), mgr.click(`#todo a:has-text("${name}")`)]);
  assert.equal(mgr.url(), requestUrl);
  await mgr.fill('#decide input[name="note"]', '確認しました');
  await Promise.all([mgr.waitForNavigation(), mgr.click('#decide button[value="approve"]')]);
  assert.equal(mgr.url(), assetUrl);
  assert.match(await mgr.textContent('body'), /承認しました/);
  assert.match(await mgr.textContent('body'), /C1-I1-A1/);

  // The proposer is told, and the request shows who decided and when (和暦).
  await staff.goto(`${server.base}/notices`);
  assert.match(await staff.textContent('#notices'), /承認されました/);
  await staff.goto(requestUrl);
  assert.match(await staff.textContent('#request-state'), /承認済み/);
  assert.match(await staff.textContent('#request-decider'), /佐々木 恵.*令和/);

  // Another section's staff do not see it.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, server.base, 'watanabe', DEMO_PASSWORD);
  const r = await other.goto(requestUrl);
  assert.equal(r.status(), 404);
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
});

test('staff complete a to-do from the dashboard; the security office sees the units behind', async () => {
  const errors = [];
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const staff = await ctx.newPage();
  staff.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  const todo = await staff.textContent('#todo');
  assert.match(todo, /特定個人情報の取扱研修/);
  assert.match(todo, /期限超過 令和\d+年\d+月\d+日（\d{4}-\d{2}-\d{2}）/, 'due dates in 和暦 with the western date');
  // Follow the to-do and declare the training done.
  const link = staff.locator('#todo li', { hasText: '特定個人情報の取扱研修' }).locator('a');
  await Promise.all([staff.waitForNavigation(), link.click()]);
  const course = staff.locator('tr, li, section, div').filter({ hasText: '特定個人情報の取扱研修' }).filter({ has: staff.locator('button[name="declare"]') }).last();
  assert.ok(await course.count() === 1, 'the training can be declared done by its trainee');
  await Promise.all([staff.waitForNavigation(), course.locator('button[name="declare"]').first().click()]);
  await staff.goto(`${server.base}/`);
  assert.doesNotMatch(await staff.textContent('#todo'), /特定個人情報の取扱研修/, 'done, so no longer waiting');

  // The security office sees the city's units behind on training.
  const office = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await signIn(office, server.base, 'security', DEMO_PASSWORD);
  const behind = office.locator('table.behind', { hasText: '遅れている課' }).last();
  assert.match(await behind.textContent(), /総務課\s*0%（0\/\d+）/);
  assert.ok(await office.locator('#training-chart').count() === 1, 'a chart of completion by unit');
  assert.deepEqual(errors, []);
});
