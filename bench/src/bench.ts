// Benchmark page: one run per page load, configured by the query string (?suite=…&backend=…).
// The result goes to window.__bench for bench/run.mjs to read. With ?list, the page instead
// exposes the registry (window.__benchList) and the suites' report functions (window.__benchReport).
//
// ADDING A SUITE (one file plus one line):
//   1. Write bench/src/suites/<name>.ts exporting
//        export async function run(ctx: BenchContext): Promise<JSON-able result>   (required)
//        export const backends = ['auto', 'webgl'];     (optional; one page load each; default ['auto'])
//        export function report(runs: RunRecord[]): string[]   (optional; the lines printed for it)
//      Time interactions as the student feels them: lib.ts's inputToFrame() runs from the input
//      event to the post-frame marker of the frame that shows the result (see bench/README.md).
//   2. Add one line to `suites` below:   <name>: () => import('./suites/<name>.js'),
//   Then `node bench/run.mjs --suite <name>` runs it alone (after a build of the packages it uses).
import type { SuiteModule, RunRecord } from './lib.js';

export const suites: Record<string, () => Promise<SuiteModule>> = {
  backends: () => import('./suites/backends.js'),
  models: () => import('./suites/models.js'),
  fgsm: () => import('./suites/fgsm.js'),
  occlusion: () => import('./suites/occlusion.js'),
  'fgsm-linear': () => import('./suites/fgsm-linear.js'),
  'occlusion-drag': () => import('./suites/occlusion-drag.js'),
  saliency: () => import('./suites/saliency.js'),
  'class-viz': () => import('./suites/class-viz.js'),
  'adv-training': () => import('./suites/adv-training.js'),
  filters: () => import('./suites/filters.js'),
  'top-patches': () => import('./suites/top-patches.js'),
  tsne: () => import('./suites/tsne.js'),
  'gram-style': () => import('./suites/gram-style.js'),
  'anchor-viewer': () => import('./suites/anchor-viewer.js'),
  'selective-search': () => import('./suites/selective-search.js'),
  'detection-pipeline': () => import('./suites/detection-pipeline.js'),
  'fcn-seg': () => import('./suites/fcn-seg.js'),
};

type BenchWindow = typeof window & {
  __bench?: unknown;
  __benchList?: { name: string; backends: readonly string[] }[];
  __benchReport?: (runs: RunRecord[]) => Promise<Record<string, string[]>>;
};
const w = window as BenchWindow;
const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;

async function list() {
  const entries = [];
  for (const [name, load] of Object.entries(suites)) entries.push({ name, backends: (await load()).backends ?? ['auto'] });
  w.__benchReport = async (runs) => {
    const lines: Record<string, string[]> = {};
    for (const [name, load] of Object.entries(suites)) {
      const mine = runs.filter((r) => r.suite === name);
      const mod = await load();
      if (mine.length && mod.report) lines[name] = mod.report(mine);
    }
    return lines;
  };
  w.__benchList = entries;
}

async function runOne() {
  const suite = params.get('suite') ?? 'backends';
  const backend = params.get('backend') ?? 'auto';
  try {
    const load = suites[suite];
    if (!load) throw new Error(`unknown suite ${suite} (known: ${Object.keys(suites).join(', ')})`);
    const mod = await load();
    w.__bench = { ok: true, suite, requested: backend, result: await mod.run({ backend }) };
  } catch (e) {
    w.__bench = { ok: false, suite, error: String((e as Error)?.stack ?? e) };
  }
}

(async () => {
  if (params.has('list')) await list();
  else await runOne();
  out.textContent = 'done';
})();
