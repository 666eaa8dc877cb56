// `npm run bench`: bundles the benchmark page, serves it on localhost, runs each configuration in
// headless Chromium (a fresh page per run: the backend is chosen once per page), prints a table and
// writes bench/results.json. Benchmarks, not tests: nothing here passes or fails on a time.
import { build, preview } from 'vite';
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, ensureChromium, log, chromeFlags } from '../scripts/lib.mjs';

const chrome = ensureChromium();
// Built the way a site would build it (Vite), so that model files and WASM binaries are assets.
await build({ root: join(root, 'bench'), base: './', logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 } });
const server = await preview({ root: join(root, 'bench'), preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
const base = new URL('index.html', server.resolvedUrls.local[0]).href;

const flags = chromeFlags();
const browser = await chromium.launch({ executablePath: chrome, headless: true, args: flags });

const runs = [
  { suite: 'backends', backend: 'auto' },
  { suite: 'backends', backend: 'webgl' },
  { suite: 'backends', backend: 'wasm' },
  { suite: 'backends', backend: 'cpu' },
  { suite: 'models', backend: 'auto' },
  { suite: 'fgsm', backend: 'auto' },
  { suite: 'occlusion', backend: 'auto' },
  { suite: 'occlusion', backend: 'webgl' },
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
await server.close();

// Per widget (issue: Storybook docs, course site, LMS): bytes of its own JS, of the shared parts and
// of TF.js, minified and gzipped, each bundled alone with the others external.
async function gzipBytes(entry, external) {
  const r = await esbuild.build({
    ...(entry.contents ? { stdin: { contents: entry.contents, resolveDir: root } } : { entryPoints: [entry] }),
    bundle: true, format: 'esm', minify: true, write: false, platform: 'browser', target: 'es2022', logLevel: 'silent',
    external: [...external, 'fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks', 'url', 'util'],
  });
  const js = r.outputFiles.filter((f) => !f.path.endsWith('.map')).map((f) => f.contents);
  return js.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
}
const convlabExternal = ['#tf-gradients', '@tensorflow/*', 'lit', 'lit/*', '@lit/*', '@convlab/*'];
const sizes = {};
for (const p of ['fgsm-demo', 'occlusion-map', 'kit', 'tensor', 'models']) {
  sizes[p] = await gzipBytes(join(root, `packages/${p}/dist/index.js`), convlabExternal);
}
sizes.lit = await gzipBytes({ contents: "export * from 'lit'; export * from 'lit/decorators.js';" }, []);
sizes.tfjs = await gzipBytes(
  { contents: "export * from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-core/dist/register_all_gradients'; export * as layers from '@tensorflow/tfjs-layers'; export * as converter from '@tensorflow/tfjs-converter'; import '@tensorflow/tfjs-backend-cpu'; import '@tensorflow/tfjs-backend-webgl'; export * as wasm from '@tensorflow/tfjs-backend-wasm';" },
  [],
);

// Time from page load to the widget's first result, on its embed page of the built course site.
const site = await preview({ root: join(root, 'apps/course-site'), preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
const siteBase = site.resolvedUrls.local[0];
const firstResult = {};
{
  const b = await chromium.launch({ executablePath: chrome, headless: true, args: flags });
  for (const tag of ['fgsm-demo', 'occlusion-map', 'fgsm-linear']) {
    const samples = [];
    for (let i = 0; i < 3; i++) {
      const page = await b.newPage();
      await page.goto(new URL(`embed/${tag}.html`, siteBase).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
      samples.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    firstResult[tag] = samples.sort((a, b) => a - b)[1];
  }
  await b.close();
}
await site.close();

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
const get = (suite) => results.find((x) => x.suite === suite && x.ok)?.result;
const m = get('models');
if (m) {
  console.log(`\nModels (auto: ${m.backend}): digits cold load ${fmt(m.coldLoadMs)} ms; forward p50 ${fmt(m.forward.median)} ms; input gradient p50 ${fmt(m.gradient.median)} ms`);
}
const f = get('fgsm');
if (f) {
  console.log(`\n<fgsm-demo> (auto: ${f.backend}, digits): eps-slider move to x' painted on its canvas p50 ${fmt(f.sliderToPaint.median)} ms, p95 ${fmt(f.sliderToPaint.p95)} ms;`);
  console.log(`  to the next frame (on screen) p50 ${fmt(f.sliderToRepaint.median)} ms, p95 ${fmt(f.sliderToRepaint.p95)} ms (targets 16 / 33)`);
  console.log(`  once-per-image gradient sign p50 ${fmt(f.gradientSign.median)} ms, p95 ${fmt(f.gradientSign.p95)} ms (target 150); new image to first x' p50 ${fmt(f.newImage.median)} ms`);
}
for (const r of results.filter((x) => x.suite === 'occlusion' && x.ok)) {
  const o = r.result;
  console.log(`\nOcclusion (${r.backend}: ${o.backend}): 28x28, patch 6, stride 2 (144 positions): batched p50 ${fmt(o.digitsBatched.median)} ms (target 100); one at a time ${fmt(o.digitsOneByOne.median)} ms; speed-up ${o.speedup.toFixed(1)}x`);
  console.log(`  224x224 fixture, patch 32, stride 16 (169 positions): p50 ${fmt(o.hosted224.median)} ms`);
}
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
console.log('\nPer widget (minified + gzip, KiB; first result = page load to first result on its embed page, ms, median of 3)');
console.log('widget          own JS  + kit + tensor + models    lit   TF.js   first result');
for (const [tag, pkg] of [['fgsm-demo', 'fgsm-demo'], ['fgsm-linear', 'fgsm-demo'], ['occlusion-map', 'occlusion-map']]) {
  console.log(`${tag.padEnd(14)} ${kb(sizes[pkg])} ${kb(sizes.kit)} ${kb(sizes.tensor)} ${kb(sizes.models)} ${kb(sizes.lit)} ${kb(sizes.tfjs)} ${fmt(firstResult[tag]).padStart(14)}`);
}
results.push({ suite: 'site', ok: true, result: { gzipBytes: sizes, firstResultMs: firstResult } });
const file = join(root, 'bench/results.json');
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), chromium: browser.version?.() ?? null, results }, null, 2));
console.log(`\nwrote ${file}`);
if (results.some((r) => !r.ok)) process.exit(1);
