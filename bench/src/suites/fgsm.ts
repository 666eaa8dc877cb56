// <fgsm-demo>: the once-per-image gradient, and an epsilon-slider move until x' is repainted.
import { ready, tf, loadModel, gradientSign, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import '@convlab/fgsm-demo';
import type { FgsmDemo } from '@convlab/fgsm-demo';
import { time, stats, fmt, nextEvent, type RunRecord } from '../lib.js';

export async function run() {
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

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const f = runs.find((r) => r.ok)?.result;
  if (!f) return [];
  return [
    `<fgsm-demo> (auto: ${f.backend}, digits): eps-slider move to x' painted on its canvas p50 ${fmt(f.sliderToPaint.median)} ms, p95 ${fmt(f.sliderToPaint.p95)} ms;`,
    `  to the next frame (on screen) p50 ${fmt(f.sliderToRepaint.median)} ms, p95 ${fmt(f.sliderToRepaint.p95)} ms (targets 16 / 33)`,
    `  once-per-image gradient sign p50 ${fmt(f.gradientSign.median)} ms, p95 ${fmt(f.gradientSign.p95)} ms (target 150); new image to first x' p50 ${fmt(f.newImage.median)} ms`,
  ];
}
