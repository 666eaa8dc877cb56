/**
 * Anchor boxes, the torchvision way (`torchvision.models.detection.anchor_utils.AnchorGenerator`).
 */
import { tf, type Tensor1D, type Tensor2D } from './tf.js';
import { boxIou } from './boxes.js';

/** Rounds half to even, as torch.round does (2.5 -> 2, 3.5 -> 4, -2.5 -> -2). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The zero-centred base anchors of one location, `[x1, y1, x2, y2]`, in torchvision's order: ratio
 * major, size minor (index = r * sizes.length + s). For ratio a = h / w and size s, in float32 as
 * torchvision computes them: h_ratio = sqrt(a), w_ratio = 1 / h_ratio, w = w_ratio s, h = h_ratio s,
 * anchor = round([-w, -h, w, h] / 2) with round half to even. Size 32, ratio 0.5 gives
 * w = 45.25, h = 22.63 -> [-23, -11, 23, 11].
 */
export function cellAnchors(sizes: readonly number[], ratios: readonly number[]): number[][] {
  const f = Math.fround;
  const out: number[][] = [];
  for (const a of ratios) {
    const hr = f(Math.sqrt(f(a)));
    const wr = f(1 / hr);
    for (const s of sizes) {
      const w = f(wr * f(s));
      const h = f(hr * f(s));
      out.push([-w / 2, -h / 2, w / 2, h / 2].map((v) => roundHalfEven(f(v)) + 0));
    }
  }
  return out;
}

export interface AnchorGridOptions {
  /** Anchor sizes in pixels (sqrt of the area), e.g. [16, 32, 64]. */
  sizes: readonly number[];
  /** Aspect ratios h / w (torchvision's definition; 0.5 is a wide box), e.g. [0.5, 1, 2]. */
  ratios: readonly number[];
  /** Pixels between neighbouring feature-map cells, one number or [strideY, strideX]. */
  stride: number | readonly [number, number];
  /** Feature-map size, one number or [height, width]. */
  featureSize: number | readonly [number, number];
}

/**
 * Every anchor of one feature map, `[H * W * ratios * sizes, 4]` as `[x1, y1, x2, y2]`, torchvision's
 * `AnchorGenerator.grid_anchors`: the base anchors (`cellAnchors`) shifted to the centres
 * (x * strideX, y * strideY) (the top-left corner of each cell, not its middle). Order: location
 * (row-major: y outer, x inner), then ratio, then size; anchor i is at location floor(i / A) with
 * A = ratios * sizes, ratio floor((i mod A) / sizes), size i mod sizes.
 */
export function anchorGrid({ sizes, ratios, stride, featureSize }: AnchorGridOptions): Tensor2D {
  const [sy, sx] = typeof stride === 'number' ? [stride, stride] : stride;
  const [fh, fw] = typeof featureSize === 'number' ? [featureSize, featureSize] : featureSize;
  if (!sizes.length || !ratios.length) throw new RangeError('anchorGrid(): sizes and ratios must not be empty');
  if (!(fh > 0 && fw > 0 && Number.isInteger(fh) && Number.isInteger(fw))) throw new RangeError(`anchorGrid(): featureSize must be positive integers, got ${featureSize}`);
  const base = cellAnchors(sizes, ratios);
  const A = base.length;
  const out = new Float32Array(fh * fw * A * 4);
  let o = 0;
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++)
      for (const b of base) {
        out[o++] = x * sx + b[0];
        out[o++] = y * sy + b[1];
        out[o++] = x * sx + b[2];
        out[o++] = y * sy + b[3];
      }
  return tf.tensor2d(out, [fh * fw * A, 4]);
}

export interface LabelAnchorsOptions {
  /** IoU at or above which an anchor is positive (torchvision RPN `fg_iou_thresh`, default 0.7). */
  fg?: number;
  /** IoU below which an anchor is negative (`bg_iou_thresh`, default 0.3). In between: ignored. */
  bg?: number;
  /** The "best anchor for each ground-truth box is positive" rule (`allow_low_quality_matches`, default true). */
  allowLowQuality?: boolean;
}

export type AnchorLabels = {
  /** Per anchor: 1 positive, 0 negative, -1 ignored (torchvision RPN's 1.0 / 0.0 / -1.0). `[N]` int32. */
  labels: Tensor1D;
  /** Per anchor: matched ground-truth index, -1 below `bg`, -2 between (torchvision `Matcher`). `[N]` int32. */
  matches: Tensor1D;
  /** IoU of each anchor with its best ground-truth box. `[N]` float32. */
  maxIou: Tensor1D;
};

/**
 * Labels anchors for RPN training, torchvision's `Matcher(fg, bg, allow_low_quality_matches=True)`
 * as `RegionProposalNetwork.assign_targets_to_anchors` uses it. With IoU the `[M, N]` matrix of
 * ground truth x anchors and best(n) = max over gt of IoU(gt, n):
 *  - positive when best(n) >= fg, negative when best(n) < bg, ignored in between;
 *  - then, for each ground-truth box, every anchor whose IoU with it equals that box's highest IoU
 *    (ties included) becomes positive, matched (as in torchvision) to the anchor's own best box,
 *    which is usually, but not always, that box. A ground-truth box that overlaps no anchor at all
 *    (highest IoU 0) makes every anchor with IoU 0 "best": torchvision does this too.
 * No ground truth: every anchor is negative. Ties in an anchor's best box go to the lowest index.
 */
export function labelAnchors(anchors: Tensor2D, gt: Tensor2D, { fg = 0.7, bg = 0.3, allowLowQuality = true }: LabelAnchorsOptions = {}): AnchorLabels {
  if (bg > fg) throw new RangeError(`labelAnchors(): bg (${bg}) must not exceed fg (${fg})`);
  return tf.tidy((): AnchorLabels => {
    const n = anchors.shape[0];
    if (gt.shape[0] === 0) {
      return {
        labels: tf.zeros([n], 'int32'),
        matches: tf.fill([n], -1, 'int32'),
        maxIou: tf.zeros([n]),
      } as AnchorLabels;
    }
    const iou = boxIou(gt, anchors); // [M, N]
    const maxIou = tf.max(iou, 0);
    // Lowest gt index among ties: argMax's tie order is not the same on every backend, so use a min.
    const m = gt.shape[0];
    const idx = tf.reshape(tf.range(0, m, 1, 'int32'), [m, 1]);
    const isMax = tf.equal(iou, maxIou);
    const best = tf.min(tf.where(isMax, tf.broadcastTo(idx, iou.shape), tf.fill(iou.shape, m, 'int32')), 0);
    let matches = tf.where(tf.less(maxIou, bg), tf.fill([n], -1, 'int32'), tf.where(tf.less(maxIou, fg), tf.fill([n], -2, 'int32'), best));
    if (allowLowQuality) {
      const highestPerGt = tf.max(iou, 1, true); // [M, 1]
      const isBestForSomeGt = tf.any(tf.equal(iou, highestPerGt), 0);
      matches = tf.where(isBestForSomeGt, best, matches);
    }
    const labels = tf.where(tf.greaterEqual(matches, 0), tf.onesLike(matches), tf.where(tf.equal(matches, -1), tf.zerosLike(matches), tf.fill([n], -1, 'int32')));
    return { labels, matches, maxIou } as AnchorLabels;
  }) as AnchorLabels;
}
