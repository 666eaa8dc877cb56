// The 'site' suite runs in Node (not on the bench page): the course's one table, every widget. Per
// widget: bytes of its package (minified + gzip, bundled alone with the others external), the model
// bytes its embed page fetches before its first result, the time from page load to that first result
// (built course site), and its headline interaction time, read from the last run of its own suite in
// bench/results.json. Then the lecture page (time to the first screen, and to every widget settled
// as a reader scrolls through) and the stress page (20 widgets). The widgets come from widgets.json.
import * as esbuild from 'esbuild';
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { root } from '../scripts/lib.mjs';
import { scrollThroughWidgets, openStressPage } from '../e2e/harness.mjs';

/** A model file of the built site: model.json, its weight shards, the detector's config. */
const MODEL_FILE = /\/assets\/(model|weights|detector)-[^/]+\.(json|bin)$/;

/**
 * Each widget's headline interaction, from the last run of its own suite (bench/results.json):
 * [suite, path to the figure in its result, what it times].
 */
export const HEADLINES = {
  'fgsm-demo': ['fgsm', 'epsilonDrag.median', 'epsilon drag to frame, p50'],
  'fgsm-linear': ['fgsm-linear', 'epsilonDrag.median', 'epsilon drag to frame, p50'],
  'adv-training': ['adv-training', 'toyEpochToFrame.median', 'toy: one epoch to frame, p50'],
  'filter-grid': ['filters', 'layerChange.median', 'new layer to tiles on screen, p50'],
  'top-patches': ['top-patches', 'math1000.median', 'every unit over 1,000 images, p50'],
  'tsne-map': ['tsne', 'ours.ms', '2,000 points x 1,000 iterations'],
  'occlusion-map': ['occlusion-drag', 'occluderDrag.median', 'occluder drag to frame, p50'],
  'saliency-map': ['saliency', 'threeMaps.median', 'three maps, p50'],
  'class-viz': ['class-viz', 'steps200.median', '200 ascent steps, p50'],
  'anchor-viewer': ['anchor-viewer', 'refilter.median', 'NMS slider to frame, p50'],
  'detection-pipeline': ['detection-pipeline', 'roiPick.median', 'RoI picked to frame, p50'],
  'fcn-seg': ['fcn-seg', 'sceneToMap.median', 'new scene to semantic map, p50'],
  'gram-style': ['gram-style', 'step256.median', 'one 256x256 step, p50'],
};

function headlineFigures() {
  const file = join(root, 'bench/results.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).results ?? [] : [];
  const out = {};
  for (const [tag, [suite, path, what]] of Object.entries(HEADLINES)) {
    // A run served cross-origin isolated or with emulated cores (--coi, --cores) is not the page a reader gets.
    const r = results.filter((x) => x.suite === suite && x.ok && (x.backend === 'auto' || x.backend === undefined) && !x.coi && !x.cores).pop();
    const ms = r ? path.split('.').reduce((o, k) => o?.[k], r.result) : undefined;
    out[tag] = { suite, what, ms: typeof ms === 'number' ? ms : undefined, date: r?.date, load: r?.load?.avg1 };
  }
  return out;
}

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

/**
 * The lecture page at 1280x800: the first screen (its first paint, and the first result of every
 * widget that is on it or within the lazy margin at load) and every widget settled, as a reader who
 * scrolls through it. Ready events are recorded from the page's start.
 */
async function lecturePage(browser, base, list) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const events = [...new Set(list.map((w) => w.readyEvent).filter(Boolean))];
  await page.addInitScript((evs) => {
    window.__firstResults = {};
    for (const ev of evs) document.addEventListener(ev, (e) => (window.__firstResults[e.target.id] ??= performance.now()), true);
  }, events);
  await page.goto(new URL('lecture.html', base).href);
  await page.waitForFunction(() => document.querySelector('[loading="lazy"]')?.hasUpdated !== undefined);
  // The intersection observers report at the next rendering steps.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
  // The widgets that started at load (on the first screen or within a screen of it), and those on it.
  const started = await page.evaluate(() => [...document.querySelectorAll('[loading="lazy"]')].filter((e) => !e.hasAttribute('data-waiting')).map((e) => e.id));
  const onScreen = await page.evaluate(() =>
    [...document.querySelectorAll('[loading="lazy"]')].filter((e) => { const r = e.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }).map((e) => e.id));
  const waiting = await page.evaluate(() => document.querySelectorAll('[loading="lazy"][data-waiting]').length);
  const readyIds = (ids) => page.waitForFunction((x) => x.every((id) => window.__firstResults[id] !== undefined), ids, { timeout: 120000 });
  const tagsOf = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id).localName])), onScreen);
  const withEvents = onScreen.filter((id) => list.find((w) => w.tag === tagsOf[id])?.readyEvent);
  await readyIds(withEvents);
  const firstScreen = await page.evaluate((ids) => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    widgetsMs: Math.max(0, ...ids.map((id) => window.__firstResults[id])),
  }), withEvents);
  const t0 = await page.evaluate(() => performance.now());
  await scrollThroughWidgets(page);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 300000 });
  const allMs = await page.evaluate(() => performance.now());
  await page.close();
  return { startedAtLoad: started, onFirstScreen: onScreen, waitingAtLoad: waiting, fcpMs: firstScreen.fcp, firstScreenMs: firstScreen.widgetsMs, scrollStartMs: t0, allSettledMs: allMs };
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
  const site = await preview({ root: join(root, 'apps/course-site'), ...(process.env.SITE_DIST ? { build: { outDir: process.env.SITE_DIST } } : {}), preview: { port: 0, host: '127.0.0.1' }, logLevel: 'silent' });
  const siteBase = site.resolvedUrls.local[0];
  const firstResult = {};
  const modelBytes = {};
  let lecture;
  let stress;
  const b = await chromium.launch({ executablePath: chrome, headless: true, args: flags });
  try {
    for (const { tag } of list) {
      const samples = [];
      for (let i = 0; i < 3; i++) {
        const page = await b.newPage();
        // The model files' bodies, read before the page closes (a response event comes with the headers).
        const bodies = [];
        if (i === 0) page.on('response', (res) => MODEL_FILE.test(new URL(res.url()).pathname) && bodies.push(res.body().then((b) => b.length)));
        await page.goto(new URL(`embed/${tag}.html`, siteBase).href);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
        samples.push(await page.evaluate(() => performance.now()));
        if (i === 0) modelBytes[tag] = (await Promise.all(bodies)).reduce((a, n) => a + n, 0);
        await page.close();
      }
      firstResult[tag] = samples.sort((a, c) => a - c)[1];
    }
    lecture = await lecturePage(b, siteBase, list);
    stress = { auto: (await openStressPage(b, siteBase, '', 600000)).r, webgl: (await openStressPage(b, siteBase, '?backend=webgl', 600000)).r };
  } finally {
    await b.close();
    await site.close();
  }
  return { gzipBytes: sizes, firstResultMs: firstResult, modelBytes, headlines: headlineFigures(), lecture, stress };
}

export function report(runs) {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  const kb = (n) => (n == null ? '-' : (n / 1024).toFixed(1)).padStart(7);
  const fmt = (v) => (v == null ? '-' : v.toFixed(v < 10 ? 2 : 1));
  const s = r.gzipBytes;
  const lines = [
    'The course, every widget. Own JS: its package minified + gzip (KiB; shared: kit, tensor, models, lit, TF.js). Models: model files its embed page',
    'fetches before its first result (KiB). First result: page load to first result on its embed page (ms, median of 3). Headline: from its own suite.',
    'widget          own JS  models  first result  headline (ms)  what (suite, load)',
  ];
  for (const { tag, package: pkg } of widgets()) {
    const h = r.headlines?.[tag];
    lines.push(
      `${tag.padEnd(14)} ${kb(s[dirOf(pkg)])} ${kb(r.modelBytes?.[tag])} ${fmt(r.firstResultMs[tag]).padStart(13)} ${fmt(h?.ms).padStart(14)}  ${h ? `${h.what} (${h.suite}${h.load != null ? `, load ${h.load.toFixed(1)}` : ''})` : ''}`,
    );
  }
  lines.push(`shared, KiB gzip: kit ${kb(s.kit).trim()}, tensor ${kb(s.tensor).trim()}, models ${kb(s.models).trim()}, lit ${kb(s.lit).trim()}, TF.js ${kb(s.tfjs).trim()}`);
  const L = r.lecture;
  if (L) {
    lines.push(
      `lecture page (1280x800, widgets loading="lazy"): first contentful paint ${fmt(L.fcpMs)} ms; on the first screen: ${L.onFirstScreen.join(', ') || 'no widget'}, ` +
        `first result at ${fmt(L.firstScreenMs)} ms; ${L.startedAtLoad.length} widgets start at load (within a screen: ${L.startedAtLoad.join(', ')}), ${L.waitingAtLoad} wait; ` +
        `scrolled through from ${fmt(L.scrollStartMs)} ms, every widget settled at ${fmt(L.allSettledMs)} ms`,
    );
  }
  for (const [name, st] of Object.entries(r.stress ?? {})) {
    if (!st) continue;
    if (st.error) {
      lines.push(`stress page (${name}): failed: ${st.error}`);
      continue;
    }
    const m = st.memory ?? [];
    lines.push(
      `stress page (${name} -> ${st.backend}, 20 widgets): all first results at ${fmt(st.allReadyMs)} ms; longest main-thread task ${fmt(st.longTasks.longestMs)} ms (${st.longTasks.count} over 50 ms); ` +
        `WebGL contexts made ${st.webgl.made}, live ${st.webgl.live}; tensors ${m.map((x) => x.numTensors).join(' -> ')}; JS heap ${m.map((x) => (x.heapBytes / 2 ** 20).toFixed(1)).join(' -> ')} MiB; ${st.settled ? 'settled' : 'not settled'}`,
    );
  }
  return lines;
}
