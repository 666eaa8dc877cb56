// A page served cross-origin isolated (COOP + COEP, as a host may do for other reasons): TF.js's
// threaded WASM build breaks once minified (its workers are started from a function's source text),
// and the page used to hang. @convlab/tensor keeps WASM to one thread unless the page opts in, so the
// built (minified) lecture page must reach its results there too. See packages/tensor/src/backend.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { serveAndLaunch, shutDown, scrollThroughWidgets } from './harness.mjs';

let server, browser, base;

before(async () => {
  ({ server, browser, base } = await serveAndLaunch({ root: join(root, 'apps/course-site') }));
});
after(() => shutDown({ server, browser }));

test('on a cross-origin isolated page the minified widgets reach their results, on one WASM thread', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.route('**/*', async (route) => {
    const res = await route.fetch();
    const headers = { ...res.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    await route.fulfill({ response: res, headers });
  });
  await page.goto(new URL('lecture.html', base).href);
  await scrollThroughWidgets(page);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
  const state = await page.evaluate(() => {
    const info = globalThis[Symbol.for('convlab.tensor.v1')]?.info;
    return { isolated: globalThis.crossOriginIsolated, name: info?.name, wasm: info?.wasm, reason: info?.reason, software: info?.gpu?.software };
  });
  assert.equal(state.isolated, true, 'the page is cross-origin isolated');
  if (state.software) {
    assert.equal(state.name, 'wasm');
    assert.deepEqual(state.wasm, { simd: true, threads: false });
    assert.match(state.reason, /threads are opt-in/);
  }
  assert.deepEqual(problems, []);
  await page.close();
});
