// <tsne-map> (issue 16): our Barnes-Hut t-SNE of the digits model's 64-D features of 2,000 test
// images to 1,000 iterations (target 10 s), in the widget's Web Worker, with the longest main-thread
// task while it runs; side by side with the npm package tsne-js (exact t-SNE) on the same features
// (its set-up, the exact affinities, timed once, and 100 of its iterations timed and scaled to 1,000: it
// holds N x N matrices, so each iteration costs the same).
// Then the widget as a student meets it: <tsne-map count=2000> from being added to the page to
// `embedding-done` (model, test images, features, both maps), with the longest main-thread task.
import { ready, tf, loadModel, layerActivations, type Tensor4D } from '@convlab/tensor';
import { poolFor } from '@convlab/models/pool.js';
import { loadPool } from '@convlab/top-patches';
import '@convlab/tsne-map';
import { TsneRunner, neighbourAgreement } from '@convlab/tsne-map';
// @ts-expect-error tsne-js ships no types
import TSNE from 'tsne-js';
import { fmt, nextEvent, longTasks, type BenchContext, type RunRecord } from '../lib.js';

const N = 2000;
const ITERATIONS = 1000;
/** tsne-js is exact (N x N per iteration): its time per iteration is steady, so 100 are timed and scaled to 1,000. */
const TSNE_JS_ITERATIONS = 100;

export async function run(_: BenchContext) {
  const info = await ready();
  const m = await loadModel('digits');
  const pool = await loadPool(poolFor('digits'), N);
  const f = tf.tidy(() => tf.reshape(layerActivations(m, 'features', pool.images as Tensor4D), [N, -1]));
  const d = f.shape[1]!;
  const features = (await f.data()) as Float32Array;
  f.dispose();
  const labels = pool.labels.slice(0, N);
  pool.images.dispose();
  pool.sprite.close();

  // Ours, in the worker: wall time, and the longest main-thread task meanwhile. (A task of its own
  // first: the feature extraction above ran in one task on WASM, and a long-task entry is made
  // when its task ends, so observing from inside it counted the extraction.)
  await new Promise((r) => setTimeout(r, 0));
  let tasks = longTasks();
  let frames = 0;
  const runner = new TsneRunner();
  const t0 = performance.now();
  const ours = await runner.run(features, N, d, { options: { perplexity: 30, seed: 1 }, iterations: ITERATIONS, onFrame: () => frames++ });
  const oursMs = performance.now() - t0;
  const oursTasks = tasks.stop();
  runner.dispose();

  // The widget, from being added to the page to both maps done.
  await new Promise((r) => setTimeout(r, 0));
  tasks = longTasks();
  const el = document.createElement('tsne-map');
  el.setAttribute('count', String(N));
  el.setAttribute('iterations', String(ITERATIONS));
  const done = nextEvent(el, 'embedding-done');
  const t2 = performance.now();
  document.body.append(el);
  await done;
  const widgetMs = performance.now() - t2;
  const widgetTasks = tasks.stop();
  el.remove();

  // tsne-js on the same features (exact gradient, on this thread: it has no worker mode).
  const rows = Array.from({ length: N }, (_, i) => Array.from(features.subarray(i * d, (i + 1) * d)));
  const t1 = performance.now();
  const model = new TSNE({ dim: 2, perplexity: 30, earlyExaggeration: 4, learningRate: 100, nIter: TSNE_JS_ITERATIONS, metric: 'euclidean' });
  model.init({ data: rows, type: 'dense' });
  const initMs = performance.now() - t1;
  const t3 = performance.now();
  model.run();
  const iterMs = performance.now() - t3;
  const theirs = model.getOutput() as number[][];
  const theirsMs = performance.now() - t1;
  const theirsEmb = Float32Array.from(theirs.flat());

  return {
    backend: info.name,
    n: N,
    iterations: ITERATIONS,
    ours: { ms: oursMs, where: ours.where, kl: ours.kl, frames, longestTaskMs: oursTasks.longest, longTasks: oursTasks.count, agreement: neighbourAgreement(ours.embedding, labels) },
    widget: { ms: widgetMs, longestTaskMs: widgetTasks.longest, longTasks: widgetTasks.count, tasksAt: widgetTasks.at },
    tsneJs: { iterations: TSNE_JS_ITERATIONS, ms: theirsMs, initMs, iterMs, msFor1000: initMs + (iterMs * ITERATIONS) / TSNE_JS_ITERATIONS, agreement: neighbourAgreement(theirsEmb, labels) },
  };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    lines.push(`t-SNE, ${o.n} digits' features (64-D), ${o.iterations} iterations: ours (Barnes-Hut, ${o.ours.where}) ${fmt(o.ours.ms / 1000)} s (target 10 s), longest main-thread task ${fmt(o.ours.longestTaskMs)} ms (${o.ours.longTasks} long tasks), ${o.ours.frames} frames; 5-NN class agreement ${(o.ours.agreement * 100).toFixed(1)}%`);
    if (o.widget) lines.push(`  <tsne-map count=${o.n}> added to the page to embedding-done (test images, features, both maps): ${fmt(o.widget.ms / 1000)} s, longest main-thread task ${fmt(o.widget.longestTaskMs)} ms (${o.widget.longTasks} long tasks)`);
    lines.push(`  tsne-js (exact, main thread): set-up ${fmt((o.tsneJs.initMs ?? 0) / 1000)} s + ${o.tsneJs.iterations} iterations ${fmt((o.tsneJs.iterMs ?? o.tsneJs.ms) / 1000)} s, so about ${fmt(o.tsneJs.msFor1000 / 1000)} s for ${o.iterations} (5-NN class agreement after ${o.tsneJs.iterations}: ${(o.tsneJs.agreement * 100).toFixed(1)}%)`);
  }
  return lines;
}
