// Policy documents (第9): the security office imports the city's standards from
// its 例規集 text, the CISO approves them; an amendment of one clause is drafted,
// reviewed and approved (never by its drafter), and the 新旧対照表 shows the change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn } from './server.mjs';

const DEMO_PASSWORD = 'mamori-demo-2025';
const STANDARDS = `情報セキュリティ対策基準
第1章 総則
（目的）
第1条 この基準は、情報セキュリティ対策基本方針に基づき、情報資産を守るための対策の基準を定める。
（適用範囲）
第2条 この基準は、全ての職員等に適用する。
第2章 物理的セキュリティ
（管理区域）
第3条 サーバ等は、管理区域に設置しなければならない。
2 管理区域への入退室は、記録しなければならない。
`;

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

async function approve(page, base, code, number) {
  await page.goto(`${base}/policy-documents/${code}/versions/${number}`);
  await page.fill('#approve-form input[name="decision_number"]', `委員会決定第${number}号`);
  await Promise.all([page.waitForNavigation(), page.click('#approve')]);
  assert.match(await page.textContent('#version-state'), /施行中/);
}

test('an amendment of one clause is approved by the CISO and shown in the 新旧対照表', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error' && !page.expectErrors) errors.push(`${m.text()} @ ${m.location().url}`);
  });
  const office = await (await browser.newContext()).newPage();
  watch(office);
  await signIn(office, server.base, 'security', DEMO_PASSWORD);
  await office.goto(`${server.base}/policy-documents`);
  await office.fill('#import-document input[name="code"]', 'standards');
  await office.fill('#import-document textarea[name="text"]', STANDARDS);
  await Promise.all([office.waitForNavigation(), office.click('#import-document button')]);
  assert.match(office.url(), /\/policy-documents\/standards\/versions\/1$/);
  assert.match(await office.textContent('.toc'), /第3条 管理区域/);
  await Promise.all([office.waitForNavigation(), office.click('#submit-review')]);
  // The drafter is not offered the approval, and a forged approval is refused.
  assert.equal(await office.$('#approve-form'), null);
  const forged = await office.evaluate(async () => {
    const csrf = document.querySelector('input[name="csrf"]').value;
    const body = new URLSearchParams({ csrf, body: '委員会', decision_number: 'x', approved_on: '2026-12-01', effective_on: '2026-12-01' });
    const r = await fetch(location.pathname + '/approve', { method: 'POST', body, redirect: 'manual' });
    return r.status;
  });
  assert.notEqual(forged, 303, 'the drafter may not approve');
  assert.match(await office.textContent('#version-state'), /審査中/);

  const ciso = await (await browser.newContext()).newPage();
  watch(ciso);
  await signIn(ciso, server.base, 'ciso', DEMO_PASSWORD);
  await approve(ciso, server.base, 'standards', 1);

  // The office amends 第3条 in a new draft from the version in force.
  await office.goto(`${server.base}/policy-documents/standards`);
  await Promise.all([office.waitForNavigation(), office.click('#new-draft')]);
  assert.match(office.url(), /\/versions\/2$/);
  const article3 = office.locator('.provision.article', { hasText: '第3条' });
  await Promise.all([office.waitForNavigation(), article3.locator('a.edit').first().click()]);
  await office.fill('#edit-provision textarea[name="text"]', 'サーバ等は、施錠された管理区域に設置しなければならない。');
  await Promise.all([office.waitForNavigation(), office.click('#edit-provision button')]);
  assert.match(await office.textContent('.provisions'), /施錠された管理区域/);
  await Promise.all([office.waitForNavigation(), office.click('#submit-review')]);

  await approve(ciso, server.base, 'standards', 2);
  await Promise.all([ciso.waitForNavigation(), ciso.click('#compare-previous')]);
  assert.match(await ciso.textContent('#compare-title'), /新旧対照表/);
  assert.equal((await ciso.textContent('#change-count')).trim(), '2', 'the clause and the 附則 line changed');
  const changed = ciso.locator('#shinkyu tr.change-changed', { hasText: '第3条' });
  assert.match(await changed.locator('td').nth(0).textContent(), /施錠された管理区域/);
  assert.doesNotMatch(await changed.locator('td').nth(1).textContent(), /施錠/);
  assert.equal(await changed.locator('td').nth(0).locator('.chg').first().textContent(), '施錠された');
  assert.ok(await ciso.locator('#shinkyu tr.elided').count() >= 1, 'unchanged provisions are elided');
  await Promise.all([ciso.waitForNavigation(), ciso.click('#print-view')]);
  assert.ok(await ciso.locator('.print-a4 #shinkyu').count() === 1);

  // A member of staff reads the standards (staff readership) but sees no edit or approval.
  const staff = await (await browser.newContext()).newPage();
  watch(staff);
  await signIn(staff, server.base, 'tanaka', DEMO_PASSWORD);
  await staff.goto(`${server.base}/policy-documents/standards/versions/2`);
  assert.match(await staff.textContent('.provisions'), /施錠された管理区域/);
  assert.equal(await staff.$('a.edit'), null);
  assert.equal(await staff.$('#approve-form'), null);
  assert.deepEqual(errors.filter((e) => !e.includes('/favicon.ico')), [], 'no console errors');
});
