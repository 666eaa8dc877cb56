// Soak, shortened for CI: every widget on its embed page of the built course site, a warm-up cycle
// of scripted interactions, then at least 30 more (whole cycles, so the widget ends in the state of
// the baseline), then removed mid-computation twice. Tensors come back to the baseline, the JS heap
// grows by at most 4 MiB, and a removal leaves nothing behind. The bench's `soak` suite runs 200
// interactions per widget with the same code and reports the figures (e2e/soak-lib.mjs).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { readWidgets } from '../scripts/widgets.mjs';
import { serveAndLaunch, shutDown } from './harness.mjs';
import { soakWidget, CYCLES } from './soak-lib.mjs';

const only = process.env.SOAK_ONLY?.split(',').filter(Boolean);
const INTERACTIONS = Number(process.env.SOAK_INTERACTIONS ?? 30);

let ctx;
before(async () => {
  ctx = await serveAndLaunch({ root: join(root, 'apps/course-site') });
});
after(() => shutDown(ctx));

test('every widget in widgets.json has a soak cycle', () => {
  assert.deepEqual(readWidgets().map((w) => w.tag).filter((t) => !CYCLES[t]), []);
});

// Two widgets at a time (two pages): much of a soak is waiting for the tensor count to stay still.
describe('soak', { concurrency: 2 }, () => {
  for (const w of readWidgets()) {
    if (only && !only.includes(w.tag)) continue;
    test(`soak <${w.tag}>: ${INTERACTIONS}+ interactions, then removed mid-computation, leave nothing behind`, async () => {
      const r = await soakWidget(ctx.browser, ctx.base, w.tag, { interactions: INTERACTIONS, readyEvent: w.readyEvent });
      console.log(
        `soak <${w.tag}>: ${r.interactions} interactions (${r.skipped} skipped: control not shown) in ${r.cycles} cycles, ${(r.soakMs / 1000).toFixed(1)} s; ` +
          `tensors ${r.tensors.base} -> ${r.tensors.end}; removed mid-computation ${r.tensors.removed1}, again ${r.tensors.removed2}; ` +
          `JS heap ${r.heapMiB.base.toFixed(2)} -> ${r.heapMiB.end.toFixed(2)} MiB (${r.heapMiB.growth >= 0 ? '+' : ''}${r.heapMiB.growth.toFixed(2)})`,
      );
      assert.deepEqual(r.problems, []);
      assert.ok(r.interactions >= INTERACTIONS);
      assert.equal(r.tensors.end, r.tensors.base, 'tensors back at the baseline after whole cycles');
      assert.equal(r.tensors.removed2, r.tensors.removed1, 'a second element, removed mid-computation, leaves no tensor behind');
      assert.ok(r.tensors.removed1 <= r.tensors.base, "removal frees the widget's tensors");
      assert.ok(r.heapMiB.growth <= 4, `JS heap grew by ${r.heapMiB.growth.toFixed(2)} MiB`);
    });
  }
});
