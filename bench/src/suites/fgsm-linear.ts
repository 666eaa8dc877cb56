// <fgsm-linear>'s headline interaction, timed as the student feels it: an epsilon slider move to the
// frame in which the table's x' row and the sums are on screen.
import '@convlab/fgsm-demo';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord } from '../lib.js';

export async function run() {
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const el = document.createElement('fgsm-linear') as HTMLElement & { updateComplete: Promise<unknown> };
  document.body.append(el);
  await el.updateComplete;
  const range = el.shadowRoot!.querySelector('convlab-slider')!.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;
  const drag: number[] = [];
  for (let i = 0; i < 120; i++) {
    const eps = ((i % 19) + 1) * 0.05;
    drag.push(
      await inputToFrame(clock, async () => {
        const changed = nextEvent(el, 'linear-change');
        range.value = String(eps);
        range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        await changed;
        await el.updateComplete;
      }),
    );
  }
  clock.stop();
  el.remove();
  return { frameMs: frame, epsilonDrag: stats(drag) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  return [`<fgsm-linear>: epsilon slider drag to the frame showing x' and the sums: p50 ${fmt(r.epsilonDrag.median)} ms, p95 ${fmt(r.epsilonDrag.p95)} ms (one frame = ${fmt(r.frameMs)} ms)`];
}
