// Class visualisation (issue 17): <class-viz> runs 200 ascent steps for one digit class, a few per
// frame. Reports the time from Run to the done event, the longest main-thread task while it runs
// (Long Tasks API; tasks under 50 ms are not long tasks, so the longest frame gap is given too),
// and a slider move while it runs: input event -> the frame that shows the new value.
import { ready, type BackendName } from '@convlab/tensor';
import '@convlab/models';
import '@convlab/class-viz';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, longTasks, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto'];

type ClassVizEl = HTMLElement & { reset(go?: boolean): void; stop(): void; visualiser?: { stepCount: number }; updateComplete: Promise<unknown> };

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const el = document.createElement('class-viz') as ClassVizEl;
  el.setAttribute('target-class', '3');
  el.setAttribute('steps', '200');
  const warm = nextEvent(el, 'done');
  document.body.append(el);
  await warm;

  const totals: number[] = [];
  const longest: number[] = [];
  const gaps: number[] = [];
  for (let k = 0; k < 3; k++) {
    const tasks = longTasks();
    const finished = nextEvent(el, 'done');
    const t0 = performance.now();
    el.reset(true);
    await finished;
    totals.push(performance.now() - t0);
    const t = tasks.stop();
    longest.push(t.longest);
    gaps.push(t.longestFrameGap);
  }

  // A slider move while it runs: the lambda slider's range input -> its value shown.
  el.setAttribute('steps', '2000');
  await el.updateComplete;
  el.reset(true);
  await nextEvent(el, 'step');
  const slider = el.shadowRoot!.querySelector('convlab-slider') as HTMLElement & { updateComplete: Promise<unknown> };
  const range = slider.shadowRoot!.querySelector('input[type=range]') as HTMLInputElement;
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    samples.push(
      await inputToFrame(clock, async () => {
        range.value = String(((i % 20) + 1) / 1000);
        range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        await slider.updateComplete;
        await el.updateComplete;
      }),
    );
  }
  el.stop();
  clock.stop();
  el.remove();
  return { backend: info.name, frame, steps200: stats(totals), longestTask: Math.max(...longest), longestFrameGap: Math.max(...gaps), sliderToFrame: stats(samples) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    lines.push(`Class visualisation (${r.backend}: ${o.backend}): 200 steps for one digit class, Run -> done: p50 ${fmt(o.steps200.median)} ms (target 2000)`);
    lines.push(`  longest main-thread task while running ${o.longestTask ? fmt(o.longestTask) + ' ms' : 'none over 50 ms'}; longest frame gap ${fmt(o.longestFrameGap)} ms (frame ${fmt(o.frame)} ms)`);
    lines.push(`  lambda slider moved while running -> shown: p50 ${fmt(o.sliderToFrame.median)} ms, p95 ${fmt(o.sliderToFrame.p95)} ms (target 100)`);
  }
  return lines;
}
