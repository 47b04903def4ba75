// Network check of a Cisco ASA and a Palo Alto PAN-OS configuration in the
// browser: the officer pastes each, reads the one-sentence verdict first,
// then the segments × segments grid (○ × —) with the model's rule in
// Japanese; no console or CSP errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
interfaces = ["mynumber"]
[[segment]]
name = "lgwan"
role = "lgwan"
ranges = ["10.20.0.0/16"]
interfaces = ["lgwan"]
[[segment]]
name = "internet"
role = "internet"
ranges = ["0.0.0.0/0"]
interfaces = ["outside", "untrust"]
`;

// Line 13 lets LGWAN reach a My Number host by RDP.
const ASA = `ASA Version 9.16(2)
interface GigabitEthernet0/0
 nameif outside
 security-level 0
interface GigabitEthernet0/1
 nameif lgwan
 security-level 50
interface GigabitEthernet0/2
 nameif mynumber
 security-level 100
object network MN-ADMIN
 host 10.10.2.20
access-list LG_IN extended permit tcp any object MN-ADMIN eq 3389
access-list LG_IN extended deny ip any any
access-list MN_IN extended deny ip any any
access-group LG_IN in interface lgwan
access-group MN_IN in interface mynumber
`;

const PANOS = `set zone untrust network layer3 ethernet1/1
set zone lgwan network layer3 ethernet1/2
set zone mynumber network layer3 ethernet1/3
set rulebase security rules deny-all from any
set rulebase security rules deny-all to any
set rulebase security rules deny-all source any
set rulebase security rules deny-all destination any
set rulebase security rules deny-all application any
set rulebase security rules deny-all service any
set rulebase security rules deny-all action deny
`;

async function check(page, device, text) {
  await page.goto(`${server.base}/netcheck`);
  await page.fill('#device', device);
  await page.fill('#segments', SEGMENTS);
  await page.fill('#config_text', text);
  await Promise.all([page.waitForNavigation(), page.click('#netcheck-submit')]);
  assert.match(page.url(), /\/netcheck\/runs\/\d+$/);
}

test('ASA and PAN-OS verdicts read at a glance', async () => {
  const errors = [];
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' @ ' + m.location().url); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD);

  await check(page, 'city-asa', ASA);
  assert.match(await page.textContent('#conformance'), /モデル「αモデル」に適合していません：違反 1 件/);
  const grid = await page.textContent('.nc-grid');
  assert.match(grid, /×/);
  assert.match(grid, /—/);
  assert.match(grid, /マイナンバー利用事務系とインターネット接続系の間は通信させない/);
  assert.match(await page.textContent('.violation'), /pasted:13/);

  await check(page, 'city-pa', PANOS);
  assert.match(await page.textContent('#conformance'), /モデル「αモデル」に適合しています。/);
  const clean = await page.textContent('.nc-grid');
  assert.doesNotMatch(clean, /×/);
  assert.match(clean, /—/);

  assert.deepEqual(errors, [], 'no console or CSP errors');
});
