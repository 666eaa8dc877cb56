// The 'site' suite runs in Node (not on the bench page): bytes of each widget package (minified +
// gzip, bundled alone with the others external) and time from page load to the widget's first
// result on its embed page of the built course site. The widgets come from widgets.json.
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { root } from '../scripts/lib.mjs';

const widgets = () => JSON.parse(readFileSync(join(root, 'widgets.json'), 'utf8'));
const dirOf = (pkg) => pkg.replace(/^@convlab\//, '');

async function gzipBytes(entry, external) {
  const r = await esbuild.build({
    ...(entry.contents ? { stdin: { contents: entry.contents, resolveDir: root } } : { entryPoints: [entry] }),
    bundle: true, format: 'esm', minify: true, write: false, platform: 'browser', target: 'es2022', logLevel: 'silent',
    external: [...external, 'fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks', 'url', 'util'],
  });
  const js = r.outputFiles.filter((f) => !f.path.endsWith('.map')).map((f) => f.contents);
  return js.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
}

export async function run({ chrome, flags }) {
  const list = widgets();
  const convlabExternal = ['#tf-gradients', '@tensorflow/*', 'lit', 'lit/*', '@lit/*', '@convlab/*'];
  const sizes = {};
  for (const p of new Set([...list.map((w) => dirOf(w.package)), 'kit', 'tensor', 'models'])) {
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
  const b = await chromium.launch({ executablePath: chrome, headless: true, args: flags });
  try {
    for (const { tag } of list) {
      const samples = [];
      for (let i = 0; i < 3; i++) {
        const page = await b.newPage();
        await page.goto(new URL(`embed/${tag}.html`, siteBase).href);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
        samples.push(await page.evaluate(() => performance.now()));
        await page.close();
      }
      firstResult[tag] = samples.sort((a, c) => a - c)[1];
    }
  } finally {
    await b.close();
    await site.close();
  }
  return { gzipBytes: sizes, firstResultMs: firstResult };
}

export function report(runs) {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  const kb = (n) => (n == null ? '-' : (n / 1024).toFixed(1)).padStart(7);
  const fmt = (v) => (v == null ? '-' : v.toFixed(v < 10 ? 2 : 1));
  const s = r.gzipBytes;
  const lines = [
    'Per widget (minified + gzip, KiB; first result = page load to first result on its embed page, ms, median of 3)',
    'widget          own JS  + kit + tensor + models    lit   TF.js   first result',
  ];
  for (const { tag, package: pkg } of widgets()) {
    lines.push(`${tag.padEnd(14)} ${kb(s[dirOf(pkg)])} ${kb(s.kit)} ${kb(s.tensor)} ${kb(s.models)} ${kb(s.lit)} ${kb(s.tfjs)} ${fmt(r.firstResultMs[tag]).padStart(14)}`);
  }
  return lines;
}
