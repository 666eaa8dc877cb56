/**
 * Occlusion sensitivity (Zeiler & Fergus, 2014): slide a square patch over the image, and record the
 * classifier's probability for one class at each position. Where the probability drops, the model
 * was looking. It needs only class probabilities, no gradients: it works through a black-box API.
 */
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import { abortError } from './errors.js';
import type { Classifier } from './adversarial.js';

/**
 * Class probabilities for a batch of images, [batch, classes]: a tensor (disposed by the caller of
 * this function) or plain rows. A remote API fits behind this as well as a local model.
 */
export type ProbabilityFn = (images: Tensor4D) => Promise<Tensor2D | ArrayLike<number>[]> | Tensor2D | ArrayLike<number>[];

/** What covers the patch: a constant value, the image's per-channel mean, or a same-shaped image (a blurred copy, say). */
export type OcclusionFill = number | 'mean' | Tensor4D;

export interface OcclusionOptions {
  /** Side of the square patch, in pixels (1 <= patch <= min(height, width)). */
  patch: number;
  /** Distance between neighbouring patch positions, in pixels (>= 1). */
  stride: number;
  /** Default 0.5 (grey). */
  fill?: OcclusionFill;
  /** Occluded copies evaluated per call of the probability function. Default 32. */
  batchSize?: number;
  /** Called after every batch, with the map so far (NaN where not computed yet). */
  onProgress?: (p: OcclusionProgress) => void;
  signal?: AbortSignal;
}

export interface OcclusionProgress {
  done: number;
  total: number;
  rows: number;
  cols: number;
  probabilities: Float32Array;
}

export interface OcclusionResult {
  rows: number;
  cols: number;
  /** Top-left row of each map row's patch, in image pixels. */
  ys: number[];
  /** Top-left column of each map column's patch. */
  xs: number[];
  patch: number;
  /** P(class | occluded image) at each position, row-major [rows * cols]. */
  probabilities: Float32Array;
  /** baseline - probability at each position: how much hiding that square costs. */
  drop: Float32Array;
  /** P(class | unoccluded image). */
  baseline: number;
  min: number;
  max: number;
  /** The position whose occlusion lowers the probability most. */
  mostSensitive: { row: number; col: number; y: number; x: number; drop: number };
  /** Calls made to the probability function (the unoccluded image is one). */
  calls: number;
}

/**
 * Patch positions along one axis: 0, s, 2s, … while the patch fits (k s + p <= n); when the last
 * one stops short of the edge, one more at n - p so that the last rows / columns are covered too.
 * So the map has floor((n - p) / s) + 1 entries, plus one when (n - p) is not a multiple of s.
 */
export function occlusionPositions(n: number, patch: number, stride: number): number[] {
  if (!(stride >= 1)) throw new RangeError(`The stride must be at least 1 pixel (got ${stride}).`);
  if (!(patch >= 1 && patch <= n)) throw new RangeError(`The patch must be between 1 and ${n} pixels (got ${patch}).`);
  const out: number[] = [];
  for (let y = 0; y + patch <= n; y += stride) out.push(y);
  if (out[out.length - 1] + patch < n) out.push(n - patch);
  return out;
}

/** Softmax probabilities of a classifier, as a ProbabilityFn. */
export function classifierProbabilities(f: Classifier): ProbabilityFn {
  return (images) => tf.tidy(() => tf.softmax(f(images)) as Tensor2D);
}

/** A box-blurred copy of x (k x k mean, same padding): the 'blurred' occlusion fill. */
export function boxBlur(x: Tensor4D, k: number): Tensor4D {
  return tf.tidy(() => tf.avgPool(x, [k, k], 1, 'same') as Tensor4D);
}

/**
 * The rows of what a ProbabilityFn returned for n images, as plain arrays (a returned tensor is
 * read and disposed). Throws when the row count is not n.
 */
export async function probabilityRows(out: Tensor2D | ArrayLike<number>[], n: number): Promise<number[][]> {
  if (out instanceof tf.Tensor) {
    const t = out as Tensor2D;
    try {
      if (t.rank !== 2 || t.shape[0] !== n) throw new Error(`The probability function returned shape [${t.shape.join(', ')}] for ${n} images; expected [${n}, classes].`);
      return (await t.array()) as number[][];
    } finally {
      t.dispose();
    }
  }
  const rows = out as ArrayLike<number>[];
  if (rows.length !== n) throw new Error(`The probability function returned ${rows.length} rows for ${n} images.`);
  return Array.from(rows, (r) => Array.from(r));
}

async function column(out: Tensor2D | ArrayLike<number>[], classIndex: number, n: number): Promise<number[]> {
  const rows = await probabilityRows(out, n);
  return rows.map((r) => {
    if (classIndex >= r.length) throw new RangeError(`Class ${classIndex} is out of range: the model has ${r.length} classes.`);
    return r[classIndex];
  });
}

/** The fill as a tensor that broadcasts against x: [1, 1, 1, C] for a value or the mean, x's shape for an image. */
function fillTensor(x: Tensor4D, fill: OcclusionFill): Tensor4D {
  const C = x.shape[3];
  return tf.tidy(() => {
    if (typeof fill === 'number') return tf.fill([1, 1, 1, C], fill) as Tensor4D;
    if (fill === 'mean') return tf.mean(x, [1, 2], true) as Tensor4D;
    if (fill.shape.join() !== x.shape.join()) throw new Error('A fill image must have the same shape as the input.');
    return tf.clone(fill);
  });
}

/** x with the square [y, y + patch) x [x, x + patch) replaced by fillT, once per position: [n, H, W, C]. */
function covered(x: Tensor4D, fillT: Tensor4D, at: readonly { y: number; x: number }[], patch: number): Tensor4D {
  const [, H, W] = x.shape;
  const n = at.length;
  return tf.tidy(() => {
    const r = tf.reshape(tf.range(0, H), [1, H]);
    const c = tf.reshape(tf.range(0, W), [1, W]);
    const y0 = tf.tensor2d(at.map((p) => p.y), [n, 1]);
    const x0 = tf.tensor2d(at.map((p) => p.x), [n, 1]);
    // inside(y) = y0 <= y < y0 + patch, per copy
    const rowIn = tf.logicalAnd(tf.greaterEqual(r, y0), tf.less(r, tf.add(y0, patch)));
    const colIn = tf.logicalAnd(tf.greaterEqual(c, x0), tf.less(c, tf.add(x0, patch)));
    const mask = tf.mul(tf.reshape(tf.cast(rowIn, 'float32'), [n, H, 1, 1]), tf.reshape(tf.cast(colIn, 'float32'), [n, 1, W, 1]));
    return tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(fillT, mask)) as Tensor4D;
  });
}

/**
 * Occluded copies of one image x ([1, H, W, C]): copy i has the patch x patch square with top-left
 * corner at[i] covered by the fill (x' = x (1 - M_i) + fill M_i). Returns [at.length, H, W, C].
 */
export function occludedCopies(x: Tensor4D, at: readonly { y: number; x: number }[], patch: number, fill: OcclusionFill = 0.5): Tensor4D {
  if (x.shape[0] !== 1) throw new Error(`occludedCopies takes one image ([1, H, W, C]), got a batch of ${x.shape[0]}.`);
  const fillT = fillTensor(x, fill);
  try {
    return covered(x, fillT, at, patch);
  } finally {
    fillT.dispose();
  }
}

/**
 * The occlusion map of one image x ([1, H, W, C]) for one class: one probability per patch
 * position (see occlusionPositions), computed in batches (one call of `predict` per batch, never
 * one per position).
 */
export async function occlusionMap(
  predict: ProbabilityFn,
  x: Tensor4D,
  classIndex: number,
  opts: OcclusionOptions,
): Promise<OcclusionResult> {
  const [n, H, W] = x.shape;
  if (n !== 1) throw new Error(`occlusionMap takes one image ([1, H, W, C]), got a batch of ${n}.`);
  if (!Number.isInteger(classIndex) || classIndex < 0) throw new RangeError(`Class ${classIndex} is not a class index.`);
  const patch = Math.round(opts.patch);
  const stride = Math.round(opts.stride);
  const ys = occlusionPositions(H, Math.min(patch, H), stride);
  const xs = occlusionPositions(W, Math.min(patch, W), stride);
  if (patch > Math.min(H, W)) throw new RangeError(`The patch (${patch} px) is larger than the image (${H}x${W}).`);
  const rows = ys.length;
  const cols = xs.length;
  const total = rows * cols;
  const batchSize = Math.max(1, Math.round(opts.batchSize ?? 32));
  const fill = opts.fill ?? 0.5;

  const fillT = fillTensor(x, fill);
  let calls = 0;
  try {
    calls++;
    const [baseline] = await column(await predict(x), classIndex, 1);
    const probabilities = new Float32Array(total).fill(Number.NaN);
    {
      for (let start = 0; start < total; start += batchSize) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        const count = Math.min(batchSize, total - start);
        const at = Array.from({ length: count }, (_, i) => ({ y: ys[Math.floor((start + i) / cols)], x: xs[(start + i) % cols] }));
        const batch = covered(x, fillT, at, patch);
        let out: Awaited<ReturnType<ProbabilityFn>>;
        try {
          calls++;
          out = await predict(batch);
        } finally {
          batch.dispose();
        }
        const p = await column(out, classIndex, count);
        probabilities.set(p, start);
        opts.onProgress?.({ done: start + count, total, rows, cols, probabilities });
      }
    }
    const drop = probabilities.map((p) => baseline - p);
    let k = 0;
    for (let i = 1; i < total; i++) if (drop[i] > drop[k]) k = i;
    let min = Infinity,
      max = -Infinity;
    for (const p of probabilities) {
      if (p < min) min = p;
      if (p > max) max = p;
    }
    const row = Math.floor(k / cols),
      col = k % cols;
    return {
      rows,
      cols,
      ys,
      xs,
      patch,
      probabilities,
      drop,
      baseline,
      min,
      max,
      mostSensitive: { row, col, y: ys[row], x: xs[col], drop: drop[k] },
      calls,
    };
  } finally {
    fillT.dispose();
  }
}
