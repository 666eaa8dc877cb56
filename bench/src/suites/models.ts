// Models: cold load of the bundled digits model, then its forward pass and input gradient.
import { ready, tf, loadModel, inputGradient, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import { time, fmt, type RunRecord } from '../lib.js';

export async function run() {
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

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  return runs
    .filter((r) => r.ok)
    .map(({ result: m }) => `Models (auto: ${m.backend}): digits cold load ${fmt(m.coldLoadMs)} ms; forward p50 ${fmt(m.forward.median)} ms; input gradient p50 ${fmt(m.gradient.median)} ms`);
}
