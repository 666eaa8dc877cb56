/**
 * The t-SNE of <tsne-map>, off the main thread. Messages in: `{type: 'start', id, data, n, d, options,
 * iterations}`, `{type: 'pause'}`, `{type: 'resume'}`, `{type: 'stop'}`. Out: `{type: 'progress', id,
 * phase: 'neighbours', fraction}`, `{type: 'frame', id, iteration, kl, embedding}` about every 30 ms of
 * work, and `{type: 'done', id, iteration, kl, embedding, ms}`.
 */
import { Tsne, affinities, type TsneOptions } from '@convlab/tensor/tsne.js';

interface Start {
  type: 'start';
  id: number;
  data: Float32Array;
  n: number;
  d: number;
  options: TsneOptions;
  iterations: number;
}
type Msg = Start | { type: 'pause' } | { type: 'resume' } | { type: 'stop' };

const scope = self as unknown as {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<Msg>) => void) | null;
};

let run: { id: number; t: Tsne; iterations: number; t0: number } | undefined;
let paused = false;

function loop(): void {
  const r = run;
  if (!r || paused) return;
  const until = performance.now() + 30;
  while (r.t.iteration < r.iterations && performance.now() < until) r.t.step();
  if (run !== r) return;
  const embedding = r.t.embedding();
  if (r.t.iteration >= r.iterations) {
    scope.postMessage({ type: 'done', id: r.id, iteration: r.t.iteration, kl: r.t.kl, embedding, ms: performance.now() - r.t0 }, [embedding.buffer]);
    run = undefined;
    return;
  }
  scope.postMessage({ type: 'frame', id: r.id, iteration: r.t.iteration, kl: r.t.kl, embedding }, [embedding.buffer]);
  setTimeout(loop, 0);
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') {
    paused = false;
    const t0 = performance.now();
    const P = affinities(m.data, m.n, m.d, m.options.perplexity ?? 30, (fraction) => scope.postMessage({ type: 'progress', id: m.id, phase: 'neighbours', fraction }));
    const t = new Tsne(P, m.options);
    t.klAt = m.iterations;
    run = { id: m.id, t, iterations: m.iterations, t0 };
    loop();
  } else if (m.type === 'pause') {
    paused = true;
  } else if (m.type === 'resume') {
    if (paused) {
      paused = false;
      loop();
    }
  } else if (m.type === 'stop') {
    run = undefined;
  }
};
