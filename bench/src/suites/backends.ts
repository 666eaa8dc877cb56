// Backends: a small conv net's forward pass and input gradient on each backend (and what 'auto' chose).
import * as tfl from '@tensorflow/tfjs-layers';
import { ready, tf, type BackendName, type Tensor4D } from '@convlab/tensor';
import { time, fmt, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl', 'wasm', 'cpu'];

/** A small conv net of the digits family (28x28x1 -> 10), random weights. */
export function smallConvNet(): tfl.Sequential {
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

export async function run({ backend }: BenchContext) {
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

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines = [
    'Backends: small conv net (28x28x1 -> 10, 3 conv + 2 dense), batch 1; times in ms',
    'requested  chosen  startup  1st fwd  fwd p50  fwd p95  1st grad  grad p50  grad p95',
  ];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    lines.push(
      `${r.backend.padEnd(10)} ${o.backend.padEnd(7)} ${fmt(o.startupMs).padStart(7)} ${fmt(o.firstForwardMs).padStart(8)} ${fmt(o.forward.median).padStart(8)} ${fmt(o.forward.p95).padStart(8)} ${fmt(o.firstGradientMs).padStart(9)} ${fmt(o.gradient.median).padStart(9)} ${fmt(o.gradient.p95).padStart(9)}`,
    );
  }
  const auto = runs.find((x) => x.backend === 'auto' && x.ok)?.result;
  const webgl = runs.find((x) => x.backend === 'webgl' && x.ok)?.result;
  if (auto && webgl) {
    lines.push('', `auto chose ${auto.backend} (${auto.reason}).`);
    lines.push(`forward: forced webgl / auto = ${(webgl.forward.median / auto.forward.median).toFixed(1)}x; gradient: ${(webgl.gradient.median / auto.gradient.median).toFixed(1)}x`);
  }
  return lines;
}
