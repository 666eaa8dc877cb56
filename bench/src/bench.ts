// Benchmark page: one run per page load, configured by the query string (?suite=…&backend=…).
// Results go to window.__bench for bench/run.mjs to read. Timings use performance.now() around
// work that is awaited to completion (data() downloads force the GPU/WASM work to finish).
import * as tfl from '@tensorflow/tfjs-layers';
import { ready, tf, type BackendName, type Tensor4D } from '@convlab/tensor';

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
  // esbuild does not rewrite new URL('../wasm/…', import.meta.url): say where the binaries are.
  const wasmPaths = '/packages/tensor/wasm/';
  const info = await ready(backend === 'auto' ? { wasmPaths } : { prefer: backend as BackendName, wasmPaths });
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

const suites: Record<string, () => Promise<unknown>> = { backends };

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
