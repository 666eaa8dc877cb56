// `npm run bench`: bundles the benchmark page, serves it on localhost, runs each suite in headless
// Chromium (a fresh page per run: the backend is chosen once per page), prints a table and writes
// bench/results.json. Benchmarks, not tests: nothing here passes or fails on a time.
//
//   node bench/run.mjs                      every suite (what `npm run bench` runs, after a build)
//   node bench/run.mjs --suite fgsm         one suite (repeat --suite, or a,b; --only is the same)
//   node bench/run.mjs --suite occlusion --backend webgl    only that suite's webgl run
//   node bench/run.mjs --list               the suites and their backends
//   node bench/run.mjs --suite tsne --coi --cores 4   served cross-origin isolated (WASM threads), with
//                                           navigator.hardwareConcurrency reported as 4 (TF.js gives
//                                           its WASM pool hardwareConcurrency / 2 threads)
// A subset run replaces only its own suites' entries in bench/results.json and keeps the rest.
//
// The runs come from one list: the page's registry (bench/src/bench.ts, `suites`: name -> module,
// each module's `backends`), plus the Node-side suites in `nodeSuites` below. How to add a suite:
// bench/README.md and the comment at the top of bench/src/bench.ts.
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg, cpus } from 'node:os';
import { root, ensureChromium, log, chromeFlags } from '../scripts/lib.mjs';
import * as site from './site.mjs';
import * as soak from './soak.mjs';

/** Suites that run in Node rather than on the bench page: name -> { run({chrome, flags}), report(runs) }. */
const nodeSuites = { site, soak };

const { values: args } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    only: { type: 'string', multiple: true },
    backend: { type: 'string', multiple: true },
    list: { type: 'boolean' },
    coi: { type: 'boolean' },
    cores: { type: 'string' },
  },
});
// --coi: COOP + COEP on every response, so the page is cross-origin isolated and may run WASM threads.
const coiHeaders = args.coi ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : undefined;
const cores = args.cores ? Number(args.cores) : undefined;
const wanted = [...(args.suite ?? []), ...(args.only ?? [])].flatMap((s) => s.split(',')).filter(Boolean);
const wantedBackends = (args.backend ?? []).flatMap((s) => s.split(',')).filter(Boolean);

const chrome = ensureChromium();
// Built the way a site would build it (Vite), so that model files and WASM binaries are assets.
// With --suite, only the chosen suites are bundled (the others become stubs), so that one suite that
// does not build (a package not rebuilt yet) does not stop the others from running alone.
const onlyChosen = wanted.length && {
  name: 'bench-only-chosen-suites',
  enforce: 'pre',
  resolveId(source) {
    const m = /^\.\/suites\/([\w-]+)\.js$/.exec(source);
    if (m && !wanted.includes(m[1])) return `\0bench-stub:${m[1]}`;
  },
  load(id) {
    if (id.startsWith('\0bench-stub:')) return "export async function run() { throw new Error('not bundled in this run (--suite)'); }";
  },
};
// Each run builds into its own folder: several helpers run suites at once on this machine, and a
// shared bench/dist was emptied and rebuilt under a running page (its assets then failed to load).
const outDir = join(root, 'bench/dist', `run-${process.pid}`);
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
await build({ root: join(root, 'bench'), base: './', logLevel: 'warn', plugins: onlyChosen ? [onlyChosen] : [], build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 } });
const server = await preview({ root: join(root, 'bench'), build: { outDir }, preview: { port: 0, host: '127.0.0.1', headers: coiHeaders }, logLevel: 'silent' });
const base = new URL('index.html', server.resolvedUrls.local[0]).href;

const flags = chromeFlags();
const browser = await chromium.launch({ executablePath: chrome, headless: true, args: flags });

// The registry page: which suites exist, with which backends; it also formats the reports.
const registry = await browser.newPage();
await registry.goto(`${base}?list`);
await registry.waitForFunction(() => window.__benchList, null, { timeout: 120000 });
const pageSuites = await registry.evaluate(() => window.__benchList);
const allNames = [...pageSuites.map((s) => s.name), ...Object.keys(nodeSuites)];
if (args.list) {
  for (const s of pageSuites) console.log(`${s.name.padEnd(16)} page  ${s.backends.join(', ')}`);
  for (const n of Object.keys(nodeSuites)) console.log(`${n.padEnd(16)} node`);
  await browser.close();
  await server.close();
  process.exit(0);
}
const unknown = wanted.filter((n) => !allNames.includes(n));
if (unknown.length) {
  log(`unknown suite ${unknown.join(', ')}; known: ${allNames.join(', ')}`);
  process.exit(2);
}
const selected = (name) => !wanted.length || wanted.includes(name);

/** Every run, from one list: [{suite, backend}] for the page suites, then the Node ones. */
const runs = [
  ...pageSuites.filter((s) => selected(s.name)).flatMap((s) => s.backends.filter((b) => !wantedBackends.length || wantedBackends.includes(b)).map((backend) => ({ suite: s.name, backend }))),
  ...Object.keys(nodeSuites).filter(selected).map((suite) => ({ suite, backend: 'node' })),
];

const results = [];
for (const r of runs) {
  log(`${r.suite} (${r.backend})…`);
  if (nodeSuites[r.suite]) {
    try {
      results.push({ suite: r.suite, ok: true, result: await nodeSuites[r.suite].run({ chrome, flags }) });
    } catch (e) {
      log(`${r.suite} failed: ${e?.stack ?? e}`);
      results.push({ suite: r.suite, ok: false, error: String(e?.stack ?? e) });
    }
    continue;
  }
  const page = await browser.newPage();
  if (cores) await (await page.context().newCDPSession(page)).send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: cores });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?suite=${r.suite}&backend=${r.backend}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600000 });
  const out = await page.evaluate(() => window.__bench);
  // Which WASM build the page ran (threads, and how many XNNPACK computes with), when it ran WASM.
  const wasm = await page.evaluate(() => globalThis[Symbol.for('convlab.tensor.v1')]?.info?.wasm ?? null);
  if (args.coi || cores) log(`${r.suite}/${r.backend}: cross-origin isolated ${await page.evaluate(() => crossOriginIsolated)}, wasm ${JSON.stringify(wasm)}`);
  if (!out.ok) log(`${r.suite}/${r.backend} failed: ${out.error} ${errors.join(' ')}`);
  // Timings on a shared machine mean little without its load: the 1-minute load average at the end.
  results.push({ ...r, ...out, load: { avg1: loadavg()[0], cpus: cpus().length }, ...(args.coi ? { coi: true } : {}), ...(cores ? { cores } : {}), wasm });
  await page.close();
}

// Reports: the page suites' report() run on the registry page, the Node suites' here.
const reports = await registry.evaluate((rs) => window.__benchReport(rs), results.filter((r) => !nodeSuites[r.suite]));
for (const [name, mod] of Object.entries(nodeSuites)) {
  const mine = results.filter((r) => r.suite === name);
  if (mine.length) reports[name] = mod.report(mine);
}
for (const name of allNames) {
  if (reports[name]?.length) console.log(`\n${reports[name].join('\n')}`);
}
const loads = results.filter((r) => r.load).map((r) => r.load.avg1);
if (loads.length) console.log(`\nload average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} CPUs (above ${cpus().length}, times include waiting for a CPU)`);
const chromiumVersion = browser.version?.() ?? null;
await browser.close();
await server.close();

const file = join(root, 'bench/results.json');
// A subset run keeps the other suites' last results.
let kept = [];
if (wanted.length && existsSync(file)) {
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')).results.filter((r) => !runs.some((x) => x.suite === r.suite && (x.backend === 'node' || x.backend === r.backend)));
  } catch {
    kept = [];
  }
}
const date = new Date().toISOString();
const all = [...kept, ...results.map((r) => ({ ...r, date }))].sort((a, b) => allNames.indexOf(a.suite) - allNames.indexOf(b.suite));
writeFileSync(file, JSON.stringify({ date, chromium: chromiumVersion, results: all }, null, 2));
console.log(`\nwrote ${file}`);
if (results.some((r) => !r.ok)) process.exit(1);
