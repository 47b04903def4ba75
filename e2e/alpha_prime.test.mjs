// α' services in the segments file (issue 15): the security office records an
// external service approved for α' with the address ranges it is reached at,
// finds it with the list's filters, names it as a flow's destination
// (`destination = "service:<name>"`) in a check, and reads on the run page what
// the name resolved to; an unknown name is refused with its line. The
// contractors list filters on contracts missing clauses, and its export link
// follows the filters. No console or CSP errors beyond the refused form.
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

const segments = (name) => `model = "alpha-prime"
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
ranges = ["0.0.0.0/0"]

[[flow]]
from = "lgwan"
to = "internet"
destination = "service:${name}"
protocol = "tcp"
ports = "443"
purpose = "α': Web会議"
`;

const CONFIG = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.20.0.0/16 -d 198.51.100.0/24 -p tcp --dport 443 -j ACCEPT
COMMIT
`;

test('an α\' service with its ranges is a destination of a check, and the registers filter', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'security', DEMO_PASSWORD);

  // Record the service with its ranges.
  await navTo(page, '外部サービス');
  await page.click('details summary:has-text("外部サービスを登録する")');
  await page.fill('#service-form input[name="name"]', 'Web会議サービス');
  await page.check('#service-form input[name="cloud"]');
  await page.fill('#service-form textarea[name="purpose"]', '庁内外とのWeb会議');
  await page.fill('#service-form input[name="data_location"]', '国内');
  await page.check('#service-form input[name="ismap"]');
  await page.fill('#service-form input[name="ismap_id"]', 'C24-0100-1');
  await page.check('#service-form input[name="alpha_prime"]');
  await page.fill('#service-form textarea[name="ranges"]', '198.51.100.0/24\n2001:db8:200::/48');
  await Promise.all([page.waitForNavigation(), page.click('#service-form button[type="submit"]')]);

  // The filters: approved for α' and registered in ISMAP.
  await page.selectOption('#service-filters select[name="alpha_prime"]', 'yes');
  await Promise.all([page.waitForNavigation(), page.click('#service-filters button[type="submit"]')]);
  const approved = await page.textContent('#services');
  assert.match(approved, /Web会議サービス/);
  assert.match(approved, /庁内クラウドメール/, 'the demo city\'s α\' service');
  assert.doesNotMatch(approved, /電子契約サービス/);
  assert.match(approved, /198\.51\.100\.0\/24/);
  assert.match(await page.getAttribute('#services-xlsx', 'href'), /alpha_prime=yes/);

  // A check naming the service: the flow stands for its ranges.
  await page.goto(`${server.base}/netcheck`);
  await page.fill('#device', 'fw-lgwan-1');
  await page.fill('#segments', segments('Web会議サービス'));
  await page.fill('#config_text', CONFIG);
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  assert.match(page.url(), /\/netcheck\/runs\/\d+$/);
  assert.match(await page.textContent('#conformance'), /適合しています/);
  const resolved = await page.textContent('#resolved-services');
  assert.match(resolved, /Web会議サービス/);
  assert.match(resolved, /198\.51\.100\.0\/24 2001:db8:200::\/48/);

  // An unknown name is refused with its line and name; nothing is recorded.
  await page.goto(`${server.base}/netcheck`);
  await page.fill('#device', 'fw-lgwan-1');
  await page.fill('#segments', segments('ない会議'));
  await page.fill('#config_text', CONFIG);
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  const refused = await page.textContent('#netcheck-error');
  assert.match(refused, /18行目/);
  assert.match(refused, /ない会議/);
  await page.goto(`${server.base}/netcheck?device=fw-lgwan-1`);
  assert.equal((await page.$$('#netcheck-runs tbody tr')).length, 1);

  // The contractors with a contract lacking required clauses.
  await navTo(page, '委託先');
  await page.check('#contractor-filters input[name="missing"]');
  await Promise.all([page.waitForNavigation(), page.click('#contractor-filters button[type="submit"]')]);
  const missing = await page.textContent('#contractors');
  assert.match(missing, /東日本データセンター/);
  assert.doesNotMatch(missing, /さくら印刷/);
  assert.match(await page.getAttribute('#contractors-xlsx', 'href'), /missing=1/);
  await page.selectOption('#contractor-filters select[name="assessment"]', 'overdue');
  await page.uncheck('#contractor-filters input[name="missing"]');
  await Promise.all([page.waitForNavigation(), page.click('#contractor-filters button[type="submit"]')]);
  assert.match(await page.textContent('#contractors'), /みらい情報システム/);

  const unexpected = errors.filter((e) => !(e.includes('status of 422') && e.endsWith(`${server.base}/netcheck`)));
  assert.deepEqual(unexpected, [], 'no console or CSP errors');
});
