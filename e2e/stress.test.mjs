// The stress page (apps/course-site/stress.html): 20 widgets of every kind on one page, all starting
// at once. Every widget reaches its first result, the page keeps one live WebGL context when WebGL is
// forced (TF.js's, shared by all), memory settles, and no console error. The figures are printed for
// the bench table (bench/site.mjs measures them again with the rest).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { serveAndLaunch, shutDown, openStressPage } from './harness.mjs';

let ctx;
before(async () => {
  ctx = await serveAndLaunch({ root: join(root, 'apps/course-site') });
});
after(() => shutDown(ctx));

function check({ r, status, problems }, backend) {
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.backend, backend);
  assert.equal(r.widgets.length, 20);
  const missing = r.widgets.filter((w) => !(w.firstResultMs > 0)).map((w) => w.tag);
  assert.deepEqual(missing, [], 'every widget reached its first result');
  assert.equal(new Set(r.widgets.map((w) => w.tag)).size, 13, 'every kind of widget is on the page');
  assert.ok(r.settled, `memory settles: ${JSON.stringify(r.memory)}`);
  assert.match(status, /All 20 widgets have a first result/);
  assert.deepEqual(problems, []);
  console.log(
    `stress page (${backend}): all 20 first results at ${r.allReadyMs} ms; longest main-thread task ${Math.round(r.longTasks.longestMs)} ms ` +
      `(${r.longTasks.count} over 50 ms; longest after all were ready ${Math.round(r.longTasks.longestAfterReadyMs)} ms); WebGL contexts made ${r.webgl.made}, live ${r.webgl.live}; TF.js workers ${r.tfWorkers}; ` +
      `tensors ${r.memory.map((m) => m.numTensors).join(' → ')}; JS heap ${r.memory.map((m) => (m.heapBytes / 2 ** 20).toFixed(1)).join(' → ')} MiB`,
  );
}

test('stress page, auto backend: 20 widgets reach their first results, memory settles', async () => {
  const out = await openStressPage(ctx.browser, ctx.base, '');
  check(out, out.r.backend);
  assert.ok(['wasm', 'webgl'].includes(out.r.backend));
  // Off WebGL, gram-style optimises in its worker, so that the page stays responsive.
  if (out.r.backend === 'wasm') assert.equal(out.r.tfWorkers, 1);
});

test('stress page, WebGL forced: one live WebGL context for all 20 widgets', async () => {
  const out = await openStressPage(ctx.browser, ctx.base, '?backend=webgl');
  check(out, 'webgl');
  // The GPU probe's throw-away context is lost at once; TF.js's is the one that stays.
  assert.equal(out.r.webgl.live, 1, `live WebGL contexts: ${out.r.webgl.live} (made ${out.r.webgl.made})`);
  // And no widget runs TF.js in a worker of its own (a worker's WebGL context is not the page's):
  // on WebGL, gram-style steps in the page.
  assert.equal(out.r.tfWorkers, 0);
});
