import { launchBrowser, signIn } from './server.mjs';
const base = 'http://127.0.0.1:8765';
const b = await launchBrowser();
const sec = await (await b.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
await signIn(sec, base, 'security', 'mamori-demo-2025');
await sec.goto(`${base}/contractors`);
const first = sec.locator('table a[href^="/contractors/"]').first();
await Promise.all([sec.waitForNavigation(), first.click()]);
await sec.locator('#contractor-edit summary').click();
await sec.fill('#contractor-edit-form input[name=data_location]', '');
await sec.evaluate(() => document.querySelector('#contractor-edit-form input[name=data_location]').removeAttribute('required'));
await Promise.all([sec.waitForNavigation(), sec.click('#contractor-edit-form button[type=submit]')]);
await sec.screenshot({ path: '/tmp/c1.png', fullPage: false });
await sec.goto(`${base}/incidents`);
const inc = sec.locator('table a[href^="/incidents/"]').first();
if (await inc.count()) { await Promise.all([sec.waitForNavigation(), inc.click()]); await sec.screenshot({ path: '/tmp/c2.png', fullPage: true }); }
await sec.goto(`${base}/assets?per_page=10`);
await sec.screenshot({ path: '/tmp/c3.png', fullPage: true });
await b.close();
