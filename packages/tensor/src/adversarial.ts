/**
 * Adversarial examples (the course's FGSM lecture). A classifier is f: x -> logits, x an NHWC batch
 * in the model's valid input range (ConvLab images: [0, 1]). The loss is the softmax cross-entropy
 *   L(x, y) = -log softmax(f(x))_y.
 * The attack looks for x' with ||x' - x||_inf <= eps that the model gets wrong.
 */
import { tf, type Tensor, type Tensor2D, type Tensor4D } from './tf.js';

export interface Classifier {
  (x: Tensor4D): Tensor2D;
  /**
   * Optional: grad_x of the batch's summed cross-entropy, sum_i L(x_i, y_i), computed by hand (a small
   * network whose backward pass is a few ops). gradientSign uses it instead of tf.grad when present;
   * it must equal tf.grad's gradient up to float rounding.
   */
  lossGradient?: (x: Tensor4D, labels: readonly number[]) => Tensor4D;
  /** Optional: the same gradient and the logits f(x) of the forward pass it ran (attacks that check each iterate use both). */
  lossGradientWithLogits?: (x: Tensor4D, labels: readonly number[]) => { gradient: Tensor4D; logits: Tensor2D };
}

export interface AttackOptions {
  /** Targeted attack: move toward class `label` instead of away from it. Default false. */
  targeted?: boolean;
  /** Valid input range [lo, hi]; x' is clipped to it. Default [0, 1]. */
  clip?: readonly [number, number];
}

function labelsFor(label: number | readonly number[], batch: number): number[] {
  const l = typeof label === 'number' ? Array(batch).fill(label) : [...label];
  if (l.length !== batch) throw new Error(`Got ${l.length} labels for a batch of ${batch}.`);
  return l;
}

/** Softmax cross-entropy L(x, y), averaged over the batch. */
export function crossEntropy(f: Classifier, x: Tensor4D, label: number | readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const logits = f(x);
    const y = tf.oneHot(tf.tensor1d(labelsFor(label, x.shape[0]), 'int32'), logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  });
}

/** The input gradient grad_x L(x, y) of the cross-entropy loss. */
export function inputGradient(f: Classifier, x: Tensor4D, label: number | readonly number[]): Tensor4D {
  return tf.tidy(() => tf.grad((xi: Tensor) => crossEntropy(f, xi as Tensor4D, label))(x) as Tensor4D);
}

/**
 * sign(v) = +1, -1 or 0 for every value, exactly, on every backend: (v > 0) - (v < 0).
 *
 * Not tf.sign: TF.js's WASM backend (4.22.0) returns 0 for |v| below about 1.2e-7 (float32's
 * machine epsilon) -- tf.sign([1e-7, 1e-6]) is [0, 1] on wasm, [1, 1] on cpu. Input gradients of a
 * confident classifier are that small (1e-9 to 1e-7 for MNIST digits the model gets right), so
 * sign(grad) came out all zero for those images and FGSM / PGD left them unchanged.
 */
export function exactSign<T extends Tensor>(v: T): T {
  return tf.tidy(() => tf.sub(tf.cast(tf.greater(v, 0), 'float32'), tf.cast(tf.less(v, 0), 'float32')) as T);
}

/**
 * The FGSM step direction, one gradient computation:
 *   untargeted: d = sign(grad_x L(x, y))      (climb the loss of the true class y)
 *   targeted:   d = -sign(grad_x L(x, t))     (descend the loss of the target class t)
 * Values are -1, 0 or +1. A widget computes this once per image and keeps it.
 *
 * The gradient is that of the batch's summed loss (each image's own gradient; the sign is the same
 * as for the mean, which divides every value by the batch size and pushes it toward float16 / float32
 * underflow), and the sign is exactSign's, not tf.sign's (see exactSign).
 */
export function gradientSign(
  f: Classifier,
  x: Tensor4D,
  label: number | readonly number[],
  opts: Pick<AttackOptions, 'targeted'> = {},
): Tensor4D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const g = f.lossGradient
      ? f.lossGradient(x, labelsFor(label, n))
      : tf.grad((xi: Tensor) => tf.mul(crossEntropy(f, xi as Tensor4D, label), n))(x);
    const s = exactSign(g);
    return (opts.targeted ? tf.neg(s) : s) as Tensor4D;
  });
}

/**
 * One step along a kept direction: x' = clip(x + eps * d, lo, hi). No gradient: this is what an
 * epsilon slider calls on every move.
 */
export function fgsmStep(x: Tensor4D, direction: Tensor4D, epsilon: number, clip: readonly [number, number] = [0, 1]): Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(direction, epsilon)), clip[0], clip[1]) as Tensor4D);
}

/** The perturbation delta = x' - x and its size: ||delta||_inf and how many values changed (|delta| > tol). */
export interface PerturbationSummary {
  delta: Tensor4D;
  /** ||x' - x||_inf, a scalar. */
  linf: tf.Scalar;
  /** The number of input values that changed by more than tol, a scalar. */
  changed: tf.Scalar;
}

/** delta = x' - x, ||delta||_inf and the count of changed values, without a download (the caller reads what it needs). */
export function perturbationSummary(x: Tensor4D, xAdv: Tensor4D, tol = 1e-6): PerturbationSummary {
  return tf.tidy(() => {
    const delta = tf.sub(xAdv, x) as Tensor4D;
    const a = tf.abs(delta);
    return { delta, linf: tf.max(a) as tf.Scalar, changed: tf.sum(tf.cast(tf.greater(a, tol), 'float32')) as tf.Scalar };
  });
}

/**
 * Fast Gradient Sign Method (Goodfellow et al., 2015):
 *   untargeted: x' = clip(x + eps * sign(grad_x L(x, y)))
 *   targeted:   x' = clip(x - eps * sign(grad_x L(x, t)))
 */
export function fgsm(f: Classifier, x: Tensor4D, label: number | readonly number[], epsilon: number, opts: AttackOptions = {}): Tensor4D {
  return tf.tidy(() => fgsmStep(x, gradientSign(f, x, label, opts), epsilon, opts.clip));
}

export interface IterativeOptions extends AttackOptions {
  /** Radius of the L-inf ball around x. */
  epsilon: number;
  /** Step size per iteration. Default eps / steps * 1.25 (so the ball's edge is reachable). */
  alpha?: number;
  /** Number of steps. Default 10. */
  steps?: number;
}

/**
 * Iterative FGSM / PGD (Kurakin et al.; Madry et al.), starting at x:
 *   x_{k+1} = clip( Proj_{||x' - x||inf <= eps}( x_k + alpha * d_k ) ),
 *   d_k = sign(grad L(x_k, y)) (untargeted) or -sign(grad L(x_k, t)) (targeted),
 * where the projection clips each pixel to [x - eps, x + eps] and clip keeps the valid range.
 */
export function iterativeFgsm(f: Classifier, x: Tensor4D, label: number | readonly number[], opts: IterativeOptions): Tensor4D {
  const steps = Math.max(1, Math.round(opts.steps ?? 10));
  const alpha = opts.alpha ?? (opts.epsilon / steps) * 1.25;
  const [lo, hi] = opts.clip ?? [0, 1];
  return tf.tidy(() => {
    const lower = tf.sub(x, opts.epsilon);
    const upper = tf.add(x, opts.epsilon);
    let xk: Tensor4D = tf.clone(x);
    for (let k = 0; k < steps; k++) {
      const next = tf.tidy(() => {
        const d = gradientSign(f, xk, label, opts);
        const stepped = tf.add(xk, tf.mul(d, alpha));
        return tf.clipByValue(tf.minimum(tf.maximum(stepped, lower), upper), lo, hi) as Tensor4D;
      });
      xk.dispose();
      xk = next;
    }
    return xk;
  });
}

export interface FlipResult {
  /** The smallest epsilon found (to `tolerance`) at which the top-1 class changes (untargeted) or becomes the target. */
  epsilon: number;
  /** The top-1 class at that epsilon. */
  label: number;
  /** Its softmax probability. */
  confidence: number;
}

/**
 * Smallest eps along a kept direction d for which argmax f(clip(x + eps d)) differs from `label`
 * (or, targeted, equals it): a batched scan of `samples` values in (0, maxEpsilon] (one forward pass),
 * then bisection to `tolerance`. Returns null when no eps up to maxEpsilon flips it.
 * x must be a batch of one.
 */
export async function minimumFlipEpsilon(
  f: Classifier,
  x: Tensor4D,
  direction: Tensor4D,
  label: number,
  opts: AttackOptions & { maxEpsilon?: number; samples?: number; tolerance?: number } = {},
): Promise<FlipResult | null> {
  const maxEps = opts.maxEpsilon ?? 1;
  const samples = opts.samples ?? 64;
  const tol = opts.tolerance ?? 1e-3;
  const clip = opts.clip ?? [0, 1];
  const hit = (top: number) => (opts.targeted ? top === label : top !== label);
  const evaluate = async (eps: number[]) => {
    const probs = tf.tidy(() => {
      const e = tf.tensor4d(eps, [eps.length, 1, 1, 1]);
      const batch = tf.clipByValue(tf.add(x, tf.mul(direction, e)), clip[0], clip[1]) as Tensor4D;
      return tf.softmax(f(batch));
    });
    const values = (await probs.array()) as number[][];
    probs.dispose();
    return values.map((row) => {
      let top = 0;
      for (let i = 1; i < row.length; i++) if (row[i] > row[top]) top = i;
      return { top, p: row[top] };
    });
  };
  const grid = Array.from({ length: samples }, (_, i) => ((i + 1) / samples) * maxEps);
  const scan = await evaluate(grid);
  const k = scan.findIndex((r) => hit(r.top));
  if (k < 0) return null;
  let lo = k === 0 ? 0 : grid[k - 1];
  let hi = grid[k];
  let best = scan[k];
  while (hi - lo > tol) {
    const mid = (lo + hi) / 2;
    const [r] = await evaluate([mid]);
    if (hit(r.top)) {
      hi = mid;
      best = r;
    } else lo = mid;
  }
  return { epsilon: hi, label: best.top, confidence: best.p };
}

/** The logistic sigmoid, sigma(z) = 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export interface LinearSide {
  x: number[];
  /** The terms w_i * x_i. */
  products: number[];
  /** w . x + b */
  logit: number;
  /** sigma(w . x + b) */
  probability: number;
}

export interface LinearFgsmResult {
  original: LinearSide;
  adversarial: LinearSide;
  /** sign(w): the direction each x_i moves. */
  direction: number[];
  epsilon: number;
}

function side(w: readonly number[], x: number[], b: number): LinearSide {
  const products = x.map((xi, i) => roundClean(w[i] * xi));
  const logit = roundClean(products.reduce((a, v) => a + v, 0) + b);
  return { x, products, logit, probability: sigmoid(logit) };
}

/** Removes binary floating-point noise (2.2000000000000002 -> 2.2) without changing real digits. */
function roundClean(v: number): number {
  return Number.parseFloat(v.toPrecision(12));
}

/**
 * The slide's worked example: logistic regression P(y = 1 | x) = sigma(w . x + b). Moving every
 * x_i by eps in the direction of sign(w_i),
 *   x' = x + eps * sign(w),   w . x' + b = w . x + b + eps * ||w||_1,
 * raises the score by eps times the L1 norm of w, although no coordinate moves more than eps.
 */
export function linearFgsm(w: readonly number[], x: readonly number[], b: number, epsilon: number): LinearFgsmResult {
  if (w.length !== x.length) throw new Error(`w has ${w.length} entries but x has ${x.length}.`);
  const direction = w.map((wi) => Math.sign(wi));
  const xAdv = x.map((xi, i) => roundClean(xi + epsilon * direction[i]));
  return { original: side(w, [...x], b), adversarial: side(w, xAdv, b), direction, epsilon };
}

/** Writes a sum term by term as the slide does: [2.2, 2.1, -2.9] -> "2.2+2.1-2.9". */
export function formatSum(terms: readonly number[], digits = 4): string {
  return terms
    .map((t, i) => {
      const s = String(Number.parseFloat(t.toFixed(digits)));
      return i === 0 || s.startsWith('-') ? s : `+${s}`;
    })
    .join('');
}
