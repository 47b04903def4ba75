// Countermeasures and risk (第7, 第8, 第11), from the pages alone: the security
// office registers an information system and an asset in it, sees the asset's
// threats, records a countering control as 一部実施 with an evidence file, watches
// the residual risk move, asks to accept the register's highest remaining risk
// (refused approving it himself) and has it approved by the CISO; the register's
// Excel export follows the filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMamori, launchBrowser, signIn } from './server.mjs';

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

/// The page at `path`, reloaded until `selector`'s text matches `pattern` (the
/// recomputation runs in the background).
async function until(page, path, selector, pattern) {
  for (let i = 0; i < 40; i += 1) {
    await page.goto(path);
    const text = (await page.textContent(selector)) ?? '';
    if (pattern(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`${path} ${selector} never matched`);
}

test('a control recorded with evidence lowers the residual risk; an acceptance is approved by the CISO only', async () => {
  const errors = [];
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}`);
  });
  const office = await (await browser.newContext({ acceptDownloads: true })).newPage();
  watch(office);
  await signIn(office, server.base, 'security', DEMO_PASSWORD);

  // An information system of 市民課.
  await office.goto(`${server.base}/systems/new`);
  await office.fill('#code', 'SYS-E2E');
  await office.fill('#name', '窓口予約システム（ブラウザ試験）');
  await office.selectOption('#owner_unit_id', { index: 1 });
  await Promise.all([office.waitForNavigation(), office.click('#system-form button[type="submit"]')]);
  const systemId = office.url().match(/\/systems\/(\d+)$/)?.[1];
  assert.ok(systemId, office.url());

  // An asset holding personal information, run on that system.
  await office.goto(`${server.base}/assets/new`);
  await office.selectOption('#kind', 'electronic_information');
  await office.selectOption('#owner_unit_id', { index: 1 });
  await office.selectOption('#confidentiality', '2');
  await office.selectOption('#integrity', '2');
  await office.selectOption('#availability', '2');
  await office.fill('#name', '予約者名簿（ブラウザ試験）');
  await office.fill('#administrator', '市民課長');
  await office.selectOption('#system_id', systemId);
  await office.check('#personal_info');
  await Promise.all([office.waitForNavigation(), office.click('#asset-submit')]);
  const assetPath = new URL(office.url()).pathname;
  assert.match(assetPath, /^\/assets\/\d+$/);

  // Its threats, each with the controls countering it and the risk (once
  // the background recomputation has placed the new asset).
  const summary = await until(office, `${server.base}${assetPath}`, '#asset-threat-summary tbody', (t) => /→/.test(t));
  assert.match(summary, /未記録|実施/);
  // The threat countered by the fewest controls: one control moves its risk.
  const rows = await office.$$eval('#asset-threat-summary tbody tr', (trs) => trs
    .filter((tr) => tr.querySelector('a[href^="/risks/"]') && tr.querySelector('a[href^="/controls/"]'))
    .map((tr) => ({
      threat: tr.cells[0].textContent.trim(),
      controls: [...tr.querySelectorAll('a[href^="/controls/"]')].map((a) => a.textContent.trim()),
      risk: tr.querySelector('a[href^="/risks/"]').textContent.trim(),
      href: tr.querySelector('a[href^="/risks/"]').getAttribute('href'),
    })));
  rows.sort((a, b) => a.controls.length - b.controls.length);
  const { threat, controls, risk: before, href: riskHref } = rows[0];
  const control = controls[0];

  // The control, 一部実施 for the system, with an evidence file.
  await office.goto(`${server.base}/control-status/edit?control=${control}&scope_kind=system&scope_id=${systemId}`);
  await office.selectOption('#state', 'partial');
  await office.fill('#owner', 'security');
  await office.fill('#due_on', '2099-03-31');
  await office.fill('#comment', '一部の端末のみ実施');
  await Promise.all([office.waitForNavigation(), office.click('#status-form button[type="submit"]')]);
  assert.match(office.url(), /\/control-status\/\d+$/);
  await office.setInputFiles('#file', { name: '点検記録.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 test') });
  await Promise.all([office.waitForNavigation(), office.click('#evidence-form button[type="submit"]')]);
  assert.match(await office.textContent('body'), /点検記録\.pdf/);

  // The residual risk of the pair moves once the recomputation has run.
  const riskOf = async () => office.$$eval('#asset-threat-summary tbody tr', (trs, t) => trs
    .find((tr) => tr.cells[0].textContent.trim() === t)
    ?.querySelector('a[href^="/risks/"]')?.textContent.trim(), threat);
  let now = before;
  for (let i = 0; i < 40 && now === before; i += 1) {
    await office.waitForTimeout(250);
    await office.goto(`${server.base}${assetPath}`);
    now = await riskOf();
  }
  const residual = (text) => Number(text.split('→')[1]);
  assert.ok(residual(now) < residual(before), `${threat} (${controls.join(' ')}): ${before} then ${now}`);
  await office.goto(`${server.base}${riskHref}`);
  assert.match(await office.textContent('#controls'), /一部実施/);

  // The register: a heat map drawn on the server and the Excel export.
  await office.goto(`${server.base}/risks`);
  assert.equal(await office.locator('svg#heat-map rect').count() > 0, true);
  const exported = await office.request.get(`${server.base}${await office.getAttribute('#risk-export', 'href')}`);
  assert.equal(exported.status(), 200, await exported.text());
  assert.match(exported.headers()['content-disposition'], /risks\.xlsx/);
  assert.equal((await exported.body()).subarray(0, 2).toString(), 'PK');

  // The highest remaining risk: the office asks to accept it.
  await Promise.all([office.waitForNavigation(), office.click('#risks tbody tr:first-child a')]);
  const highest = new URL(office.url()).pathname;
  assert.match(await office.textContent('#treat'), /承認が必要/);
  await office.selectOption('#treat select[name="option"]', 'accept');
  await office.fill('#treat input[name="owner"]', 'security');
  await office.fill('#treat input[name="expires_on"]', '2099-12-31');
  await Promise.all([office.waitForNavigation(), office.click('#treat button[type="submit"]')]);
  assert.match(await office.textContent('#treatment-state'), /受容承認待ち/);
  // He is not offered the approval, and a forged one is refused.
  assert.equal(await office.$('#approve'), null);
  const forged = await office.evaluate(async () => {
    const csrf = document.querySelector('input[name="csrf"]').value;
    const r = await fetch(location.pathname + '/approve', { method: 'POST', body: new URLSearchParams({ csrf }), redirect: 'manual' });
    return r.status;
  });
  await office.goto(`${server.base}${highest}`);
  assert.match(await office.textContent('#treatment-state'), /受容承認待ち/, `forged approval answered ${forged}`);

  // The CISO approves it.
  const ciso = await (await browser.newContext()).newPage();
  watch(ciso);
  await signIn(ciso, server.base, 'ciso', DEMO_PASSWORD);
  await ciso.goto(`${server.base}${highest}`);
  await Promise.all([ciso.waitForNavigation(), ciso.click('#approve button')]);
  assert.match(await ciso.textContent('#treatment-state'), /受容済/);
  assert.match(await ciso.textContent('#treatment'), /佐藤 一郎/);

  const unexpected = errors.filter((e) => !e.includes('/favicon.ico'));
  assert.deepEqual(unexpected, [], 'no console or CSP errors');
});
