/**
 * K small dense networks of one shape, trained side by side as ONE network with block-diagonal
 * weights, so that an epoch of both of the toy widget's networks (clean and adversarial) costs the
 * kernels of one. TF.js spends most of a tiny network's time dispatching kernels, not computing:
 * two [2, 16, 16, 2] networks trained through tf.grad, tf.train.adam and per-batch attacks took
 * ~4,600 kernels an epoch; this file does the same math in ~80 per batch.
 *
 * Layout. Network k reads input columns [k d_0, (k+1) d_0) and writes logit columns
 * [k C, (k+1) C). Layer l's weight is W_l = blockdiag(W_l^(0), ..., W_l^(K-1)), [K d_l, K d_{l+1}],
 * its bias the K biases one after the other. A row of the batch carries one point per network, so
 *   z_{l+1} = h_l W_l + b_l,   h_{l+1} = relu(z_{l+1})   (one fused MatMul per layer)
 * computes every network's layer at once, and the off-diagonal blocks are zero, so the networks never
 * see each other. Every weight and bias of every network lives in ONE flat variable (`params`); the
 * gradient of the off-diagonal entries is masked to zero, so Adam leaves them at zero.
 *
 * Backward pass by hand (softmax cross-entropy over each network's own C logits):
 *   dz_L = (softmax_k(z_L) - onehot(y)) * w_row,k
 *   dW_l = h_l^T dz_{l+1},   db_l = sum_rows dz_{l+1},   dh_l = dz_{l+1} W_l^T,
 *   dz_l = dh_l * [h_l > 0]                                   (ReLU: h > 0 exactly where z > 0)
 * w_row,k is the weight of row `row` in network k's loss; with those weights
 *   L_k = sum_row w_row,k * CE_k(row)
 * is network k's (1 - m_k) mean L(x, y) + m_k mean L(x_adv, y) when the batch is its clean rows,
 * then its adversarial rows. The input gradient (for the attacks) is the same pass with w = 1, down to
 * dx = dz_1 W_0^T, whose columns [k d_0, (k+1) d_0) are network k's grad_x sum_i L_k(x_i, y_i).
 *
 * Adam on the flat parameters (Kingma & Ba; tf.train.adam's formula and defaults):
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *   theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 *
 * Everything runs on any TF.js backend (fused MatMul with bias and ReLU, Step, Softmax and
 * element-wise kernels: webgl, wasm and cpu). The toy points are unbounded: no clipping.
 * Functions dispose what they make; the caller owns what they return.
 */
import { tf, type Tensor2D } from './tf.js';
import { exactSign } from './adversarial.js';
import { createMlp, disposeMlp, type Mlp, type MlpOptions, type ToyData, type AttackName } from './adversarial-training.js';

/** Where layer l's weight and bias sit in the flat parameters. */
interface LayerSlot {
  w: { offset: number; shape: [number, number] };
  b: { offset: number; size: number };
}

export interface MlpStack {
  /** Networks side by side. */
  count: number;
  /** Units per layer of one network, inputs first: [2, 16, 16, 2]. */
  sizes: number[];
  /** Every network's weights and biases, flat (layer by layer: W_l row-major, then b_l). */
  params: tf.Variable<tf.Rank.R1>;
  /** 1 where a parameter belongs to a network (the diagonal blocks and the biases), 0 elsewhere. */
  mask: tf.Tensor1D;
  slots: LayerSlot[];
}

function slotsFor(sizes: number[], k: number): { slots: LayerSlot[]; size: number } {
  const slots: LayerSlot[] = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const shape: [number, number] = [k * sizes[l], k * sizes[l + 1]];
    const w = { offset: o, shape };
    o += shape[0] * shape[1];
    const b = { offset: o, size: shape[1] };
    o += shape[1];
    slots.push({ w, b });
  }
  return { slots, size: o };
}

/** The block-diagonal matrix of the blocks (each [r, c]) and the 0/1 mask of its blocks. */
function blockDiagonal(blocks: tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const k = blocks.length;
    const c = blocks[0].shape[1];
    return tf.concat(blocks.map((b, i) => tf.pad(b, [[0, 0], [i * c, (k - 1 - i) * c]])), 0) as tf.Tensor2D;
  });
}

/**
 * Stacks networks of one shape (e.g. from createMlp) into one block-diagonal network. The networks
 * are copied; they stay the caller's.
 */
export function stackMlps(nets: readonly Mlp[]): MlpStack {
  if (!nets.length) throw new Error('stackMlps needs at least one network.');
  const sizes = nets[0].sizes;
  if (nets.some((n) => n.sizes.join() !== sizes.join())) throw new Error('stackMlps: the networks must have the same layer sizes.');
  const k = nets.length;
  const { slots } = slotsFor(sizes, k);
  const flat = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    const maskParts: tf.Tensor[] = [];
    slots.forEach((_, l) => {
      parts.push(tf.reshape(blockDiagonal(nets.map((n) => n.weights[l] as unknown as tf.Tensor2D)), [-1]));
      parts.push(tf.concat(nets.map((n) => n.biases[l])));
      maskParts.push(tf.reshape(blockDiagonal(nets.map((n) => tf.onesLike(n.weights[l]) as tf.Tensor2D)), [-1]));
      maskParts.push(tf.ones([k * sizes[l + 1]]));
    });
    return { params: tf.concat(parts) as tf.Tensor1D, mask: tf.concat(maskParts) as tf.Tensor1D };
  });
  const params = tf.variable(flat.params, true) as tf.Variable<tf.Rank.R1>;
  flat.params.dispose();
  return { count: k, sizes: [...sizes], params, mask: flat.mask, slots };
}

/** `count` networks created by createMlp with the same options (and so the same seeded starting weights). */
export function createMlpStack(opts: MlpOptions & { count?: number } = {}): MlpStack {
  const nets = Array.from({ length: opts.count ?? 2 }, () => createMlp(opts));
  const s = stackMlps(nets);
  nets.forEach(disposeMlp);
  return s;
}

/** Network k of the stack as a separate Mlp (copies; the caller disposes it). */
export function unstackMlp(s: MlpStack, k: number): Mlp {
  const v = views(s);
  const out = tf.tidy(() =>
    s.slots.map((_, l) => {
      const [r, c] = [s.sizes[l], s.sizes[l + 1]];
      return {
        w: tf.slice(v.w[l], [k * r, k * c], [r, c]),
        b: tf.slice(v.b[l], [k * c], [c]),
      };
    }),
  );
  tf.dispose([...v.w, ...v.wT, ...v.b]);
  return {
    sizes: [...s.sizes],
    weights: out.map((o) => {
      const w = tf.variable(o.w, true);
      o.w.dispose();
      return w;
    }),
    biases: out.map((o) => {
      const b = tf.variable(o.b, true);
      o.b.dispose();
      return b;
    }),
  };
}

export function disposeMlpStack(s: MlpStack): void {
  tf.dispose([s.params, s.mask]);
}

/**
 * The layers' weights W_l [K d_l, K d_{l+1}], their transposes and the biases [K d_{l+1}], from the flat
 * parameters. The backward pass multiplies by explicit transposes: TF.js's WASM backend (4.22) runs
 * matMul(a, b, false, true) and matMul(a, b, true, false) about 20 times slower than a transpose and a
 * plain matMul at these sizes ([1000, 32] x [32, 32]: 1.6 ms against 0.07 ms).
 */
function views(s: MlpStack): { w: Tensor2D[]; wT: Tensor2D[]; b: tf.Tensor1D[] } {
  return tf.tidy(() => {
    const w = s.slots.map((sl) => tf.reshape(tf.slice(s.params, sl.w.offset, sl.w.shape[0] * sl.w.shape[1]), sl.w.shape) as Tensor2D);
    return {
      w,
      wT: w.map((m) => tf.transpose(m) as Tensor2D),
      b: s.slots.map((sl) => tf.slice(s.params, sl.b.offset, sl.b.size) as tf.Tensor1D),
    };
  });
}

type Views = ReturnType<typeof views>;

/** h_0 = x, h_{l+1} = relu(h_l W_l + b_l), the last layer linear: [x, h_1, …, logits]. */
function forward(v: Views, x: Tensor2D): Tensor2D[] {
  const hs = [x];
  const last = v.w.length - 1;
  v.w.forEach((w, l) => {
    hs.push(tf.fused.matMul({ a: hs[l], b: w, bias: v.b[l], activation: l < last ? 'relu' : 'linear' }) as Tensor2D);
  });
  return hs;
}

/** Softmax over each network's own C logits: [n, K C] -> [n, K C]. */
function groupSoftmax(logits: Tensor2D, k: number): Tensor2D {
  const [n, kc] = logits.shape;
  return tf.reshape(tf.softmax(tf.reshape(logits, [n, k, kc / k])), [n, kc]) as Tensor2D;
}

/** dz_l -> dh_{l-1} = dz_l W^T -> dz_{l-1} back through layer l-1's ReLU (mask h > 0); wT is W^T. */
function backThroughRelu(dz: Tensor2D, wT: Tensor2D, h: Tensor2D): Tensor2D {
  return tf.mul(tf.matMul(dz, wT), tf.step(h)) as Tensor2D;
}

/** grad_x of sum_i L_k(x_i, y_i) for every network at once: [n, K d_0] for rows x [n, K d_0]. */
function inputGradient(v: Views, k: number, x: Tensor2D, onehot: Tensor2D): Tensor2D {
  const hs = forward(v, x);
  let dz = tf.sub(groupSoftmax(hs[hs.length - 1], k), onehot) as Tensor2D;
  for (let l = v.w.length - 1; l > 0; l--) dz = backThroughRelu(dz, v.wT[l], hs[l]);
  return tf.matMul(dz, v.wT[0]) as Tensor2D;
}

export interface StackAttackOptions {
  /** 'fgsm' (one step) or 'pgd' (iterated FGSM with projection, no random start). Default 'fgsm'. */
  attack?: AttackName;
  /** PGD steps (default 10). */
  steps?: number;
  /** PGD step size (default 1.25 eps / steps, as iterativeFgsm). */
  alpha?: number;
}

/**
 * Untargeted FGSM or PGD points within ||x' - x||_inf <= eps against every network at once: rows x
 * [n, K d_0] (network k's point in its columns), one-hot labels [n, K C]. No clipping (toy points).
 * The same points as fgsm / iterativeFgsm against each network alone.
 */
function attackRows(v: Views, k: number, x: Tensor2D, onehot: Tensor2D, eps: number, opts: StackAttackOptions): Tensor2D {
  if (opts.attack !== 'pgd') return tf.add(x, tf.mul(exactSign(inputGradient(v, k, x, onehot)), eps)) as Tensor2D;
  const steps = Math.max(1, Math.round(opts.steps ?? 10));
  const alpha = opts.alpha ?? (eps / steps) * 1.25;
  const lower = tf.sub(x, eps);
  const upper = tf.add(x, eps);
  let xk = x;
  for (let i = 0; i < steps; i++) {
    const stepped = tf.add(xk, tf.mul(exactSign(inputGradient(v, k, xk, onehot)), alpha));
    xk = tf.minimum(tf.maximum(stepped, lower), upper) as Tensor2D;
  }
  return xk;
}

/** Points [n, d_0] (one per row) repeated for each of k networks: [n, k d_0]. */
function repeatRows(points: Float32Array, n: number, d: number, k: number, rows: readonly number[] | null = null): Float32Array {
  const out = new Float32Array(n * k * d);
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) out[(r * k + j) * d + c] = points[i * d + c];
  }
  return out;
}

/** One-hot labels for k networks of c classes: [n, k c]. */
function repeatOneHot(labels: ArrayLike<number>, n: number, c: number, k: number, rows: readonly number[] | null = null): Float32Array {
  const out = new Float32Array(n * k * c);
  for (let r = 0; r < n; r++) {
    const y = labels[rows ? rows[r] : r];
    for (let j = 0; j < k; j++) out[(r * k + j) * c + y] = 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Adam on one flat variable

export interface FlatAdam {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Steps taken. */
  t: number;
  m: tf.Variable<tf.Rank.R1>;
  v: tf.Variable<tf.Rank.R1>;
}

/** A variable of `size` zeros (tf.variable shares the data of the tensor it is given: that tensor is freed). */
function zerosVariable(size: number): tf.Variable<tf.Rank.R1> {
  const z = tf.zeros([size]) as tf.Tensor1D;
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}

/** Adam's state for `size` parameters, with tf.train.adam's defaults (b1 0.9, b2 0.999, eps 1e-7). */
export function createFlatAdam(size: number, learningRate: number, opts: { beta1?: number; beta2?: number; epsilon?: number } = {}): FlatAdam {
  return {
    learningRate,
    beta1: opts.beta1 ?? 0.9,
    beta2: opts.beta2 ?? 0.999,
    epsilon: opts.epsilon ?? 1e-7,
    t: 0,
    m: zerosVariable(size),
    v: zerosVariable(size),
  };
}

export function disposeFlatAdam(a: FlatAdam): void {
  tf.dispose([a.m, a.v]);
}

/** One Adam step of `params` along gradient g (same size), in place. About a dozen kernels. */
export function flatAdamStep(a: FlatAdam, params: tf.Variable<tf.Rank.R1>, g: tf.Tensor1D): void {
  a.t++;
  const c1 = 1 - a.beta1 ** a.t;
  const c2 = 1 - a.beta2 ** a.t;
  tf.tidy(() => {
    const m = tf.add(tf.mul(a.m, a.beta1), tf.mul(g, 1 - a.beta1)) as tf.Tensor1D;
    const v = tf.add(tf.mul(a.v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2)) as tf.Tensor1D;
    // lr (m / c1) / (sqrt(v / c2) + eps) = (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2))
    const step = tf.div(tf.mul(m, (a.learningRate * Math.sqrt(c2)) / c1), tf.add(tf.sqrt(v), a.epsilon * Math.sqrt(c2)));
    a.m.assign(m);
    a.v.assign(v);
    params.assign(tf.sub(params, step) as tf.Tensor1D);
  });
}

// ---------------------------------------------------------------------------------------------
// Training and measuring

export interface StackEpochOptions extends StackAttackOptions {
  /** Radius of the L-inf ball of the adversarial points. */
  epsilon?: number;
  /** Network k's share m_k of adversarial loss, 0..1 (missing: 0, clean training). */
  mix?: readonly number[];
  /** Default 32. */
  batchSize?: number;
  /** The order to visit the points in (a permutation of 0..n-1); default 0..n-1. */
  order?: readonly number[];
}

/**
 * One epoch of minibatch training of every network of the stack, on the same batches: per batch,
 * each network's FGSM / PGD points against its current weights, then one Adam step of
 * (1 - m_k) L_k(x, y) + m_k L_k(x_adv, y) for each network (mean over the batch); the same updates as
 * trainEpoch with tf.train.adam on each network alone. Returns each network's mean loss over the
 * epoch, [K] (no download inside the epoch).
 */
export function mlpStackEpoch(s: MlpStack, adam: FlatAdam, data: ToyData, opts: StackEpochOptions = {}): tf.Tensor1D {
  const k = s.count;
  const d = s.sizes[0];
  const c = s.sizes[s.sizes.length - 1];
  const n = data.labels.length;
  if (n === 0) return tf.zeros([k]);
  const bs = Math.max(1, Math.min(n, opts.batchSize ?? 32));
  const eps = opts.epsilon ?? 0;
  const mix = Array.from({ length: k }, (_, j) => Math.min(1, Math.max(0, opts.mix?.[j] ?? 0)));
  const attack = eps > 0 && mix.some((m) => m > 0);
  const order = opts.order ?? Array.from({ length: n }, (_, i) => i);
  let total = tf.zeros([k]) as tf.Tensor1D;
  for (let s0 = 0; s0 < n; s0 += bs) {
    const idx = order.slice(s0, s0 + bs);
    const b = idx.length;
    const rows = attack ? 2 * b : b;
    // Row weights: network j's clean rows (1 - m_j) / b, its adversarial rows m_j / b (clean only: 1 / b).
    const w = new Float32Array(rows * k * c);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) {
        const wr = attack ? (r < b ? 1 - mix[j] : mix[j]) / b : 1 / b;
        w.fill(wr, (r * k + j) * c, (r * k + j + 1) * c);
      }
    }
    const xs = repeatRows(data.points, b, d, k, idx);
    const ys = repeatOneHot(data.labels, b, c, k, idx);
    const next = tf.tidy(() => {
      const v = views(s);
      const x = tf.tensor2d(xs, [b, k * d]);
      const y1 = tf.tensor2d(ys, [b, k * c]);
      const xb = attack ? (tf.concat([x, attackRows(v, k, x, y1, eps, opts)]) as Tensor2D) : x;
      const y = attack ? (tf.concat([y1, y1]) as Tensor2D) : y1;
      const rw = tf.tensor3d(w, [rows, k, c]);
      const hs = forward(v, xb);
      const z = tf.reshape(hs[hs.length - 1], [rows, k, c]);
      const logp = tf.logSoftmax(z);
      const y3 = tf.reshape(y, [rows, k, c]);
      // L_k = -sum_rows w_row,k log p_k(y_row): [K]
      const loss = tf.neg(tf.sum(tf.mul(tf.mul(logp, y3), rw), [0, 2])) as tf.Tensor1D;
      let dz = tf.reshape(tf.mul(tf.sub(tf.exp(logp), y3), rw), [rows, k * c]) as Tensor2D;
      const grads: tf.Tensor[] = [];
      for (let l = v.w.length - 1; l >= 0; l--) {
        grads[2 * l] = tf.reshape(tf.matMul(tf.transpose(hs[l]), dz), [-1]);
        grads[2 * l + 1] = tf.sum(dz, 0);
        if (l > 0) dz = backThroughRelu(dz, v.wT[l], hs[l]);
      }
      flatAdamStep(adam, s.params, tf.mul(tf.concat(grads), s.mask) as tf.Tensor1D);
      return tf.add(total, tf.mul(loss, b / n)) as tf.Tensor1D;
    });
    total.dispose();
    total = next;
  }
  return total;
}

/** Logits of every network for shared points x [n, d_0]: [n, K C]. */
export function mlpStackLogits(s: MlpStack, x: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const hs = forward(views(s), tf.tile(x, [1, s.count]) as Tensor2D);
    return hs[hs.length - 1];
  });
}

/** Per point and network, 1 where the network classifies the point as its label: [n, K]. */
function correctFromLogits(s: MlpStack, logits: Tensor2D, labels: tf.Tensor1D): Tensor2D {
  const n = logits.shape[0];
  const pred = tf.argMax(tf.reshape(logits, [n, s.count, logits.shape[1] / s.count]), 2);
  return tf.cast(tf.equal(pred, tf.reshape(labels, [n, 1])), 'float32') as Tensor2D;
}

/** Per point and network, 1 where network k classifies point i (shared points x [n, d_0]) as labels[i]: [n, K]. */
export function mlpStackCorrectMask(s: MlpStack, x: Tensor2D, labels: readonly number[]): Tensor2D {
  return tf.tidy(() => correctFromLogits(s, mlpStackLogits(s, x), tf.tensor1d(Array.from(labels), 'int32')));
}

/**
 * Per point and network, 1 where network k still classifies point i correctly after the attack at eps
 * against network k (each network attacked on its own, all at once): [n, K]. eps = 0: the clean mask.
 */
export function mlpStackRobustMask(s: MlpStack, x: Tensor2D, labels: readonly number[], epsilon: number, opts: StackAttackOptions = {}): Tensor2D {
  const n = x.shape[0];
  const [c, k] = [s.sizes[s.sizes.length - 1], s.count];
  return tf.tidy(() => {
    const v = views(s);
    const xr = tf.tile(x, [1, k]) as Tensor2D;
    const y = tf.tensor2d(repeatOneHot(labels, n, c, k), [n, k * c]);
    const xa = epsilon > 0 ? attackRows(v, k, xr, y, epsilon, opts) : xr;
    const hs = forward(v, xa);
    return correctFromLogits(s, hs[hs.length - 1], tf.tensor1d(Array.from(labels), 'int32'));
  });
}

/** P(class `classIndex` | point) of every network on a size x size grid over [x0, x1] x [y0, y1] (row 0 at y1): [K, size * size]. */
export function mlpStackGrid(s: MlpStack, opts: { x: [number, number]; y: [number, number]; size: number; classIndex?: number }): Tensor2D {
  const { size } = opts;
  if (s.sizes[0] !== 2) throw new Error(`mlpStackGrid draws networks of 2 inputs, not ${s.sizes[0]}.`);
  const cls = opts.classIndex ?? 1;
  const c = s.sizes[s.sizes.length - 1];
  const pts = new Float32Array(size * size * 2);
  const at = (lo: number, hi: number, i: number) => (size > 1 ? lo + ((hi - lo) * i) / (size - 1) : lo);
  for (let r = 0; r < size; r++) {
    for (let q = 0; q < size; q++) {
      pts[2 * (r * size + q)] = at(opts.x[0], opts.x[1], q);
      pts[2 * (r * size + q) + 1] = at(opts.y[1], opts.y[0], r);
    }
  }
  return tf.tidy(() => {
    const p = groupSoftmax(mlpStackLogits(s, tf.tensor2d(pts, [size * size, 2])), s.count);
    const pk = tf.slice(tf.reshape(p, [size * size, s.count, c]), [0, 0, cls], [-1, -1, 1]);
    return tf.transpose(tf.reshape(pk, [size * size, s.count])) as Tensor2D;
  });
}
