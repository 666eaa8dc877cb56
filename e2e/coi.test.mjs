// A page served cross-origin isolated (COOP + COEP, as `npm start` and the dev server now do): the
// built (minified) lecture page runs TF.js's threaded WASM build. TF.js's pthread workers used to be
// started from the source text of a minified function, and the page hung; @convlab/tensor now points
// them at TF.js's own unminified script (see packages/tensor/src/backend.ts). TF.js gives its XNNPACK
// pool min(8, hardwareConcurrency / 2) threads, so this 2-core machine computes on one thread unless
// the browser reports more cores: the first test emulates 4 (Chromium's CDP override), which is also
// what a reader's 4-core laptop reports.
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

/** Opens the built lecture page cross-origin isolated; `cores` overrides navigator.hardwareConcurrency. */
async function openIsolated({ cores, breakThreadScript = false, path = 'lecture.html' } = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  const warnings = [];
  let workers = 0;
  let closing = false;
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('worker', () => workers++);
  if (cores) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: cores });
  }
  await page.route('**/*', async (route) => {
    try {
      // A bundler that dropped the workers' script, or a host that does not serve it.
      if (breakThreadScript && /tfjs-backend-wasm-threaded-simd[^/]*\.js$/.test(route.request().url())) return await route.fulfill({ status: 404, body: 'gone' });
      const res = await route.fetch();
      const headers = { ...res.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
      await route.fulfill({ response: res, headers });
    } catch (e) {
      // A request still in flight when the test closes the page ("Request context disposed"): not the
      // page's problem. It used to escape as an unhandled rejection and fail the whole file (CI, bbc77ed).
      if (!closing) problems.push(`route ${route.request().url()}: ${e.message.split('\n')[0]}`);
    }
  });
  const t0 = Date.now();
  await page.goto(new URL(path, base).href);
  await scrollThroughWidgets(page);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 180000 });
  const ms = Date.now() - t0;
  const state = await page.evaluate(() => {
    const info = globalThis[Symbol.for('convlab.tensor.v1')]?.info;
    return { isolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency, name: info?.name, wasm: info?.wasm, reason: info?.reason, software: info?.gpu?.software };
  });
  // Closing: stop routing first, so that a request still in flight fails quietly.
  const close = async () => {
    closing = true;
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.close();
  };
  return { page, close, problems, warnings, workers, ms, state };
}

test('on a cross-origin isolated 4-core browser the minified lecture page runs WASM on 2 threads, every widget reaching its result', async (t) => {
  const { close, problems, workers, ms, state } = await openIsolated({ cores: 4 });
  t.diagnostic(`all widgets ready in ${ms} ms; ${state.reason}; ${workers} workers`);
  assert.equal(state.isolated, true, 'the page is cross-origin isolated');
  assert.equal(state.cores, 4);
  if (state.software) {
    assert.equal(state.name, 'wasm');
    assert.deepEqual(state.wasm, { simd: true, threads: true, threadCount: 2 });
    assert.match(state.reason, /; 2 threads$/);
    // TF.js's pool: 8 pthread workers on the page (more in <gram-style>'s own worker).
    assert.ok(workers >= 8, `${workers} workers`);
  }
  assert.deepEqual(problems, []);
  await close();
});

test('with the browser\'s own core count (2 here) the page stays on one thread unless TF.js would use more', async (t) => {
  const { close, problems, ms, state } = await openIsolated();
  t.diagnostic(`all widgets ready in ${ms} ms; ${state.reason}`);
  assert.equal(state.isolated, true);
  if (state.software) {
    const pool = Math.min(8, Math.floor(state.cores / 2));
    assert.equal(state.wasm.threads, pool >= 2);
    assert.equal(state.wasm.threadCount, Math.max(1, pool));
    if (pool < 2) assert.match(state.reason, /hardwareConcurrency \/ 2 = 1 thread/);
  }
  assert.deepEqual(problems, []);
  await close();
});

test('when the workers\' script cannot load, the page does not hang: WASM starts again on one thread, with a warning', async (t) => {
  const { close, warnings, ms, state } = await openIsolated({ cores: 4, breakThreadScript: true });
  t.diagnostic(`all widgets ready in ${ms} ms; ${state.reason}`);
  if (state.software) {
    assert.equal(state.name, 'wasm');
    assert.deepEqual(state.wasm, { simd: true, threads: false, threadCount: 1 });
    assert.match(state.reason, /one thread \(WASM threads failed: a worker failed/);
    assert.ok(warnings.some((w) => /\[convlab\] WASM threads failed/.test(w)), warnings.join('\n'));
  }
  await close();
});

test('an embed page, under its strict CSP, runs the threaded build too (its workers importScripts a blob)', async (t) => {
  for (const tag of ['fcn-seg', 'gram-style']) {
    const { page, close, problems, ms, state } = await openIsolated({ cores: 4, path: `embed/${tag}.html` });
    t.diagnostic(`${tag}: ready in ${ms} ms; ${state.reason}`);
    assert.match(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), /script-src [^;]*blob:/);
    if (state.software) assert.deepEqual(state.wasm, { simd: true, threads: true, threadCount: 2 });
    assert.deepEqual(problems, []);
    await close();
  }
});
