// <gram-style> (issue 15): one optimisation step of the default random VGG at 256x256 on the auto
// backend (the widget's own step, in its Web Worker: forward, backward layer by layer, Adam update;
// timed on the page from the request to the image coming back), next to the same step in PyTorch on
// this CPU when packages/models/train/style_step_timing.py has written its JSON (the ratio is given
// only when PyTorch used as many threads as TF.js did); the longest main-thread task while steps run
// (Long Tasks API) and a slider change during a run (input event -> the frame that shows its value);
// and, at 128x128, the steps Adam and L-BFGS take to halve the style loss (a stand-in for "visibly
// stylised"), at most 20 each.
import { ready, type BackendName } from '@convlab/tensor';
import '@convlab/gram-style';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, longTasks, type BenchContext, type RunRecord } from '../lib.js';

export const backends = ['auto'];

type GramEl = HTMLElement & { run(): void; pause(): void; reset(): void; updateComplete: Promise<unknown>; styleWeight: number };
interface StepDetail { step: number; total: number; style: number[]; ms: number; evaluations: number; where: 'worker' | 'main'; backend: string; threads: number }

// Written by the PyTorch script, when it has been run (absent otherwise: the glob is then empty).
const torchJson = import.meta.glob('../../../packages/gram-style/timing/pytorch-step.json', { eager: true, import: 'default' }) as Record<string, { size: number; median_ms: number; p95_ms: number; threads: number; torch: string }>;

async function place(attrs: Record<string, string>): Promise<GramEl> {
  const el = document.createElement('gram-style') as GramEl;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  for (let i = 0; i < 600; i++) {
    const st = el.shadowRoot?.querySelector('convlab-status');
    if ((el as unknown as { st?: unknown }).st && st?.getAttribute('state') === 'ready') return el;
    if (st?.getAttribute('state') === 'error') throw new Error(st.getAttribute('message') ?? 'error');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('gram-style did not get ready');
}

async function stepsToHalve(optimizer: string): Promise<{ steps: number | null; msPerStep: number }> {
  const el = await place({ size: '128', optimizer, steps: '20' });
  const details: StepDetail[] = [];
  el.addEventListener('step', (e) => details.push((e as CustomEvent<StepDetail>).detail));
  const done = nextEvent(el, 'done');
  el.run();
  await done;
  el.remove();
  const s0 = details[0].style.reduce((a, b) => a + b, 0);
  const k = details.findIndex((d) => d.style.reduce((a, b) => a + b, 0) <= 0.5 * s0);
  return { steps: k < 0 ? null : details[k].step - 1, msPerStep: stats(details.map((d) => d.ms)).median };
}

export async function run({ backend }: BenchContext) {
  const info = await ready(backend === 'auto' ? {} : { prefer: backend as BackendName });
  const clock = new FrameClock();
  const frame = await frameInterval(clock);

  const el = await place({ size: '256', steps: '2000' });
  const steps: StepDetail[] = [];
  el.addEventListener('step', (e) => steps.push((e as CustomEvent<StepDetail>).detail));
  await new Promise((r) => setTimeout(r, 0)); // observe from a task of its own
  const tasks = longTasks();
  el.run();
  await nextEvent(el, 'step'); // warm-up (kernels compiled, first step)
  const warm = steps.length;
  // A slider change while it runs: the style-weight slider's range input -> its number field shows it.
  const slider = el.shadowRoot!.querySelectorAll('convlab-slider')[1] as HTMLElement & { updateComplete: Promise<unknown>; shadowRoot: ShadowRoot };
  const sliderMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const range = slider.shadowRoot.querySelector('input[type=range]') as HTMLInputElement;
    sliderMs.push(
      await inputToFrame(clock, async () => {
        range.value = String(4 + (i % 4));
        range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        range.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
        await slider.updateComplete;
      }),
    );
  }
  while (steps.length < warm + 8) await nextEvent(el, 'step');
  el.pause();
  const seen = tasks.stop();
  el.remove();
  clock.stop();
  const step256 = stats(steps.slice(warm).map((s) => s.ms));
  const torch = Object.values(torchJson)[0] ?? null;
  const lastStep = steps[steps.length - 1];
  const threads = lastStep?.threads ?? 1;

  const adam = await stepsToHalve('adam');
  const lbfgs = await stepsToHalve('lbfgs');
  return {
    backend: info.name,
    where: lastStep?.where ?? 'main',
    stepBackend: lastStep?.backend ?? info.name,
    threads,
    frame,
    step256,
    pytorch256: torch,
    // Like for like only: the same size and the same number of threads.
    ratio: torch && torch.size === 256 && torch.threads === threads ? step256.median / torch.median_ms : null,
    longestTask: seen.longest,
    longTasks: seen.count,
    longestFrameGap: seen.longestFrameGap,
    sliderToFrame: stats(sliderMs),
    halveStyle128: { adam, lbfgs },
  };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const lines: string[] = [];
  for (const r of runs.filter((x) => x.ok)) {
    const o = r.result;
    lines.push(
      `<gram-style> (${o.stepBackend} in ${o.where === 'worker' ? 'a Web Worker' : 'the page'}, ${o.threads} thread${o.threads === 1 ? '' : 's'}): one step at 256x256 p50 ${fmt(o.step256.median)} ms, p95 ${fmt(o.step256.p95)} ms` +
        (o.pytorch256
          ? `; PyTorch (${o.pytorch256.threads} thread${o.pytorch256.threads === 1 ? '' : 's'}) ${fmt(o.pytorch256.median_ms)} ms; ` +
            (o.ratio != null ? `ratio ${o.ratio.toFixed(2)}x (target <= 2x)` : `no ratio: PyTorch ran with ${o.pytorch256.threads} threads, TF.js with ${o.threads} (re-run the script with --threads ${o.threads})`)
          : '; PyTorch: not measured (run packages/models/train/style_step_timing.py)'),
    );
    lines.push(`  longest main-thread task while running ${fmt(o.longestTask)} ms (${o.longTasks} long tasks), longest gap between frames ${fmt(o.longestFrameGap)} ms; slider -> frame p50 ${fmt(o.sliderToFrame.median)} ms, p95 ${fmt(o.sliderToFrame.p95)} ms (frame ${fmt(o.frame)} ms)`);
    const h = o.halveStyle128;
    lines.push(`  128x128, steps to halve the style loss: Adam ${h.adam.steps ?? '>20'} (${fmt(h.adam.msPerStep)} ms/step), L-BFGS ${h.lbfgs.steps ?? '>20'} (${fmt(h.lbfgs.msPerStep)} ms/step)`);
  }
  return lines;
}
