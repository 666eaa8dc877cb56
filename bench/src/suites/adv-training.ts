// <adv-training>: one toy epoch (500 points, the clean and the adversarial network, measured and
// painted) from the "Train one epoch" click to the painted frame, with the math and the paint alone
// and the TF.js kernels an epoch dispatches; the longest main-thread task while it trains freely; and
// the digits robust-accuracy curves (both models, 10 epsilons, the first 1,000 MNIST test images of
// the digits pool, FGSM and PGD-10).
import { ready, tf, loadModel, robustnessCurve, pgdRobustnessCurve, fastGradientClassifier, type Classifier, type BackendName, type Tensor4D } from '@convlab/tensor';
import { poolFor } from '@convlab/models/pool.js';
import { loadPool } from '@convlab/top-patches/pool.js';
import '@convlab/adv-training';
import type { AdvTraining, CurveCompleteDetail } from '@convlab/adv-training';
import { FrameClock, inputToFrame, frameInterval, stats, time, fmt, nextEvent, longTasks, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl'];

const EPS10 = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });

  // Toy: 500 points, paused; each sample is one click on "Train one epoch" to the frame that shows it.
  const el = document.createElement('adv-training') as AdvTraining;
  el.setAttribute('points', '500');
  el.setAttribute('paused', '');
  el.setAttribute('epochs', '2000');
  document.body.append(el);
  while (!el.toyRun?.frame) await new Promise((r) => setTimeout(r, 20));
  await el.updateComplete;
  const button = () => Array.from(el.shadowRoot!.querySelectorAll('button')).find((b) => /Train one epoch/.test(b.textContent!))!;
  const clock = new FrameClock();
  const interval = await frameInterval(clock);
  for (let i = 0; i < 3; i++) await el.stepOnce(); // warm-up: kernels compiled, optimiser state made
  const epoch: number[] = [];
  for (let i = 0; i < 30; i++) {
    epoch.push(
      await inputToFrame(clock, async () => {
        const done = nextEvent(el, 'epoch');
        button().click();
        await done;
        await el.updateComplete;
      }, 'random'),
    );
  }
  // The math alone: one step of both networks with the measurement (no paint); the render and paint alone.
  const math = await time(20, async () => void (await el.toyRun!.step()));
  const paint = await time(20, async () => {
    el.requestUpdate();
    await el.updateComplete;
  });
  const kernelsPerEpoch = (await tf.profile(async () => void (await el.toyRun!.step()))).kernels.length;
  // Free training: frames per epoch and the longest main-thread task.
  // Observed from a task of its own: the profile above ran in one long task on WASM, and a long-task
  // entry is made when its task ends, so observing from inside it counted the profile.
  await new Promise((r) => setTimeout(r, 0));
  const tasks = longTasks();
  const e0 = el.toyRun!.epoch;
  const t0 = performance.now();
  el.paused = false;
  await new Promise((r) => setTimeout(r, 3000));
  el.paused = true;
  const freeEpochs = el.toyRun!.epoch - e0;
  const freeMs = performance.now() - t0;
  const free = tasks.stop();
  clock.stop();
  el.remove();

  // Digits: the robust-accuracy curves at 10 epsilons for both models over 1,000 distinct images (the
  // first 1,000 of the digits pool: MNIST's first test images), FGSM and PGD-10 (pgdRobustnessCurve:
  // monotone, rows leave at their first misclassified iterate), with the input gradient by hand
  // (fastGradientClassifier).
  const [a, b] = await Promise.all([loadModel('digits'), loadModel('digits-robust')]);
  const pool = await loadPool(poolFor('digits'), 1000);
  pool.sprite.close();
  const x1000 = pool.images;
  const labels1000 = pool.labels;
  if (x1000.shape[0] !== 1000) throw new Error(`The digits pool gave ${x1000.shape[0]} images, not 1,000.`);
  const models = [a, b].map((m) => fastGradientClassifier(m));
  // WebGL on a software renderer (the webgl run on a machine without a GPU) is several times slower
  // than WASM: there both curves run over the first 100 only, so that the page stays inside
  // run.mjs's 10 minutes (over 1,000 it did not, at load 5-11).
  const curveImages = info.name === 'webgl' && info.gpu.software ? 100 : 1000;
  const xCurves = curveImages === 1000 ? x1000 : (tf.slice(x1000, 0, curveImages) as Tensor4D);
  const yCurves = labels1000.slice(0, curveImages);
  const [warm, warm10] = [tf.slice(x1000, 0, 100) as Tensor4D, tf.slice(x1000, 0, 10) as Tensor4D];
  await robustnessCurve(models[0], warm, labels1000.slice(0, 100), [0.1]); // warm-up
  await pgdRobustnessCurve(models[0], warm10, labels1000.slice(0, 10), [0.1], { steps: 2 });
  const tf0 = performance.now();
  const fgsmCurves = [];
  for (const f of models) fgsmCurves.push(await robustnessCurve(f, xCurves, yCurves, EPS10, { attack: 'fgsm', batchSize: 250 }));
  const fgsm1000Ms = performance.now() - tf0;
  // The work PGD does, counted: images through a gradient pass (forward + input gradient, ~3.9 M
  // multiply-adds each) and through a forward pass alone (the clean check and the last iterate, ~2 M).
  const work = { gradientImages: 0, forwardImages: 0 };
  const counted = models.map((f) => {
    const g: Classifier = (t) => ((work.forwardImages += t.shape[0]), f(t));
    g.lossGradientWithLogits = (t, l) => ((work.gradientImages += t.shape[0]), f.lossGradientWithLogits!(t, l));
    return g;
  });
  const tp0 = performance.now();
  const pgdCurves = [];
  for (const f of counted) pgdCurves.push(await pgdRobustnessCurve(f, xCurves, yCurves, EPS10, { steps: 10 }));
  const pgd1000Ms = performance.now() - tp0;
  if (xCurves !== x1000) xCurves.dispose();
  tf.dispose([warm, warm10, x1000]);

  // The widget's own digits run, from mounting to `curve-complete` (both attacks, 11 epsilons, 100 images).
  const w = document.createElement('adv-training') as AdvTraining;
  w.setAttribute('mode', 'digits');
  const tw0 = performance.now();
  const complete = nextEvent<CustomEvent<CurveCompleteDetail>>(w, 'curve-complete');
  document.body.append(w);
  const detail = (await complete).detail;
  const widgetDigitsMs = performance.now() - tw0;
  w.remove();

  return {
    backend: info.name,
    frameInterval: interval,
    toyEpochToFrame: stats(epoch),
    toyEpochMath: math,
    toyPaint: paint,
    kernelsPerEpoch,
    freeEpochsPerSecond: (freeEpochs / freeMs) * 1000,
    longestTaskMs: free.longest,
    longTasks: free.count,
    longTasksAt: free.at,
    fgsm1000Ms,
    pgd1000Ms,
    curveImages,
    pgdWork: work,
    widgetDigitsMs,
    accuracy: {
      eps: EPS10,
      digitsFgsm: fgsmCurves[0],
      robustFgsm: fgsmCurves[1],
      digitsPgd: pgdCurves[0],
      robustPgd: pgdCurves[1],
      widget: detail.mode === 'digits' ? detail.curves : undefined,
    },
  };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    const load = (r as RunRecord<Result> & { load?: { avg1: number; cpus: number } }).load;
    const at = (c: number[]) => `${Math.round(c[o.accuracy.eps.indexOf(0.3)] * 100)}%`;
    if (lines.length) lines.push('');
    lines.push(
      `<adv-training> (${r.backend}: ${o.backend}${load ? `, load ${load.avg1.toFixed(1)} on ${load.cpus} CPUs` : ''}): toy epoch, 500 points, clean + adversarial, click to painted frame p50 ${fmt(o.toyEpochToFrame.median)} ms, p95 ${fmt(o.toyEpochToFrame.p95)} ms (target 50; frame ${fmt(o.frameInterval)} ms)`,
    );
    lines.push(
      `  math alone p50 ${fmt(o.toyEpochMath.median)} / p95 ${fmt(o.toyEpochMath.p95)} ms, ${o.kernelsPerEpoch} TF.js kernels an epoch; render + paint alone p50 ${fmt(o.toyPaint.median)} / p95 ${fmt(o.toyPaint.p95)} ms`,
    );
    lines.push(`  free training: ${o.freeEpochsPerSecond.toFixed(1)} epochs/s; longest main-thread task ${fmt(o.longestTaskMs)} ms (${o.longTasks} long tasks)`);
    lines.push(
      `  digits curves, 10 eps, both models, the first ${o.curveImages === 1000 ? '1,000' : `${o.curveImages} (software WebGL)`} pool images: FGSM ${fmt(o.fgsm1000Ms)} ms, PGD-10 ${fmt(o.pgd1000Ms)} ms (target 5000 each); widget mount to curve-complete (100 images, FGSM 11 eps + PGD-10 6 eps) ${fmt(o.widgetDigitsMs)} ms`,
    );
    const w = o.pgdWork;
    lines.push(
      `  PGD-10 work: ${w.gradientImages} images through a gradient pass, ${w.forwardImages} through a forward pass alone; ${fmt((o.pgd1000Ms / (w.gradientImages + w.forwardImages / 2)) * 1000)} us per gradient image (a forward counted as half)`,
    );
    lines.push(
      `  accuracy over those images at eps 0.3: digits FGSM ${at(o.accuracy.digitsFgsm)}, PGD-10 ${at(o.accuracy.digitsPgd)}; digits-robust FGSM ${at(o.accuracy.robustFgsm)}, PGD-10 ${at(o.accuracy.robustPgd)}`,
    );
  }
  return lines;
}
