// <occlusion-map>'s headline interaction, timed as the student feels it: a pointer move of the
// single occluder to the frame in which the occluder and its class probability are on screen.
import { ready } from '@convlab/tensor';
import '@convlab/models';
import '@convlab/occlusion-map';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord } from '../lib.js';

export async function run() {
  const info = await ready();
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const el = document.createElement('occlusion-map') as HTMLElement & { updateComplete: Promise<unknown> };
  el.setAttribute('sample', '0');
  const done = Promise.race([nextEvent(el, 'map-complete'), new Promise((_, no) => setTimeout(() => no(new Error('no map-complete')), 120000))]);
  document.body.append(el);
  await done;
  await el.updateComplete;
  const canvas = el.shadowRoot!.querySelector('canvas.map') as HTMLCanvasElement;
  const readout = el.shadowRoot!.querySelector('.readout') as HTMLElement;
  // The occluder is the last thing paintMap() draws: its outline, at the new place, marks the paint.
  const ctx = canvas.getContext('2d')!;
  const strokeRect = ctx.strokeRect.bind(ctx);
  let waiting: { x: number; y: number; resolve: () => void } | undefined;
  ctx.strokeRect = (x: number, y: number, w: number, h: number) => {
    strokeRect(x, y, w, h);
    if (waiting && Math.abs(x - waiting.x) < 0.5 && Math.abs(y - waiting.y) < 0.5) {
      const r = waiting.resolve;
      waiting = undefined;
      r();
    }
  };
  const size = 28;
  const patch = 6;
  const rect = () => canvas.getBoundingClientRect();
  const pointer = (type: string, row: number, col: number) => {
    const r = rect();
    canvas.dispatchEvent(
      new PointerEvent(type, { bubbles: true, composed: true, pointerId: 1, isPrimary: true, buttons: type === 'pointerup' ? 0 : 1, clientX: r.left + ((col + 0.5) * r.width) / size, clientY: r.top + ((row + 0.5) * r.height) / size }),
    );
  };
  /** Where the occluder's outline lands for a pointer at (row, col): patch centred, kept inside. */
  const outline = (row: number, col: number) => {
    const s = canvas.width / size;
    const c = (v: number) => Math.min(size - patch, Math.max(0, Math.round(v - patch / 2)));
    return { x: c(col) * s, y: c(row) * s };
  };
  const drawn = (row: number, col: number) =>
    new Promise<void>((resolve, reject) => {
      waiting = { ...outline(row, col), resolve };
      setTimeout(() => reject(new Error(`occluder at ${row},${col} not painted`)), 10000);
    });
  // Press, then drag along a path of cells, one pointer move per frame (as Chromium delivers them).
  const path: [number, number][] = [];
  for (let i = 0; i < 120; i++) {
    const t = i % 40;
    path.push([6 + (t < 20 ? t : 40 - t) * 0.8, 4 + ((i * 3) % 20)]);
  }
  const first = drawn(Math.round(path[0][0]), path[0][1]);
  pointer('pointerdown', Math.round(path[0][0]), path[0][1]);
  await first;
  const drag: number[] = [];
  let prev = outline(Math.round(path[0][0]), path[0][1]);
  for (let i = 1; i < path.length; i++) {
    const [row, col] = [Math.round(path[i][0]), path[i][1]];
    const o = outline(row, col);
    if (o.x === prev.x && o.y === prev.y) continue; // not a move of the occluder
    prev = o;
    drag.push(await inputToFrame(clock, () => {
      const p = drawn(row, col);
      pointer('pointermove', row, col);
      return p;
    }));
  }
  pointer('pointerup', 10, 10);
  clock.stop();
  const text = readout.textContent ?? '';
  el.remove();
  return { backend: info.name, frameMs: frame, occluderDrag: stats(drag), readoutShowsOccluder: /Occluder at/.test(text) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  return [
    `<occlusion-map> (${r.backend}, digits, patch 6): occluder drag, pointer move to the frame showing the occluder and its probability: p50 ${fmt(r.occluderDrag.median)} ms, p95 ${fmt(r.occluderDrag.p95)} ms (one frame = ${fmt(r.frameMs)} ms)`,
  ];
}
