// Occlusion maps: 28x28 digit (patch 6, stride 2: 144 positions) batched vs one at a time; 224x224 fixture.
import { ready, tf, loadModel, registerModel, fromImage, occlusionMap, classifierProbabilities, type BackendName, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import { time, fmt, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl'];

export async function run({ backend }: BenchContext) {
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
    url: new URL('../../../packages/models/fixtures/hosted-224/model.json', import.meta.url).href,
    files: { 'weights.bin': new URL('../../../packages/models/fixtures/hosted-224/weights.bin', import.meta.url).href },
  });
  const hosted = await loadModel('hosted-224-fixture', { channels: [3] });
  const big = await fromImage(new OffscreenCanvas(320, 240), { size: 224 });
  const hp = classifierProbabilities((t) => hosted.logits(t));
  await occlusionMap(hp, big, 0, { patch: 32, stride: 16, batchSize: 16 });
  const large = await time(3, async () => void (await occlusionMap(hp, big, 0, { patch: 32, stride: 16, batchSize: 16 })));
  big.dispose();
  return { backend: info.name, digitsBatched: batched, digitsOneByOne: single, speedup: single.median / batched.median, hosted224: large };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    if (lines.length) lines.push('');
    lines.push(`Occlusion (${r.backend}: ${o.backend}): 28x28, patch 6, stride 2 (144 positions): batched p50 ${fmt(o.digitsBatched.median)} ms (target 100); one at a time ${fmt(o.digitsOneByOne.median)} ms; speed-up ${o.speedup.toFixed(1)}x`);
    lines.push(`  224x224 fixture, patch 32, stride 16 (169 positions): p50 ${fmt(o.hosted224.median)} ms`);
  }
  return lines;
}
