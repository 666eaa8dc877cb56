// Shared helpers for the bench suites: statistics, timing of awaited work, and the end-to-end
// measure (input event -> the frame in which the result is on screen).

export interface Stat {
  median: number;
  p95: number;
  n: number;
}

/** What a suite's run() is given: the backend the runner asked for ('auto' = the page's own choice). */
export interface BenchContext {
  backend: string;
}

/** One finished run of a suite, as bench/run.mjs collected it (handed to the suite's report()). */
export interface RunRecord<R = unknown> {
  suite: string;
  backend: string;
  ok: boolean;
  result: R;
  error?: string;
}

/**
 * A suite module (bench/src/suites/<name>.ts) exports:
 *   run(ctx)         required: measures, returns a JSON-able result (stored in results.json).
 *   backends         optional: one page load per entry (default ['auto']).
 *   report(runs)     optional: lines printed by bench/run.mjs, given every run of this suite.
 */
export interface SuiteModule {
  run(ctx: BenchContext): Promise<unknown>;
  backends?: readonly string[];
  report?(runs: RunRecord<any>[]): string[];
}

export function stats(samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p95: q(0.95), n: s.length };
}

export async function time(n: number, fn: () => Promise<void>): Promise<Stat> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return stats(out);
}

export const fmt = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(v < 10 ? 2 : 1));

export const nextEvent = <T extends Event = Event>(el: EventTarget, type: string) =>
  new Promise<T>((r) => el.addEventListener(type, r as EventListener, { once: true }));

/**
 * A frame clock: a requestAnimationFrame loop that, in each frame, posts a message from its rAF
 * callback. The message runs as the next task, after that frame's style, layout and paint: a
 * "post-frame" marker. Whatever was drawn before a marker is in that marker's frame.
 */
export class FrameClock {
  private waiters: ((t: number) => void)[] = [];
  private starts: (() => void)[] = [];
  private running = true;
  private readonly channel = new MessageChannel();
  constructor() {
    this.channel.port1.onmessage = () => {
      const t = performance.now();
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f(t);
    };
    const tick = () => {
      if (!this.running) return;
      // Registered first in each frame, so it runs before any rAF callback a widget registers.
      requestAnimationFrame(tick);
      const s = this.starts;
      this.starts = [];
      for (const f of s) f();
      this.channel.port2.postMessage(0);
    };
    requestAnimationFrame(tick);
  }
  /** Time of the next post-frame marker (the end of the first frame produced after this call). */
  afterFrame(): Promise<number> {
    return new Promise((r) => this.waiters.push(r));
  }
  /** Resolves at the start of the next frame, before other rAF callbacks: where Chromium dispatches rAF-aligned input (pointer moves, so slider drags). */
  frameStart(): Promise<void> {
    return new Promise((r) => this.starts.push(r));
  }
  stop(): void {
    this.running = false;
  }
}

/**
 * Input -> on screen, as the user feels it: `trigger` dispatches the input event, `done` resolves when
 * everything the input changes has been drawn (canvases' paint events, the event that says so); the
 * time runs from just before the dispatch to the post-frame marker of the frame that shows it.
 * `phase`: 'frame' dispatches at the start of a frame (a drag's pointer moves are rAF-aligned);
 * 'random' at a random point of a frame (key presses, a property set by a page).
 */
export async function inputToFrame(
  clock: FrameClock,
  trigger: () => Promise<unknown> | void,
  phase: 'frame' | 'random' = 'frame',
): Promise<number> {
  await clock.afterFrame();
  if (phase === 'frame') await clock.frameStart();
  else await new Promise((r) => setTimeout(r, Math.random() * 16));
  const t0 = performance.now();
  await trigger();
  return (await clock.afterFrame()) - t0;
}

/** Milliseconds of one display frame as this page sees it (median rAF interval over 30 frames). */
export async function frameInterval(clock: FrameClock): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < 31; i++) t.push(await clock.afterFrame());
  return stats(t.slice(1).map((v, i) => v - t[i])).median;
}

/**
 * Long tasks (over 50 ms) of this thread from now until stop(), with when each began (ms after the
 * call) and the longest gap between two animation frames meanwhile (a frame late for any reason).
 */
export function longTasks() {
  const ms: number[] = [];
  const at: [number, number][] = [];
  const t0 = performance.now();
  const add = (e: PerformanceEntry) => {
    ms.push(e.duration);
    at.push([Math.round(e.startTime - t0), Math.round(e.duration)]);
  };
  const obs = new PerformanceObserver((list) => list.getEntries().forEach(add));
  obs.observe({ type: 'longtask', buffered: false });
  let last = t0;
  let maxGap = 0;
  let watching = true;
  const watch = () => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
    if (watching) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  return {
    stop() {
      watching = false;
      obs.takeRecords().forEach(add);
      obs.disconnect();
      return { longest: ms.length ? Math.max(...ms) : 0, count: ms.length, at, longestFrameGap: maxGap };
    },
  };
}
