// <detection-pipeline>'s story of cost, measured on 128x128 test scenes on the auto backend:
//  - per method: forward passes and milliseconds (sliding window one pass per window and fully
//    convolutional, R-CNN on 100 selective-search proposals, Fast R-CNN on the same proposals,
//    Faster R-CNN), and selective search's time;
//  - the RoI-pool view's repaint when a proposal is picked: the "Proposal" slider's input event to
//    the painted frame (issue target: at most 16 ms).
import { ready, tf, detect, selectiveSearch, slidingWindowDetect, rcnnDetect, fastRcnnDetect, classifierSpec, toConvolutional, disposeConvolutional, type Tensor3D } from '@convlab/tensor';
import { scene, splitSeed } from '@convlab/scenes';
import { loadShapesCrops } from '@convlab/models/crops.js';
import { loadShapesDetector } from '@convlab/models/detector.js';
import '@convlab/detection-pipeline';
import type { DetectionPipeline } from '@convlab/detection-pipeline';
import { stats, fmt, nextEvent, FrameClock, inputToFrame, frameInterval, type RunRecord, type Stat } from '../lib.js';

const SCENES = 6;
const PROPOSALS = 100;

export async function run() {
  const info = await ready();
  const clock = new FrameClock();
  const frame = await frameInterval(clock);
  const [crops, parts] = await Promise.all([loadShapesCrops(), loadShapesDetector()]);
  const spec = classifierSpec(crops);
  const conv = toConvolutional(spec);
  const ms: Record<string, number[]> = { windowEach: [], windowConv: [], search: [], rcnn: [], fast: [], faster: [] };
  const passes: Record<string, number> = {};
  // scene 0 is a warm-up (shader compiles, kernel set-up), not counted
  for (let i = 0; i <= SCENES; i++) {
    const s = scene(splitSeed('test', i));
    const img = tf.tidy(() => tf.div(tf.tensor3d(Int32Array.from(s.image), [s.height, s.width, 3], 'float32'), 255) as Tensor3D);
    const keep = (k: string, t: number, p: number) => {
      if (i > 0) ms[k].push(t);
      passes[k] = p;
    };
    let t0 = performance.now();
    const each = await slidingWindowDetect(crops, spec, conv, img, [32, 48, 64], 'one-by-one');
    keep('windowEach', performance.now() - t0, each.passes);
    t0 = performance.now();
    const c = await slidingWindowDetect(crops, spec, conv, img, [32, 48, 64], 'convolutional');
    keep('windowConv', performance.now() - t0, c.passes);
    t0 = performance.now();
    const ss = selectiveSearch({ data: s.image, width: s.width, height: s.height }, { maxBoxes: PROPOSALS });
    keep('search', performance.now() - t0, 0);
    const boxes = ss.boxes.map((b) => [...b]);
    t0 = performance.now();
    const r = await rcnnDetect(crops, spec, img, boxes);
    keep('rcnn', performance.now() - t0, r.passes);
    t0 = performance.now();
    const f = await fastRcnnDetect(parts, img, boxes);
    keep('fast', performance.now() - t0, f.passes);
    f.features.dispose();
    t0 = performance.now();
    const fa = await detect(parts, img, { masks: false });
    keep('faster', performance.now() - t0, 3);
    fa.dispose();
    img.dispose();
  }
  disposeConvolutional(conv);

  // The RoI-pool view: pick proposals with the slider, input to painted frame.
  const el = document.createElement('detection-pipeline') as DetectionPipeline;
  el.setAttribute('step', 'fast-r-cnn');
  el.setAttribute('seed', '3');
  const first = Promise.race([nextEvent(el, 'pipeline-result'), new Promise((_, no) => setTimeout(() => no(new Error('no pipeline-result')), 120000))]);
  document.body.append(el);
  await first;
  await el.computed;
  await el.updateComplete;
  const slider = () => [...el.shadowRoot!.querySelectorAll('convlab-slider')].find((x) => x.getAttribute('label') === 'Proposal')!;
  const pickMs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const value = 1 + ((i * 7) % PROPOSALS);
    pickMs.push(
      await inputToFrame(clock, async () => {
        slider().dispatchEvent(new CustomEvent('input', { detail: { value }, bubbles: true, composed: true }));
        await el.updateComplete;
      }),
    );
  }
  clock.stop();
  el.remove();
  const st = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, stats(v)])) as Record<string, Stat>;
  return { backend: info.name, frameMs: frame, scenes: SCENES, proposals: PROPOSALS, passes, ms: st, roiPick: stats(pickMs), rcnnOverFast: st.rcnn.median / st.fast.median };
}

type Result = Awaited<ReturnType<typeof run>>;

export function report(runs: RunRecord<Result>[]): string[] {
  const r = runs.find((x) => x.ok)?.result;
  if (!r) return [];
  const row = (name: string, k: string) => `${name}: ${r.passes[k]} passes, p50 ${fmt(r.ms[k].median)} ms, p95 ${fmt(r.ms[k].p95)} ms`;
  return [
    `<detection-pipeline> (${r.backend}, ${r.scenes} test scenes 128x128, ${r.proposals} proposals): ${row('sliding window one pass per window', 'windowEach')}; ${row('fully convolutional', 'windowConv')}`,
    `<detection-pipeline> selective search p50 ${fmt(r.ms.search.median)} ms; ${row('R-CNN', 'rcnn')}; ${row('Fast R-CNN', 'fast')}; ${row('Faster R-CNN', 'faster')}; R-CNN / Fast R-CNN = ${fmt(r.rcnnOverFast)}x`,
    `<detection-pipeline> RoI-pool view, proposal picked to painted frame: p50 ${fmt(r.roiPick.median)} ms, p95 ${fmt(r.roiPick.p95)} ms (target 16 ms; one frame = ${fmt(r.frameMs)} ms)`,
  ];
}
