import { launchBrowser, signIn } from './server.mjs';
const base = 'http://127.0.0.1:8765';
const b = await launchBrowser();
const c = await (await b.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
await signIn(c, base, 'ciso', 'mamori-demo-2025');
const el = c.locator('section.responsibility').first();
await el.screenshot({ path: '/tmp/cycle.png' });
await c.click('#risks-untreated'); console.log(c.url(), (await c.textContent('main')).replace(/\s+/g,' ').slice(0, 300));
await b.close();
