// End-to-end: the built course site in Debian Chromium through playwright-core. Every page reaches
// its first result (body[data-ready]) with no console error and no failed request; a screenshot of
// each is kept under test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { root } from '../scripts/lib.mjs';

const out = join(root, 'test-output', 'e2e');
mkdirSync(out, { recursive: true });
let server, browser, base;

before(async () => {
  server = await preview({ root: join(root, 'apps/course-site'), preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  base = server.resolvedUrls.local[0];
  const flags = (process.env.CHROME_FLAGS ?? '--no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader --disable-background-networking --disable-component-update --no-first-run').split(' ');
  browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: flags });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(new URL(path, base).href);
  return { page, problems };
}

test('the first page shows a sample photo as a tensor, with no console error', async () => {
  const { page, problems } = await open('index.html');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  const shape = await page.textContent('#shape');
  assert.match(shape, /^\[1, \d+, \d+, 3\]$/);
  // The brightness view really painted: its canvas has non-uniform pixels.
  const distinct = await page.evaluate(() => {
    const el = document.querySelector('#lum');
    const canvas = el.shadowRoot.querySelector('canvas');
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return new Set(Array.from({ length: 200 }, (_, i) => d[Math.floor((i / 200) * (d.length / 4)) * 4])).size;
  });
  assert.ok(distinct > 5, `the brightness canvas looks blank (${distinct} distinct values)`);
  await page.screenshot({ path: join(out, 'index.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
