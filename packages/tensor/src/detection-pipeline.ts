/**
 * The detection pipelines the course walks through, on one image, each returning its detections
 * and its cost (forward passes):
 *
 * - sliding window: a crop classifier on every window of several sizes (an image pyramid: a window
 *   of s pixels is the classifier's 32-pixel input on the image scaled by 32 / s), either one pass
 *   per window or one fully convolutional pass per size (`sliding-window.ts`);
 * - R-CNN: each region proposal warped to the classifier's input and classified on its own;
 * - Fast R-CNN: one backbone pass, each proposal RoI-pooled from the feature map, one box-head pass
 *   for all of them (`fastRcnnDetect`);
 * - Faster R-CNN: the same with the RPN's proposals (`detect()` of `detector.ts`).
 *
 * Outputs are decoded the same way everywhere (`decodeDetections`): softmax over the classes, the
 * best non-background class and its score, its box regressed by torchvision's BoxCoder (weights
 * 10, 10, 5, 5) from the window or proposal, clipped, then NMS per class.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor2D, type Tensor3D, type Tensor4D } from './tf.js';
import { nmsIndices } from './nms.js';
import { roiPool } from './roi.js';
import type { DetectorParts } from './detector.js';
import { scoreWindows, scoreWindowsOneByOne, warpCrops, windowGrid, type ClassifierSpec, type ConvolutionalClassifier } from './sliding-window.js';

export interface PipelineDetection {
  label: number;
  score: number;
  box: [number, number, number, number];
  /** Index of the window or proposal it came from. */
  source: number;
}

export interface DecodeOptions {
  /** Classes, background included (default 4). */
  numClasses?: number;
  /** Per-class deltas (4 K after the K logits: the detector's box head) or one set (4: the crop classifier). Default false. */
  perClassDeltas?: boolean;
  /** Whether the output holds logits (softmax taken here, default) or probabilities already. */
  logits?: boolean;
  boxWeights?: readonly [number, number, number, number];
  imageSize: readonly [number, number];
  /** Class score a detection needs (strictly above). Default 0.5. */
  scoreThreshold?: number;
  /** IoU above which NMS drops a box of the same class. Default 0.3. */
  nmsThreshold?: number;
  maxDetections?: number;
  /** Apply the box regression (default true); false keeps the window or proposal box. */
  regress?: boolean;
}

const CLIP = Math.log(1000 / 16);

/** BoxCoder.decode of one delta row relative to `box` (w = x2 - x1), dw and dh clamped at log(1000 / 16). */
export function decodeBox(d: ArrayLike<number>, o: number, [x1, y1, x2, y2]: readonly number[], [wx, wy, ww, wh]: readonly number[]): [number, number, number, number] {
  const aw = x2 - x1;
  const ah = y2 - y1;
  const cx = (d[o] / wx) * aw + x1 + aw / 2;
  const cy = (d[o + 1] / wy) * ah + y1 + ah / 2;
  const w = Math.exp(Math.min(d[o + 2] / ww, CLIP)) * aw;
  const h = Math.exp(Math.min(d[o + 3] / wh, CLIP)) * ah;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/**
 * Detections from per-box outputs `out` (`boxes.length` rows of K logits then 4 or 4K deltas):
 * softmax, best non-background class, score threshold, regression, clipping, NMS per class,
 * by decreasing score.
 */
export function decodeDetections(out: ArrayLike<number>, boxes: readonly (readonly number[])[], opts: DecodeOptions): PipelineDetection[] {
  const K = opts.numClasses ?? 4;
  const per = opts.perClassDeltas ?? false;
  const row = K + (per ? 4 * K : 4);
  if (out.length !== row * boxes.length) throw new RangeError(`decodeDetections: ${out.length} outputs for ${boxes.length} boxes of ${row}`);
  const bw = opts.boxWeights ?? [10, 10, 5, 5];
  const [H, W] = opts.imageSize;
  const thr = opts.scoreThreshold ?? 0.5;
  const cand: PipelineDetection[] = [];
  const p = new Float64Array(K);
  for (let i = 0; i < boxes.length; i++) {
    const o = i * row;
    if (opts.logits === false) for (let k = 0; k < K; k++) p[k] = out[o + k];
    else {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, out[o + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += p[k] = Math.exp(out[o + k] - m);
      for (let k = 0; k < K; k++) p[k] /= s;
    }
    let best = 1;
    for (let k = 2; k < K; k++) if (p[k] > p[best]) best = k;
    if (!(p[best] > thr)) continue;
    let box = boxes[i].slice(0, 4) as [number, number, number, number];
    if (opts.regress !== false) box = decodeBox(out, o + K + (per ? 4 * best : 0), boxes[i], bw);
    box = [Math.min(Math.max(box[0], 0), W), Math.min(Math.max(box[1], 0), H), Math.min(Math.max(box[2], 0), W), Math.min(Math.max(box[3], 0), H)];
    if (box[2] - box[0] < 1 || box[3] - box[1] < 1) continue;
    cand.push({ label: best, score: p[best], box, source: i });
  }
  const kept: PipelineDetection[] = [];
  for (let k = 1; k < K; k++) {
    const c = cand.filter((d) => d.label === k);
    for (const i of nmsIndices(c.flatMap((d) => d.box), c.map((d) => d.score), opts.nmsThreshold ?? 0.3)) kept.push(c[i]);
  }
  kept.sort((a, b) => b.score - a.score);
  return kept.slice(0, opts.maxDetections ?? 50);
}

export interface WindowScale {
  /** Window side in image pixels. */
  window: number;
  /** The image scaled by classifier input / window. */
  scale: number;
  rows: number;
  cols: number;
  /** Each window's box in image pixels (row-major, as the score map). */
  boxes: [number, number, number, number][];
  /** The classifier's outputs per window `[rows * cols * outputs]`. */
  outputs: Float32Array;
  /** Forward passes this size took. */
  passes: number;
}

export interface SlidingWindowResult {
  scales: WindowScale[];
  passes: number;
  detections: PipelineDetection[];
}

/** The image `[H, W, C]` resized (bilinear, half-pixel centres) so that a `window`-pixel window becomes the classifier's input. */
export function pyramidLevel(image: Tensor3D, window: number, inputSize: number): Tensor3D {
  const [H, W] = image.shape;
  const s = inputSize / window;
  return tf.tidy(() => tf.image.resizeBilinear(image, [Math.max(inputSize, Math.round(H * s)), Math.max(inputSize, Math.round(W * s))], false, true));
}

/**
 * Sliding-window detection with window sides `windows` (pixels of `image`). `mode` 'convolutional'
 * runs one pass per size (`conv` required), 'one-by-one' one pass per window. `onPass` is awaited
 * after every pass (yield to the page; throw to stop).
 */
export async function slidingWindowDetect(
  model: Pick<tfl.LayersModel, 'predict'>,
  spec: ClassifierSpec,
  conv: ConvolutionalClassifier | null,
  image: Tensor3D,
  windows: readonly number[],
  mode: 'convolutional' | 'one-by-one',
  opts: Omit<DecodeOptions, 'imageSize'> & { onPass?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<SlidingWindowResult> {
  const [H, W] = image.shape;
  const n = spec.inputSize[0];
  const scales: WindowScale[] = [];
  let passes = 0;
  const total = mode === 'convolutional' ? windows.length : windows.reduce((t, w) => {
    const s = n / w;
    return t + windowGrid([Math.max(n, Math.round(H * s)), Math.max(n, Math.round(W * s))], spec.inputSize, spec.stride).origins.length;
  }, 0);
  for (const window of windows) {
    const level = pyramidLevel(image, window, n);
    let scores: Tensor3D;
    let p: number;
    try {
      if (mode === 'convolutional') {
        if (!conv) throw new Error('slidingWindowDetect: the convolutional mode needs toConvolutional(spec)');
        scores = scoreWindows(conv, level);
        p = 1;
        passes += 1;
        if (opts.onPass) await opts.onPass(passes, total);
      } else {
        const base = passes;
        const r = await scoreWindowsOneByOne(model, spec, level, { onPass: (d) => opts.onPass?.(base + d, total) });
        scores = r.scores;
        p = r.passes;
        passes += p;
      }
    } finally {
      level.dispose();
    }
    const [rows, cols] = scores.shape;
    const outputs = (await scores.data()) as Float32Array;
    scores.dispose();
    const scale = n / window;
    const sx = level.shape[1] / W;
    const sy = level.shape[0] / H;
    const boxes: [number, number, number, number][] = windowGrid([level.shape[0], level.shape[1]], spec.inputSize, spec.stride).origins.map(([x, y]) => [x / sx, y / sy, (x + n) / sx, (y + n) / sy]);
    scales.push({ window, scale, rows, cols, boxes, outputs, passes: p });
  }
  const allBoxes = scales.flatMap((s) => s.boxes);
  const all = new Float32Array(scales.reduce((t, s) => t + s.outputs.length, 0));
  let o = 0;
  for (const s of scales) {
    all.set(s.outputs, o);
    o += s.outputs.length;
  }
  const detections = decodeDetections(all, allBoxes, { ...opts, imageSize: [H, W] });
  return { scales, passes, detections };
}

export interface CropClassifyResult {
  /** `[N * outputs]` the classifier's outputs per box. */
  outputs: Float32Array;
  passes: number;
  detections: PipelineDetection[];
}

/**
 * R-CNN at test time: every box warped to the classifier's input and classified by its own forward
 * pass (`onPass` awaited after each), then decoded.
 */
export async function rcnnDetect(
  model: Pick<tfl.LayersModel, 'predict'>,
  spec: ClassifierSpec,
  image: Tensor3D,
  boxes: readonly (readonly number[])[],
  opts: Omit<DecodeOptions, 'imageSize'> & { onPass?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<CropClassifyResult> {
  const outputs = new Float32Array(boxes.length * spec.outputs);
  for (let i = 0; i < boxes.length; i++) {
    const out = tf.tidy(() => model.predict(warpCrops(image, [boxes[i]], spec.inputSize[0])) as tf.Tensor);
    try {
      outputs.set(await out.data(), i * spec.outputs);
    } finally {
      out.dispose();
    }
    if (opts.onPass) await opts.onPass(i + 1, boxes.length);
  }
  return { outputs, passes: boxes.length, detections: decodeDetections(outputs, boxes, { ...opts, imageSize: [image.shape[0], image.shape[1]] }) };
}

export interface FastRcnnResult {
  /** The backbone's feature map `[1, h, w, C]` (the caller disposes it). */
  features: Tensor4D;
  /** Feature-map stride (image pixels per feature cell). */
  stride: number;
  /** The box head's outputs per proposal `[R * 5K]` (K logits then 4K deltas). */
  outputs: Float32Array;
  /** Backbone + box head: 2 (whatever the number of proposals). */
  passes: number;
  detections: PipelineDetection[];
}

/**
 * Fast R-CNN with given proposals: one backbone pass, RoI pooling of every proposal from the
 * feature map (the detector's pool size), one box-head pass for all of them, then decoding with
 * the per-class deltas. Reuses `features` (`[1, h, w, C]`) when given (not disposed here).
 */
export async function fastRcnnDetect(
  parts: Pick<DetectorParts, 'config' | 'backbone' | 'box'>,
  image: Tensor3D,
  proposals: readonly (readonly number[])[],
  opts: Omit<DecodeOptions, 'imageSize' | 'numClasses' | 'perClassDeltas'> & { features?: Tensor4D } = {},
): Promise<FastRcnnResult> {
  const c = parts.config;
  const K = c.classes.length;
  const [H] = image.shape;
  let passes = 0;
  const features = opts.features ?? tf.tidy(() => parts.backbone.predict(tf.expandDims(image, 0)) as Tensor4D);
  if (!opts.features) passes++;
  try {
    const stride = Math.floor(H / features.shape[1]);
    const R = proposals.length;
    let outputs: Float32Array = new Float32Array(0);
    if (R) {
      const out = tf.tidy(() => parts.box.predict(roiPool(features, proposals.map((b) => [...b]), c.box.poolSize, 1 / stride)) as Tensor2D);
      passes++;
      outputs = (await out.data()) as Float32Array;
      out.dispose();
    }
    const detections = decodeDetections(outputs, proposals, { ...opts, numClasses: K, perClassDeltas: true, boxWeights: c.box.boxWeights as unknown as [number, number, number, number], imageSize: [image.shape[0], image.shape[1]] });
    return { features, stride, outputs, passes, detections };
  } catch (e) {
    if (!opts.features) features.dispose();
    throw e;
  }
}

/**
 * Per window, the softmax probability of one class (`cls` >= 1), or of the likeliest object class
 * (`cls` = 0: "any shape"), from the crop classifier's outputs laid out `stride` numbers a window:
 * `classes` logits (background first), then the box deltas.
 */
export function windowClassProbabilities(out: ArrayLike<number>, cls: number, classes = 4, stride = 8): Float32Array {
  const n = Math.floor(out.length / stride);
  const p = new Float32Array(n);
  const e = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    let mx = -Infinity;
    for (let c = 0; c < classes; c++) mx = Math.max(mx, out[o + c]);
    let s = 0;
    for (let c = 0; c < classes; c++) s += e[c] = Math.exp(out[o + c] - mx);
    let v = 0;
    if (cls) v = e[cls];
    else for (let c = 1; c < classes; c++) v = Math.max(v, e[c]);
    p[i] = v / s;
  }
  return p;
}
