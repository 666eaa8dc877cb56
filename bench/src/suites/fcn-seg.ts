// <fcn-seg>'s headline interactions, timed as the student feels it:
//  - scene -> semantic map: the "New scene" click to the frame that shows the new scene's class map
//    (scene generation, one forward pass of the encoder-decoder, read back, IoU, paint); and
//    semanticMap() alone for both networks (the flat one beside it, as the issue asks), with their
//    mean IoU on 50 test scenes measured here with meanIoU;
//  - the effective receptive field of one pixel: effectiveReceptiveField() alone (both networks), and
//    an arrow key in the receptive-field view to the frame that shows the new pixel's field.
import { ready, tf, semanticMap, effectiveReceptiveField, meanIoU, type Tensor3D } from '@convlab/tensor';
import { scene, splitSeed } from '@convlab/scenes';
import { loadSegmenter } from '@convlab/models/fcn.js';
import '@convlab/fcn-seg';
import type { FcnSeg } from '@convlab/fcn-seg';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord } from '../lib.js';

const input = (seed: number) => {
  const s = scene(seed);
  return { s, x: tf.tidy(() => tf.div(tf.tensor3d(Int32Array.from(s.image), [s.height, s.width, 3], 'float32'), 255) as Tensor3D) };
};

export async function run() {
  const info = await ready();
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const out: Record<string, { map: ReturnType<typeof stats>; erf: ReturnType<typeof stats>; meanIoU50: number }> = {};
  for (const id of ['shapes-fcn', 'shapes-fcn-flat'] as const) {
    const model = await loadSegmenter(id);
    const mapMs: number[] = [];
    const erfMs: number[] = [];
    const targets = new Int32Array(50 * 128 * 128);
    const preds = new Int32Array(50 * 128 * 128);
    for (let i = 0; i < 52; i++) {
      const { s, x } = input(splitSeed('test', i));
      const t0 = performance.now();
      const m = semanticMap(model, x);
      const labels = await m.data();
      if (i >= 2) {
        mapMs.push(performance.now() - t0);
        targets.set(s.semantic, (i - 2) * 128 * 128);
        preds.set(labels, (i - 2) * 128 * 128);
      }
      m.dispose();
      if (i < 22) {
        const t1 = performance.now();
        const e = effectiveReceptiveField(model, x, 20 + 4 * i, 64);
        await e.map.data();
        if (i >= 2) erfMs.push(performance.now() - t1);
        e.map.dispose();
      }
      x.dispose();
    }
    const [t, p] = [tf.tensor1d(targets, 'int32'), tf.tensor1d(preds, 'int32')];
    const iou = await meanIoU(t, p, 4);
    tf.dispose([t, p]);
    out[id] = { map: stats(mapMs), erf: stats(erfMs), meanIoU50: iou.mean };
  }

  const el = document.createElement('fcn-seg') as FcnSeg;
  el.setAttribute('seed', '100');
  const first = Promise.race([nextEvent(el, 'segmentation-change'), new Promise((_, no) => setTimeout(() => no(new Error('no segmentation-change')), 120000))]);
  document.body.append(el);
  await first;
  await el.updateComplete;
  const button = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'New scene')!;
  const sceneMs: number[] = [];
  for (let i = 0; i < 12; i++) {
    sceneMs.push(
      await inputToFrame(
        clock,
        async () => {
          const d = nextEvent(el, 'segmentation-change');
          button.click();
          await d;
          await el.updateComplete;
        },
        'random',
      ),
    );
  }
  el.view = 'receptive-field';
  await el.updateComplete;
  await el.computed;
  await el.updateComplete;
  const canvas = el.shadowRoot!.querySelector('canvas.image') as HTMLCanvasElement;
  const keyMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    keyMs.push(
      await inputToFrame(clock, async () => {
        canvas.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowRight' : 'ArrowDown' }));
        await el.updateComplete;
        await el.computed;
        await el.updateComplete;
      }),
    );
  }
  clock.stop();
  el.remove();
  return { backend: info.name, frameMs: frame, models: out, sceneToMap: stats(sceneMs), keyToField: stats(keyMs) };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  const ed = r.models['shapes-fcn'];
  const flat = r.models['shapes-fcn-flat'];
  return [
    `<fcn-seg> (${r.backend}, 128x128): encoder-decoder map p50 ${fmt(ed.map.median)} ms, p95 ${fmt(ed.map.p95)} ms (target 30 ms), mIoU ${ed.meanIoU50.toFixed(3)} on 50 test scenes; flat map p50 ${fmt(flat.map.median)} ms, mIoU ${flat.meanIoU50.toFixed(3)}`,
    `<fcn-seg> effective receptive field of one pixel: encoder-decoder p50 ${fmt(ed.erf.median)} ms, p95 ${fmt(ed.erf.p95)} ms (target 100 ms); flat p50 ${fmt(flat.erf.median)} ms`,
    `<fcn-seg> "New scene" click to the frame with its map p50 ${fmt(r.sceneToMap.median)} ms, p95 ${fmt(r.sceneToMap.p95)} ms; arrow key to the frame with the new pixel's field p50 ${fmt(r.keyToField.median)} ms, p95 ${fmt(r.keyToField.p95)} ms (one frame = ${fmt(r.frameMs)} ms)`,
  ];
}
