// <filter-grid> (issue 16): a new layer chosen -> its kernel tiles painted (target 50 ms), p50/p95,
// timed from the property set to the frame that shows the grid; and the tile painting alone.
import { ready, type BackendName } from '@convlab/tensor';
import '@convlab/models';
import '@convlab/filter-grid';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto', 'webgl'];

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const el = document.createElement('filter-grid') as HTMLElement & { layer: string; normalization: string; updateComplete: Promise<unknown> };
  const first = nextEvent(el, 'filters-ready');
  document.body.append(el);
  await first;
  const layers = ['conv2', 'conv3', 'conv1'];
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    samples.push(
      await inputToFrame(
        clock,
        async () => {
          const painted = nextEvent(el, 'filters-ready');
          el.layer = layers[i % 3];
          await painted;
        },
        'random',
      ),
    );
  }
  // The colour-scale toggle (same layer, new tiles).
  const toggle: number[] = [];
  for (let i = 0; i < 20; i++) {
    toggle.push(
      await inputToFrame(
        clock,
        async () => {
          const painted = nextEvent(el, 'filters-ready');
          el.normalization = i % 2 ? 'filter' : 'layer';
          await painted;
        },
        'random',
      ),
    );
  }
  clock.stop();
  el.remove();
  return { backend: info.name, frame, layerChange: stats(samples), normalizeToggle: stats(toggle) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  return runs
    .filter((r) => r.ok)
    .map((r) => {
      const o = r.result;
      return `<filter-grid> (${r.backend}: ${o.backend}): new layer -> tiles on screen p50 ${fmt(o.layerChange.median)} ms, p95 ${fmt(o.layerChange.p95)} ms (target 50); colour-scale toggle p50 ${fmt(o.normalizeToggle.median)} ms; frame ${fmt(o.frame)} ms`;
    });
}
