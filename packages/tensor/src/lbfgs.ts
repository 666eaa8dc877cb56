/**
 * Two optimisers over one tensor (an image, or any parameter tensor), written out so that a page can
 * show what they do and run them step by step on any TF.js backend:
 *
 * Adam (Kingma & Ba 2015), one step from the gradient g at step t (t = 1, 2, ...):
 *
 *   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2
 *   x <- x - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * L-BFGS (Nocedal 1980; Liu & Nocedal 1989), which Gatys et al. used for style transfer. It keeps the
 * last `history` pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i, and finds the direction d = -H g with
 * the two-loop recursion (Nocedal & Wright, Algorithm 7.4):
 *
 *   q = g
 *   for i = k-1 .. k-m:  rho_i = 1 / (y_i . s_i);  a_i = rho_i s_i . q;  q -= a_i y_i
 *   r = gamma q,  gamma = (s_{k-1} . y_{k-1}) / (y_{k-1} . y_{k-1})
 *   for i = k-m .. k-1:  b = rho_i y_i . r;  r += s_i (a_i - b)
 *   d = -r
 *
 * then a step x + t d with t = 1 (the first step: t = min(1, 1 / |g|_1), as PyTorch's LBFGS does),
 * halved until the Armijo condition f(x + t d) <= f(x) + c1 t g.d holds ('armijo'), or taken as it is
 * ('none', PyTorch's default). A pair with y.s <= 1e-10 (no positive curvature) is not stored.
 *
 * TF.js has Adam (tf.train.adam) but no L-BFGS; both are here so that they can be compared on the
 * same loss, and so that their state is plain tensors that the caller can dispose.
 */
import { tf, type Tensor } from './tf.js';

export interface AdamOptions {
  /** Step size. Default 0.02. */
  lr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam's moving averages and its step count. Dispose with `disposeAdam`. */
export interface AdamState {
  m: Tensor;
  v: Tensor;
  /** Steps taken (1 after the first). */
  t: number;
}

/**
 * One Adam step: returns the new x and the new state (new tensors; the caller disposes the old x
 * and calls `disposeAdam` on the old state). `state` undefined starts from m = v = 0, t = 0.
 */
export function adamStep(x: Tensor, grad: Tensor, state: AdamState | undefined, opts: AdamOptions = {}): { x: Tensor; state: AdamState } {
  const { lr = 0.02, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = opts;
  const t = (state?.t ?? 0) + 1;
  return tf.tidy(() => {
    const m0 = state?.m ?? tf.zerosLike(grad);
    const v0 = state?.v ?? tf.zerosLike(grad);
    const m = tf.add(tf.mul(m0, beta1), tf.mul(grad, 1 - beta1));
    const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(grad), 1 - beta2));
    const mHat = tf.div(m, 1 - beta1 ** t);
    const vHat = tf.div(v, 1 - beta2 ** t);
    const next = tf.sub(x, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr));
    return { x: next, state: { m, v, t } };
  });
}

export function disposeAdam(state: AdamState | undefined): void {
  if (state) tf.dispose([state.m, state.v]);
}

/** A loss and its gradient at x; both new tensors that the optimiser disposes. */
export type ValueAndGradient = (x: Tensor) => { value: tf.Scalar; grad: Tensor } | Promise<{ value: tf.Scalar; grad: Tensor }>;

export interface LbfgsOptions {
  /** Pairs (s, y) kept. Default 10. */
  history?: number;
  /** 'armijo': backtrack (halve t) until sufficient decrease; 'none': take t as it is. Default 'armijo'. */
  lineSearch?: 'armijo' | 'none';
  /** Sufficient-decrease constant c1. Default 1e-4. */
  c1?: number;
  /** Largest number of halvings in one step. Default 10. */
  maxBacktracks?: number;
  /** Scale of the step (PyTorch's lr). Default 1. */
  lr?: number;
  /** Keep x in this range after each step (the pair uses the projected step). null: unbounded. Default null. */
  clip?: readonly [number, number] | null;
}

export interface LbfgsStep {
  /** f at the point the step started from. */
  value: number;
  /** f at the new point. */
  newValue: number;
  /** Step length t taken (after backtracking). */
  t: number;
  /** Loss and gradient evaluations this step used. */
  evaluations: number;
  /** Pairs in the history after the step. */
  pairs: number;
  /** True when the direction was not a descent direction and the history was dropped. */
  restarted: boolean;
}

const dot = (a: Tensor, b: Tensor): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(a, b)));

/**
 * L-BFGS over one tensor. `step(fg, x)` returns the new x (a new tensor: the caller disposes the old
 * one unless it keeps it). The optimiser keeps f and the gradient at the x it returned, so the next
 * step costs one evaluation when its first trial is accepted; call `reset()` whenever the loss
 * function changes (new weights, new targets) or x is replaced from outside.
 */
export class Lbfgs {
  readonly opts: Required<Omit<LbfgsOptions, 'clip'>> & { clip: readonly [number, number] | null };
  private s: Tensor[] = [];
  private y: Tensor[] = [];
  private rho: number[] = [];
  /** x, f and g of the last accepted point (x is the caller's tensor: not owned, only compared). */
  private last?: { x: Tensor; value: number; grad: Tensor };
  private iterations = 0;

  constructor(opts: LbfgsOptions = {}) {
    this.opts = {
      history: Math.max(1, Math.round(opts.history ?? 10)),
      lineSearch: opts.lineSearch ?? 'armijo',
      c1: opts.c1 ?? 1e-4,
      maxBacktracks: opts.maxBacktracks ?? 10,
      lr: opts.lr ?? 1,
      clip: opts.clip ?? null,
    };
  }

  /** Pairs stored now. */
  get pairs(): number {
    return this.s.length;
  }

  /** The search direction -H g by the two-loop recursion (a new tensor). */
  direction(grad: Tensor): Tensor {
    return tf.tidy(() => {
      const k = this.s.length;
      if (!k) return tf.neg(grad);
      let q: Tensor = grad;
      const a: tf.Scalar[] = new Array(k);
      for (let i = k - 1; i >= 0; i--) {
        a[i] = tf.mul(dot(this.s[i], q), this.rho[i]);
        q = tf.sub(q, tf.mul(this.y[i], a[i]));
      }
      const sy = 1 / this.rho[k - 1];
      const gamma = tf.div(sy, dot(this.y[k - 1], this.y[k - 1]));
      let r: Tensor = tf.mul(q, gamma);
      for (let i = 0; i < k; i++) {
        const b = tf.mul(dot(this.y[i], r), this.rho[i]);
        r = tf.add(r, tf.mul(this.s[i], tf.sub(a[i], b)));
      }
      return tf.neg(r);
    });
  }

  /** One L-BFGS iteration from x. Returns the new x (a new tensor) and what happened. */
  async step(fg: ValueAndGradient, x: Tensor): Promise<{ x: Tensor; info: LbfgsStep }> {
    let evaluations = 0;
    if (!this.last || this.last.x !== x) {
      this.dropLast();
      const r = await fg(x);
      evaluations++;
      const value = (await r.value.data())[0];
      r.value.dispose();
      this.last = { x, value, grad: r.grad };
    }
    const { value: f0, grad: g0 } = this.last;
    let d = this.direction(g0);
    let gtdT = dot(g0, d);
    let gtd = (await gtdT.data())[0];
    gtdT.dispose();
    let restarted = false;
    if (!(gtd < 0) || !Number.isFinite(gtd)) {
      // Not a descent direction (or a numerical failure): forget the curvature and go down the gradient.
      restarted = this.s.length > 0;
      this.clearHistory();
      d.dispose();
      d = tf.neg(g0);
      gtdT = dot(g0, d);
      gtd = (await gtdT.data())[0];
      gtdT.dispose();
    }
    let t = this.opts.lr;
    if (this.iterations === 0 && this.s.length === 0) {
      const l1T = tf.tidy(() => tf.sum(tf.abs(g0)));
      const l1 = (await l1T.data())[0];
      l1T.dispose();
      t = Math.min(1, 1 / Math.max(l1, 1e-30)) * this.opts.lr;
    }
    let x1: Tensor | undefined;
    let r1: { value: tf.Scalar; grad: Tensor } | undefined;
    let f1 = Infinity;
    for (let tries = 0; ; tries++) {
      x1 = tf.tidy(() => {
        const moved = tf.add(x, tf.mul(d, t));
        return this.opts.clip ? tf.clipByValue(moved, this.opts.clip[0], this.opts.clip[1]) : moved;
      });
      r1 = await fg(x1);
      evaluations++;
      f1 = (await r1.value.data())[0];
      r1.value.dispose();
      // Sufficient decrease; near the minimum, f's float32 rounding (a few ulps of |f0|) counts as no change.
      const enough = f1 <= f0 + this.opts.c1 * t * gtd + 1e-6 * Math.abs(f0);
      if (this.opts.lineSearch === 'none' || (enough && Number.isFinite(f1)) || tries >= this.opts.maxBacktracks) break;
      tf.dispose([x1, r1.grad]);
      t *= 0.5;
    }
    d.dispose();
    const [s, y] = tf.tidy(() => [tf.sub(x1!, x), tf.sub(r1!.grad, g0)]);
    const ysT = dot(y, s);
    const ys = (await ysT.data())[0];
    ysT.dispose();
    if (ys > 1e-10 && Number.isFinite(ys)) {
      this.s.push(s);
      this.y.push(y);
      this.rho.push(1 / ys);
      if (this.s.length > this.opts.history) {
        tf.dispose([this.s.shift()!, this.y.shift()!]);
        this.rho.shift();
      }
    } else {
      tf.dispose([s, y]);
    }
    this.dropLast();
    this.last = { x: x1!, value: f1, grad: r1!.grad };
    this.iterations++;
    return { x: x1!, info: { value: f0, newValue: f1, t, evaluations, pairs: this.s.length, restarted } };
  }

  private clearHistory(): void {
    tf.dispose([...this.s, ...this.y]);
    this.s = [];
    this.y = [];
    this.rho = [];
  }

  private dropLast(): void {
    this.last?.grad.dispose();
    this.last = undefined;
  }

  /** Forgets the history and the cached gradient (the loss changed). */
  reset(): void {
    this.clearHistory();
    this.dropLast();
    this.iterations = 0;
  }

  /** Frees every tensor the optimiser holds. */
  dispose(): void {
    this.reset();
  }
}
