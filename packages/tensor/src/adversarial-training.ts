/**
 * Adversarial training (Szegedy et al., 2013; Goodfellow et al., 2015; Madry et al., 2018) on toy 2-D
 * data, and robust accuracy for any classifier.
 *
 * Training minimises, per batch B with labels y,
 *   J~(theta) = (1 - m) * L(theta; x, y) + m * L(theta; x_adv, y),
 *   x_adv = FGSM:  x + eps * sign(grad_x L(theta; x, y))       (one step; Goodfellow et al. used m = 0.5)
 *           PGD:   k projected steps inside ||x_adv - x||_inf <= eps   (Madry et al.)
 * where L is the softmax cross-entropy and m in [0, 1] the share of adversarial loss (m = 0: clean
 * training). The attack is recomputed against the current weights for every batch.
 *
 * Robust accuracy at eps: the fraction of points still classified correctly after the attack,
 *   acc_eps = (1/n) sum_i [argmax f(x_i') = y_i],  x_i' = attack(f, x_i, y_i, eps).
 *
 * Everything runs on any TF.js backend that has the kernels of a dense network and its gradients
 * (MatMul, Relu, Softmax, Adam's element-wise ops: webgl, wasm and cpu all do); no convolution is
 * trained here. Every function disposes what it makes; the caller owns what it returns.
 */
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import { fgsm, iterativeFgsm, gradientSign, fgsmStep, exactSign, type Classifier } from './adversarial.js';
import { mulberry32 } from './style.js';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/**
 * A seeded uniform generator in [0, 1): style.ts's mulberry32 on the seed mixed with the golden-ratio
 * constant (so that seed 0 does not start from state 0). The same seed gives the same sequence everywhere.
 */
export function seededRandom(seed: number): () => number {
  return mulberry32((Math.floor(seed) >>> 0) ^ 0x9e3779b9);
}

/** A standard normal draw from a uniform generator (Box-Muller). */
export function normalFrom(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function shuffledOrder(n: number, rand: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Toy data sets: two classes in the plane, roughly inside [-1, 1] x [-1, 1]

export type ToyDatasetName = 'moons' | 'circles' | 'blobs' | 'custom';
export const TOY_DATASETS: readonly ToyDatasetName[] = ['moons', 'circles', 'blobs', 'custom'];

/** Points as plain arrays: `points` holds x0, y0, x1, y1, …; `labels` is 0 or 1 per point. */
export interface ToyData {
  points: Float32Array;
  labels: Int32Array;
}

export interface ToyOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise?: number;
  seed?: number;
}

const SCALE = 1 / 1.5;

/**
 * Two interleaving half circles (scikit-learn's make_moons), scaled by 1/1.5 and centred:
 *   class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), t evenly spaced in [0, pi],
 *   then ((x - 0.5) / 1.5, (y - 0.25) / 1.5) + noise. The first ceil(n/2) points are class 0.
 */
export function makeMoons(n: number, opts: ToyOptions = {}): ToyData {
  const noise = opts.noise ?? 0.08;
  const rand = seededRandom(opts.seed ?? 0);
  const n0 = Math.ceil(n / 2);
  const n1 = n - n0;
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  const put = (i: number, x: number, y: number, c: number) => {
    points[2 * i] = (x - 0.5) * SCALE + noise * normalFrom(rand);
    points[2 * i + 1] = (y - 0.25) * SCALE + noise * normalFrom(rand);
    labels[i] = c;
  };
  for (let i = 0; i < n0; i++) {
    const t = n0 > 1 ? (Math.PI * i) / (n0 - 1) : 0;
    put(i, Math.cos(t), Math.sin(t), 0);
  }
  for (let i = 0; i < n1; i++) {
    const t = n1 > 1 ? (Math.PI * i) / (n1 - 1) : 0;
    put(n0 + i, 1 - Math.cos(t), 0.5 - Math.sin(t), 1);
  }
  return { points, labels };
}

/**
 * Two concentric circles (scikit-learn's make_circles): class 0 on radius 0.9, class 1 on radius
 * 0.9 * factor (default 0.5), at angles 2 pi k / m, plus noise. The first ceil(n/2) points are class 0.
 */
export function makeCircles(n: number, opts: ToyOptions & { factor?: number } = {}): ToyData {
  const noise = opts.noise ?? 0.05;
  const factor = opts.factor ?? 0.5;
  const rand = seededRandom(opts.seed ?? 0);
  const n0 = Math.ceil(n / 2);
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const outer = i < n0;
    const m = outer ? n0 : n - n0;
    const k = outer ? i : i - n0;
    const r = 0.9 * (outer ? 1 : factor);
    const t = (2 * Math.PI * k) / m;
    points[2 * i] = r * Math.cos(t) + noise * normalFrom(rand);
    points[2 * i + 1] = r * Math.sin(t) + noise * normalFrom(rand);
    labels[i] = outer ? 0 : 1;
  }
  return { points, labels };
}

/** Two Gaussian blobs centred at (-0.4, -0.4) (class 0) and (0.4, 0.4) (class 1): separable by a line. */
export function makeBlobs(n: number, opts: ToyOptions = {}): ToyData {
  const noise = opts.noise ?? 0.2;
  const rand = seededRandom(opts.seed ?? 0);
  const n0 = Math.ceil(n / 2);
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < n0 ? 0 : 1;
    const centre = c === 0 ? -0.4 : 0.4;
    points[2 * i] = centre + noise * normalFrom(rand);
    points[2 * i + 1] = centre + noise * normalFrom(rand);
    labels[i] = c;
  }
  return { points, labels };
}

/** A named toy data set ('custom' is empty: the reader adds the points). */
export function makeToyData(name: ToyDatasetName, n: number, opts: ToyOptions = {}): ToyData {
  switch (name) {
    case 'moons':
      return makeMoons(n, opts);
    case 'circles':
      return makeCircles(n, opts);
    case 'blobs':
      return makeBlobs(n, opts);
    default:
      return { points: new Float32Array(0), labels: new Int32Array(0) };
  }
}

/** Appends one point to a data set (a new object; the old arrays are not changed). */
export function addPoint(data: ToyData, x: number, y: number, label: number): ToyData {
  const points = new Float32Array(data.points.length + 2);
  points.set(data.points);
  points[data.points.length] = x;
  points[data.points.length + 1] = y;
  const labels = new Int32Array(data.labels.length + 1);
  labels.set(data.labels);
  labels[data.labels.length] = label;
  return { points, labels };
}

/** Points as a batch of 1x1 "images" with 2 channels, [n, 1, 1, 2], the shape the attacks take. */
export function pointsTensor(data: ToyData): Tensor4D {
  return tf.tensor4d(data.points, [data.labels.length, 1, 1, 2]);
}

// ---------------------------------------------------------------------------------------------
// A small dense network: an MLP, or logistic regression when it has no hidden layer

export interface Mlp {
  /** Units per layer, inputs first: [2, 16, 16, 2]; [2, 2] is (softmax) logistic regression. */
  sizes: number[];
  weights: tf.Variable[];
  biases: tf.Variable[];
}

export interface MlpOptions {
  inputs?: number;
  /** Hidden layer widths; [] for logistic regression. Default [16, 16]. */
  hidden?: number[];
  classes?: number;
  seed?: number;
}

/** A trainable variable holding `t`'s values; `t` itself is disposed (a variable is a tensor of its own). */
function toVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/**
 * A ReLU MLP with seeded He-uniform weights, W ~ U(-sqrt(6 / fan_in), sqrt(6 / fan_in)), zero
 * biases. The initial weights come from `seededRandom(seed)`, so they are the same on every backend.
 */
export function createMlp(opts: MlpOptions = {}): Mlp {
  const sizes = [opts.inputs ?? 2, ...(opts.hidden ?? [16, 16]), opts.classes ?? 2];
  const rand = seededRandom(opts.seed ?? 0);
  const weights: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
    const limit = Math.sqrt(6 / fanIn);
    const w = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rand() - 1) * limit);
    weights.push(toVariable(tf.tensor2d(w, [fanIn, fanOut])));
    biases.push(toVariable(tf.zeros([fanOut])));
  }
  return { sizes, weights, biases };
}

/** A dense network with the given weights ([fan_in][fan_out] rows) and biases, for hand-worked cases. */
export function mlpFromWeights(layers: { w: number[][]; b: number[] }[]): Mlp {
  const sizes = [layers[0].w.length, ...layers.map((l) => l.b.length)];
  return {
    sizes,
    weights: layers.map((l) => toVariable(tf.tensor2d(l.w))),
    biases: layers.map((l) => toVariable(tf.tensor1d(l.b))),
  };
}

/** Frees the network's variables. */
export function disposeMlp(m: Mlp): void {
  tf.dispose([...m.weights, ...m.biases]);
}

/** logits = W_L relu(… relu(x W_1 + b_1) …) + b_L for points x [n, inputs]. */
export function mlpLogits(m: Mlp, x: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    let h: Tensor2D = x;
    const last = m.weights.length - 1;
    m.weights.forEach((w, l) => {
      const z = tf.add(tf.matMul(h, w as unknown as Tensor2D), m.biases[l]) as Tensor2D;
      h = l < last ? (tf.relu(z) as Tensor2D) : z;
    });
    return h;
  });
}

/**
 * grad_x sum_i L(x_i, y_i) for the MLP by hand: dz_L = softmax(z_L) - onehot(y), then per layer
 * dh_{l-1} = dz_l W_l^T and dz_{l-1} = dh_{l-1} * [z_{l-1} > 0] (ReLU). About 20 kernels for the
 * [2, 16, 16, 2] network against about 80 through tf.grad; the attacks run it at every step.
 */
export function mlpLossGradient(m: Mlp, x: Tensor4D, labels: readonly number[]): Tensor4D {
  return tf.tidy(() => {
    const zs: Tensor2D[] = [];
    let h = tf.reshape(x, [x.shape[0], m.sizes[0]]) as Tensor2D;
    const last = m.weights.length - 1;
    m.weights.forEach((w, l) => {
      const z = tf.add(tf.matMul(h, w as unknown as Tensor2D), m.biases[l]) as Tensor2D;
      zs.push(z);
      h = l < last ? (tf.relu(z) as Tensor2D) : z;
    });
    const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), m.sizes[m.sizes.length - 1]);
    let dz = tf.sub(tf.softmax(h), y) as Tensor2D;
    for (let l = last; l >= 0; l--) {
      const dh = tf.matMul(dz, m.weights[l] as unknown as Tensor2D, false, true) as Tensor2D;
      if (l === 0) return tf.reshape(dh, x.shape) as Tensor4D;
      dz = tf.mul(dh, tf.cast(tf.greater(zs[l - 1], 0), 'float32')) as Tensor2D;
    }
    throw new Error('unreachable');
  });
}

/** The network as a `Classifier` on [n, 1, 1, inputs] batches, so that fgsm / iterativeFgsm attack it. */
export function mlpClassifier(m: Mlp): Classifier {
  const f: Classifier = (x: Tensor4D) => tf.tidy(() => mlpLogits(m, tf.reshape(x, [x.shape[0], m.sizes[0]]) as Tensor2D));
  f.lossGradient = (x, labels) => mlpLossGradient(m, x, labels);
  return f;
}

/** P(class k | point) on a size x size grid over [x0, x1] x [y0, y1]; row 0 is the top (y = y1). */
export function decisionGrid(m: Mlp, opts: { x: [number, number]; y: [number, number]; size: number; classIndex?: number }): Tensor2D {
  const { size } = opts;
  const k = opts.classIndex ?? 1;
  return tf.tidy(() => {
    const cols = tf.linspace(opts.x[0], opts.x[1], size);
    const rows = tf.linspace(opts.y[1], opts.y[0], size);
    const gx = tf.tile(tf.reshape(cols, [1, size]), [size, 1]);
    const gy = tf.tile(tf.reshape(rows, [size, 1]), [1, size]);
    const pts = tf.stack([tf.reshape(gx, [-1]), tf.reshape(gy, [-1])], 1) as Tensor2D;
    const p = tf.softmax(mlpLogits(m, pts));
    return tf.reshape(tf.slice(p, [0, k], [-1, 1]), [size, size]) as Tensor2D;
  });
}

// ---------------------------------------------------------------------------------------------
// Attacks on a batch and robust accuracy (any Classifier: toy networks and image models alike)

export type AttackName = 'fgsm' | 'pgd';
export const ATTACKS: readonly AttackName[] = ['fgsm', 'pgd'];

export interface RobustOptions {
  /** 'fgsm' (one step) or 'pgd' (iterative FGSM with projection). Default 'fgsm'. */
  attack?: AttackName;
  /** PGD steps (default 10). */
  steps?: number;
  /** PGD step size (default 1.25 eps / steps, as iterativeFgsm). */
  alpha?: number;
  /** Valid input range; default [0, 1]. Toy points use an unbounded range. */
  clip?: readonly [number, number];
}

/** The range toy points live in: no clipping. */
export const UNBOUNDED: readonly [number, number] = [-1e6, 1e6];

/** Untargeted adversarial examples for a batch within ||x' - x||_inf <= eps (x itself when eps = 0). */
export function adversarialBatch(f: Classifier, x: Tensor4D, labels: readonly number[], epsilon: number, opts: RobustOptions = {}): Tensor4D {
  if (epsilon <= 0) return tf.clone(x);
  const clip = opts.clip ?? [0, 1];
  if (opts.attack === 'pgd') {
    return iterativeFgsm(f, x, labels, { epsilon, steps: opts.steps ?? 10, alpha: opts.alpha, clip });
  }
  return fgsm(f, x, labels, epsilon, { clip });
}

/** Per example, 1 where f classifies it as its label and 0 where not: [argmax f(x_i) = y_i], float32 [n]. */
export function correctMask(f: Classifier, x: Tensor4D, labels: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const y = tf.tensor1d(Array.from(labels), 'int32');
    return tf.cast(tf.equal(tf.argMax(f(x), -1), y), 'float32') as tf.Tensor1D;
  });
}

/** The same after the attack at eps: 1 where the example survives it. */
export function robustCorrectMask(f: Classifier, x: Tensor4D, labels: readonly number[], epsilon: number, opts: RobustOptions = {}): tf.Tensor1D {
  return tf.tidy(() => correctMask(f, adversarialBatch(f, x, labels, epsilon, opts), labels));
}

/** How many of the batch f classifies as `labels`: sum_i [argmax f(x_i) = y_i], a scalar. */
export function correctCount(f: Classifier, x: Tensor4D, labels: readonly number[]): tf.Scalar {
  return tf.tidy(() => tf.sum(correctMask(f, x, labels)) as tf.Scalar);
}

/** The same count after the attack at eps (robust accuracy x n), a scalar. */
export function robustCorrectCount(f: Classifier, x: Tensor4D, labels: readonly number[], epsilon: number, opts: RobustOptions = {}): tf.Scalar {
  return tf.tidy(() => correctCount(f, adversarialBatch(f, x, labels, epsilon, opts), labels));
}

export interface CurveOptions extends RobustOptions {
  /** Images per batch (default 100). */
  batchSize?: number;
  /** Called after each (eps, batch) is done with the fraction done. */
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/**
 * Robust accuracy against eps: acc(eps_j) = (1/n) sum_i [argmax f(attack(x_i, eps_j)) = y_i] for
 * each eps_j. FGSM computes sign(grad_x L) once per image (it does not depend on eps) and then one
 * forward pass per eps; PGD runs its steps for each eps. Batched; yields between batches (awaits a
 * download), so a page stays responsive; stops with an AbortError when `signal` aborts.
 */
export async function robustnessCurve(
  f: Classifier,
  x: Tensor4D,
  labels: readonly number[],
  epsilons: readonly number[],
  opts: CurveOptions = {},
): Promise<number[]> {
  const n = x.shape[0];
  if (labels.length !== n) throw new Error(`Got ${labels.length} labels for ${n} images.`);
  const bs = Math.max(1, opts.batchSize ?? 100);
  const clip = opts.clip ?? [0, 1];
  const correct = new Array<number>(epsilons.length).fill(0);
  const batches = Math.ceil(n / bs);
  const total = batches * (opts.attack === 'pgd' ? epsilons.length : 1);
  let done = 0;
  for (let s = 0; s < n; s += bs) {
    opts.signal?.throwIfAborted();
    const m = Math.min(bs, n - s);
    const yb = labels.slice(s, s + m);
    if (opts.attack === 'pgd') {
      for (let j = 0; j < epsilons.length; j++) {
        opts.signal?.throwIfAborted();
        const c = tf.tidy(() => {
          const xb = tf.slice(x, [s, 0, 0, 0], [m, -1, -1, -1]) as Tensor4D;
          return robustCorrectCount(f, xb, yb, epsilons[j], { ...opts, clip });
        });
        correct[j] += (await c.data())[0];
        c.dispose();
        opts.onProgress?.(++done / total);
      }
    } else {
      const counts = tf.tidy(() => {
        const xb = tf.slice(x, [s, 0, 0, 0], [m, -1, -1, -1]) as Tensor4D;
        const d = gradientSign(f, xb, yb);
        return tf.stack(epsilons.map((e) => correctCount(f, e > 0 ? fgsmStep(xb, d, e, clip) : xb, yb)));
      });
      const v = await counts.data();
      counts.dispose();
      v.forEach((c, j) => (correct[j] += c));
      opts.onProgress?.(++done / total);
    }
  }
  return correct.map((c) => c / n);
}

/**
 * The rows `idx` of t along its first axis (tf.gather's result). On wasm and cpu, whose tensors are
 * read back without a GPU round trip, copied in JavaScript: WASM's GatherV2 took ~4 ms for 200 of 256
 * digit images (a subtraction over all 256: 0.4 ms), 8% of a PGD curve's kernel time.
 */
function gatherRows<T extends tf.Tensor>(t: T, idx: readonly number[]): T {
  if (!['wasm', 'cpu'].includes(tf.getBackend()) || t.dtype !== 'float32') return tf.gather(t, Array.from(idx)) as T;
  const v = t.dataSync() as Float32Array;
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(idx.length * row);
  idx.forEach((i, r) => out.set(v.subarray(i * row, (i + 1) * row), r * row));
  return tf.tensor(out, [idx.length, ...t.shape.slice(1)], 'float32') as T;
}

/** sign(grad_x sum_i L(x_i, y_i)) and the logits f(x), from one pass when the classifier can give both. */
function directionAndLogits(f: Classifier, x: Tensor4D, labels: readonly number[]): { direction: Tensor4D; logits: Tensor2D } {
  return tf.tidy(() => {
    if (f.lossGradientWithLogits) {
      const { gradient, logits } = f.lossGradientWithLogits(x, labels);
      return { direction: exactSign(gradient), logits };
    }
    return { direction: gradientSign(f, x, labels), logits: f(x) };
  });
}

/**
 * Robust accuracy against eps under PGD (iterated FGSM with projection from x, no random start:
 * x^(k+1) = clip(Proj_eps(x^(k) + alpha sign(grad_x L(x^(k), y)))), alpha = 1.25 eps / steps unless
 * given), defined so that the curve cannot rise with eps:
 *   image i is robust at eps_j  iff  f classifies every iterate x^(0) = x, x^(1), ..., x^(steps) of PGD
 *   at every eps_j' <= eps_j as y_i.
 * (Plain PGD-k judges the last iterate alone, at each eps on its own; an iterate that fooled the model
 * is an adversarial example within the ball all the same, and a smaller ball lies inside a larger one,
 * so this is the stronger and the monotone reading.) The definition lets the work stop early without
 * changing any result:
 *  - the eps run one at a time, smallest first, each on the images still standing (an image that fell
 *    at a smaller eps is not attacked again), in batches of up to `batchSize` (default 256) images;
 *    one gradient per step for all of them, whose forward pass also checks the current iterate;
 *  - the first step's gradient, at x^(0) = x, is the same for every eps: computed once per image;
 *  - an image leaves the batch at its first misclassified iterate.
 * So an image robust at all eps costs 1 + 9 x (number of eps > 0) gradients and as many forward-only
 * passes (x^(steps)) as eps, for steps = 10. Returns the accuracy per eps in the order given (eps = 0:
 * clean accuracy). One download per PGD step.
 */
export async function pgdRobustnessCurve(
  f: Classifier,
  x: Tensor4D,
  labels: readonly number[],
  epsilons: readonly number[],
  opts: Omit<CurveOptions, 'attack'> = {},
): Promise<number[]> {
  const n = x.shape[0];
  if (labels.length !== n) throw new Error(`Got ${labels.length} labels for ${n} images.`);
  const steps = Math.max(1, Math.round(opts.steps ?? 10));
  const [lo, hi] = opts.clip ?? [0, 1];
  const order = epsilons.map((e, j) => j).sort((a, b) => epsilons[a] - epsilons[b]);
  const es = order.map((j) => epsilons[j]);
  const attacked = es.map((e, r) => r).filter((r) => es[r] > 0);
  const bs = Math.max(1, opts.batchSize ?? 256);
  const robust = new Array<number>(es.length).fill(0);
  const batches = Math.ceil(n / bs);
  let done = 0;
  for (let s = 0; s < n; s += bs) {
    opts.signal?.throwIfAborted();
    const m = Math.min(bs, n - s);
    const yb = labels.slice(s, s + m);
    const xb = tf.slice(x, [s, 0, 0, 0], [m, -1, -1, -1]) as Tensor4D;
    // Everything this batch holds is freed however it ends (an abort between steps, an error in f).
    let state: { x0: Tensor4D; lower: Tensor4D; upper: Tensor4D; alpha: Tensor4D } | undefined;
    let xk: Tensor4D | undefined;
    let d0: Tensor4D | undefined;
    let broken: number[] = [];
    try {
      // broken[i]: the rank (in es) of the smallest eps at which image i fell; es.length if none yet.
      const clean = correctMask(f, xb, yb);
      const c0 = await clean.data();
      clean.dispose();
      broken = Array.from(c0, (v) => (v > 0.5 ? es.length : 0));
      // The first step's direction sign(grad_x L(x^(0), y)) is the same at every eps (x^(0) = x): one
      // gradient for all of them, on the images the attacks start from, whose forward pass also judges
      // x^(0) as each eps's first check did. at[i]: image i's row in d0.
      const live = broken.map((b, i) => i).filter((i) => attacked.length && broken[i] > 0);
      const at = new Map(live.map((i, t) => [i, t]));
      if (live.length) {
        opts.signal?.throwIfAborted();
        const yl = live.map((i) => yb[i]);
        const first = tf.tidy(() => {
          const { direction, logits } = directionAndLogits(f, live.length === m ? xb : gatherRows(xb, live), yl);
          return { direction, ok: tf.equal(tf.argMax(logits, -1), tf.tensor1d(yl, 'int32')) };
        });
        d0 = first.direction;
        const v = await first.ok.data();
        first.ok.dispose();
        live.forEach((i, t) => {
          if (!v[t]) broken[i] = Math.min(broken[i], attacked[0]);
        });
      }
      const make = (rs: { i: number; r: number }[]) =>
        tf.tidy(() => {
          const x0 = gatherRows(xb, rs.map((q) => q.i));
          const e = tf.tensor4d(rs.map((q) => es[q.r]), [rs.length, 1, 1, 1]);
          return { x0, lower: tf.sub(x0, e) as Tensor4D, upper: tf.add(x0, e) as Tensor4D, alpha: tf.mul(e, opts.alpha !== undefined ? 0 : 1.25 / steps) as Tensor4D };
        });
      /** x^(k+1) = clip(Proj_eps(x^(k) + alpha d)). */
      const move = (st: NonNullable<typeof state>, x: Tensor4D, d: Tensor4D) =>
        tf.tidy(() => {
          const step = opts.alpha !== undefined ? opts.alpha : st.alpha;
          return tf.clipByValue(tf.minimum(tf.maximum(tf.add(x, tf.mul(d, step)), st.lower), st.upper), lo, hi) as Tensor4D;
        });
      // One eps at a time, smallest first: an image that fell at a smaller eps is not attacked again.
      for (const rank of attacked) {
        let rows: { i: number; r: number }[] = [];
        for (let i = 0; i < m; i++) if (rank < broken[i]) rows.push({ i, r: rank });
        state = rows.length ? make(rows) : undefined;
        // x^(1) from the shared first direction; the loop starts at k = 1.
        xk = state && d0 ? tf.tidy(() => move(state!, state!.x0, gatherRows(d0!, rows.map((q) => at.get(q.i)!)))) : undefined;
        for (let k = 1; k <= steps && rows.length && state && xk; k++) {
          opts.signal?.throwIfAborted();
          const yr = rows.map((q) => yb[q.i]);
          const out = k < steps ? directionAndLogits(f, xk, yr) : { direction: undefined, logits: f(xk) };
          const ok = tf.tidy(() => tf.equal(tf.argMax(out.logits, -1), tf.tensor1d(yr, 'int32')));
          const v = await ok.data();
          tf.dispose([ok, out.logits]);
          // A misclassified iterate: the image falls at this eps and every larger one.
          rows.forEach((q, t) => {
            if (!v[t]) broken[q.i] = Math.min(broken[q.i], q.r);
          });
          const keep = rows.map((q, t) => t).filter((t) => rows[t].r < broken[rows[t].i]);
          if (k === steps || !keep.length) {
            rows = rows.filter((q, t) => keep.includes(t));
            out.direction?.dispose();
            break;
          }
          const next = tf.tidy(() => {
            const st = state!;
            const moved = move(st, xk!, out.direction!);
            if (keep.length === rows.length) return { xk: moved, state: st };
            const g = <T extends tf.Tensor>(t: T) => gatherRows(t, keep);
            return { xk: g(moved), state: { x0: g(st.x0), lower: g(st.lower), upper: g(st.upper), alpha: g(st.alpha) } };
          });
          out.direction!.dispose();
          xk.dispose();
          if (next.state !== state) tf.dispose([state.x0, state.lower, state.upper, state.alpha]);
          xk = next.xk;
          state = next.state;
          rows = keep.map((t) => rows[t]);
          opts.onProgress?.((done + (attacked.indexOf(rank) + (k + 1) / (steps + 1)) / attacked.length) / batches);
        }
        if (state) tf.dispose([state.x0, state.lower, state.upper, state.alpha]);
        xk?.dispose();
        state = undefined;
        xk = undefined;
      }
    } finally {
      if (state) tf.dispose([state.x0, state.lower, state.upper, state.alpha]);
      xk?.dispose();
      d0?.dispose();
      xb.dispose();
    }
    for (let i = 0; i < m; i++) for (let r = 0; r < es.length; r++) if (r < broken[i]) robust[r]++;
    opts.onProgress?.(++done / batches);
  }
  const out = new Array<number>(epsilons.length);
  order.forEach((j, r) => (out[j] = robust[r] / n));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Training

export interface EpochOptions extends RobustOptions {
  /** Radius of the L-inf ball the adversarial points are drawn in. */
  epsilon?: number;
  /** Share m of the adversarial loss, 0..1 (0: clean training). */
  mix?: number;
  batchSize?: number;
  /** The order to visit the points in (a permutation of 0..n-1); default 0..n-1. */
  order?: readonly number[];
}

/**
 * One epoch of minibatch training: for each batch, x_adv = attack(current weights, x, y, eps), then
 * one optimizer step on (1 - m) L(x, y) + m L(x_adv, y). Returns the mean loss over the epoch as a
 * scalar (the caller reads it when it likes, and disposes it): no download inside the epoch.
 */
export function trainEpoch(m: Mlp, optimizer: tf.Optimizer, data: ToyData, opts: EpochOptions = {}): tf.Scalar {
  const n = data.labels.length;
  if (n === 0) return tf.scalar(0);
  const bs = Math.max(1, Math.min(n, opts.batchSize ?? 32));
  const eps = opts.epsilon ?? 0;
  const mix = Math.min(1, Math.max(0, opts.mix ?? 0));
  const order = opts.order ?? Array.from({ length: n }, (_, i) => i);
  const f = mlpClassifier(m);
  const vars = [...m.weights, ...m.biases];
  const clip = opts.clip ?? UNBOUNDED;
  let total = tf.scalar(0);
  for (let s = 0; s < n; s += bs) {
    const idx = order.slice(s, s + bs);
    const xs = new Float32Array(idx.length * 2);
    const ys = idx.map((i) => data.labels[i]);
    idx.forEach((i, k) => {
      xs[2 * k] = data.points[2 * i];
      xs[2 * k + 1] = data.points[2 * i + 1];
    });
    const next = tf.tidy(() => {
      const xb = tf.tensor4d(xs, [idx.length, 1, 1, 2]);
      const onehot = tf.oneHot(tf.tensor1d(ys, 'int32'), m.sizes[m.sizes.length - 1]);
      const xAdv = mix > 0 && eps > 0 ? adversarialBatch(f, xb, ys, eps, { ...opts, clip }) : undefined;
      const loss = optimizer.minimize(
        () => {
          const clean = tf.losses.softmaxCrossEntropy(onehot, f(xb));
          if (!xAdv) return clean as tf.Scalar;
          const adv = tf.losses.softmaxCrossEntropy(onehot, f(xAdv));
          return tf.add(tf.mul(clean, 1 - mix), tf.mul(adv, mix)) as tf.Scalar;
        },
        true,
        vars,
      )!;
      return tf.add(total, tf.mul(loss, idx.length / n)) as tf.Scalar;
    });
    total.dispose();
    total = next;
  }
  return total;
}

/** Adam, the optimiser the toy widget trains with (tf.train.adam; dispose it with the network). */
export function createOptimizer(learningRate: number): tf.Optimizer {
  return tf.train.adam(learningRate);
}

export interface ToyMetrics {
  /** Clean accuracy on the points. */
  clean: number;
  /** Accuracy after the attack at eps. */
  robust: number;
}

/** Clean and robust accuracy of a toy network on a data set, with one download. */
export async function toyMetrics(m: Mlp, data: ToyData, epsilon: number, opts: RobustOptions = {}): Promise<ToyMetrics> {
  const n = data.labels.length;
  if (n === 0) return { clean: 0, robust: 0 };
  const labels = Array.from(data.labels);
  const f = mlpClassifier(m);
  const both = tf.tidy(() => {
    const x = pointsTensor(data);
    return tf.stack([correctCount(f, x, labels), robustCorrectCount(f, x, labels, epsilon, { clip: UNBOUNDED, ...opts })]);
  });
  const [c, r] = await both.data();
  both.dispose();
  return { clean: c / n, robust: r / n };
}

