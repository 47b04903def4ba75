// Self-inspection (第10): a section's 情報セキュリティ管理者 (sasaki, D02-S01)
// answers part of the demo campaign in the browser, downloads the .xlsx
// questionnaire, fills in the rest (by editing the downloaded file), uploads
// it, attaches evidence (a file and a link) to an answer and submits; a sheet with an answer outside the list is refused whole,
// and after submission the answers can no longer be changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync, deflateRawSync, crc32 } from 'node:zlib';
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

// --- a minimal zip reader and writer, enough to edit one entry of an .xlsx ---
function readZip(buf) {
  let eocd = buf.length - 22;
  while (buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const lNameLen = buf.readUInt16LE(offset + 26);
    const lExtraLen = buf.readUInt16LE(offset + 28);
    const start = offset + 30 + lNameLen + lExtraLen;
    const raw = buf.subarray(start, start + size);
    entries.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function writeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8); central.writeUInt16LE(8, 10); central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// Writes `answer` into every empty answer cell (column H) of the questionnaire.
function fillAnswers(xlsx, answer) {
  const entries = readZip(xlsx);
  const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml');
  const xml = sheet.data.toString('utf8').replace(
    /<c r="(H(\d+))"( s="\d+")?\s*\/>/g,
    (m, ref, row, style) => (Number(row) >= 4
      ? `<c r="${ref}"${style ?? ''} t="inlineStr"><is><t>${answer}</t></is></c>`
      : m),
  );
  sheet.data = Buffer.from(xml, 'utf8');
  return writeZip(entries);
}

test('a section manager answers in the browser and by Excel, then submits', async () => {
  const errors = [];
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  // The refused upload answers 422 on purpose; any other error counts.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('422')) errors.push(m.text()); });
  await signIn(page, server.base, 'sasaki', DEMO_PASSWORD);
  await navTo(page, '監査・自己点検');
  const mine = page.locator('#mine tr', { hasText: '自己点検（デモ）' });
  await Promise.all([page.waitForNavigation(), mine.locator('a').click()]);
  assert.match(await page.textContent('#target-state'), /未着手/);
  const questionnaire = page.url();

  // The first answer in the browser, saved as one goes.
  const first = page.locator('#questions select').first();
  await first.selectOption('done');
  await page.locator('#questions input').first().fill('規程を確認');
  await Promise.all([page.waitForNavigation(), page.click('#save')]);
  assert.match(await page.textContent('#target-state'), /回答中/);
  assert.equal(await page.locator('#answered').textContent(), '1');

  // Download the questionnaire.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-xlsx')]);
  const path = join(server.dataDir, 'questionnaire.xlsx');
  await download.saveAs(path);
  const blank = readFileSync(path);

  // A sheet with an answer outside the list: refused, nothing taken.
  const bad = join(server.dataDir, 'bad.xlsx');
  writeFileSync(bad, fillAnswers(blank, 'たぶん'));
  await page.setInputFiles('#file', bad);
  await Promise.all([page.waitForNavigation(), page.click('#upload')]);
  assert.match(await page.textContent('body'), /MAMORI-INSPECTION-ANSWER|選べません/);
  await page.goto(questionnaire);
  assert.equal(await page.locator('#answered').textContent(), '1', 'nothing taken');

  // Filled in properly: every answer taken.
  const good = join(server.dataDir, 'good.xlsx');
  writeFileSync(good, fillAnswers(blank, '一部実施'));
  await page.setInputFiles('#file', good);
  await Promise.all([page.waitForNavigation(), page.click('#upload')]);
  assert.match(await page.textContent('body'), /回答票から取り込みました/);
  const total = await page.locator('#questions tbody tr').count();
  assert.equal(await page.locator('#answered').textContent(), String(total));

  // Evidence for the first item: a file, then a link.
  const proof = join(server.dataDir, '点検記録.txt');
  writeFileSync(proof, 'checked on site');
  const firstItem = await page.locator('#ev-item option').nth(1).getAttribute('value');
  await page.selectOption('#ev-item', firstItem);
  await page.setInputFiles('#ev-file', proof);
  await page.fill('#ev-note', '現地確認の記録');
  await Promise.all([page.waitForNavigation(), page.click('#evidence-add')]);
  assert.match(await page.textContent('body'), /証跡を添付しました/);
  await page.selectOption('#ev-item', firstItem);
  await page.fill('#ev-url', 'https://intra.example.jp/rules');
  await Promise.all([page.waitForNavigation(), page.click('#evidence-add')]);
  // A link that is not http(s): refused with the reason, and a way back.
  await page.selectOption('#ev-item', firstItem);
  await page.locator('#ev-url').evaluate((e) => { e.type = 'text'; });
  await page.fill('#ev-url', 'ftp://files.example/rules');
  await Promise.all([page.waitForNavigation(), page.click('#evidence-add')]);
  assert.match(await page.textContent('body'), /http または https/);
  await Promise.all([page.waitForNavigation(), page.click('#error-back-to-page')]);
  assert.equal(page.url(), questionnaire);
  const cell = page.locator(`#evidence-${firstItem}`);
  assert.match(await cell.textContent(), /点検記録\.txt/);
  assert.match(await cell.textContent(), /intra\.example\.jp/);
  const [proofDownload] = await Promise.all([page.waitForEvent('download'), cell.locator('a[download]').click()]);
  assert.equal(readFileSync(await proofDownload.path(), 'utf8'), 'checked on site');

  // Submit.
  await Promise.all([page.waitForNavigation(), page.click('#submit')]);
  assert.match(await page.textContent('#target-state'), /提出済/);
  assert.equal(await page.locator('#submit').count(), 0, 'no more answering');
  assert.equal(await page.locator('#upload').count(), 0, 'no more uploads');
  assert.equal(await page.locator('#evidence-form').count(), 0, 'no more evidence');
  assert.deepEqual(errors, [], 'no console errors');
});

test('staff cannot answer, and do not see the campaigns', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, server.base, 'tanaka', DEMO_PASSWORD);
  await page.goto(`${server.base}/audits`);
  const link = page.locator('#mine a').first();
  assert.equal(await page.locator('#inspections').count(), 0);
  await Promise.all([page.waitForNavigation(), link.click()]);
  assert.equal(await page.locator('#questions select').count(), 0, 'read only');
  assert.equal(await page.locator('#submit').count(), 0);
  const r = await page.goto(`${server.base}/audits/checklists`);
  assert.equal(r.status(), 403);
});
