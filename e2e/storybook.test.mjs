// End-to-end: the built Storybook. Every story renders its element (defined, with a shadow root and
// no Storybook error display, no page error) and every docs page renders, with its formulas as MathML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { root } from '../scripts/lib.mjs';

const dir = join(root, 'storybook-static');
let server, browser, base;
const index = existsSync(join(dir, 'index.json')) ? JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) : { entries: {} };
const entries = Object.values(index.entries);

before(async () => {
  server = await preview({ root, build: { outDir: 'storybook-static' }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
  base = server.resolvedUrls.local[0];
  const flags = (process.env.CHROME_FLAGS ?? '--no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader --disable-background-networking --disable-component-update --no-first-run').split(' ');
  browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: flags });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the Storybook build has stories and docs pages', () => {
  assert.ok(entries.filter((e) => e.type === 'story').length >= 10, 'at least ten stories');
  assert.ok(entries.some((e) => e.type === 'docs' && /welcome/i.test(e.id)), 'a welcome page');
});

async function visit(url, check) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await check(page);
  await page.close();
  return errors;
}

for (const e of entries.filter((x) => x.type === 'story')) {
  test(`story ${e.id} renders`, async () => {
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=story`, base).href, async (page) => {
      await page.waitForFunction(
        () => {
          const first = document.querySelector('#storybook-root')?.firstElementChild;
          return !!first && (!first.localName.includes('-') || (customElements.get(first.localName) && first.shadowRoot?.childNodes.length));
        },
        null,
        { timeout: 30000 },
      );
      const shown = await page.evaluate(() => document.body.classList.contains('sb-show-errordisplay'));
      assert.equal(shown, false, 'Storybook shows an error for this story');
    });
    assert.deepEqual(errors, []);
  });
}

for (const e of entries.filter((x) => x.type === 'docs')) {
  test(`docs page ${e.id} renders`, async () => {
    const errors = await visit(new URL(`iframe.html?id=${e.id}&viewMode=docs`, base).href, async (page) => {
      await page.waitForSelector('#storybook-docs h1', { timeout: 30000 });
      // MDX pages with $…$ formulas must show them as MathML (remark-math + rehype-katex).
      if (!e.importPath.endsWith('.mdx')) return;
      const src = readFileSync(join(root, e.importPath), 'utf8');
      if (/\$[^{]/.test(src)) {
        await page.waitForSelector('#storybook-docs math', { timeout: 30000 });
        assert.ok((await page.locator('#storybook-docs math').count()) >= 3, 'formulas render as MathML');
      }
    });
    assert.deepEqual(errors, []);
  });
}
