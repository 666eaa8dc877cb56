// <fgsm-demo>, timed as the student feels it: from the input event (a slider drag, a property set,
// a new sample) to the frame in which x', the perturbation and the bars are on screen. In the same
// run, on the same model and backend, a baseline that recomputes the gradient on every change (the
// approach of the browser attack demos) with the same painting parts, and the ratio of the two.
import { ready, tf, loadModel, prepareInput, gradientSign, fgsm, fgsmStep, perturbationSummary, type Tensor4D, type LoadedModel } from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import '@convlab/models';
import '@convlab/kit/define.js';
import '@convlab/fgsm-demo';
import type { FgsmDemo } from '@convlab/fgsm-demo';
import type { ConvLabTensorCanvas, ConvLabProbBars } from '@convlab/kit';
import { loadSpriteSamples } from '@convlab/kit';
import { time, stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord } from '../lib.js';

const EPS = (i: number) => Math.round((0.02 + (i % 39) * 0.01) * 1000) / 1000;

/** Resolves when `el` fires `type`, or rejects after `ms` (a missing event must not hang the bench). */
function event(el: EventTarget, type: string, ms = 10000): Promise<Event> {
  return Promise.race([nextEvent(el, type), new Promise<never>((_, no) => setTimeout(() => no(new Error(`no ${type} within ${ms} ms`)), ms))]);
}

/** x', the perturbation and the bars of <fgsm-demo> drawn after a change: both canvases painted, the element's event fired, the bars rendered. */
function fgsmDrawn(el: FgsmDemo, canvases: ConvLabTensorCanvas[]): Promise<unknown> {
  const bars = () => [...el.shadowRoot!.querySelectorAll<ConvLabProbBars>('convlab-prob-bars')].map((b) => b.updateComplete);
  return Promise.all([event(el, 'prediction-change'), ...canvases.map((c) => event(c, 'paint'))]).then(() => Promise.all(bars()));
}

/**
 * The baseline: on every change, the whole attack again (gradient, step, clip), a prediction of x',
 * then x' and the perturbation painted by the same kit canvases and the bars updated.
 */
class RecomputeBaseline {
  readonly root = document.createElement('div');
  readonly adv = document.createElement('convlab-tensor-canvas') as ConvLabTensorCanvas;
  readonly pert = document.createElement('convlab-tensor-canvas') as ConvLabTensorCanvas;
  readonly bars = document.createElement('convlab-prob-bars') as ConvLabProbBars;
  private held: tf.Tensor[] = [];
  constructor(
    private readonly m: LoadedModel,
    private readonly x: Tensor4D,
    private readonly label: number,
  ) {
    this.adv.colormap = 'grey';
    this.adv.range = [0, 1];
    this.pert.colormap = 'diverging';
    this.bars.labels = m.meta.labels;
    this.bars.top = 3;
    this.root.append(this.adv, this.pert, this.bars);
    document.body.append(this.root);
  }
  /** One change of epsilon: resolves when x', the perturbation and the bars are drawn. */
  async set(eps: number): Promise<void> {
    const xAdv = fgsm((t) => this.m.logits(t), this.x, this.label, eps);
    const { delta, linf, changed } = perturbationSummary(this.x, xAdv);
    const p = tf.tidy(() => tf.softmax(this.m.logits(xAdv)));
    const probs = Array.from(await p.data());
    tf.dispose([p, linf, changed]);
    const drawn = Promise.all([event(this.adv, 'paint'), event(this.pert, 'paint')]);
    this.adv.tensor = xAdv;
    this.pert.tensor = delta;
    this.pert.range = [-Math.max(eps, 1e-6), Math.max(eps, 1e-6)];
    this.bars.probabilities = probs;
    await drawn;
    await this.bars.updateComplete;
    tf.dispose(this.held);
    this.held = [xAdv, delta];
  }
  /**
   * The painting alone: x', the perturbation and the bars of one of two precomputed epsilons,
   * alternately (no math between the input and the paint): what any path pays per change.
   */
  async paintOnly(i: number, pre: { xAdv: Tensor4D; delta: tf.Tensor; probs: number[]; eps: number }[]): Promise<void> {
    const s = pre[i % pre.length];
    const drawn = Promise.all([event(this.adv, 'paint'), event(this.pert, 'paint')]);
    this.adv.tensor = s.xAdv;
    this.pert.tensor = s.delta;
    this.pert.range = [-s.eps, s.eps];
    this.bars.probabilities = s.probs;
    await drawn;
    await this.bars.updateComplete;
  }
  dispose(): void {
    tf.dispose(this.held);
    this.root.remove();
  }
}

export async function run() {
  const info = await ready();
  const clock = new FrameClock();
  const frame = await frameInterval(clock);

  const el = document.createElement('fgsm-demo') as FgsmDemo;
  el.setAttribute('sample', '0');
  el.setAttribute('epsilon', '0.01');
  const first = event(el, 'prediction-change', 120000);
  document.body.append(el);
  await first;
  const canvases = [...el.shadowRoot!.querySelectorAll<ConvLabTensorCanvas>('convlab-tensor-canvas')];
  const [inCanvas, pertCanvas, advCanvas] = canvases;
  const range = el.shadowRoot!.querySelector('convlab-slider')!.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;

  // Epsilon by slider drag: the range input's 'input' event at the start of a frame (Chromium
  // dispatches a drag's pointer moves rAF-aligned), as many moves as a few seconds of dragging.
  const drag: number[] = [];
  for (let i = 0; i < 120; i++) {
    drag.push(
      await inputToFrame(clock, () => {
        const drawn = fgsmDrawn(el, [advCanvas, pertCanvas]);
        range.value = String(EPS(i));
        range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        return drawn;
      }),
    );
  }
  // Epsilon by property set (a page script, a key press): at a random point of a frame.
  const property: number[] = [];
  for (let i = 0; i < 80; i++) {
    property.push(
      await inputToFrame(
        clock,
        () => {
          const drawn = fgsmDrawn(el, [advCanvas, pertCanvas]);
          el.epsilon = EPS(i + 7);
          return drawn;
        },
        'random',
      ),
    );
  }
  // A new sample: read, classify, gradient sign, x', everything painted.
  const settled = event(el, 'prediction-change');
  el.epsilon = 0.105; // not one of EPS(i): a change
  await settled;
  const newSample: number[] = [];
  for (let i = 0; i < 30; i++) {
    newSample.push(
      await inputToFrame(
        clock,
        () => {
          const drawn = fgsmDrawn(el, [inCanvas, advCanvas, pertCanvas]);
          el.sample = (i * 7 + 11) % 100;
          return drawn;
        },
        'random',
      ),
    );
  }
  const gradientCalls = el.gradientCalls;
  // The floor both paths share: the same measure with an input that changes nothing (frame start
  // to the post-frame marker of that frame, the widget on the page).
  const idle: number[] = [];
  for (let i = 0; i < 60; i++) idle.push(await inputToFrame(clock, () => undefined));
  el.remove();

  // The math alone, for reference: the once-per-image gradient sign.
  const m = await loadModel('digits');
  const samples = await loadSpriteSamples(samplesFor('digits'), m.meta.labels);
  const { x } = await prepareInput(m, samples[0].src);
  const grad = await time(20, async () => {
    const d = gradientSign((t) => m.logits(t), x, 0);
    await d.data();
    d.dispose();
  });

  // The math alone of one epsilon change: cached sign (step, summary, forward, one download) vs the
  // whole attack again; the end-to-end ratio is smaller because rendering costs the same for both.
  const f = (t: Tensor4D) => m.logits(t);
  const direction = gradientSign(f, x, 0);
  const changeMath = (recompute: boolean) => async () => {
    const xa = recompute ? fgsm(f, x, 0, 0.1) : fgsmStep(x, direction, 0.1);
    const { delta, linf, changed } = perturbationSummary(x, xa);
    const p = tf.tidy(() => tf.concat([tf.reshape(tf.softmax(m.logits(xa)), [-1]), tf.reshape(linf, [1]), tf.reshape(changed, [1])]));
    await p.data();
    tf.dispose([xa, delta, linf, changed, p]);
  };
  await time(3, changeMath(false));
  const cachedMath = await time(40, changeMath(false));
  await time(3, changeMath(true));
  const recomputeMath = await time(40, changeMath(true));
  direction.dispose();

  // The recompute-every-change baseline, same model, backend, sample, epsilons and drag timing.
  const base = new RecomputeBaseline(m, x, 0);
  await base.set(0.01);
  const baseline: number[] = [];
  for (let i = 0; i < 120; i++) baseline.push(await inputToFrame(clock, () => base.set(EPS(i))));
  const idleBaseline: number[] = [];
  for (let i = 0; i < 60; i++) idleBaseline.push(await inputToFrame(clock, () => undefined));
  const pre = [0.05, 0.1].map((eps) => {
    const xAdv = fgsm((t) => m.logits(t), x, 0, eps);
    const { delta, linf, changed } = perturbationSummary(x, xAdv);
    const probs = Array.from(tf.tidy(() => tf.softmax(m.logits(xAdv))).dataSync());
    tf.dispose([linf, changed]);
    return { xAdv, delta, probs, eps };
  });
  const paintOnly: number[] = [];
  for (let i = 0; i < 60; i++) paintOnly.push(await inputToFrame(clock, () => base.paintOnly(i, pre)));
  tf.dispose(pre.flatMap((p) => [p.xAdv, p.delta]));
  base.dispose();
  x.dispose();
  clock.stop();

  const d = stats(drag);
  const b = stats(baseline);
  return {
    backend: info.name,
    frameMs: frame,
    epsilonDrag: d,
    epsilonProperty: stats(property),
    newSample: stats(newSample),
    recomputeBaseline: b,
    speedupVsRecompute: b.median / d.median,
    idleFrame: stats(idle),
    idleFrameBaseline: stats(idleBaseline),
    paintOnly: stats(paintOnly),
    gradientSign: grad,
    cachedMath,
    recomputeMath,
    gradientCalls,
  };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const f = runs.find((r) => r.ok)?.result;
  if (!f) return [];
  const s = (x: { median: number; p95: number }) => `p50 ${fmt(x.median)} ms, p95 ${fmt(x.p95)} ms`;
  return [
    `<fgsm-demo> (${f.backend}, digits), input event to the frame showing x', the perturbation and the bars (one frame = ${fmt(f.frameMs)} ms here):`,
    `  epsilon, slider drag:     ${s(f.epsilonDrag)}   (targets: p50 <= 1 frame, p95 <= 2)`,
    `  epsilon, property set:    ${s(f.epsilonProperty)}`,
    `  new sample:               ${s(f.newSample)}   (target 50)`,
    `  recompute-gradient baseline, same drag: ${s(f.recomputeBaseline)}; cached path ${f.speedupVsRecompute.toFixed(1)}x faster (target 3x)`,
    ...(f.paintOnly
      ? [
          `  painting alone (the baseline's x', perturbation and bars of a precomputed epsilon, no math): ${s(f.paintOnly)}: the part of every change that no caching removes`,
          `  so with no math and no Lit work at all, a path painting only those parts could be at most ${(f.recomputeBaseline.median / f.paintOnly.median).toFixed(1)}x faster than the baseline (baseline p50 / painting-alone p50); the widget paints more (two sets of bars, slider, read-outs)`,
        ]
      : []),
    `  math alone of one change: cached p50 ${fmt(f.cachedMath.median)} ms vs recompute ${fmt(f.recomputeMath.median)} ms (${(f.recomputeMath.median / f.cachedMath.median).toFixed(1)}x)`,
    `  once-per-image gradient sign (math alone) p50 ${fmt(f.gradientSign.median)} ms, p95 ${fmt(f.gradientSign.p95)} ms (target 150)`,
  ];
}
