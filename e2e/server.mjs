// Starts a real `mamori serve` on a free port with a fresh data folder, and a
// headless Debian Chromium, for the browser tests.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const ADMIN_PASSWORD = 'browser test passphrase';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startMamori({ demo = false } = {}) {
  const bin = process.env.MAMORI_BIN;
  if (!bin) throw new Error('MAMORI_BIN must name the mamori binary');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-e2e-'));
  const args = ['serve', '--data-dir', dataDir, '--bind', `127.0.0.1:${port}`];
  if (demo) args.push('--demo');
  const child = spawn(bin, args, {
    env: { ...process.env, MAMORI_ADMIN_PASSWORD: ADMIN_PASSWORD, MAMORI_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { base, dataDir, child, output: () => output };
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`mamori exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`mamori did not start: ${output}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export async function signIn(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
}

/** Follows a link of the menu: opens its group first (the menu is grouped
 * so that it fits 1366 px), then clicks the link and waits for the page. */
export async function navTo(page, text) {
  const link = page.locator('header nav a', { hasText: text }).first();
  const group = page.locator('header nav details').filter({ has: page.locator('a', { hasText: text }) });
  if (await group.count() > 0 && !(await group.first().evaluate((d) => d.open))) {
    await group.first().locator('summary').click();
  }
  await Promise.all([page.waitForNavigation(), link.click()]);
}
