// <top-patches> (issue 16): the search of one layer's units over 1,000 shipped test images (target 1 s
// on the auto backend): the math alone (unitMaxima + topPatches), and the widget from a new layer
// to the ranked patches on screen.
import { ready, loadModel, unitMaxima, topPatches, type BackendName } from '@convlab/tensor';
import { poolFor } from '@convlab/models/pool.js';
import '@convlab/top-patches';
import { loadPool } from '@convlab/top-patches';
import { time, stats, fmt, nextEvent, FrameClock, inputToFrame, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl'];

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const m = await loadModel('digits');
  const pool = await loadPool(poolFor('digits'), 1000);
  const search = async () => {
    const r = await unitMaxima(m, 'conv3', pool.images, { batchSize: 250 });
    topPatches(r, 5, 9);
  };
  await search();
  const math = await time(3, search);
  pool.images.dispose();
  pool.sprite.close();

  const clock = new FrameClock();
  const el = document.createElement('top-patches') as HTMLElement & { layer: string };
  el.setAttribute('count', '1000');
  const first = nextEvent(el, 'patches-complete');
  document.body.append(el);
  await first;
  const samples: number[] = [];
  for (let i = 0; i < 4; i++) {
    samples.push(
      await inputToFrame(
        clock,
        async () => {
          const done = nextEvent(el, 'patches-complete');
          el.layer = i % 2 ? 'conv3' : 'conv2';
          await done;
          await new Promise((r) => requestAnimationFrame(r));
        },
        'random',
      ),
    );
  }
  clock.stop();
  el.remove();
  return { backend: info.name, math1000: math, widget1000: stats(samples) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  return runs
    .filter((r) => r.ok)
    .map((r) => {
      const o = r.result;
      return `<top-patches> (${r.backend}: ${o.backend}): every unit of conv3 over 1,000 images: search p50 ${fmt(o.math1000.median)} ms (target 1000); new layer -> patches on screen p50 ${fmt(o.widget1000.median)} ms, p95 ${fmt(o.widget1000.p95)} ms`;
    });
}
