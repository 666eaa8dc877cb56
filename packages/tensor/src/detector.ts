/**
 * A two-stage detector (Faster / Mask R-CNN) run as four TF.js layers models (backbone, RPN head,
 * box head, mask head) glued together by the functions of this package, step by step as
 * torchvision's `MaskRCNN` does at inference, so every intermediate result can be shown:
 *
 *   image -> backbone -> feature map -> RPN head -> objectness + deltas per anchor (anchorGrid)
 *   -> decodeBoxes, clipBoxes -> top-N by objectness -> NMS -> proposals
 *   -> roiPool -> box head -> class scores + per-class deltas -> decodeBoxes (10, 10, 5, 5), clip
 *   -> score threshold -> per-class NMS (batchedNms) -> detections
 *   -> roiAlign -> mask head -> 28 x 28 mask of the detected class -> pasted into the image.
 *
 * The parts' contract (written by @convlab/models' export_detector.py; `DetectorConfig` is its
 * `detector.json`): backbone NHWC image in [0, 1] -> [1, h, w, C]; RPN [1, h, w, C] -> [1, h, w, 5A]
 * (A objectness logits, then 4 deltas per anchor); box head [R, p, p, C] -> [R, K + 4K] (class
 * logits, then per-class deltas); mask head [R, q, q, C] -> [R, 2q, 2q, K] mask logits.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor1D, type Tensor2D, type Tensor3D, type Tensor4D } from './tf.js';
import { anchorGrid } from './anchors.js';
import { clipBoxes, decodeBoxes, type BoxWeights } from './boxes.js';
import { batchedNms, nmsIndices } from './nms.js';
import { roiAlign, roiPool } from './roi.js';

export interface DetectorConfig {
  name?: string;
  /** Class names; index 0 is the background. */
  classes: string[];
  inputSize: [number, number];
  stride: number;
  anchorSizes: number[];
  anchorRatios: number[];
  rpn: { preNmsTopN: number; postNmsTopN: number; nmsThreshold: number; scoreThreshold: number; minSize: number; boxWeights: number[] };
  box: { poolSize: number; scoreThreshold: number; nmsThreshold: number; detectionsPerImage: number; minSize: number; boxWeights: number[] };
  mask: { poolSize: number; samplingRatio: number; outputSize: number; threshold: number };
  parts?: Record<'backbone' | 'rpn' | 'box' | 'mask', string>;
}

/** Anything with a layers model's `predict` (a `tf.LayersModel`). */
export type PartModel = Pick<tfl.LayersModel, 'predict'>;

export interface DetectorParts {
  config: DetectorConfig;
  backbone: PartModel;
  rpn: PartModel;
  box: PartModel;
  mask: PartModel;
}

export interface DetectOptions {
  /** Proposals kept before the RPN's NMS, by objectness. Default: the config's (500). */
  preNmsTopN?: number;
  /** Proposals kept after the RPN's NMS. Default: the config's (100). */
  postNmsTopN?: number;
  /** IoU above which the RPN's NMS drops a proposal. Default 0.7. */
  rpnNmsThreshold?: number;
  /** Class score a detection needs (strictly above). Default 0.05. */
  scoreThreshold?: number;
  /** IoU above which the per-class NMS drops a detection. Default 0.5. */
  nmsThreshold?: number;
  detectionsPerImage?: number;
  /** Compute instance masks (default true). */
  masks?: boolean;
}

export interface ProposalSet {
  /** Anchor index of each proposal (into `anchors`, `objectness`). */
  anchor: number[];
  /** `[x1, y1, x2, y2]` in image pixels (decoded and clipped). */
  boxes: number[][];
  /** Objectness probability (sigmoid of the logit). */
  scores: number[];
}

export interface DetectedObject {
  label: number;
  className: string;
  score: number;
  box: [number, number, number, number];
  /** Which proposal (index into `proposals`) the detection refines. */
  proposal: number;
  /** The mask probability pasted into the image (height * width), when masks were computed. */
  maskProb?: Float32Array;
  /** `maskProb > threshold` as 0 / 1 (height * width). */
  mask?: Uint8Array;
}

export interface DetectResult {
  imageSize: [number, number];
  featureSize: [number, number];
  stride: [number, number];
  /** Anchors per feature-map cell (ratios x sizes). */
  anchorsPerCell: number;
  /** The backbone's feature map `[1, h, w, C]`. */
  features: Tensor4D;
  /** Every anchor `[h * w * A, 4]` (anchorGrid order: cell, ratio, size). */
  anchors: Tensor2D;
  /** The RPN's objectness logit per anchor `[h * w * A]`. */
  objectness: Tensor1D;
  /** The RPN's deltas per anchor `[h * w * A, 4]`. */
  rpnDeltas: Tensor2D;
  /** Every anchor regressed by its deltas and clipped to the image `[h * w * A, 4]`. */
  regressed: Tensor2D;
  /** The top-N anchors by objectness, before NMS (decreasing objectness). */
  beforeNms: ProposalSet;
  /** The proposals after NMS and top-N, fed to the box head. */
  proposals: ProposalSet;
  /** RoI-pooled features of the proposals `[R, p, p, C]`. */
  pooled: Tensor4D;
  /** Box head class probabilities `[R, K]` (softmax). */
  classProbs: Tensor2D;
  /** Per-class boxes of every proposal `[R, K, 4]`, decoded and clipped. */
  classBoxes: Tensor3D;
  detections: DetectedObject[];
  /** Dispose every tensor of the result. */
  dispose(): void;
}

const f32 = Math.fround;

/** Fetches `detector.json` and its four parts (URLs relative to it). */
export async function loadDetector(url: string, { fetchFunc }: { fetchFunc?: typeof fetch } = {}): Promise<DetectorParts> {
  const tflm = await import('@tensorflow/tfjs-layers');
  const doFetch = fetchFunc ?? fetch;
  const res = await doFetch(url);
  if (!res.ok) throw new Error(`detector config ${url}: HTTP ${res.status}`);
  const config = (await res.json()) as DetectorConfig;
  checkConfig(config);
  const base = new URL(url, typeof location !== 'undefined' ? location.href : undefined);
  const parts = config.parts ?? { backbone: 'backbone/model.json', rpn: 'rpn/model.json', box: 'box/model.json', mask: 'mask/model.json' };
  const load = (p: string) => tflm.loadLayersModel(new URL(p, base).href, fetchFunc ? { fetchFunc } : undefined);
  const [backbone, rpn, box, mask] = await Promise.all([load(parts.backbone), load(parts.rpn), load(parts.box), load(parts.mask)]);
  return { config, backbone, rpn, box, mask };
}

function checkConfig(c: DetectorConfig) {
  if (!c || !Array.isArray(c.classes) || c.classes.length < 2) throw new Error('detector config: "classes" must list the background and at least one class');
  if (!c.anchorSizes?.length || !c.anchorRatios?.length) throw new Error('detector config: anchorSizes and anchorRatios must not be empty');
  if (!(c.stride > 0)) throw new Error('detector config: stride must be positive');
}

/** Sigmoid in float32, as torch computes objectness probabilities. */
const sigmoid = (v: number) => f32(1 / (1 + Math.exp(-v)));

/** Indices of the `k` largest values, by decreasing value (equal values: lower index first), as torch.topk. */
function topIndices(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, Math.min(k, idx.length));
}

/**
 * The RPN's proposal filter (torchvision `RegionProposalNetwork.filter_proposals`, one image, one
 * level) on plain arrays: the `preNmsTopN` anchors with the highest objectness, their regressed
 * boxes (already clipped), minus boxes narrower or lower than `minSize`, then NMS at
 * `nmsThreshold` and the first `postNmsTopN`. Cheap: the widget re-runs it when a slider moves.
 */
export function filterProposals(
  objectness: ArrayLike<number>,
  regressed: ArrayLike<number>,
  { preNmsTopN, postNmsTopN, nmsThreshold, minSize = 1e-3, scoreThreshold = 0 }: { preNmsTopN: number; postNmsTopN: number; nmsThreshold: number; minSize?: number; scoreThreshold?: number },
): { beforeNms: ProposalSet; proposals: ProposalSet } {
  const top = topIndices(objectness, preNmsTopN);
  const before: ProposalSet = { anchor: [], boxes: [], scores: [] };
  for (const a of top) {
    const b = [regressed[4 * a], regressed[4 * a + 1], regressed[4 * a + 2], regressed[4 * a + 3]];
    const s = sigmoid(objectness[a]);
    if (!(b[2] - b[0] >= minSize && b[3] - b[1] >= minSize) || !(s >= scoreThreshold)) continue;
    before.anchor.push(a);
    before.boxes.push(b);
    before.scores.push(s);
  }
  // NMS visits boxes in topk order (decreasing logit): equal probabilities keep that order.
  const keep = nmsIndices(before.boxes.flat(), before.scores, nmsThreshold).slice(0, postNmsTopN);
  return {
    beforeNms: before,
    proposals: { anchor: keep.map((i) => before.anchor[i]), boxes: keep.map((i) => before.boxes[i]), scores: keep.map((i) => before.scores[i]) },
  };
}

/**
 * torchvision's `paste_masks_in_image` for one mask: the `m x m` probabilities are padded by one
 * zero pixel on every side, the box is grown by (m + 2) / m about its centre and truncated to
 * integers, the padded mask is resized bilinearly (half-pixel centres, as `F.interpolate(...,
 * align_corners=False)`) to that box's (w + 1) x (h + 1) pixels and written into a zero image.
 */
export function pasteMask(mask: ArrayLike<number>, m: number, box: readonly number[], [height, width]: readonly [number, number]): Float32Array {
  const P = m + 2;
  const padded = new Float32Array(P * P);
  for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) padded[(y + 1) * P + x + 1] = mask[y * m + x];
  const scale = f32(P / m);
  const wHalf = f32(f32(f32(box[2] - box[0]) * 0.5) * scale);
  const hHalf = f32(f32(f32(box[3] - box[1]) * 0.5) * scale);
  const xc = f32(f32(box[2] + box[0]) * 0.5);
  const yc = f32(f32(box[3] + box[1]) * 0.5);
  const bx0 = Math.trunc(f32(xc - wHalf));
  const by0 = Math.trunc(f32(yc - hHalf));
  const bx1 = Math.trunc(f32(xc + wHalf));
  const by1 = Math.trunc(f32(yc + hHalf));
  const w = Math.max(Math.trunc(bx1 - bx0 + 1), 1);
  const h = Math.max(Math.trunc(by1 - by0 + 1), 1);
  const out = new Float32Array(height * width);
  const x0 = Math.max(bx0, 0);
  const x1 = Math.min(bx1 + 1, width);
  const y0 = Math.max(by0, 0);
  const y1 = Math.min(by1 + 1, height);
  const sy = P / h;
  const sx = P / w;
  for (let y = y0; y < y1; y++) {
    const ry = y - by0; // row of the resized mask
    const fy = Math.max((ry + 0.5) * sy - 0.5, 0);
    const ya = Math.min(Math.floor(fy), P - 1);
    const yb = Math.min(ya + 1, P - 1);
    const ly = fy - ya;
    for (let x = x0; x < x1; x++) {
      const rx = x - bx0;
      const fx = Math.max((rx + 0.5) * sx - 0.5, 0);
      const xa = Math.min(Math.floor(fx), P - 1);
      const xb = Math.min(xa + 1, P - 1);
      const lx = fx - xa;
      out[y * width + x] =
        (1 - ly) * ((1 - lx) * padded[ya * P + xa] + lx * padded[ya * P + xb]) + ly * ((1 - lx) * padded[yb * P + xa] + lx * padded[yb * P + xb]);
    }
  }
  return out;
}

/**
 * Runs the detector on one image `[H, W, 3]` (RGB in [0, 1]) and returns every stage. The caller
 * owns the result's tensors: call `result.dispose()`.
 */
export async function detect(parts: DetectorParts, image: Tensor3D, opts: DetectOptions = {}): Promise<DetectResult> {
  const c = parts.config;
  checkConfig(c);
  if (image.rank !== 3 || image.shape[2] !== 3) throw new RangeError(`detect(): the image must be [height, width, 3], got [${image.shape}]`);
  const [H, W] = image.shape;
  const K = c.classes.length;
  const A = c.anchorSizes.length * c.anchorRatios.length;
  const preNmsTopN = opts.preNmsTopN ?? c.rpn.preNmsTopN;
  const postNmsTopN = opts.postNmsTopN ?? c.rpn.postNmsTopN;
  const rpnNms = opts.rpnNmsThreshold ?? c.rpn.nmsThreshold;
  const scoreThr = opts.scoreThreshold ?? c.box.scoreThreshold;
  const boxNms = opts.nmsThreshold ?? c.box.nmsThreshold;
  const perImage = opts.detectionsPerImage ?? c.box.detectionsPerImage;

  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const dispose = () => tf.dispose(owned);
  try {
    const features = keep(tf.tidy(() => parts.backbone.predict(tf.expandDims(image, 0)) as Tensor4D));
    const [, fh, fw, C] = features.shape;
    if (features.shape[0] !== 1 || !(fh > 0 && fw > 0)) throw new Error(`detect(): the backbone returned [${features.shape}], expected [1, h, w, C]`);
    // torchvision: stride = image size // feature size, per axis.
    const stride: [number, number] = [Math.floor(H / fh), Math.floor(W / fw)];
    const anchors = keep(anchorGrid({ sizes: c.anchorSizes, ratios: c.anchorRatios, stride, featureSize: [fh, fw] }));
    const [objectness, rpnDeltas] = tf.tidy(() => {
      const out = parts.rpn.predict(features) as Tensor4D;
      if (out.shape[3] !== 5 * A) throw new Error(`detect(): the RPN head returned ${out.shape[3]} channels, expected ${5 * A} for ${A} anchors per cell`);
      return [
        tf.reshape(tf.slice(out, [0, 0, 0, 0], [1, fh, fw, A]), [fh * fw * A]) as Tensor1D,
        tf.reshape(tf.slice(out, [0, 0, 0, A], [1, fh, fw, 4 * A]), [fh * fw * A, 4]) as Tensor2D,
      ];
    });
    keep(objectness);
    keep(rpnDeltas);
    const regressed = keep(tf.tidy(() => clipBoxes(decodeBoxes(rpnDeltas, anchors, c.rpn.boxWeights as unknown as BoxWeights), [H, W])));
    const [obj, reg] = await Promise.all([objectness.data(), regressed.data()]);
    const { beforeNms, proposals } = filterProposals(obj, reg, { preNmsTopN, postNmsTopN, nmsThreshold: rpnNms, minSize: c.rpn.minSize, scoreThreshold: c.rpn.scoreThreshold });
    const R = proposals.boxes.length;

    const pooled = keep(roiPool(features, proposals.boxes, c.box.poolSize, 1 / stride[0]));
    const [classProbs, classBoxes] = tf.tidy(() => {
      const out = (R ? parts.box.predict(pooled) : tf.zeros([0, 5 * K])) as Tensor2D;
      if (out.shape[1] !== 5 * K) throw new Error(`detect(): the box head returned ${out.shape[1]} values, expected ${5 * K} for ${K} classes`);
      const probs = tf.softmax(tf.slice(out, [0, 0], [R, K])) as Tensor2D;
      const deltas = tf.reshape(tf.slice(out, [0, K], [R, 4 * K]), [R * K, 4]) as Tensor2D;
      const props = tf.reshape(tf.tile(tf.tensor2d(proposals.boxes.flat(), [R, 4]), [1, K]), [R * K, 4]) as Tensor2D;
      const boxes = clipBoxes(decodeBoxes(deltas, props, c.box.boxWeights as unknown as BoxWeights), [H, W]);
      return [probs, tf.reshape(boxes, [R, K, 4]) as Tensor3D];
    });
    keep(classProbs);
    keep(classBoxes);
    const [probs, cboxes] = await Promise.all([classProbs.data(), classBoxes.data()]);
    // postprocess_detections: drop the background, flatten (proposal, class), threshold, tiny boxes.
    const cand: { r: number; k: number; box: number[]; score: number }[] = [];
    for (let r = 0; r < R; r++)
      for (let k = 1; k < K; k++) {
        const score = probs[r * K + k];
        const o = (r * K + k) * 4;
        const box = [cboxes[o], cboxes[o + 1], cboxes[o + 2], cboxes[o + 3]];
        if (!(score > scoreThr)) continue;
        if (!(box[2] - box[0] >= c.box.minSize && box[3] - box[1] >= c.box.minSize)) continue;
        cand.push({ r, k, box, score });
      }
    const kept = (await batchedNms(cand.map((d) => d.box).flat(), cand.map((d) => d.score), cand.map((d) => d.k), boxNms)).slice(0, perImage);
    const detections: DetectedObject[] = kept.map((i) => ({
      label: cand[i].k,
      className: c.classes[cand[i].k],
      score: cand[i].score,
      box: cand[i].box as [number, number, number, number],
      proposal: cand[i].r,
    }));

    if (opts.masks !== false && detections.length) {
      const m = c.mask.outputSize;
      const maskProbs = tf.tidy(() => {
        const aligned = roiAlign(features, detections.map((d) => d.box), c.mask.poolSize, { spatialScale: 1 / stride[0], samplingRatio: c.mask.samplingRatio, aligned: false });
        const logits = parts.mask.predict(aligned) as Tensor4D; // [D, m, m, K]
        const onehot = tf.reshape(tf.oneHot(tf.tensor1d(detections.map((d) => d.label), 'int32'), K), [detections.length, 1, 1, K]);
        return tf.sigmoid(tf.sum(tf.mul(logits, onehot), 3)) as Tensor3D; // [D, m, m]
      });
      const mp = await maskProbs.data();
      maskProbs.dispose();
      detections.forEach((d, i) => {
        d.maskProb = pasteMask(mp.subarray(i * m * m, (i + 1) * m * m), m, d.box, [H, W]);
        d.mask = Uint8Array.from(d.maskProb, (v) => (v > c.mask.threshold ? 1 : 0));
      });
    }
    return {
      imageSize: [H, W],
      featureSize: [fh, fw],
      stride,
      anchorsPerCell: A,
      features,
      anchors,
      objectness,
      rpnDeltas,
      regressed,
      beforeNms,
      proposals,
      pooled,
      classProbs,
      classBoxes,
      detections,
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** The channels of a feature map `[1, h, w, C]` (so a widget can show one without knowing C). */
export function featureChannels(result: Pick<DetectResult, 'features'>): number {
  return result.features.shape[3];
}
