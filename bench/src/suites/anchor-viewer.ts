// <anchor-viewer>'s headline interactions, timed as the student feels it:
//  - scene -> detections: the "New scene" click to the frame that shows the new scene's detections
//    (scene generation, backbone, RPN, decoding, NMS, RoI pooling, box head, and the widget's anchor
//    labels and losses; masks are off by default); and detect() alone, without and with masks;
//  - a re-filter slider (NMS IoU in the proposals view): its input event to the painted frame;
//  - the detector's bytes (every file, as fetched) and the widget's own JS, gzip (its four dist
//    modules, unminified, without lit, the kit or @convlab/tensor).
import { ready, detect, tf, type Tensor3D } from '@convlab/tensor';
import { scene } from '@convlab/scenes';
import { DETECTOR_FILES } from '@convlab/models/detector.js';
import '@convlab/anchor-viewer';
import { AnchorViewer } from '@convlab/anchor-viewer';
import elementJs from '../../../packages/anchor-viewer/dist/anchor-viewer.js?raw';
import drawJs from '../../../packages/anchor-viewer/dist/draw.js?raw';
import stylesJs from '../../../packages/anchor-viewer/dist/anchor-viewer.styles.js?raw';
import panelsJs from '../../../packages/anchor-viewer/dist/panels.js?raw';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord } from '../lib.js';

async function gzipBytes(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

export async function run() {
  const info = await ready();
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  let modelBytes = 0;
  for (const url of Object.values(DETECTOR_FILES)) modelBytes += (await (await fetch(url)).arrayBuffer()).byteLength;
  const ownJsGzip = await gzipBytes(elementJs + drawJs + stylesJs + panelsJs);

  // detect() alone, on 20 scenes (after 2 warm-up runs): the "scene to detections" (backbone,
  // RPN, NMS, RoI pooling, head) without masks, and with the mask head (RoI Align, masks pasted).
  const parts = await AnchorViewer.detector();
  const detectMs: number[] = [];
  const withMasksMs: number[] = [];
  for (let i = 0; i < 22; i++) {
    const s = scene(100 + i);
    const x = tf.tidy(() => tf.div(tf.tensor3d(Int32Array.from(s.image), [s.height, s.width, 3], 'float32'), 255) as Tensor3D);
    let t0 = performance.now();
    const r = await detect(parts, x, { masks: false });
    if (i >= 2) detectMs.push(performance.now() - t0);
    r.dispose();
    if (i % 2 === 0) {
      t0 = performance.now();
      const m = await detect(parts, x);
      if (i >= 2) withMasksMs.push(performance.now() - t0);
      m.dispose();
    }
    x.dispose();
  }

  const el = document.createElement('anchor-viewer') as AnchorViewer;
  el.setAttribute('view', 'detections');
  el.setAttribute('seed', '100');
  const first = Promise.race([nextEvent(el, 'detections-change'), new Promise((_, no) => setTimeout(() => no(new Error('no detections-change')), 120000))]);
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
          const d = nextEvent(el, 'detections-change');
          button.click();
          await d;
          await el.updateComplete;
        },
        'random',
      ),
    );
  }

  el.view = 'proposals';
  el.topN = 300;
  await el.updateComplete;
  const slider = () => [...el.shadowRoot!.querySelectorAll('convlab-slider')].find((s) => s.getAttribute('label') === 'NMS IoU threshold')!;
  const refilterMs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const value = 0.3 + (i % 12) * 0.05;
    refilterMs.push(
      await inputToFrame(clock, async () => {
        slider().dispatchEvent(new CustomEvent('input', { detail: { value }, bubbles: true, composed: true }));
        await el.updateComplete;
      }),
    );
  }
  const after = Number(el.shadowRoot!.querySelector('dl.counts dd.after')?.textContent);
  clock.stop();
  el.remove();
  return { backend: info.name, frameMs: frame, modelBytes, ownJsGzip, detect: stats(detectMs), detectWithMasks: stats(withMasksMs), sceneToDetections: stats(sceneMs), refilter: stats(refilterMs), proposalsAfterLastRefilter: after };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  return [
    `<anchor-viewer> (${r.backend}, 128x128 scenes): detect() without masks p50 ${fmt(r.detect.median)} ms, p95 ${fmt(r.detect.p95)} ms; with the mask head p50 ${fmt(r.detectWithMasks.median)} ms; "New scene" click to the frame with its detections p50 ${fmt(r.sceneToDetections.median)} ms, p95 ${fmt(r.sceneToDetections.p95)} ms`,
    `<anchor-viewer> NMS slider input to painted frame (re-filter, no network): p50 ${fmt(r.refilter.median)} ms, p95 ${fmt(r.refilter.p95)} ms (one frame = ${fmt(r.frameMs)} ms)`,
    `<anchor-viewer> detector files ${(r.modelBytes / 1024).toFixed(0)} KiB; the widget's own JS ${(r.ownJsGzip / 1024).toFixed(1)} KiB gzip`,
  ];
}
