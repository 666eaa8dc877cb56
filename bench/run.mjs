// `npm run bench`: bundles the benchmark page, serves it on localhost, runs each configuration in
// headless Chromium (a fresh page per run: the backend is chosen once per page), prints a table and
// writes bench/results.json. Benchmarks, not tests: nothing here passes or fails on a time.
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, ensureChromium, log } from '../scripts/lib.mjs';

const chrome = ensureChromium();
await esbuild.build({
  entryPoints: [join(root, 'bench/src/bench.ts')],
  bundle: true,
  format: 'esm',
  outfile: join(root, 'bench/dist/bench.js'),
  platform: 'browser',
  target: 'es2022',
  external: ['fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks', 'url', 'util'],
  logLevel: 'warning',
});
// The bundle resolves the WASM binaries relative to packages/tensor/src: serve the repository root.
const ctx = await esbuild.context({});
const { port } = await ctx.serve({ servedir: root, host: '127.0.0.1' });
const base = `http://127.0.0.1:${port}/bench/index.html`;

const flags = (process.env.CHROME_FLAGS ?? '--no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader --disable-background-networking --disable-component-update --no-first-run').split(' ');
const browser = await chromium.launch({ executablePath: chrome, headless: true, args: flags });

const runs = [
  { suite: 'backends', backend: 'auto' },
  { suite: 'backends', backend: 'webgl' },
  { suite: 'backends', backend: 'wasm' },
  { suite: 'backends', backend: 'cpu' },
];
const results = [];
for (const r of runs) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?suite=${r.suite}&backend=${r.backend}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600000 });
  const out = await page.evaluate(() => window.__bench);
  if (!out.ok) log(`${r.suite}/${r.backend} failed: ${out.error} ${errors.join(' ')}`);
  results.push({ ...r, ...out });
  await page.close();
}
await browser.close();
await ctx.dispose();

const fmt = (v) => (v == null ? '-' : v.toFixed(v < 10 ? 2 : 1));
console.log('\nBackends: small conv net (28x28x1 -> 10, 3 conv + 2 dense), batch 1; times in ms');
console.log('requested  chosen  startup  1st fwd  fwd p50  fwd p95  1st grad  grad p50  grad p95');
for (const r of results.filter((x) => x.suite === 'backends' && x.ok)) {
  const o = r.result;
  console.log(
    `${r.backend.padEnd(10)} ${o.backend.padEnd(7)} ${fmt(o.startupMs).padStart(7)} ${fmt(o.firstForwardMs).padStart(8)} ${fmt(o.forward.median).padStart(8)} ${fmt(o.forward.p95).padStart(8)} ${fmt(o.firstGradientMs).padStart(9)} ${fmt(o.gradient.median).padStart(9)} ${fmt(o.gradient.p95).padStart(9)}`,
  );
}
const auto = results.find((x) => x.backend === 'auto' && x.ok)?.result;
const webgl = results.find((x) => x.backend === 'webgl' && x.ok)?.result;
if (auto && webgl) {
  console.log(`\nauto chose ${auto.backend} (${auto.reason}).`);
  console.log(`forward: forced webgl / auto = ${(webgl.forward.median / auto.forward.median).toFixed(1)}x; gradient: ${(webgl.gradient.median / auto.gradient.median).toFixed(1)}x`);
}
const file = join(root, 'bench/results.json');
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), chromium: browser.version?.() ?? null, results }, null, 2));
console.log(`\nwrote ${file}`);
if (results.some((r) => !r.ok)) process.exit(1);
