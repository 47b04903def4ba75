import { launchBrowser, signIn } from './server.mjs';
const base = 'http://127.0.0.1:8765';
const b = await launchBrowser();
async function as(user) { const p = await (await b.newContext({ viewport: { width: 1366, height: 900 } })).newPage(); await signIn(p, base, user, 'mamori-demo-2025'); return p; }
const one = await as('sasaki'); const two = await as('sasaki');
await one.goto(`${base}/audits`);
const link = one.locator('a[href*="/audits/inspections/"][href*="/units/"]').first();
const href = await link.getAttribute('href');
await one.goto(base + href); await two.goto(base + href);
const sel1 = one.locator('#answers-form select').first();
await sel1.selectOption('done');
await Promise.all([one.waitForNavigation(), one.locator('#answers-form button[type=submit]').first().click()]);
const sel2 = two.locator('#answers-form select').first();
await sel2.selectOption('not_done');
await two.locator('#answers-form input[name^=c_]').first().fill('点検記録が見当たらない');
await Promise.all([two.waitForNavigation(), two.locator('#answers-form button[type=submit]').first().click()]);
console.log(two.url());
await two.screenshot({ path: '/tmp/stale.png', fullPage: false });
await b.close();
