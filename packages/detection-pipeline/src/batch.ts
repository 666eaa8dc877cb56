/**
 * "Measure every method on N test scenes" for <detection-pipeline>: each method on test-split scenes
 * (seeds 2,000,000 + i, never trained on), forward passes and milliseconds summed, mAP@0.5 over all
 * the scenes' detections together.
 */
import { tf, detect, selectiveSearch, slidingWindowDetect, rcnnDetect, fastRcnnDetect, meanAveragePrecision, type ClassifierSpec, type ConvolutionalClassifier, type DetectorParts, type PipelineDetection, type Tensor3D } from '@convlab/tensor';
import { scene as makeScene, splitSeed } from '@convlab/scenes';
import type * as tfl from '@tensorflow/tfjs-layers';

export type MethodKey = 'window-each' | 'window-conv' | 'r-cnn' | 'fast-r-cnn' | 'faster-r-cnn';
export const METHODS: MethodKey[] = ['window-each', 'window-conv', 'r-cnn', 'fast-r-cnn', 'faster-r-cnn'];

/** One row of the cost table. */
export interface MethodRow {
  method: MethodKey;
  /** Forward passes of a network (a backbone, a head and a classifier call each count one). */
  passes: number;
  /** Milliseconds of the method's network work (selective search's time is `proposalMs`). */
  ms: number;
  proposalMs?: number;
  /** mAP@0.5 against the ground truth (null without ground truth). */
  map: number | null;
  scenes: number;
}

export interface BatchModels {
  crops: tfl.LayersModel;
  spec: ClassifierSpec;
  conv: ConvLabConv;
  detector: DetectorParts;
}
type ConvLabConv = ConvolutionalClassifier;

/** A per-pass hook (yields to the page, throws an AbortError when stopped) and the time it spent yielding. */
export interface PassHook {
  onPass: (done: number, total: number) => Promise<void>;
  yielded: () => number;
}

export const abortError = () => new DOMException('The computation was replaced', 'AbortError');

export async function measureBatch(
  m: BatchModels,
  count: number,
  windows: readonly number[],
  proposals: number,
  hook: (label: string) => PassHook,
  stopped: () => boolean,
): Promise<Partial<Record<MethodKey, MethodRow>>> {
  const acc = Object.fromEntries(METHODS.map((k) => [k, { passes: 0, ms: 0, pms: 0, dets: [] as { image: number; box: number[]; score: number; label: number }[] }])) as Record<MethodKey, { passes: number; ms: number; pms: number; dets: { image: number; box: number[]; score: number; label: number }[] }>;
  const gt: { image: number; box: number[]; label: number }[] = [];
  for (let i = 0; i < count; i++) {
    const s = makeScene(splitSeed('test', i));
    s.objects.forEach((o) => gt.push({ image: i, box: [...o.box], label: o.label }));
    const img = tf.tidy(() => tf.div(tf.tensor3d(Int32Array.from(s.image), [s.height, s.width, 3], 'float32'), 255) as Tensor3D);
    const add = (k: MethodKey, passes: number, ms: number, dets: readonly PipelineDetection[], pms = 0) => {
      acc[k].passes += passes;
      acc[k].ms += ms;
      acc[k].pms += pms;
      for (const d of dets) acc[k].dets.push({ image: i, box: [...d.box], score: d.score, label: d.label });
    };
    try {
      for (const mode of ['one-by-one', 'convolutional'] as const) {
        const h = hook(`Scene ${i + 1} of ${count}, sliding window`);
        const t0 = performance.now();
        const r = await slidingWindowDetect(m.crops, m.spec, m.conv, img, windows, mode, { scoreThreshold: 0.05, nmsThreshold: 0.3, onPass: h.onPass });
        add(mode === 'one-by-one' ? 'window-each' : 'window-conv', r.passes, performance.now() - t0 - h.yielded(), r.detections);
      }
      let t0 = performance.now();
      const ss = selectiveSearch({ data: s.image, width: s.width, height: s.height }, { maxBoxes: proposals });
      const pms = performance.now() - t0;
      const boxes = ss.boxes.map((b) => [...b]);
      const h = hook(`Scene ${i + 1} of ${count}, R-CNN`);
      t0 = performance.now();
      const rc = await rcnnDetect(m.crops, m.spec, img, boxes, { scoreThreshold: 0.05, nmsThreshold: 0.3, onPass: h.onPass });
      add('r-cnn', rc.passes, performance.now() - t0 - h.yielded(), rc.detections, pms);
      t0 = performance.now();
      const fr = await fastRcnnDetect(m.detector, img, boxes, { scoreThreshold: 0.05, nmsThreshold: 0.5 });
      fr.features.dispose();
      add('fast-r-cnn', fr.passes, performance.now() - t0, fr.detections, pms);
      t0 = performance.now();
      const fa = await detect(m.detector, img, { masks: false, scoreThreshold: 0.05 });
      const ms = performance.now() - t0;
      fa.dispose();
      add('faster-r-cnn', 3, ms, fa.detections.map((d) => ({ label: d.label, score: d.score, box: d.box, source: d.proposal })));
    } finally {
      img.dispose();
    }
    if (stopped()) throw abortError();
  }
  const out: Partial<Record<MethodKey, MethodRow>> = {};
  for (const k of METHODS) out[k] = { method: k, passes: acc[k].passes, ms: acc[k].ms, proposalMs: acc[k].pms || undefined, map: meanAveragePrecision(acc[k].dets, gt).map, scenes: count };
  return out;
}
