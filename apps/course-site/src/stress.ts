// The stress page: 20 widgets of every kind on one page, all starting at once. It measures what a
// course page with many widgets needs to hold: every widget reaches its first result, the page keeps
// one WebGL context (TF.js's, shared by every widget) when WebGL is forced, the longest main-thread
// task, and memory (tensors and JS heap) that settles once the work is done. window.__stress holds
// the figures for the end-to-end test and the bench.
import '@convlab/models';
import { setupTheme } from './theme.js';

setupTheme();

/** The widgets: each kind once, then seven more of the lighter kinds with other starting states. */
const WIDGETS: { tag: string; attrs?: Record<string, string>; ready?: string }[] = [
  { tag: 'filter-grid', attrs: { sample: '70' } },
  { tag: 'top-patches', attrs: { layer: 'conv3', unit: '5' } },
  { tag: 'tsne-map', attrs: { count: '500' } },
  { tag: 'occlusion-map', attrs: { sample: '70', patch: '6', stride: '2' } },
  { tag: 'saliency-map', attrs: { sample: '33' } },
  { tag: 'class-viz', attrs: { 'target-class': '3' } },
  { tag: 'fgsm-demo', attrs: { sample: '70', epsilon: '0.1' } },
  { tag: 'fgsm-linear', attrs: { epsilon: '0.1' } },
  { tag: 'adv-training', attrs: { epochs: '30' } },
  // gram-style has no first-result event of its own without a run: it runs 10 steps and is done.
  { tag: 'gram-style', attrs: { autorun: '', steps: '10' }, ready: 'done' },
  { tag: 'detection-pipeline', attrs: { seed: '3' } },
  { tag: 'anchor-viewer', attrs: { seed: '7' } },
  { tag: 'fcn-seg', attrs: { seed: '9' } },
  { tag: 'fgsm-demo', attrs: { sample: '3', epsilon: '0.25' } },
  { tag: 'fgsm-linear', attrs: { epsilon: '0.3' } },
  { tag: 'occlusion-map', attrs: { sample: '12', patch: '8', stride: '4' } },
  { tag: 'saliency-map', attrs: { sample: '5' } },
  { tag: 'filter-grid', attrs: { sample: '3' } },
  { tag: 'class-viz', attrs: { 'target-class': '7' } },
  { tag: 'anchor-viewer', attrs: { seed: '12' } },
];

interface StressReport {
  backend?: string;
  widgets: { tag: string; firstResultMs?: number }[];
  allReadyMs?: number;
  /** WebGL contexts made on this page (main thread): all, and those still alive (not lost). */
  webgl: { made: number; live: number };
  /** Widgets whose TF.js runs in a Web Worker of their own (gram-style off WebGL), with its own backend there. */
  tfWorkers: number;
  /** Main-thread tasks over 50 ms: the longest, how many, and the longest after every widget was ready. */
  longTasks: { longestMs: number; count: number; longestAfterReadyMs: number };
  /** tf.memory() and the JS heap (Chromium's performance.memory) at samples after all were ready. */
  memory: { t: number; numTensors: number; numBytes: number; heapBytes?: number }[];
  settled?: boolean;
  error?: string;
}

const report: StressReport = { widgets: [], webgl: { made: 0, live: 0 }, tfWorkers: 0, longTasks: { longestMs: 0, count: 0, longestAfterReadyMs: 0 }, memory: [] };
(window as unknown as { __stress: StressReport }).__stress = report;

// Count the WebGL contexts made on this page, before any widget code runs.
const contexts: (WebGLRenderingContext | WebGL2RenderingContext)[] = [];
for (const proto of [HTMLCanvasElement.prototype, ...(typeof OffscreenCanvas === 'undefined' ? [] : [OffscreenCanvas.prototype])]) {
  const original = proto.getContext as (this: unknown, type: string, ...rest: unknown[]) => unknown;
  (proto as { getContext: unknown }).getContext = function (this: unknown, type: string, ...rest: unknown[]) {
    const ctx = original.call(this, type, ...rest);
    if (ctx && /^(webgl|webgl2|experimental-webgl)$/.test(type) && !contexts.includes(ctx as WebGLRenderingContext)) contexts.push(ctx as WebGLRenderingContext);
    return ctx;
  };
}

const t0 = performance.now();
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      report.longTasks.count++;
      report.longTasks.longestMs = Math.max(report.longTasks.longestMs, e.duration);
      if (report.allReadyMs !== undefined && e.startTime > report.allReadyMs) report.longTasks.longestAfterReadyMs = Math.max(report.longTasks.longestAfterReadyMs, e.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
} catch {
  /* no Long Tasks API (Firefox): the report says 0 */
}

const status = document.getElementById('stress-status')!;
const tbody = document.querySelector('#stress-table tbody')!;

async function main(): Promise<void> {
  const backend = new URLSearchParams(location.search).get('backend');
  if (backend && ['webgl', 'wasm', 'cpu'].includes(backend)) {
    const meta = document.createElement('meta');
    meta.name = 'convlab-backend';
    meta.content = backend;
    document.head.append(meta);
  }
  // After the meta tag: the first widget's ready() reads it.
  await import('virtual:convlab/define-all');
  const { widgets } = await import('virtual:convlab/widgets');
  const { tf, backendInfo } = await import('@convlab/tensor');
  const mount = document.getElementById('stress-widgets')!;
  const waits = WIDGETS.map((w, i) => {
    const el = document.createElement(w.tag);
    el.id = `w${i}`;
    for (const [k, v] of Object.entries(w.attrs ?? {})) el.setAttribute(k, v);
    const row = document.createElement('tr');
    row.innerHTML = `<td>${i + 1}</td><td><code>&lt;${w.tag}&gt;</code></td><td>…</td>`;
    tbody.append(row);
    const entry: StressReport['widgets'][number] = { tag: w.tag };
    report.widgets.push(entry);
    const event = w.ready ?? widgets.find((x) => x.tag === w.tag)?.readyEvent;
    const done = () => {
      entry.firstResultMs = Math.round(performance.now() - t0);
      row.lastElementChild!.textContent = String(entry.firstResultMs);
    };
    const wait = event
      ? new Promise<void>((r) => el.addEventListener(event, () => r(), { once: true }))
      : customElements.whenDefined(w.tag).then(() => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete).then(() => undefined);
    mount.append(el);
    return wait.then(done);
  });
  await Promise.all(waits);
  report.allReadyMs = Math.round(performance.now() - t0);
  report.backend = backendInfo()?.name ?? tf.getBackend();
  status.textContent = `All 20 widgets have a first result after ${report.allReadyMs} ms on ${report.backend}. Measuring memory…`;
  // Memory: samples every 2 s until two in a row agree on the tensor count (the widgets' work is
  // done) and the heap has stopped growing by more than 1 MB, or 30 s have passed.
  const heap = () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const m = tf.memory();
    report.memory.push({ t: Math.round(performance.now() - t0), numTensors: m.numTensors, numBytes: m.numBytes, heapBytes: heap() });
    const [a, b] = report.memory.slice(-2);
    if (a && b && a !== b && a.numTensors === b.numTensors && a.numBytes === b.numBytes && (b.heapBytes ?? 0) - (a.heapBytes ?? 0) < 1 << 20) {
      report.settled = true;
      break;
    }
  }
  report.webgl = { made: contexts.length, live: contexts.filter((c) => !c.isContextLost()).length };
  report.tfWorkers = [...document.querySelectorAll('gram-style')].filter((e) => (e as unknown as { st?: { where?: string } }).st?.where === 'worker').length;
  const last = report.memory[report.memory.length - 1];
  status.textContent =
    `All 20 widgets have a first result after ${report.allReadyMs} ms on ${report.backend}; longest main-thread task ${Math.round(report.longTasks.longestMs)} ms; ` +
    `WebGL contexts alive: ${report.webgl.live}; ${last.numTensors} tensors (${(last.numBytes / 2 ** 20).toFixed(1)} MiB)${report.settled ? ', settled' : ', NOT settled after 30 s'}.`;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  report.error = String(e?.message ?? e);
  status.textContent = `The stress page failed: ${report.error}`;
});
