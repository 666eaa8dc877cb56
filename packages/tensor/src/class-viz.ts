/**
 * Optimisation to image (Simonyan, Vedaldi & Zisserman 2014; Yosinski et al. 2015): the image that
 * maximises a class score before the softmax, or one unit of any layer,
 *
 *   I* = argmax_I  S_c(I) - lambda ||I||_2^2,
 *
 * found by gradient ascent from a starting image: forward, set the gradient of the score to one
 * (a one-hot at the class), backprop to the image, and take a small step,
 *
 *   I <- I + lr * (dS_c/dI - 2 lambda I).
 *
 * The regularisers that make the images readable (Yosinski et al.) are each switchable: L2 decay
 * (lambda; 0 = off), jitter (the image is shifted by a random offset of up to `jitter` pixels
 * before each gradient, and the gradient shifted back; 0 = off) and a periodic Gaussian blur (sigma
 * `blur` every `blurEvery` steps; 0 = off). Pixels are kept in `clip` (default the model's valid
 * [0, 1]). Several classes (or units) run at once as one batch: one image per target.
 *
 * The API is a stepper, so that a page can run a few steps per frame and never freeze.
 */
import { tf, type Tensor, type Tensor4D } from './tf.js';
import { batchTargetSum, checkTarget, visualisationRunner, type NeuronTarget, type VisualisedModel } from './saliency.js';
import { mulberry32 } from './prng.js';

export type ClassVisStart = 'zeros' | 'noise' | 'grey' | Tensor4D;

export interface ClassVisOptions {
  /** The class (or one class per image of the batch). */
  class?: number | readonly number[];
  /** With `unit`: visualise a unit of this layer instead of a class. */
  layer?: string;
  /** The unit (or one per image). Spatial layers: the channel's mean over positions, or its neuron at `position`. */
  unit?: number | readonly number[];
  position?: [number, number] | 'mean';
  /** L2 weight lambda in S - lambda ||I||^2. Default 0.01. */
  lambda?: number;
  /** Steps the run stops after. Default 200. */
  steps?: number;
  /** Step size. Default 0.05. */
  lr?: number;
  /** Largest random shift in pixels before each gradient (0 = off). Default 1. */
  jitter?: number;
  /** Sigma of the periodic Gaussian blur in pixels (0 = off). Default 0.5. */
  blur?: number;
  /** Blur every this many steps. Default 4. */
  blurEvery?: number;
  /** Starting image: zeros, uniform noise in [0, 0.2] around 0.1, flat grey 0.5, or a given image [1 or n, h, w, c] (copied). Default 'zeros'. */
  start?: ClassVisStart;
  /** Pixel range kept after each step (null: unbounded). Default [0, 1]. */
  clip?: readonly [number, number] | null;
  /** Seed of the jitter and noise (the same seed gives the same run). Default 1. */
  seed?: number;
}

export interface ClassVisStep {
  /** Steps taken so far (1 after the first). */
  step: number;
  /** S (class score or unit value) of each image, at the image the step started from. */
  scores: number[];
  /** ||I||_2 of each image after the step. */
  norms: number[];
}

/** mulberry32 (prng.ts): a small seeded PRNG (the same seed, the same jitter). */
const prng = mulberry32;

/** Shifts an image batch by (dy, dx) pixels, cyclically (what leaves one edge comes back at the other). */
export function roll(x: Tensor4D, dy: number, dx: number): Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    let out: Tensor4D = x;
    const sy = ((dy % h) + h) % h;
    if (sy) out = tf.concat([tf.slice(out, [0, h - sy, 0, 0], [-1, sy, -1, -1]), tf.slice(out, [0, 0, 0, 0], [-1, h - sy, -1, -1])], 1) as Tensor4D;
    const sx = ((dx % w) + w) % w;
    if (sx) out = tf.concat([tf.slice(out, [0, 0, w - sx, 0], [-1, -1, sx, -1]), tf.slice(out, [0, 0, 0, 0], [-1, -1, w - sx, -1])], 2) as Tensor4D;
    return out === x ? tf.clone(x) : out;
  });
}

/** A normalised 1-D Gaussian of standard deviation sigma, radius ceil(2 sigma) (at least 1). */
export function gaussianKernel1d(sigma: number): number[] {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Separable Gaussian blur of each channel, edges padded by reflection-free replication ('same' on an edge-padded copy). */
export function gaussianBlur(x: Tensor4D, sigma: number): Tensor4D {
  if (!(sigma > 0)) return tf.clone(x);
  return tf.tidy(() => {
    const c = x.shape[3];
    const k = gaussianKernel1d(sigma);
    const r = (k.length - 1) / 2;
    const kx = tf.tile(tf.tensor4d(k, [1, k.length, 1, 1]), [1, 1, c, 1]) as Tensor4D;
    const ky = tf.tile(tf.tensor4d(k, [k.length, 1, 1, 1]), [1, 1, c, 1]) as Tensor4D;
    const padded = tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'symmetric');
    const h = tf.depthwiseConv2d(padded, kx, 1, 'valid');
    return tf.depthwiseConv2d(h, ky, 1, 'valid') as Tensor4D;
  });
}

/** Targets of a run, one per image, checked against the model. */
function targetsOf(model: VisualisedModel, opts: ClassVisOptions): NeuronTarget[] {
  let targets: NeuronTarget[];
  if (opts.layer !== undefined) {
    const units = typeof opts.unit === 'number' ? [opts.unit] : [...(opts.unit ?? [0])];
    targets = units.map((unit) => ({ layer: opts.layer!, unit, position: opts.position ?? 'mean' }));
  } else {
    const classes = typeof opts.class === 'number' ? [opts.class] : [...(opts.class ?? [0])];
    targets = classes.map((c) => ({ class: c }));
  }
  if (!targets.length) throw new Error('No class or unit to visualise.');
  for (const t of targets) checkTarget(model, t);
  return targets;
}

/**
 * One gradient-ascent step of S - lambda ||I||^2 on a batch of images, without the regularisers
 * that are not part of the objective: returns the ascent direction dS/dI - 2 lambda I and S.
 */
export function classVisGradient(model: VisualisedModel, image: Tensor4D, targets: readonly NeuronTarget[], lambda: number): { gradient: Tensor4D; scores: tf.Tensor1D } {
  return tf.tidy(() => {
    let values: tf.Tensor1D | undefined;
    const { value, grad } = tf.valueAndGrad((x: Tensor) => {
      const r = batchTargetSum(model, x as Tensor4D, targets);
      values = tf.keep(r.values);
      return r.sum;
    })(image);
    value.dispose();
    const g = lambda ? tf.sub(grad, tf.mul(image, 2 * lambda)) : grad;
    const out = { gradient: g as Tensor4D, scores: values! };
    return out;
  });
}

/**
 * A class-visualisation run: call `step()` (synchronous, no download) as often as the frame allows,
 * and `readSteps()` to download the scores and norms of the steps since the last read.
 */
export class ClassVisualiser {
  /** The current images, [n, h, w, c]: one per target. Owned by the run (do not dispose). */
  image: Tensor4D;
  readonly targets: NeuronTarget[];
  steps: number;
  stepCount = 0;
  private readonly random: () => number;
  private pending: { step: number; scores: tf.Tensor1D; norms: tf.Tensor1D }[] = [];
  private o: Required<Pick<ClassVisOptions, 'lambda' | 'lr' | 'jitter' | 'blur' | 'blurEvery'>> & { clip: readonly [number, number] | null };

  constructor(
    private readonly model: VisualisedModel,
    opts: ClassVisOptions = {},
  ) {
    this.targets = targetsOf(model, opts);
    const num = (v: number | undefined, d: number, name: string, min = 0) => {
      const x = v ?? d;
      if (!Number.isFinite(x) || x < min) throw new RangeError(`${name} must be a number of at least ${min} (got ${v}).`);
      return x;
    };
    this.o = {
      lambda: num(opts.lambda, 0.01, 'lambda'),
      lr: num(opts.lr, 0.05, 'The learning rate'),
      jitter: Math.round(num(opts.jitter, 1, 'The jitter')),
      blur: num(opts.blur, 0.5, 'The blur'),
      blurEvery: Math.max(1, Math.round(num(opts.blurEvery, 4, 'blurEvery', 1))),
      clip: opts.clip === undefined ? [0, 1] : opts.clip,
    };
    this.steps = Math.round(num(opts.steps, 200, 'The number of steps', 1));
    this.random = prng(opts.seed ?? 1);
    const r = visualisationRunner(model);
    const shape = r.layers.inputs[0].shape;
    const [h, w, c] = 'inputShape' in model && Array.isArray(model.inputShape) && model.inputShape.length === 3 ? (model.inputShape as [number, number, number]) : (shape.slice(1) as [number, number, number]);
    const n = this.targets.length;
    const start = opts.start ?? 'zeros';
    this.image = tf.tidy(() => {
      if (typeof start !== 'string') {
        if (start.shape[1] !== h || start.shape[2] !== w || start.shape[3] !== c) {
          throw new Error(`The starting image is ${start.shape.slice(1, 3).join('×')}×${start.shape[3]}; the model takes ${h}×${w}×${c}.`);
        }
        return (start.shape[0] === n ? tf.clone(start) : tf.tile(tf.slice(start, [0, 0, 0, 0], [1, -1, -1, -1]), [n, 1, 1, 1])) as Tensor4D;
      }
      if (start === 'noise') {
        const v = Float32Array.from({ length: n * h * w * c }, () => 0.2 * this.random());
        return tf.tensor4d(v, [n, h, w, c]);
      }
      if (start === 'grey') return tf.fill([n, h, w, c], 0.5) as Tensor4D;
      if (start === 'zeros') return tf.zeros([n, h, w, c]) as Tensor4D;
      throw new Error(`Unknown start '${start}': use zeros, noise, grey or an image.`);
    });
  }

  /**
   * Changes the step settings of a run in progress (the next step uses them): lambda, lr, jitter,
   * blur, blurEvery, steps. Values are checked as at the start.
   */
  setOptions(opts: Pick<ClassVisOptions, 'lambda' | 'lr' | 'jitter' | 'blur' | 'blurEvery' | 'steps'>): void {
    const check = (v: number | undefined, name: string, min = 0) => {
      if (v !== undefined && !(Number.isFinite(v) && v >= min)) throw new RangeError(`${name} must be a number of at least ${min} (got ${v}).`);
    };
    check(opts.lambda, 'lambda');
    check(opts.lr, 'The learning rate');
    check(opts.jitter, 'The jitter');
    check(opts.blur, 'The blur');
    check(opts.blurEvery, 'blurEvery', 1);
    check(opts.steps, 'The number of steps', 1);
    this.o = {
      ...this.o,
      ...(opts.lambda !== undefined && { lambda: opts.lambda }),
      ...(opts.lr !== undefined && { lr: opts.lr }),
      ...(opts.jitter !== undefined && { jitter: Math.round(opts.jitter) }),
      ...(opts.blur !== undefined && { blur: opts.blur }),
      ...(opts.blurEvery !== undefined && { blurEvery: Math.round(opts.blurEvery) }),
    };
    if (opts.steps !== undefined) this.steps = Math.round(opts.steps);
  }

  get done(): boolean {
    return this.stepCount >= this.steps;
  }

  /** One step: jitter, gradient of S - lambda ||I||^2, ascent, clip, and the periodic blur. */
  step(): void {
    const { lambda, lr, jitter, blur, blurEvery, clip } = this.o;
    const dy = jitter ? Math.floor(this.random() * (2 * jitter + 1)) - jitter : 0;
    const dx = jitter ? Math.floor(this.random() * (2 * jitter + 1)) - jitter : 0;
    this.stepCount++;
    const k = this.stepCount;
    const next = tf.tidy(() => {
      const shifted = dy || dx ? roll(this.image, dy, dx) : this.image;
      const { gradient, scores } = classVisGradient(this.model, shifted, this.targets, lambda);
      const g = dy || dx ? roll(gradient, -dy, -dx) : gradient;
      let img: Tensor4D = tf.add(this.image, tf.mul(g, lr));
      if (clip) img = tf.clipByValue(img, clip[0], clip[1]);
      if (blur > 0 && k % blurEvery === 0) img = gaussianBlur(img, blur);
      const norms = tf.sqrt(tf.sum(tf.square(img), [1, 2, 3])) as tf.Tensor1D;
      this.pending.push({ step: k, scores: tf.keep(scores), norms: tf.keep(norms) });
      return img;
    });
    this.image.dispose();
    this.image = next;
  }

  /** Downloads the scores and norms of the steps since the last read (one download for all of them). */
  async readSteps(): Promise<ClassVisStep[]> {
    const p = this.pending;
    this.pending = [];
    if (!p.length) return [];
    const all = tf.tidy(() => tf.stack(p.flatMap((s) => [s.scores, s.norms])));
    tf.dispose(p.flatMap((s) => [s.scores, s.norms]));
    const rows = (await all.array()) as number[][];
    all.dispose();
    return p.map((s, i) => ({ step: s.step, scores: rows[2 * i], norms: rows[2 * i + 1] }));
  }

  /** Frees the image and any unread step values. */
  dispose(): void {
    tf.dispose(this.pending.flatMap((s) => [s.scores, s.norms]));
    this.pending = [];
    this.image.dispose();
  }
}

/**
 * Starts a class (or unit) visualisation run. Throws a clear error for a class, layer or unit that
 * does not exist. Call `step()` until `done`, then read `image`; `dispose()` when finished.
 */
export function classVisualisation(model: VisualisedModel, opts: ClassVisOptions = {}): ClassVisualiser {
  return new ClassVisualiser(model, opts);
}

/**
 * Runs steps for at most `budgetMs` of one frame (at least one step), then returns: what a page
 * calls once per animation frame so that the page stays responsive. A step is started only if it
 * is expected to end within the budget (by the mean time of this call's steps so far): a step that
 * overran it would push the paint into the next frame, and each call would then cost two frames.
 */
export function stepFor(run: ClassVisualiser, budgetMs: number, maxSteps = Infinity): number {
  const t0 = performance.now();
  let n = 0;
  while (!run.done && n < maxSteps) {
    if (n > 0) {
      const elapsed = performance.now() - t0;
      if (elapsed + elapsed / n > budgetMs) break;
    }
    run.step();
    n++;
  }
  return n;
}
