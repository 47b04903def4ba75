// Network resilience (強靱性の向上): the security office keeps the city's segments
// file, uploads a firewall configuration, reads the verdict, the matrix and the
// violation with the rule that causes it, then checks a corrected configuration
// and finds both runs in the device's history. No console or CSP errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMamori, launchBrowser, signIn, ADMIN_PASSWORD } from './server.mjs';

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

const SEGMENTS = `model = "alpha"
[[segment]]
name = "mynumber"
role = "mynumber"
ranges = ["10.10.0.0/16"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["10.30.0.0/16"]
`;

// Line 5 lets the Internet-connected segment reach the My Number segment.
const BAD = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.30.0.0/16 -d 10.10.5.0/24 -p tcp -m tcp --dport 443 -j ACCEPT
-A FORWARD -s 10.20.0.0/16 -d 10.20.0.0/16 -j ACCEPT
COMMIT
`;

const GOOD = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 10.20.0.0/16 -j ACCEPT
COMMIT
`;

test('the security office checks a firewall against the segment model', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);

  // The segments file: a wrong range is refused with its line, nothing saved.
  await page.goto(`${server.base}/segments`);
  await page.fill('#file', SEGMENTS.replace('10.20.0.0/16', '10.20.0.0/33'));
  await Promise.all([page.waitForNavigation(), page.click('#segments-save')]);
  const err = await page.textContent('#segments-error');
  assert.match(err, /line 9/, err);
  assert.match(err, /10\.20\.0\.0\/33/, err);
  await page.fill('#file', SEGMENTS);
  await Promise.all([page.waitForNavigation(), page.click('#segments-save')]);
  assert.match(await page.textContent('#segments'), /internet/);

  // Upload a configuration with a violation.
  await page.goto(`${server.base}/netcheck`);
  assert.match(await page.inputValue('#segments'), /10\.30\.0\.0\/16/, 'the saved segments file is offered');
  await page.fill('#device', 'fw-core-1');
  const file = join(server.dataDir, 'fw-core-1.rules');
  writeFileSync(file, BAD);
  await page.setInputFiles('#config', file);
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  assert.match(page.url(), /\/netcheck\/runs\/\d+$/);
  assert.match(await page.textContent('#verdict'), /1/);
  const violation = await page.textContent('.violation');
  assert.match(violation, /internet（インターネット接続系） → mynumber（マイナンバー利用事務系）/);
  // The first sentence says whether the device conforms; the grid marks
  // the pair with ×, the model's rule beside it in Japanese.
  assert.match(await page.textContent('#conformance'), /適合していません：違反 1 件/);
  const grid = await page.textContent('.nc-grid');
  assert.match(grid, /×/);
  assert.match(grid, /—/);
  assert.match(grid, /マイナンバー利用事務系とインターネット接続系の間は通信させない/);
  assert.doesNotMatch(grid, /specific-flows|violation|alpha/);
  // Printed, the report keeps the verdict and the grid and drops the
  // navigation (A4 page from the stylesheet).
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('header.top'), false, 'no navigation on paper');
  assert.equal(await page.isVisible('#conformance'), true);
  assert.equal(await page.isVisible('.nc-grid'), true);
  const pdf = await page.pdf({ preferCSSPageSize: true });
  assert.ok(pdf.length > 1000, 'an A4 report prints');
  await page.emulateMedia({ media: 'screen' });
  assert.match(violation, /10\.10\.5\.0\/24/);
  assert.match(violation, /fw-core-1\.rules:5/);
  const matrix = await page.textContent('#matrix');
  assert.match(matrix, /lgwan/);

  // The corrected configuration is clean; the device's history has both runs.
  await page.goto(`${server.base}/netcheck`);
  await page.fill('#device', 'fw-core-1');
  writeFileSync(file, GOOD);
  await page.setInputFiles('#config', file);
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  assert.equal(await page.$('.violation'), null);
  await page.goto(`${server.base}/netcheck?device=fw-core-1`);
  const runs = await page.$$eval('#netcheck-runs tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(runs.length, 2, runs.join('\n'));
  assert.ok(runs.every((r) => r.includes('fw-core-1')), runs.join('\n'));

  // Unreadable input: the form says what is wrong, no run is recorded.
  await page.goto(`${server.base}/netcheck`);
  await page.fill('#device', 'fw-core-1');
  await page.fill('#config_text', 'this is not a firewall configuration');
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  assert.ok(await page.textContent('#netcheck-error'));
  await page.goto(`${server.base}/netcheck?device=fw-core-1`);
  assert.equal((await page.$$('#netcheck-runs tbody tr')).length, 2);

  // The two refused forms answer 422, which the browser reports on the
  // console; anything else is an error.
  const refused = (path) => (e) => e.includes('status of 422') && e.endsWith(`${server.base}${path}`);
  const expected = [refused('/segments/file'), refused('/netcheck')];
  const unexpected = errors.filter((e) => !expected.some((ok) => ok(e)));
  assert.deepEqual(unexpected, [], 'no console or CSP errors');
  assert.equal(errors.filter((e) => e.includes('status of 422')).length, 2, errors.join('\n'));
});
