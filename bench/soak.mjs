// The 'soak' suite runs in Node (not on the bench page): every widget on its embed page of the built
// course site, 200 scripted interactions after a warm-up cycle (e2e/soak-lib.mjs: slider moves, sample
// and mode changes, uploads, runs started and stopped), then removed mid-computation twice. Reports
// per widget the tensors at the baseline and after, the JS heap growth after a garbage collection,
// and the time the interactions took. Needs the built course site (apps/course-site/dist).
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { root } from '../scripts/lib.mjs';
import { readWidgets } from '../scripts/widgets.mjs';
import { serveAndLaunch, shutDown } from '../e2e/harness.mjs';
import { soakWidget } from '../e2e/soak-lib.mjs';

export const INTERACTIONS = Number(process.env.SOAK_INTERACTIONS ?? 200);

export async function run() {
  // SITE_DIST: serve a copy of the built site (a long run is then safe from a rebuild under it).
  const ctx = await serveAndLaunch({ root: join(root, 'apps/course-site'), ...(process.env.SITE_DIST ? { build: { outDir: process.env.SITE_DIST } } : {}) });
  const widgets = {};
  try {
    for (const w of readWidgets()) {
      const r = await soakWidget(ctx.browser, ctx.base, w.tag, { interactions: INTERACTIONS, readyEvent: w.readyEvent });
      widgets[w.tag] = { ...r, load: loadavg()[0] };
    }
  } finally {
    await shutDown(ctx);
  }
  return { interactions: INTERACTIONS, widgets };
}

export function report(runs) {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  const lines = [
    `Soak: ${r.interactions}+ interactions per widget on its embed page after a warm-up cycle (whole cycles: the widget ends in the baseline's state), then removed mid-computation twice`,
    'widget               interactions  secs  tensors base -> end  removed (1st, 2nd)  JS heap MiB base -> end (growth)  problems  load',
  ];
  for (const [tag, w] of Object.entries(r.widgets)) {
    lines.push(
      `${tag.padEnd(20)} ${String(w.interactions).padStart(12)} ${(w.soakMs / 1000).toFixed(1).padStart(5)}  ${String(w.tensors.base).padStart(7)} -> ${String(w.tensors.end).padEnd(7)}  ${`${w.tensors.removed1}, ${w.tensors.removed2}`.padStart(18)}  ` +
        `${w.heapMiB.base.toFixed(2).padStart(10)} -> ${w.heapMiB.end.toFixed(2)} (${w.heapMiB.growth >= 0 ? '+' : ''}${w.heapMiB.growth.toFixed(2)})`.padEnd(34) +
        `${String(w.problems.length).padStart(9)}  ${w.load.toFixed(1)}`,
    );
  }
  return lines;
}
