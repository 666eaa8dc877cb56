/**
 * The four training losses of Faster R-CNN, as torchvision computes them
 * (`RegionProposalNetwork.compute_loss`, `roi_heads.fastrcnn_loss`), for one image:
 *
 *   RPN classification  L_obj  = mean over the sampled anchors of BCE(objectness logit, label)
 *   RPN regression      L_rpn  = sum over sampled positives of smoothL1_{1/9}(deltas - targets) / (sampled anchors)
 *   head classification L_cls  = mean over the sampled RoIs of cross-entropy(class logits, label)
 *   head regression     L_box  = sum over sampled positive RoIs of smoothL1_{1/9}(deltas of the true class - targets) / (sampled RoIs)
 *
 * Training draws the anchors and RoIs a loss sees with torchvision's `BalancedPositiveNegativeSampler`
 * (at most `batchSize`, at most `positiveFraction` of them positive), at random; here the draw is
 * seeded (`sampleFgBg`), so the same seed gives the same sampled set, and the widget can show it.
 *
 * The formulas are pure functions on plain arrays (`bceWithLogits`, `smoothL1`, `crossEntropy`,
 * `rpnLoss`, `headLoss`); `detectorLosses` runs them for a `detect()` result against ground truth,
 * using `labelAnchors`, `encodeBoxes`, `roiPool` and the box head. Float64 in JavaScript (torch
 * computes in float32: they agree to about 1e-6 relative).
 */
import { tf, type Tensor2D } from './tf.js';
import { labelAnchors } from './anchors.js';
import { boxIou, encodeBoxes, type BoxWeights } from './boxes.js';
import { roiPool } from './roi.js';
import { seededRandom } from './adversarial-training.js';
import type { DetectorParts, DetectResult } from './detector.js';

/** Smooth L1 with torchvision's `beta` (1 / 9 in both detection losses): |d| < beta: 0.5 d^2 / beta, else |d| - 0.5 beta. */
export function smoothL1(d: number, beta = 1 / 9): number {
  const a = Math.abs(d);
  return a < beta ? (0.5 * a * a) / beta : a - 0.5 * beta;
}

/** Binary cross-entropy of a logit x against a label y in {0, 1}, computed stably: max(x, 0) - x y + log(1 + exp(-|x|)). */
export function bceWithLogits(x: number, y: number): number {
  return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Cross-entropy of one row of class logits against the true class: logsumexp(logits) - logits[label]. */
export function crossEntropy(logits: ArrayLike<number>, label: number): number {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i] - m);
  return m + Math.log(s) - logits[label];
}

export interface FgBgSample {
  /** Sampled positive indices (label >= 1), ascending. */
  pos: number[];
  /** Sampled negative indices (label 0), ascending. */
  neg: number[];
}

/**
 * torchvision's `BalancedPositiveNegativeSampler` for one image, seeded: positives are the indices
 * with label >= 1, negatives those with label 0 (label -1, ignored, is never sampled). It keeps
 * min(floor(batchSize * positiveFraction), #positives) positives and fills the batch with up to
 * batchSize - that many negatives, each a uniformly random subset (torch.randperm there, a seeded
 * Fisher-Yates shuffle here). Indices come back ascending, as torch.where gives them.
 */
export function sampleFgBg(labels: ArrayLike<number>, { batchSize, positiveFraction, seed = 0 }: { batchSize: number; positiveFraction: number; seed?: number }): FgBgSample {
  if (!(batchSize >= 0) || !(positiveFraction >= 0 && positiveFraction <= 1)) throw new RangeError(`sampleFgBg(): batchSize ${batchSize} and positiveFraction ${positiveFraction} must be >= 0 and in [0, 1]`);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 1) positives.push(i);
    else if (labels[i] === 0) negatives.push(i);
  }
  const numPos = Math.min(Math.floor(batchSize * positiveFraction), positives.length);
  const numNeg = Math.min(batchSize - numPos, negatives.length);
  const rand = seededRandom(seed);
  const pick = (list: number[], k: number) => {
    const a = list.slice();
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (a.length - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, k).sort((x, y) => x - y);
  };
  return { pos: pick(positives, numPos), neg: pick(negatives, numNeg) };
}

/**
 * The RPN's two losses (torchvision `RegionProposalNetwork.compute_loss`, one image):
 * objectness = mean BCE-with-logits over pos + neg; box = sum of smooth L1 (beta 1/9) over the
 * 4 deltas of each positive, divided by the number of sampled anchors (pos + neg).
 * `deltas` and `targets` hold 4 numbers per anchor; `labels` 1 / 0 per anchor.
 */
export function rpnLoss(objectness: ArrayLike<number>, deltas: ArrayLike<number>, labels: ArrayLike<number>, targets: ArrayLike<number>, { pos, neg }: FgBgSample): { objectness: number; box: number } {
  const n = pos.length + neg.length;
  if (n === 0) return { objectness: NaN, box: NaN };
  let obj = 0;
  for (const i of [...pos, ...neg]) obj += bceWithLogits(objectness[i], labels[i] >= 1 ? 1 : 0);
  let box = 0;
  for (const i of pos) for (let k = 0; k < 4; k++) box += smoothL1(deltas[4 * i + k] - targets[4 * i + k]);
  return { objectness: obj / n, box: box / n };
}

/**
 * The box head's two losses (torchvision `fastrcnn_loss`, one image), over the sampled RoIs in the
 * order given: classification = mean cross-entropy of `logits` (one row of K per RoI) against
 * `labels` (0 = background); box = sum of smooth L1 (beta 1/9) between the deltas of each
 * positive RoI's true class (`deltas`: K x 4 per RoI) and its `targets` (4 per RoI), divided by
 * the number of RoIs. Rows are the sampled RoIs only.
 */
export function headLoss(logits: readonly ArrayLike<number>[], deltas: readonly ArrayLike<number>[], labels: ArrayLike<number>, targets: readonly ArrayLike<number>[]): { classifier: number; box: number } {
  const n = logits.length;
  if (n === 0) return { classifier: NaN, box: NaN };
  let cls = 0;
  let box = 0;
  for (let r = 0; r < n; r++) {
    cls += crossEntropy(logits[r], labels[r]);
    if (labels[r] > 0) for (let k = 0; k < 4; k++) box += smoothL1(deltas[r][4 * labels[r] + k] - targets[r][k]);
  }
  return { classifier: cls / n, box: box / n };
}

export interface GroundTruth {
  /** `[x1, y1, x2, y2]` per object, in image pixels. */
  boxes: readonly (readonly number[])[];
  /** Class index per object (1..K-1; 0 is the background). */
  labels: readonly number[];
}

export interface DetectorLossOptions {
  /** RPN anchor labelling: positive at IoU >= fg (0.7), negative below bg (0.3). */
  fgIou?: number;
  bgIou?: number;
  /** RPN sampler (torchvision default 256 anchors, half positive). */
  rpnBatchSize?: number;
  rpnPositiveFraction?: number;
  /** Box head RoI labelling: foreground at IoU >= 0.5 with a ground-truth box, else background (torchvision's box_fg/bg_iou_thresh). */
  headFgIou?: number;
  headBgIou?: number;
  /** Box head sampler (ours trains with 64 RoIs, a quarter positive; torchvision's default is 512). */
  headBatchSize?: number;
  headPositiveFraction?: number;
  /** Seed of both samplers. */
  seed?: number;
  /** Use these sampled sets instead of drawing them (e.g. the ones torchvision drew, for a parity test). */
  samples?: { rpn?: FgBgSample; head?: FgBgSample };
}

export interface DetectorLosses {
  /** RPN classification: BCE of the objectness over the sampled anchors. */
  rpnObjectness: number;
  /** RPN regression: smooth L1 of the positives' deltas. */
  rpnBox: number;
  /** Head classification: cross-entropy over the sampled RoIs. */
  headClassifier: number;
  /** Head regression: smooth L1 of the positive RoIs' deltas for their true class. */
  headBox: number;
  /** Per anchor: 1 positive, 0 negative, -1 ignored (at the given thresholds). */
  anchorLabels: Int32Array;
  /** Per anchor: IoU with its best ground-truth box. */
  anchorIou: Float32Array;
  /** The sampled anchors. */
  rpnSample: FgBgSample;
  /** The RoIs the head saw in training: the proposals, then the ground-truth boxes appended (as torchvision does). */
  rois: number[][];
  /** Class per RoI (0 background, -1 ignored). */
  roiLabels: number[];
  /** The sampled RoIs (indices into `rois`). */
  headSample: FgBgSample;
}

/**
 * The four losses of a detector run against the scene's ground truth, the way training computes
 * them (torchvision's `MaskRCNN` in train mode, minus the mask loss): anchors labelled by
 * `labelAnchors` (fg / bg IoU, best-anchor rule), a seeded sample of 256, the RPN's deltas against
 * `encodeBoxes(matched gt, anchor)`; then RoIs = the proposals plus the ground-truth boxes, labelled
 * by their best IoU (>= 0.5: that box's class, else background, no best-RoI rule), a seeded sample
 * of 64 (a quarter positive), RoI pooling, the box head, and targets encoded with weights
 * (10, 10, 5, 5). Every tensor it makes is disposed.
 */
export async function detectorLosses(parts: DetectorParts, result: DetectResult, gt: GroundTruth, opts: DetectorLossOptions = {}): Promise<DetectorLosses> {
  const c = parts.config;
  const { fgIou = 0.7, bgIou = 0.3, rpnBatchSize = 256, rpnPositiveFraction = 0.5, headFgIou = 0.5, headBgIou = 0.5, headBatchSize = 64, headPositiveFraction = 0.25, seed = 0 } = opts;
  const M = gt.boxes.length;
  const K = c.classes.length;
  // RPN: label and match every anchor, encode the matched ground truth.
  const [labelsT, matchesT, iouT, targetsT] = tf.tidy(() => {
    const g = M ? tf.tensor2d(gt.boxes.map((b) => [...b]), [M, 4]) : (tf.zeros([0, 4]) as Tensor2D);
    const { labels, matches, maxIou } = labelAnchors(result.anchors, g, { fg: fgIou, bg: bgIou });
    const matched = M ? (tf.gather(g, tf.cast(tf.maximum(matches, 0), 'int32')) as Tensor2D) : result.anchors;
    return [labels, matches, maxIou, encodeBoxes(matched, result.anchors, c.rpn.boxWeights as unknown as BoxWeights)];
  });
  let anchorLabels: Int32Array, anchorIou: Float32Array, targets: Float32Array, obj: Float32Array, deltas: Float32Array;
  try {
    [anchorLabels, anchorIou, targets, obj, deltas] = (await Promise.all([labelsT.data(), iouT.data(), targetsT.data(), result.objectness.data(), result.rpnDeltas.data()])) as [Int32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  } finally {
    tf.dispose([labelsT, matchesT, iouT, targetsT]);
  }
  const rpnSample = opts.samples?.rpn ?? sampleFgBg(anchorLabels, { batchSize: rpnBatchSize, positiveFraction: rpnPositiveFraction, seed });
  const rpn = rpnLoss(obj, deltas, anchorLabels, targets, rpnSample);

  // Head: proposals + ground truth, matched at 0.5 (no low-quality rule).
  const rois = [...result.proposals.boxes.map((b) => [...b]), ...gt.boxes.map((b) => [...b])];
  const R = rois.length;
  const roiLabels: number[] = new Array(R).fill(0);
  const roiMatch: number[] = new Array(R).fill(-1);
  if (M && R) {
    const iou = tf.tidy(() => boxIou(tf.tensor2d(gt.boxes.map((b) => [...b]), [M, 4]), tf.tensor2d(rois, [R, 4])));
    const v = await iou.data();
    iou.dispose();
    for (let r = 0; r < R; r++) {
      let best = -1;
      let bi = 0;
      for (let m = 0; m < M; m++) if (v[m * R + r] > best) ((best = v[m * R + r]), (bi = m));
      roiMatch[r] = bi;
      roiLabels[r] = best >= headFgIou ? gt.labels[bi] : best < headBgIou ? 0 : -1;
    }
  }
  const headSample = opts.samples?.head ?? sampleFgBg(roiLabels, { batchSize: headBatchSize, positiveFraction: headPositiveFraction, seed: seed + 1 });
  const sampled = [...headSample.pos, ...headSample.neg];
  let head = { classifier: NaN, box: NaN };
  if (sampled.length) {
    const sBoxes = sampled.map((i) => rois[i]);
    const matchedGt = sampled.map((i) => [...gt.boxes[Math.max(roiMatch[i], 0)] ?? rois[i]]);
    const [outT, tgtT] = tf.tidy(() => {
      const pooled = roiPool(result.features, sBoxes, c.box.poolSize, 1 / result.stride[0]);
      const out = parts.box.predict(pooled) as Tensor2D;
      return [out, encodeBoxes(tf.tensor2d(matchedGt, [sampled.length, 4]), tf.tensor2d(sBoxes, [sampled.length, 4]), c.box.boxWeights as unknown as BoxWeights)];
    });
    let out: Float32Array, tgt: Float32Array;
    try {
      [out, tgt] = (await Promise.all([outT.data(), tgtT.data()])) as [Float32Array, Float32Array];
    } finally {
      tf.dispose([outT, tgtT]);
    }
    const W = 5 * K;
    const logits = sampled.map((_, r) => out.subarray(r * W, r * W + K));
    const d = sampled.map((_, r) => out.subarray(r * W + K, (r + 1) * W));
    const t = sampled.map((_, r) => tgt.subarray(4 * r, 4 * r + 4));
    head = headLoss(logits, d, sampled.map((i) => roiLabels[i]), t);
  }
  return {
    rpnObjectness: rpn.objectness,
    rpnBox: rpn.box,
    headClassifier: head.classifier,
    headBox: head.box,
    anchorLabels,
    anchorIou,
    rpnSample,
    rois,
    roiLabels,
    headSample,
  };
}
