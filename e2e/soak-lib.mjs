// Soak: many scripted interactions with one widget on its embed page of the built course site, as a
// class would make in an hour (slider moves, sample and mode changes, uploads, runs started and
// stopped), then the widget removed in the middle of a computation. Measures whether memory comes
// back: TF.js's tensor count (window._tfengine, the page's one engine) and the JS heap after a
// garbage collection (Chromium's DevTools protocol). Used by e2e/soak.test.mjs (a few cycles per
// widget, asserted) and by the bench's `soak` suite (200 interactions per widget, reported).
//
// Each widget has a cycle: a list of interactions that ends where it started (every property a step
// changes is set back by the cycle's last step), so that after whole cycles the widget is in the state
// it had at the baseline and should hold the same tensors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';

const UPLOAD = join(root, 'packages/models/models/digits/samples.png');

/** Sets a property of the widget. */
const prop = (name, value) => ({ name: `${name}=${value}`, run: ({ page, tag }) => page.evaluate(([t, n, v]) => void (document.querySelector(t)[n] = v), [tag, name, value]) });
/** Moves the widget's n-th visible slider to a fraction of its range, through its range input (input and change events). */
const slide = (n, frac) => ({
  name: `slider ${n} to ${frac}`,
  run: async ({ el }) => {
    const range = el.locator('convlab-slider input[type="range"]:visible').nth(n);
    if (!(await range.count())) return false;
    const [min, max, step] = await range.evaluate((r) => [Number(r.min), Number(r.max), Number(r.step) || 0.01]);
    const v = min + Math.round(((max - min) * frac) / step) * step;
    await range.fill(String(Number(v.toFixed(6))));
    return true;
  },
});
/** Presses a key on the widget's n-th visible slider (a keyboard reader). */
const key = (n, k) => ({
  name: `${k} on slider ${n}`,
  run: async ({ el }) => {
    const range = el.locator('convlab-slider input[type="range"]:visible').nth(n);
    if (!(await range.count())) return false;
    await range.press(k);
    return true;
  },
});
/** Clicks the widget's first enabled button whose text matches. */
const click = (re) => ({
  name: `click ${re}`,
  run: async ({ el }) => {
    const b = el.locator('button:visible', { hasText: re }).first();
    // The button may go as it is found (a run that ends turns Stop into Start again): then skipped.
    try {
      if (!(await b.count()) || !(await b.isEnabled({ timeout: 1000 }))) return false;
      await b.click({ timeout: 2000 });
      return true;
    } catch (e) {
      if (e?.name === 'TimeoutError') return false;
      throw e;
    }
  },
});
/** Uploads an image through the widget's file input. */
const upload = () => ({
  name: 'upload',
  run: async ({ el }) => {
    const input = el.locator('input[type="file"]').first();
    if (!(await input.count())) return false;
    await input.setInputFiles(UPLOAD);
    return true;
  },
});
/** Lets the widget finish what it is doing (its tensor count stops changing). */
const settle = () => ({ name: 'settle', run: ({ page }) => quiesce(page) });

/**
 * The cycles, by tag. `props`: what the last step restores (read from the widget before the first
 * cycle). `remove`: a step that starts a computation, for the removal check.
 */
export const CYCLES = {
  'fgsm-demo': {
    props: ['epsilon', 'sample', 'mode', 'target'],
    steps: [slide(0, 0.3), slide(0, 0.6), key(0, 'ArrowRight'), prop('sample', 3), settle(), prop('mode', 'targeted'), prop('target', 5), slide(0, 0.2), upload(), settle(), prop('sample', 7), prop('mode', 'iterative'), settle()],
    remove: prop('sample', 11),
  },
  'fgsm-linear': {
    props: ['epsilon', 'x', 'w', 'b'],
    steps: [slide(0, 0.3), slide(0, 0.8), key(0, 'ArrowLeft'), prop('b', 1), prop('x', '1, -1, 1, -1, 1, -1'), prop('w', '2, 1, -1, 0, 1, 3'), slide(0, 0.1)],
    remove: prop('epsilon', 0.2),
  },
  'adv-training': {
    props: ['mode', 'toyDataset', 'eps', 'attack', 'mix', 'epochs', 'network', 'seed'],
    steps: [slide(0, 0.4), click(/Pause|Resume/), click(/Pause|Resume/), prop('toyDataset', 'circles'), prop('mix', 0.8), prop('attack', 'pgd'), prop('network', 'logistic'), prop('epochs', 20), settle(), prop('seed', 4), click(/Train one epoch/), prop('mode', 'digits'), settle(), prop('mode', 'toy'), settle()],
    remove: prop('seed', 9),
  },
  'filter-grid': {
    props: ['sample', 'layer', 'unit', 'normalization'],
    steps: [prop('sample', 5), prop('unit', 3), prop('layer', 'conv2'), prop('unit', 7), settle(), prop('normalization', 'layer'), upload(), settle(), prop('sample', 9), prop('layer', 'conv3'), settle()],
    remove: prop('sample', 12),
  },
  'top-patches': {
    props: ['unit', 'k', 'mode', 'layer', 'count'],
    steps: [prop('unit', 2), prop('unit', 4), prop('k', 4), prop('mode', 'grid'), settle(), prop('layer', 'conv2'), prop('count', 300), settle(), prop('mode', 'single'), upload(), settle()],
    remove: prop('count', 400),
  },
  'tsne-map': {
    props: ['count', 'perplexity', 'seed', 'iterations', 'colorBy'],
    steps: [prop('colorBy', 'none'), prop('count', 300), prop('perplexity', 10), prop('iterations', 200), settle(), click(/Restart/), prop('seed', 3), upload(), settle(), prop('colorBy', 'class'), settle()],
    remove: prop('seed', 5),
  },
  'occlusion-map': {
    props: ['sample', 'patch', 'stride', 'fill', 'blackBox', 'scale', 'targetClass'],
    steps: [slide(0, 0.5), slide(1, 0.5), prop('fill', 'black'), prop('sample', 3), settle(), prop('blackBox', true), prop('scale', 'stretched'), prop('targetClass', '4'), upload(), settle(), prop('fill', 'blurred'), prop('sample', 8), settle()],
    remove: prop('sample', 21),
  },
  'saliency-map': {
    props: ['sample', 'method', 'targetClass', 'layer', 'unit'],
    steps: [prop('sample', 4), prop('method', 'guided'), prop('targetClass', '2'), prop('method', 'deconvnet'), settle(), prop('layer', 'conv2'), prop('unit', 3), upload(), settle(), prop('method', 'all'), prop('sample', 6), settle()],
    remove: prop('sample', 13),
  },
  'class-viz': {
    props: ['targetClass', 'lambda', 'steps', 'start', 'jitter', 'seed', 'grid'],
    steps: [click(/Stop/), prop('targetClass', '5'), click(/Start again/), slide(0, 0.3), prop('steps', 40), settle(), prop('start', 'noise'), prop('seed', 2), prop('grid', true), settle(), prop('grid', false), click(/Stop/), prop('jitter', 0), settle()],
    remove: prop('targetClass', '8'),
  },
  'anchor-viewer': {
    props: ['seed', 'view', 'sizes', 'ratios', 'fgIou', 'nmsIou', 'topN', 'scoreThreshold'],
    steps: [click(/New scene/), prop('view', 'objectness'), slide(0, 0.4), prop('view', 'proposals'), slide(1, 0.6), settle(), prop('view', 'detections'), prop('sizes', '24,48'), prop('ratios', '1'), upload(), settle(), prop('view', 'losses'), prop('seed', 21), settle()],
    remove: prop('seed', 30),
  },
  'detection-pipeline': {
    props: ['seed', 'step', 'windowSizes', 'proposals', 'poolSize'],
    steps: [prop('step', 'proposals'), prop('step', 'r-cnn'), settle(), prop('step', 'fast-r-cnn'), prop('poolSize', 5), prop('step', 'faster-r-cnn'), settle(), click(/New scene/), prop('proposals', 50), upload(), settle(), prop('seed', 12), settle()],
    remove: prop('seed', 40),
  },
  'fcn-seg': {
    props: ['seed', 'model', 'layers', 'view'],
    steps: [prop('view', 'receptive-field'), slide(0, 0.5), prop('view', 'compare'), settle(), prop('model', 'flat'), prop('view', 'instance'), settle(), click(/New scene/), upload(), settle(), prop('view', 'semantic'), prop('seed', 5), settle()],
    remove: prop('seed', 44),
  },
  'gram-style': {
    props: ['styleImage', 'content', 'styleWeight', 'steps', 'optimizer', 'start'],
    steps: [prop('steps', 8), click(/^\s*(Run|Resume)\s*$/), settle(), click(/Reset/), prop('styleImage', 'waves'), click(/^\s*(Run|Resume)\s*$/), click(/Pause/), prop('optimizer', 'lbfgs'), click(/Reset/), prop('start', 'noise'), prop('content', 'coffee'), settle()],
    remove: click(/^\s*(Run|Resume)\s*$/),
  },
};

const frames = (page, n = 2) => page.evaluate((k) => new Promise((r) => { const f = (i) => (i ? requestAnimationFrame(() => f(i - 1)) : r()); f(k); }), n);
const tensors = (page) => page.evaluate(() => window._tfengine?.memory().numTensors ?? -1);

/** Waits until the page's tensor count has not changed for `quietMs` (at most `maxMs`). */
export async function quiesce(page, quietMs = 1000, maxMs = 60000) {
  const t0 = Date.now();
  let last = await tensors(page);
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    await page.waitForTimeout(100);
    const n = await tensors(page);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return last;
  }
  return last;
}

/** The JS heap after a full garbage collection (bytes). */
async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

/**
 * Soaks one widget: its embed page, one warm-up cycle (caches fill), the baseline, then whole cycles
 * until at least `interactions` interactions were made, then the widget is removed in the middle of a
 * computation, twice (a fresh element the second time). Returns the figures; throws on a page error.
 */
export async function soakWidget(browser, base, tag, { interactions = 200, readyEvent } = {}) {
  const cycle = CYCLES[tag];
  if (!cycle) throw new Error(`no soak cycle for <${tag}>`);
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now();
  try {
    await page.goto(new URL(`embed/${tag}.html`, base).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120000 });
    const el = page.locator(tag);
    const ctx = { page, el, tag };
    const initial = await page.evaluate(([t, names]) => Object.fromEntries(names.map((n) => [n, document.querySelector(t)[n]])), [tag, cycle.props]);
    const restore = { name: 'restore', run: () => page.evaluate(([t, v]) => Object.assign(document.querySelector(t), v), [tag, initial]) };
    const steps = [...cycle.steps, restore];
    let made = 0;
    let skipped = 0;
    const runCycle = async () => {
      for (const s of steps) {
        const did = await s.run(ctx);
        if (s.name !== 'settle') did === false ? skipped++ : made++;
        await frames(page);
      }
    };
    await runCycle();
    await page.waitForTimeout(300);
    const baseTensors = await quiesce(page, 1500);
    const baseHeap = await heapAfterGc(cdp);
    made = 0;
    skipped = 0;
    const ts = Date.now();
    let cycles = 0;
    while (made < interactions) {
      await runCycle();
      cycles++;
    }
    const soakMs = Date.now() - ts;
    await page.waitForTimeout(300);
    const endTensors = await quiesce(page, 1500);
    const endHeap = await heapAfterGc(cdp);
    // Removed mid-computation: start one, remove the element a frame later.
    const removeMid = async () => {
      await cycle.remove.run(ctx);
      await page.evaluate((t) => new Promise((r) => requestAnimationFrame(() => { document.querySelector(t).remove(); r(); })), tag);
      return quiesce(page, 1500);
    };
    const removed1 = await removeMid();
    // A fresh element: its first result, then the same removal.
    await page.evaluate(([t, ev]) => new Promise((r) => {
      const fresh = document.createElement(t);
      const timer = setTimeout(r, 30000);
      if (ev) fresh.addEventListener(ev, () => { clearTimeout(timer); r(); }, { once: true });
      document.getElementById('widget').append(fresh);
      if (!ev) fresh.updateComplete.then(() => { clearTimeout(timer); r(); });
    }), [tag, readyEvent]);
    await quiesce(page, 1000);
    const removed2 = await removeMid();
    return {
      tag, interactions: made, skipped, cycles, soakMs, totalMs: Date.now() - t0,
      tensors: { base: baseTensors, end: endTensors, removed1, removed2 },
      heapMiB: { base: baseHeap / 2 ** 20, end: endHeap / 2 ** 20, growth: (endHeap - baseHeap) / 2 ** 20 },
      problems,
    };
  } finally {
    await page.close();
  }
}
