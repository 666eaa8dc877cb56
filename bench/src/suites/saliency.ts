// Saliency maps (issue 17): the three maps of a 28x28 digit (the math, one batched pass, downloaded),
// <saliency-map>'s headline interaction (a new target class -> the maps on screen), and one
// guided-backprop map of the 224x224 fixture.
import { ready, tf, loadModel, registerModel, fromImage, saliencyMaps, neuronGradient, type BackendName, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import '@convlab/saliency-map';
import { time, stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl'];

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const digits = await loadModel('digits');
  const x = tf.tidy(() => tf.pad(tf.ones([1, 14, 4, 1]), [[0, 0], [7, 7], [12, 12], [0, 0]]) as Tensor4D);
  const three = async () => {
    const s = saliencyMaps(digits, x, { class: 1 });
    await Promise.all([s.gradient.data(), s.deconvnet.data(), s.guided.data()]);
    tf.dispose([s.gradient, s.deconvnet, s.guided]);
  };
  await three();
  const maps = await time(30, three);
  x.dispose();

  // The widget: a new target class -> the three signed maps repainted and the overlays drawn.
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const el = document.createElement('saliency-map') as HTMLElement & { targetClass: string; updateComplete: Promise<unknown> };
  el.setAttribute('sample', '33');
  const first = nextEvent(el, 'saliency-change');
  document.body.append(el);
  await first;
  await el.updateComplete;
  const canvases = () => [...el.shadowRoot!.querySelectorAll('convlab-tensor-canvas.signed')];
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    samples.push(
      await inputToFrame(
        clock,
        async () => {
          const painted = canvases().map((c) => nextEvent(c, 'paint'));
          const changed = nextEvent(el, 'saliency-change');
          el.targetClass = String(i % 10); // a new class each time (consecutive values differ)
          await changed;
          await Promise.all(painted);
        },
        'random',
      ),
    );
  }
  clock.stop();
  el.remove();

  registerModel('hosted-224-fixture', {
    url: new URL('../../../packages/models/fixtures/hosted-224/model.json', import.meta.url).href,
    files: { 'weights.bin': new URL('../../../packages/models/fixtures/hosted-224/weights.bin', import.meta.url).href },
  });
  const hosted = await loadModel('hosted-224-fixture', { channels: [3] });
  const big = await fromImage(new OffscreenCanvas(320, 240), { size: 224 });
  const guided = async () => {
    const g = neuronGradient(hosted, big, { class: 0, rule: 'guided' });
    await g.data();
    g.dispose();
  };
  await guided();
  const large = await time(5, guided);
  big.dispose();
  return { backend: info.name, frame, threeMaps: maps, targetToFrame: stats(samples), hosted224Guided: large };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    if (lines.length) lines.push('');
    lines.push(`Saliency (${r.backend}: ${o.backend}): three maps of a 28x28 digit, one batched pass: p50 ${fmt(o.threeMaps.median)} ms, p95 ${fmt(o.threeMaps.p95)} ms (target 50)`);
    lines.push(`  <saliency-map> new target class -> maps on screen: p50 ${fmt(o.targetToFrame.median)} ms, p95 ${fmt(o.targetToFrame.p95)} ms (frame ${fmt(o.frame)} ms)`);
    lines.push(`  224x224 fixture, one guided-backprop map: p50 ${fmt(o.hosted224Guided.median)} ms`);
  }
  return lines;
}
