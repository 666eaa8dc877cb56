/**
 * Detection and segmentation metrics: average precision (PASCAL VOC, all-point interpolation) and
 * intersection over union of segmentation maps.
 */
import { tf, type Tensor, type Tensor2D } from './tf.js';

export type XyxyBox = readonly [number, number, number, number] | readonly number[];

export interface Detection {
  /** Which image (any key); detections only match ground truth of the same image. Default 0. */
  image?: number | string;
  box: XyxyBox;
  score: number;
  /** Class label (for meanAveragePrecision). */
  label?: number;
}

export interface GroundTruthBox {
  image?: number | string;
  box: XyxyBox;
  label?: number;
}

export interface ApResult {
  /** Average precision in [0, 1] (NaN when there is no ground truth). */
  ap: number;
  /** Precision and recall after each detection, by decreasing score. */
  precision: number[];
  recall: number[];
  /** Whether each detection (by decreasing score) was a true positive. */
  tp: boolean[];
  /** Detections' indices in the order they were ranked. */
  order: number[];
  /** Number of ground-truth boxes. */
  positives: number;
}

/** IoU of two `[x1, y1, x2, y2]` boxes (width x2 - x1, as torchvision's box_iou). */
export function iouOf(a: XyxyBox, b: XyxyBox): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Average precision of one class, PASCAL VOC style (the 2010+ devkit's all-point interpolation).
 * Detections are ranked by decreasing score (equal scores keep their order). Each is matched to
 * the ground-truth box of its image with which it has the highest IoU: a true positive when that IoU
 * >= iouThreshold (the devkit's test) and that box is not yet taken; otherwise a false positive
 * (a second detection of a taken box is a false positive). Then, with recall r_k and precision p_k
 * after k detections, AP = sum_k (r_k - r_{k-1}) * max_{k' >= k} p_{k'}: the area under the
 * precision-recall curve made monotone from the right. IoU is torchvision's (no "+ 1").
 */
export function averagePrecision(detections: readonly Detection[], groundTruth: readonly GroundTruthBox[], { iouThreshold = 0.5 } = {}): ApResult {
  const byImage = new Map<number | string, { box: XyxyBox; taken: boolean }[]>();
  for (const g of groundTruth) {
    const k = g.image ?? 0;
    if (!byImage.has(k)) byImage.set(k, []);
    byImage.get(k)!.push({ box: g.box, taken: false });
  }
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score || a - b);
  const tp: boolean[] = [];
  const precision: number[] = [];
  const recall: number[] = [];
  const positives = groundTruth.length;
  let ntp = 0;
  for (const i of order) {
    const d = detections[i];
    const gts = byImage.get(d.image ?? 0) ?? [];
    let best = -1;
    let bestIou = -Infinity;
    gts.forEach((g, k) => {
      const v = iouOf(d.box, g.box);
      if (v > bestIou) {
        bestIou = v;
        best = k;
      }
    });
    const hit = best >= 0 && bestIou >= iouThreshold && !gts[best].taken;
    if (hit) gts[best].taken = true;
    tp.push(hit);
    if (hit) ntp++;
    precision.push(ntp / tp.length);
    recall.push(positives ? ntp / positives : 0);
  }
  if (!positives) return { ap: NaN, precision, recall, tp, order, positives };
  // All-point interpolation: precision envelope from the right, summed where recall changes.
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let k = mpre.length - 2; k >= 0; k--) mpre[k] = Math.max(mpre[k], mpre[k + 1]);
  let ap = 0;
  for (let k = 1; k < mrec.length; k++) if (mrec[k] !== mrec[k - 1]) ap += (mrec[k] - mrec[k - 1]) * mpre[k];
  return { ap, precision, recall, tp, order, positives };
}

/**
 * Mean of `averagePrecision` over the classes that have ground truth (classes with detections but
 * no ground truth are listed with AP NaN and left out of the mean, as the VOC and COCO tools do).
 */
export function meanAveragePrecision(detections: readonly Detection[], groundTruth: readonly GroundTruthBox[], { iouThreshold = 0.5 } = {}) {
  const labels = [...new Set([...groundTruth.map((g) => g.label ?? 0), ...detections.map((d) => d.label ?? 0)])].sort((a, b) => a - b);
  const perClass: Record<number, number> = {};
  const aps: number[] = [];
  for (const c of labels) {
    const r = averagePrecision(
      detections.filter((d) => (d.label ?? 0) === c),
      groundTruth.filter((g) => (g.label ?? 0) === c),
      { iouThreshold },
    );
    perClass[c] = r.ap;
    if (!Number.isNaN(r.ap)) aps.push(r.ap);
  }
  return { map: aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : NaN, perClass };
}

/**
 * The `[numClasses, numClasses]` confusion matrix of two label maps of any (equal) shape: entry
 * (t, p) counts pixels of true class t predicted as p. Pixels whose target is `ignoreIndex` (or
 * outside [0, numClasses)) are not counted. Runs on the backend (`tf.bincount`).
 */
export function confusionMatrix(target: Tensor, pred: Tensor, numClasses: number, { ignoreIndex = 255 } = {}): Tensor2D {
  if (target.size !== pred.size) throw new RangeError(`confusionMatrix(): target has ${target.size} pixels, prediction ${pred.size}`);
  return tf.tidy(() => {
    const t = tf.cast(tf.reshape(target, [-1]), 'int32');
    const p = tf.cast(tf.reshape(pred, [-1]), 'int32');
    const valid = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(t, 0), tf.less(t, numClasses)), tf.logicalAnd(tf.notEqual(t, ignoreIndex), tf.logicalAnd(tf.greaterEqual(p, 0), tf.less(p, numClasses))));
    const idx = tf.where(valid, tf.add(tf.mul(t, tf.scalar(numClasses, 'int32')), p), tf.zerosLike(t));
    const counts = tf.bincount(idx as tf.Tensor1D, tf.cast(valid, 'float32') as tf.Tensor1D, numClasses * numClasses);
    return tf.reshape(counts, [numClasses, numClasses]) as Tensor2D;
  });
}

export interface IouResult {
  /** IoU_c = TP_c / (TP_c + FP_c + FN_c) per class; NaN when the class is in neither map. */
  perClass: number[];
  /** Mean over the classes that are not NaN. */
  mean: number;
  /** Pixel accuracy: correctly labelled pixels / counted pixels. */
  pixelAccuracy: number;
}

/** Per-class IoU and their mean from a confusion matrix (rows = target, columns = prediction). */
export function iouFromConfusion(cm: readonly (readonly number[])[]): IouResult {
  const C = cm.length;
  const perClass: number[] = [];
  let correct = 0;
  let total = 0;
  for (let c = 0; c < C; c++) {
    const tp = cm[c][c];
    let row = 0;
    let col = 0;
    for (let k = 0; k < C; k++) {
      row += cm[c][k];
      col += cm[k][c];
      total += cm[c][k];
    }
    correct += tp;
    const union = row + col - tp;
    perClass.push(union > 0 ? tp / union : NaN);
  }
  const valid = perClass.filter((v) => !Number.isNaN(v));
  return { perClass, mean: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : NaN, pixelAccuracy: total ? correct / total : NaN };
}

/** Per-class IoU and mean IoU of a predicted label map against the target (background is class 0 and counts). */
export async function meanIoU(target: Tensor, pred: Tensor, numClasses: number, options: { ignoreIndex?: number } = {}): Promise<IouResult & { confusion: number[][] }> {
  const cm = confusionMatrix(target, pred, numClasses, options);
  const confusion = (await cm.array()) as number[][];
  cm.dispose();
  return { ...iouFromConfusion(confusion), confusion };
}
