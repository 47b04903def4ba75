// Operations (issue 15): a member of staff (tanaka) reports a lost USB stick
// holding personal information; the section's administrator (sasaki) and the
// department's manager (kimura) see it and escalate it; the Commission's
// deadlines appear on the attention page, overdue; it is closed with its
// causes. An exception cannot be decided by its requester; the CISO approves it.
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

// A local time in Japan, `days` ago, as a datetime-local input takes it.
function jstDaysAgo(days) {
  const t = new Date(Date.now() - days * 86400000 + 9 * 3600000);
  return t.toISOString().slice(0, 16);
}

function inDays(days) {
  return new Date(Date.now() + days * 86400000 + 9 * 3600000).toISOString().slice(0, 10);
}

test('a lost USB stick climbs the reporting line, goes overdue and is closed', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
  });

  const staff = await (await browser.newContext()).newPage();
  watch(staff);
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await navTo(staff, 'インシデント');
  await Promise.all([staff.waitForNavigation(), staff.click('#incident-new')]);
  await staff.fill('input[name="title"]', 'USBメモリの紛失');
  await staff.fill('textarea[name="description"]', '住民150名分の名簿を入れたUSBメモリを帰宅途中に紛失した');
  await staff.fill('input[name="noticed_at"]', jstDaysAgo(8));
  await staff.fill('input[name="place"]', '庁外（通勤経路）');
  await staff.selectOption('select[name="kind"]', 'loss_theft');
  await staff.selectOption('select[name="severity"]', 'high');
  await staff.check('input[name="personal_info"]');
  await staff.fill('input[name="affected"]', '150');
  await Promise.all([staff.waitForNavigation(), staff.click('#incident-form button[type="submit"]')]);
  const url = staff.url();
  assert.match(url, /\/incidents\/\d+$/);
  assert.match(await staff.textContent('#incident-step'), /情報セキュリティ管理者/);
  assert.match(await staff.textContent('#ppc'), /個人情報保護委員会への報告/);
  assert.equal(await staff.locator('#escalate').count(), 0, 'the reporter does not handle it');

  // The section's administrator escalates it to the department's manager.
  const sasaki = await (await browser.newContext()).newPage();
  watch(sasaki);
  await signIn(sasaki, server.base, 'sasaki', DEMO_PASSWORD);
  await sasaki.goto(`${server.base}/attention`);
  assert.match(await sasaki.textContent('#attention-incidents'), /USBメモリの紛失/);
  await sasaki.goto(url);
  await sasaki.fill('#escalate input[name="note"]', '課長に報告');
  await Promise.all([sasaki.waitForNavigation(), sasaki.click('#escalate button')]);
  assert.match(await sasaki.textContent('#incident-step'), /情報セキュリティ責任者/);

  // The department's manager escalates it further, and sees the deadlines overdue.
  const kimura = await (await browser.newContext()).newPage();
  watch(kimura);
  await signIn(kimura, server.base, 'kimura', DEMO_PASSWORD);
  await kimura.goto(url);
  await Promise.all([kimura.waitForNavigation(), kimura.click('#escalate button')]);
  assert.match(await kimura.textContent('#incident-step'), /統括情報セキュリティ責任者/);
  const timeline = await kimura.textContent('#timeline');
  assert.match(timeline, /佐々木/);
  assert.match(timeline, /上位への報告/);
  await navTo(kimura, '要対応');
  const reports = await kimura.textContent('#attention-reports');
  assert.match(reports, /個人情報保護委員会への速報/);
  assert.match(reports, /期限超過/);
  assert.match(await kimura.textContent('#overdue-count'), /\d/);

  // Closure needs its causes; then it is closed.
  await kimura.goto(url);
  await kimura.click('summary >> text=終結する');
  await kimura.fill('#close textarea[name="causes"]', '私物のUSBメモリで持ち出した');
  await kimura.fill('#close textarea[name="lessons"]', '持ち出し手順が周知されていなかった');
  await kimura.fill('#close textarea[name="measures"]', '暗号化USBメモリに限り、持ち出しは許可制とする');
  await Promise.all([kimura.waitForNavigation(), kimura.click('#close button')]);
  assert.match(await kimura.textContent('#incident-state'), /終結/);
  assert.match(await kimura.textContent('#closure'), /私物のUSBメモリ/);

  assert.deepEqual(errors, [], 'no console errors');
});

test('an exception is not decided by its requester and is approved by the CISO', async () => {
  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await staff.goto(`${server.base}/exceptions/new`);
  await staff.fill('input[name="deviation"]', 'S4-01');
  await staff.fill('textarea[name="reason"]', '更新中の端末を使い続ける必要がある');
  await staff.fill('textarea[name="compensating"]', '操作ログを毎日確認する');
  await staff.fill('input[name="ends_on"]', inDays(20));
  await Promise.all([staff.waitForNavigation(), staff.click('#exception-form button[type="submit"]')]);
  const url = staff.url();
  assert.match(url, /\/exceptions\/\d+$/);
  assert.match(await staff.textContent('#exception-state'), /承認待ち/);
  assert.equal(await staff.locator('#decide').count(), 0, 'the requester is offered no decision');
  assert.match(await staff.textContent('#not-decider'), /申請者本人は判断できません/);
  // Posting the decision anyway is refused.
  const csrf = await staff.getAttribute('input[name="csrf"]', 'value');
  const r = await staff.request.post(`${url}/decision`, {
    form: { csrf, revision: '1', decision: 'approve' },
    headers: { 'sec-fetch-site': 'same-origin', origin: server.base },
    maxRedirects: 0,
  });
  assert.equal(r.status(), 303);
  await staff.goto(url);
  assert.match(await staff.textContent('#exception-state'), /承認待ち/);

  const ciso = await (await browser.newContext()).newPage();
  await signIn(ciso, server.base, 'ciso', DEMO_PASSWORD);
  await ciso.goto(`${server.base}/attention`);
  assert.match(await ciso.textContent('#attention-pending'), /S4-01/);
  await ciso.goto(url);
  await ciso.fill('#decide input[name="note"]', '端末更新まで');
  await Promise.all([ciso.waitForNavigation(), ciso.click('#decide button[value="approve"]')]);
  assert.match(await ciso.textContent('#exception-state'), /承認/);
  assert.match(await ciso.textContent('#decider'), /端末更新まで/);
});
