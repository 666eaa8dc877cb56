// Benchmark page: one run per page load, configured by the query string (?suite=…&backend=…).
// Results go to window.__bench for bench/run.mjs to read. Timings use performance.now() around
// work that is awaited to completion (data() downloads force the GPU/WASM work to finish).
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ready,
  tf,
  loadModel,
  registerModel,
  fromImage,
  gradientSign,
  inputGradient,
  occlusionMap,
  classifierProbabilities,
  type BackendName,
  type Tensor4D,
} from '@convlab/tensor';
import '@convlab/models';
import '@convlab/fgsm-demo';
import type { FgsmDemo } from '@convlab/fgsm-demo';

const params = new URLSearchParams(location.search);
const suite = params.get('suite') ?? 'backends';
const backend = params.get('backend') ?? 'auto';

export interface Stat {
  median: number;
  p95: number;
  n: number;
}

export function stats(samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p95: q(0.95), n: s.length };
}

export async function time(n: number, fn: () => Promise<void>): Promise<Stat> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return stats(out);
}

/** A small conv net of the digits family (28x28x1 -> 10), random weights. */
function smallConvNet(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 64, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 10 }));
  return m;
}

async function backends() {
  const t0 = performance.now();
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const first = tf.tidy(() => tf.add(tf.ones([2]), 1));
  await first.data();
  first.dispose();
  const startup = performance.now() - t0;
  const model = smallConvNet();
  const x = tf.randomUniform([1, 28, 28, 1]) as Tensor4D;
  const label = tf.tidy(() => tf.oneHot(tf.tensor1d([3], 'int32'), 10));
  const forward = async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  const gradFn = tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(label, model.predict(xi) as tf.Tensor));
  const gradient = async () => {
    const g = gradFn(x);
    await g.data();
    g.dispose();
  };
  const firstForward = await time(1, forward);
  await time(3, forward);
  const fwd = await time(30, forward);
  const firstGrad = await time(1, gradient);
  await time(3, gradient);
  const grd = await time(20, gradient);
  return {
    backend: info.name,
    reason: info.reason,
    renderer: info.gpu.renderer,
    simd: info.wasm?.simd ?? null,
    threads: info.wasm?.threads ?? null,
    startupMs: startup,
    firstForwardMs: firstForward.median,
    forward: fwd,
    firstGradientMs: firstGrad.median,
    gradient: grd,
  };
}

/** Cold load of the bundled digits model, then one forward pass and one input gradient. */
async function models() {
  const info = await ready();
  const t0 = performance.now();
  const m = await loadModel('digits');
  const coldLoad = performance.now() - t0;
  const x = tf.randomUniform([1, 28, 28, 1]) as Tensor4D;
  const forward = await time(30, async () => {
    const y = m.logits(x);
    await y.data();
    y.dispose();
  });
  const gradient = await time(20, async () => {
    const g = inputGradient((t) => m.logits(t), x, 3);
    await g.data();
    g.dispose();
  });
  x.dispose();
  return { backend: info.name, coldLoadMs: coldLoad, forward, gradient };
}

const nextEvent = (el: EventTarget, type: string) => new Promise<Event>((r) => el.addEventListener(type, r, { once: true }));

/** <fgsm-demo>: the once-per-image gradient, and an epsilon-slider move until x' is repainted. */
async function fgsm() {
  const info = await ready();
  const el = document.createElement('fgsm-demo') as FgsmDemo;
  el.setAttribute('sample', '0');
  el.setAttribute('controls', 'epsilon');
  const first = nextEvent(el, 'prediction-change');
  document.body.append(el);
  await first;
  const m = await loadModel('digits');
  const img = tf.randomUniform([1, 28, 28, 1]) as Tensor4D;
  const grad = await time(20, async () => {
    const d = gradientSign((t) => m.logits(t), img, 3);
    await d.data();
    d.dispose();
  });
  img.dispose();
  // A new image in the element: read, classify, gradient sign, first x'.
  const newImage = await time(10, async () => {
    const done = nextEvent(el, 'prediction-change');
    el.sample = (el.sample + 10) % 100;
    await done;
  });
  const slider = el.shadowRoot!.querySelector('convlab-slider')!;
  const range = slider.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;
  const advCanvas = el.shadowRoot!.querySelectorAll('convlab-tensor-canvas')[2];
  const toPaint: number[] = [];
  const toFrame: number[] = [];
  for (let i = 0; i < 100; i++) {
    const painted = nextEvent(advCanvas, 'paint');
    const t0 = performance.now();
    range.value = String(0.01 + (i % 40) * 0.01);
    range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await painted;
    toPaint.push(performance.now() - t0);
    // The canvas reaches the screen with the next frame.
    await new Promise((r) => requestAnimationFrame(r));
    toFrame.push(performance.now() - t0);
  }
  return { backend: info.name, gradientSign: grad, newImage, sliderToPaint: stats(toPaint), sliderToRepaint: stats(toFrame), gradientCalls: el.gradientCalls };
}

/** Occlusion maps: 28x28 digit (patch 6, stride 2: 144 positions) batched vs one at a time; 224x224 fixture. */
async function occlusion() {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const digits = await loadModel('digits');
  const x = tf.randomUniform([1, 28, 28, 1]) as Tensor4D;
  const p = classifierProbabilities((t) => digits.logits(t));
  await occlusionMap(p, x, 3, { patch: 6, stride: 2, batchSize: 32 });
  const batched = await time(10, async () => void (await occlusionMap(p, x, 3, { patch: 6, stride: 2, batchSize: 32 })));
  const single = await time(3, async () => void (await occlusionMap(p, x, 3, { patch: 6, stride: 2, batchSize: 1 })));
  x.dispose();
  // The fixture our scripts generate (random weights, 224x224x3 -> 1000), emitted as assets by Vite.
  registerModel('hosted-224-fixture', {
    url: new URL('../../packages/models/fixtures/hosted-224/model.json', import.meta.url).href,
    files: { 'weights.bin': new URL('../../packages/models/fixtures/hosted-224/weights.bin', import.meta.url).href },
  });
  const hosted = await loadModel('hosted-224-fixture', { channels: [3] });
  const big = await fromImage(new OffscreenCanvas(320, 240), { size: 224 });
  const hp = classifierProbabilities((t) => hosted.logits(t));
  await occlusionMap(hp, big, 0, { patch: 32, stride: 16, batchSize: 16 });
  const large = await time(3, async () => void (await occlusionMap(hp, big, 0, { patch: 32, stride: 16, batchSize: 16 })));
  big.dispose();
  return { backend: info.name, digitsBatched: batched, digitsOneByOne: single, speedup: single.median / batched.median, hosted224: large };
}

const suites: Record<string, () => Promise<unknown>> = { backends, models, fgsm, occlusion };

(async () => {
  try {
    const run = suites[suite];
    if (!run) throw new Error(`unknown suite ${suite}`);
    (window as unknown as { __bench: unknown }).__bench = { ok: true, suite, requested: backend, result: await run() };
  } catch (e) {
    (window as unknown as { __bench: unknown }).__bench = { ok: false, suite, error: String((e as Error)?.stack ?? e) };
  }
  document.getElementById('out')!.textContent = 'done';
})();
