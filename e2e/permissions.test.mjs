// Permissions (issue 15, part 2): a member of staff (tanaka, D02-S01) asks to
// take a laptop out; they are offered no decision and a decision posted anyway
// is refused; the section's administrator (sasaki) has it on the attention
// page and grants it; tanaka records the return.
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

function inDays(days) {
  return new Date(Date.now() + days * 86400000 + 9 * 3600000).toISOString().slice(0, 10);
}

test('staff ask to take a laptop out, cannot grant it themselves, the administrator grants it, the return is recorded', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url);
  });

  const staff = await (await browser.newContext()).newPage();
  watch(staff);
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await navTo(staff, '許可申請');
  await Promise.all([staff.waitForNavigation(), staff.click('#permission-new')]);
  await staff.selectOption('select[name="kind"]', 'take_out');
  await staff.fill('input[name="what"]', '貸出用ノートPC 2号機');
  await staff.fill('textarea[name="reason"]', '地区説明会で資料を投影する');
  await staff.fill('input[name="until_on"]', inDays(2));
  await Promise.all([staff.waitForNavigation(), staff.click('#permission-form button[type="submit"]')]);
  const url = staff.url();
  assert.match(url, /\/permissions\/\d+$/);
  assert.match(await staff.textContent('#permission-state'), /承認待ち/);
  assert.equal(await staff.locator('#decide').count(), 0, 'the requester is offered no decision');
  assert.match(await staff.textContent('#not-decider'), /申請者本人は判断できません/);
  assert.equal(await staff.locator('#return').count(), 0, 'nothing to return before the grant');
  // Posting a grant anyway is refused, and so is a return before the grant.
  const csrf = await staff.getAttribute('input[name="csrf"]', 'value');
  for (const [path, form] of [
    ['decision', { csrf, revision: '1', decision: 'grant' }],
    ['return', { csrf, revision: '1', returned_on: '' }],
  ]) {
    const r = await staff.request.post(`${url}/${path}`, {
      form,
      headers: { 'sec-fetch-site': 'same-origin', origin: server.base },
      maxRedirects: 0,
    });
    assert.equal(r.status(), 303);
  }
  await staff.goto(url);
  assert.match(await staff.textContent('#permission-state'), /承認待ち/);

  // The section's administrator sees it on the attention page and grants it.
  const sasaki = await (await browser.newContext()).newPage();
  watch(sasaki);
  await signIn(sasaki, server.base, 'sasaki', DEMO_PASSWORD);
  await navTo(sasaki, '要対応');
  assert.match(await sasaki.textContent('#attention-permissions'), /貸出用ノートPC/);
  await sasaki.goto(url);
  await sasaki.fill('#decide input[name="note"]', '暗号化済みを確認');
  await Promise.all([sasaki.waitForNavigation(), sasaki.click('#decide button[value="grant"]')]);
  assert.match(await sasaki.textContent('#permission-state'), /許可/);
  assert.match(await sasaki.textContent('#decider'), /佐々木/);

  // The requester records the return.
  await staff.goto(url);
  await Promise.all([staff.waitForNavigation(), staff.click('#return button')]);
  assert.match(await staff.textContent('#permission-state'), /返却済/);
  assert.match(await staff.textContent('#returned'), /田中|tanaka/);

  await navTo(staff, '許可申請');
  assert.match(await staff.textContent('#permissions'), /返却済/);
  assert.deepEqual(errors, [], 'no console errors');
});

test('the security office records a contractor and its contract shows the missing clauses', async () => {
  const sec = await (await browser.newContext()).newPage();
  await signIn(sec, server.base, 'security', DEMO_PASSWORD);
  await navTo(sec, '委託先');
  await sec.click('summary >> text=委託先を登録する');
  await sec.fill('#contractor-form input[name="name"]', '株式会社みなと情報サービス');
  await sec.fill('#contractor-form textarea[name="business"]', '住民記録システムの保守');
  await sec.fill('#contractor-form input[name="data_location"]', '国内（東京都）');
  await Promise.all([sec.waitForNavigation(), sec.click('#contractor-form button[type="submit"]')]);
  assert.match(sec.url(), /\/contractors\/\d+$/);
  assert.match(await sec.textContent('#next-due'), /未評価/);

  await sec.click('summary >> text=契約を登録する');
  await sec.fill('#contract-form input[name="title"]', '住民記録システム保守委託契約');
  await sec.check('#contract-form input[value="confidentiality"]');
  await sec.check('#contract-form input[value="audit_rights"]');
  await Promise.all([sec.waitForNavigation(), sec.click('#contract-form button[type="submit"]')]);
  const missing = await sec.textContent('#contracts .missing');
  assert.match(missing, /再委託の制限/);
  assert.match(missing, /情報の返却・廃棄/);
  assert.doesNotMatch(missing, /守秘義務/);

  await navTo(sec, '要対応');
  assert.match(await sec.textContent('#attention-contracts'), /住民記録システム保守委託契約/);
  assert.match(await sec.textContent('#attention-assessments'), /株式会社みなと情報サービス/);
});
