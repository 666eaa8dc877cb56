/**
 * Neural style transfer by optimisation (Gatys, Ecker & Bethge, CVPR 2016): start from an image x and
 * change its pixels until its features match the content of a photo p and the style of an image a.
 *
 * Features of layer l: F^l, N_l channels at M_l = H_l W_l positions (here NHWC, read as [M, N]).
 *
 *   Gram matrix   G^l_ij = sum_k F^l_ik F^l_jk           (at each position, the outer product of its
 *                                                          N features, summed over positions; unnormalised)
 *   style loss    E_l = 1 / (4 N_l^2 M_l^2) sum_ij (G^l_ij - Ĝ^l_ij)^2      (Ĝ: the style image's)
 *   content loss  L_content = 1/2 sum_ij (F^l_ij - P^l_ij)^2                  (P: the photo's features)
 *   total         L = alpha L_content + beta sum_l w_l E_l
 *
 * The features come from an encoder: a chain of convolutions (+ ReLU) and poolings, either a VGG-shaped
 * network with seeded random weights built in the page (He, Wang & Hopcroft 2016 showed that random
 * features transfer style), or the convolutions of any TF.js layers model (a converted VGG19, say).
 * Every function here is pure over tensors and runs on any backend (WASM included: the encoder runs
 * plain conv2d + relu, so the input gradient needs only Conv2DBackpropInput).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from './tf.js';
import { mulberry32 } from './prng.js';
import { ConvLabError, ModelLoadError } from './errors.js';
import { adamStep, disposeAdam, Lbfgs, type AdamState, type LbfgsStep } from './lbfgs.js';

// ---------------------------------------------------------------------------------------------
// The formulas

/**
 * The Gram matrix G = F^T F of one image's features, unnormalised (the slide's formula):
 * G_ij = sum_k F_ik F_jk over the M = H W positions k. `features`: [1, H, W, N], [H, W, N] or [M, N].
 * Returns [N, N].
 */
export function gram(features: Tensor): Tensor2D {
  return tf.tidy(() => {
    const n = features.shape[features.shape.length - 1];
    if (features.rank === 4 && features.shape[0] !== 1) throw new ConvLabError('bad-shape', `gram takes one image's features, not a batch of ${features.shape[0]}.`);
    return gramOf(tf.reshape(features, [-1, n]) as Tensor2D);
  });
}

/**
 * G = F^T F for F [M, N], with its gradient written out: dL/dF = F (dL/dG + dL/dG^T). Both as plain
 * matrix products of untransposed operands: TF.js's WASM matMul with a transposed first operand was
 * measured 30x slower here (142 ms against 4.6 ms for M = 65,536, N = 16), and that is what autodiff
 * of F^T F would run.
 */
const gramOf = tf.customGrad(((f: Tensor, save: (ts: Tensor[]) => void) => {
  const F = f as Tensor2D;
  save([F]);
  return {
    value: tf.matMul(tf.transpose(F), F),
    gradFunc: (dy: Tensor, saved: Tensor[]) => tf.matMul(saved[0] as Tensor2D, tf.add(dy, tf.transpose(dy)) as Tensor2D),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (f: Tensor2D) => Tensor2D;

/**
 * The outer product f f^T of the N features at one position (row, col) of [1, H, W, N] features:
 * the (N, 1) x (1, N) term that position adds to the Gram matrix. Returns [N, N].
 */
export function positionOuterProduct(features: Tensor4D, row: number, col: number): Tensor2D {
  return tf.tidy(() => {
    const n = features.shape[3];
    const f = tf.reshape(tf.slice(features, [0, row, col, 0], [1, 1, 1, n]), [1, n]) as Tensor2D;
    return tf.matMul(f, f, true, false);
  });
}

/** The Gram matrix summed over the first `count` positions only (row-major order): G as the sum builds up. */
export function partialGram(features: Tensor, count: number): Tensor2D {
  return tf.tidy(() => {
    const n = features.shape[features.shape.length - 1];
    const f = tf.reshape(features, [-1, n]) as Tensor2D;
    const k = Math.max(0, Math.min(f.shape[0], Math.round(count)));
    if (k === 0) return tf.zeros([n, n]) as Tensor2D;
    const part = tf.slice(f, [0, 0], [k, n]);
    return tf.matMul(part, part, true, false);
  });
}

/** N (channels) and M (positions) of a feature tensor [1, H, W, N], [H, W, N] or [M, N]. */
export function featureSize(features: Tensor): { N: number; M: number } {
  const N = features.shape[features.shape.length - 1];
  return { N, M: features.size / N };
}

/** E = 1 / (4 N^2 M^2) sum_ij (G_ij - Ĝ_ij)^2: the style loss of one layer. */
export function styleLoss(G: Tensor, Ghat: Tensor, N: number, M: number): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.squaredDifference(G, Ghat)), 4 * N * N * M * M) as tf.Scalar);
}

/** L = 1/2 sum (F - P)^2: the content loss between the image's features F and the photo's P. */
export function contentLoss(F: Tensor, P: Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.sum(tf.squaredDifference(F, P)), 0.5) as tf.Scalar);
}

/** The targets an image is optimised towards: the style image's Gram matrices and the photo's features. */
export interface StyleTargets {
  /** Ĝ^l for each style layer. */
  grams: Record<string, Tensor2D>;
  /** The content layer's name and P, the photo's features there. */
  contentLayer: string;
  content: Tensor4D;
}

export interface LossWeights {
  /** Weight of the content loss. */
  alpha: number;
  /** Weight of the style loss. */
  beta: number;
  /** w_l per style layer (missing: 1 / number of style layers, as Gatys et al.). */
  layers?: Record<string, number>;
}

export interface StyleLossParts {
  total: tf.Scalar;
  content: tf.Scalar;
  /** E_l per style layer (unweighted). */
  style: Record<string, tf.Scalar>;
}

/**
 * L = alpha L_content + beta sum_l w_l E_l from the image's features at the content and style layers.
 * All returned scalars are new tensors.
 */
export function totalLoss(features: Record<string, Tensor4D>, targets: StyleTargets, weights: LossWeights): StyleLossParts {
  const names = Object.keys(targets.grams);
  const style: Record<string, tf.Scalar> = {};
  const content = contentLoss(need(features, targets.contentLayer), targets.content);
  let sum: tf.Scalar = tf.scalar(0);
  for (const l of names) {
    const F = need(features, l);
    const { N, M } = featureSize(F);
    style[l] = tf.tidy(() => styleLoss(gram(F), targets.grams[l], N, M));
    const w = weights.layers?.[l] ?? 1 / names.length;
    const next = tf.tidy(() => tf.add(sum, tf.mul(style[l], w)) as tf.Scalar);
    sum.dispose();
    sum = next;
  }
  const total = tf.tidy(() => tf.add(tf.mul(content, weights.alpha), tf.mul(sum, weights.beta)) as tf.Scalar);
  sum.dispose();
  return { total, content, style };
}

function need(features: Record<string, Tensor4D>, name: string): Tensor4D {
  const f = features[name];
  if (!f) throw new ConvLabError('no-layer', `No features for layer "${name}".`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Encoders

/** One layer of an encoder: the chain runs them in order. */
export type EncoderLayer =
  | {
      kind: 'conv';
      name: string;
      kernel: Tensor4D;
      bias?: tf.Tensor1D;
      relu: boolean;
      strides: [number, number];
      padding: 'same' | 'valid';
      dilation: [number, number];
      /** The kernel turned 180° with its channels swapped (flipKernel), made once by the encoder builders for layerVjp; disposed with the encoder. */
      flipped?: Tensor4D;
    }
  | { kind: 'pool'; name: string; type: 'avg' | 'max'; size: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'relu'; name: string };

/** How [0, 1] RGB pixels are turned into what the encoder was made for. */
export type EncoderPreprocess = 'unit' | 'centered' | 'symmetric' | 'caffe' | 'imagenet';
export const ENCODER_PREPROCESS: readonly EncoderPreprocess[] = ['unit', 'centered', 'symmetric', 'caffe', 'imagenet'];

/** A chain of convolutions and poolings whose activations serve as style and content features. */
export interface StyleEncoder {
  name: string;
  layers: EncoderLayer[];
  preprocess: EncoderPreprocess;
  /** Where it came from ('random' with its seed, or the URL). */
  source: string;
}

/** The names of an encoder's layers whose features can be used (convolutions, ReLUs, poolings), in order. */
export function encoderLayerNames(enc: StyleEncoder, kinds: readonly EncoderLayer['kind'][] = ['conv', 'relu', 'pool']): string[] {
  return enc.layers.filter((l) => kinds.includes(l.kind)).map((l) => l.name);
}

/** Channels of each conv layer's output (for N in the loss and for pickers). */
export function encoderChannels(enc: StyleEncoder): Record<string, number> {
  const out: Record<string, number> = {};
  let c = 3;
  for (const l of enc.layers) {
    if (l.kind === 'conv') c = l.kernel.shape[3];
    out[l.name] = c;
  }
  return out;
}

function preprocess(x: Tensor4D, how: EncoderPreprocess): Tensor4D {
  switch (how) {
    case 'unit':
      return x;
    case 'centered':
      return tf.sub(x, 0.5);
    case 'symmetric':
      return tf.sub(tf.mul(x, 2), 1);
    case 'caffe': {
      // Keras' VGG preprocessing: RGB -> BGR, 0..255, minus the ImageNet mean per channel.
      const bgr = tf.reverse(x, -1);
      return tf.sub(tf.mul(bgr, 255), tf.tensor1d([103.939, 116.779, 123.68]));
    }
    case 'imagenet':
      return tf.div(tf.sub(x, tf.tensor1d([0.485, 0.456, 0.406])), tf.tensor1d([0.229, 0.224, 0.225]));
  }
}

/** Applies one encoder layer to h (a new tensor; call inside tf.tidy). */
export function applyLayer(l: EncoderLayer, h: Tensor4D): Tensor4D {
  if (l.kind === 'conv') {
    let y = tf.conv2d(h, l.kernel, l.strides, l.padding, 'NHWC', l.dilation);
    if (l.bias) y = tf.add(y, l.bias);
    return l.relu ? tf.relu(y) : y;
  }
  if (l.kind === 'relu') return tf.relu(h);
  return l.type === 'avg' ? tf.avgPool(h, l.size, l.strides, l.padding) : tf.maxPool(h, l.size, l.strides, l.padding);
}

/**
 * The vector-Jacobian product of one encoder layer: dL/dh from dL/dy, given the layer's input h and
 * its output y (a new tensor; call inside tf.tidy). No forward pass is recomputed. For a stride-1
 * convolution, dL/dh is itself a convolution: of dL/dz (dL/dy masked where the ReLU was off, y = 0)
 * with the kernel turned 180° and its input and output channels swapped, padded by the complement of
 * the forward padding. That runs on the backends' fast forward convolution (XNNPACK on WASM), where
 * TF.js's own gradient runs Conv2DBackpropInput (measured 15x slower on WASM for 16 -> 32 channels at
 * 128x128). Average pooling over windows that tile the input spreads each gradient over its window.
 * Other layers (strided convolutions, max or overlapping poolings) use TF.js's gradient.
 */
export function layerVjp(l: EncoderLayer, h: Tensor4D, y: Tensor4D, dy: Tensor4D): Tensor4D {
  if (l.kind === 'relu') return tf.mul(dy, tf.step(y));
  if (l.kind === 'conv' && l.strides[0] === 1 && l.strides[1] === 1) {
    const [kh, kw] = l.kernel.shape;
    const [dh, dw] = l.dilation;
    const dz: Tensor4D = l.relu ? tf.mul(dy, tf.step(y)) : dy;
    const flipped = l.flipped ?? flipKernel(l.kernel);
    // Forward padding (TF's 'same': the odd pixel at the bottom / right); the adjoint pads the other way.
    const pad = (k: number, d: number): [number, number] => {
      const total = (k - 1) * d;
      if (l.padding === 'valid') return [total, total];
      const before = Math.floor(total / 2);
      return [total - before, before];
    };
    const [pt, pb] = pad(kh, dh);
    const [pl, pr] = pad(kw, dw);
    return tf.conv2d(dz, flipped, 1, [[0, 0], [pt, pb], [pl, pr], [0, 0]], 'NHWC', [dh, dw]);
  }
  if (l.kind === 'pool' && l.type === 'avg' && l.padding === 'valid' && l.size[0] === l.strides[0] && l.size[1] === l.strides[1] && h.shape[1] === y.shape[1] * l.strides[0] && h.shape[2] === y.shape[2] * l.strides[1]) {
    // Non-overlapping windows that tile the input: each input pixel gets its window's gradient / area
    // (a nearest-neighbour upsampling; about 5x faster than AvgPoolGrad on WASM).
    return tf.div(tf.image.resizeNearestNeighbor(dy, [h.shape[1], h.shape[2]]), l.size[0] * l.size[1]);
  }
  return tf.grad((hi: Tensor) => applyLayer(l, hi as Tensor4D))(h, dy) as Tensor4D;
}

/**
 * A convolution kernel [kh, kw, in, out] turned 180° with its channels swapped, [kh, kw, out, in]: the
 * kernel whose forward convolution is the input gradient (see layerVjp). The taps are reversed as one
 * axis of kh*kw (half the time of reversing two axes on WASM).
 */
export function flipKernel(kernel: Tensor4D): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kernel.shape;
    return tf.transpose(tf.reshape(tf.reverse(tf.reshape(kernel, [kh * kw, -1]), 0), kernel.shape), [0, 1, 3, 2]) as Tensor4D;
  });
}

function disposeConv(l: EncoderLayer): void {
  if (l.kind === 'conv') tf.dispose([l.kernel, ...(l.bias ? [l.bias] : []), ...(l.flipped ? [l.flipped] : [])]);
}

function checkNames(enc: StyleEncoder, names: Iterable<string>): void {
  const known = new Set(enc.layers.map((l) => l.name));
  for (const n of names) if (!known.has(n)) throw new ConvLabError('no-layer', `The encoder "${enc.name}" has no layer "${n}". Its layers: ${encoderLayerNames(enc).join(', ')}.`);
}

/**
 * Runs the encoder on x ([1, H, W, 3] in [0, 1]) up to the last of `names`, and returns the
 * activations of those layers (new tensors). Use inside tf.tidy / a gradient function.
 */
export function encode(enc: StyleEncoder, x: Tensor4D, names: readonly string[]): Record<string, Tensor4D> {
  const wanted = new Set(names);
  checkNames(enc, wanted);
  const out: Record<string, Tensor4D> = {};
  let h = preprocess(x, enc.preprocess);
  let left = wanted.size;
  for (const l of enc.layers) {
    if (!left) break;
    h = applyLayer(l, h);
    if (wanted.has(l.name)) {
      out[l.name] = h;
      left--;
    }
  }
  return out;
}

/**
 * The value and the image gradient of `loss(features)` through the encoder, computed one layer at a
 * time with `pause()` awaited between layers (forward, then backward by the chain rule: each layer's
 * vector-Jacobian product with the gradient from above, plus the loss's own gradient where a chosen
 * layer's features enter it). The same numbers as tf.valueAndGrad over `encode`, but in short tasks,
 * so that a page stays responsive on backends whose kernels run on the main thread (WASM, CPU).
 * `loss` runs inside a gradient scope; it may tf.keep extra tensors (the caller disposes them).
 */
export async function layerwiseValueAndGrad(
  enc: StyleEncoder,
  x: Tensor4D,
  names: readonly string[],
  loss: (features: Record<string, Tensor4D>) => tf.Scalar,
  pause: () => Promise<void>,
): Promise<{ value: tf.Scalar; grad: Tensor4D }> {
  const wanted = new Set(names);
  checkNames(enc, wanted);
  const last = Math.max(...enc.layers.map((l, i) => (wanted.has(l.name) ? i : -1)));
  const acts: Tensor4D[] = []; // acts[i] = input of layer i; acts[last + 1] = output of the last layer
  const owned: Tensor[] = [];
  try {
    acts.push(tf.tidy(() => {
      const p = preprocess(x, enc.preprocess);
      return p === x ? tf.clone(x) : p;
    }));
    owned.push(acts[0]);
    for (let i = 0; i <= last; i++) {
      const y = tf.tidy(() => applyLayer(enc.layers[i], acts[i]));
      acts.push(y);
      owned.push(y);
      await pause();
    }
    const order = enc.layers.slice(0, last + 1).map((l, i) => ({ name: l.name, i })).filter((e) => wanted.has(e.name));
    const feats = order.map((e) => acts[e.i + 1]);
    const { value, grads } = tf.valueAndGrads((...fs: Tensor[]) => {
      const rec: Record<string, Tensor4D> = {};
      order.forEach((e, k) => (rec[e.name] = fs[k] as Tensor4D));
      return loss(rec);
    })(feats);
    owned.push(...grads);
    const direct = new Map(order.map((e, k) => [e.i, grads[k]]));
    let dy: Tensor4D | undefined;
    for (let i = last; i >= 0; i--) {
      const d = direct.get(i);
      const up: Tensor4D | undefined = d ? (dy ? tf.add(dy, d) : (d as Tensor4D)) : dy;
      if (up && up !== d && up !== dy) owned.push(up);
      if (!up) continue;
      const layer = enc.layers[i];
      dy = tf.tidy(() => layerVjp(layer, acts[i], acts[i + 1], up));
      owned.push(dy);
      await pause();
    }
    const grad = enc.preprocess === 'unit' ? tf.clone(dy!) : (tf.grad((xi: Tensor) => preprocess(xi as Tensor4D, enc.preprocess))(x, dy!) as Tensor4D);
    return { value, grad };
  } finally {
    tf.dispose(owned);
  }
}

export function disposeEncoder(enc: StyleEncoder | undefined): void {
  if (!enc) return;
  for (const l of enc.layers) disposeConv(l);
}

/** A VGG-shaped random network: blocks of 3x3 convolutions + ReLU, each block followed by 2x2 pooling. */
export interface RandomVggConfig {
  /** Seed of the weights (the same seed, the same network, on every backend). */
  seed: number;
  /** Output channels of each block. VGG19: [64, 128, 256, 512, 512]. */
  widths: readonly number[];
  /** Convolutions per block. VGG19: [2, 2, 4, 4, 4]. */
  depths: readonly number[];
  /** Pooling after each block: 'avg' (Gatys et al. found it gives smoother images) or 'max'. */
  pool?: 'avg' | 'max';
  /** Weights ~ N(0, gain^2 * 2 / fan_in) (He et al. 2015 when gain = 1). */
  gain?: number;
}

/** The default random encoder: VGG19's five blocks and layer names, at a quarter of its widths, fewer convs per block. */
export const RANDOM_VGG: RandomVggConfig = { seed: 1, widths: [16, 32, 64, 96, 96], depths: [2, 2, 2, 2, 2], pool: 'avg', gain: 1 };

/** mulberry32: a small seeded PRNG (the same seed, the same weights); it lives in prng.ts. */
export { mulberry32 };

/** Standard normal samples from a uniform PRNG (Box-Muller). */
function gaussians(n: number, next: () => number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u)) * scale;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Builds a VGG-shaped encoder with seeded random weights (He-initialised 3x3 kernels, zero biases).
 * Layer names follow Keras' VGG19: block1_conv1, block1_conv2, block1_pool, block2_conv1, ...
 */
export function randomVgg(config: Partial<RandomVggConfig> = {}): StyleEncoder {
  const c = { ...RANDOM_VGG, ...config };
  if (c.widths.length !== c.depths.length || !c.widths.length) throw new ConvLabError('bad-config', 'randomVgg: widths and depths must be non-empty and of the same length.');
  const next = mulberry32(c.seed);
  const layers: EncoderLayer[] = [];
  let cin = 3;
  c.widths.forEach((w, b) => {
    for (let i = 0; i < c.depths[b]; i++) {
      const fanIn = 9 * cin;
      const kernel = tf.tensor4d(gaussians(9 * cin * w, next, (c.gain ?? 1) * Math.sqrt(2 / fanIn)), [3, 3, cin, w]);
      layers.push({ kind: 'conv', name: `block${b + 1}_conv${i + 1}`, kernel, flipped: flipKernel(kernel), relu: true, strides: [1, 1], padding: 'same', dilation: [1, 1] });
      cin = w;
    }
    layers.push({ kind: 'pool', name: `block${b + 1}_pool`, type: c.pool ?? 'avg', size: [2, 2], strides: [2, 2], padding: 'valid' });
  });
  return {
    name: `random VGG (seed ${c.seed})`,
    layers,
    preprocess: 'centered',
    source: `random:${c.seed}:${c.widths.join('-')}:${c.depths.join('-')}:${c.pool ?? 'avg'}`,
  };
}

const pair = (v: unknown, dflt: number): [number, number] => {
  if (Array.isArray(v)) return [Number(v[0] ?? dflt), Number(v[1] ?? v[0] ?? dflt)];
  if (typeof v === 'number') return [v, v];
  return [dflt, dflt];
};

/**
 * The convolution chain of a TF.js layers model as an encoder (copies of its weights: the model may
 * be disposed afterwards). The layers up to the last of `upTo` (default: all) must form a chain of
 * InputLayer, Conv2D (linear or relu), ReLU / Activation('relu'), MaxPooling2D, AveragePooling2D and
 * Dropout; anything else there is an error that names it. `pool: 'avg'` turns max pooling into
 * average pooling, as Gatys et al. did.
 */
export function encoderFromLayersModel(model: tfl.LayersModel, opts: { name?: string; upTo?: readonly string[]; preprocess?: EncoderPreprocess; pool?: 'avg' | 'keep'; source?: string } = {}): StyleEncoder {
  const wanted = new Set(opts.upTo ?? []);
  const layers: EncoderLayer[] = [];
  let prev: string | undefined;
  let channels: number | undefined;
  for (const layer of model.layers) {
    if (opts.upTo && !wanted.size) break;
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: { name: string }[] }[] }).inboundNodes?.[0]?.inboundLayers ?? [];
    if (prev !== undefined && (inbound.length !== 1 || inbound[0].name !== prev)) {
      throw new ConvLabError('not-a-chain', `The model's layer "${layer.name}" does not follow "${prev}" alone: style features need a plain chain of convolutions and poolings (like VGG), not branches.`);
    }
    if (cls === 'InputLayer') {
      const shape = (cfg.batchInputShape as (number | null)[] | undefined) ?? [];
      channels = shape[3] ?? undefined;
    } else if (cls === 'Conv2D') {
      const [kernel, bias] = layer.getWeights() as [Tensor4D, tf.Tensor1D | undefined];
      const act = String(cfg.activation ?? 'linear');
      if (act !== 'relu' && act !== 'linear') throw new ConvLabError('unsupported-layer', `The model's layer "${layer.name}" uses the activation "${act}"; style features support relu or linear convolutions.`);
      if (cfg.dataFormat === 'channelsFirst') throw new ConvLabError('unsupported-layer', `The model's layer "${layer.name}" is channels-first; convert the model to channels-last.`);
      const strides = pair(cfg.strides, 1);
      layers.push({
        kind: 'conv',
        name: layer.name,
        kernel: kernel.clone(),
        bias: cfg.useBias === false || !bias ? undefined : bias.clone(),
        relu: act === 'relu',
        strides,
        padding: cfg.padding === 'same' ? 'same' : 'valid',
        dilation: pair(cfg.dilationRate, 1),
        flipped: strides[0] === 1 && strides[1] === 1 ? flipKernel(kernel) : undefined,
      });
    } else if (cls === 'MaxPooling2D' || cls === 'AveragePooling2D') {
      const size = pair(cfg.poolSize, 2);
      layers.push({ kind: 'pool', name: layer.name, type: cls === 'AveragePooling2D' || opts.pool === 'avg' ? 'avg' : 'max', size, strides: cfg.strides ? pair(cfg.strides, size[0]) : size, padding: cfg.padding === 'same' ? 'same' : 'valid' });
    } else if (cls === 'ReLU' || (cls === 'Activation' && cfg.activation === 'relu')) {
      layers.push({ kind: 'relu', name: layer.name });
    } else if (cls !== 'Dropout') {
      throw new ConvLabError('unsupported-layer', `The model's layer "${layer.name}" (${cls}) comes before the chosen layers end; style features support Conv2D, ReLU, max and average pooling only.`);
    }
    wanted.delete(layer.name);
    prev = layer.name;
  }
  if (opts.upTo && wanted.size) throw new ConvLabError('no-layer', `The model has no layer ${[...wanted].map((n) => `"${n}"`).join(', ')}. Its convolutions: ${layers.filter((l) => l.kind === 'conv').map((l) => l.name).join(', ')}.`);
  if (channels !== undefined && channels !== 3) {
    layers.forEach(disposeConv);
    throw new ConvLabError('input-shape', `The model takes ${channels}-channel images; style transfer needs an RGB (3-channel) model.`);
  }
  return { name: opts.name ?? model.name, layers, preprocess: opts.preprocess ?? 'unit', source: opts.source ?? model.name };
}

/**
 * Loads a TF.js layers model from `url` and returns its convolution chain as an encoder (see
 * `encoderFromLayersModel`). Errors say why: not found, not JSON, not a layers model, CORS.
 */
export async function loadEncoder(url: string, opts: { preprocess?: EncoderPreprocess; pool?: 'avg' | 'keep'; onProgress?: (f: number) => void; signal?: AbortSignal } = {}): Promise<StyleEncoder> {
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ModelLoadError('network', `Could not reach the encoder at ${url}: the request failed (the host may be offline, not allow cross-origin requests (CORS), or be blocked by this page's Content-Security-Policy).`, url, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError('http', `Could not load the encoder from ${url}: the server answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`, url);
  let json: { format?: string; modelTopology?: unknown };
  try {
    json = await res.json();
  } catch (e) {
    throw new ModelLoadError('malformed', `${url} is not valid JSON, so it is not a TF.js model.json.`, url, { cause: e });
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || (json.format !== undefined && json.format !== 'layers-model')) {
    throw new ModelLoadError('malformed', `${url} is not a TF.js layers model (format "${json?.format ?? 'unknown'}"); style features need a layers model, whose layers have names.`, url);
  }
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(url, { onProgress: opts.onProgress });
  } catch (e) {
    throw new ModelLoadError('malformed', `TF.js could not build the encoder at ${url}: ${(e as Error).message}`, url, { cause: e });
  }
  try {
    return encoderFromLayersModel(model, { name: model.name, preprocess: opts.preprocess, pool: opts.pool, source: url });
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// The optimisation

export type StyleOptimizer = 'adam' | 'lbfgs';
export type StyleStart = 'content' | 'style' | 'noise';

export interface StyleTransferOptions {
  styleLayers: readonly string[];
  /** w_l per style layer, in the order of styleLayers (default equal, summing to 1). */
  layerWeights?: readonly number[];
  contentLayer: string;
  alpha: number;
  beta: number;
  optimizer?: StyleOptimizer;
  /** Adam's step size on [0, 1] pixels. Default 0.02. */
  lr?: number;
  /** L-BFGS history. Default 10. */
  history?: number;
  /** The starting image: the content, the style image (resized), seeded noise, or a given image (copied). Default 'content'. */
  start?: StyleStart | Tensor4D;
  /** Seed of the noise start. Default 1. */
  seed?: number;
  /**
   * Awaited between layers (forward and backward) when given: each step then runs as short tasks
   * (see layerwiseValueAndGrad). A page passes a macrotask yield; without it a step is one task
   * (what a Web Worker wants).
   */
  pause?: () => Promise<void>;
}

export interface StyleStepResult {
  /** Steps taken so far. */
  step: number;
  /** Losses at the image the step started from. */
  total: number;
  content: number;
  /** E_l per style layer (unweighted), in the order of styleLayers. */
  style: number[];
  /** Loss and gradient evaluations the step used (1 for Adam; 1 or more for L-BFGS). */
  evaluations: number;
}

const noPause = () => Promise.resolve();

/** Seeded uniform noise in [0, 1], shape [1, h, w, 3]. */
export function noiseImage(h: number, w: number, seed = 1): Tensor4D {
  const next = mulberry32(seed);
  return tf.tensor4d(Float32Array.from({ length: h * w * 3 }, () => next()), [1, h, w, 3]);
}

/**
 * Gatys' optimisation as a stepper: `await st.step()` takes one optimiser step and reports the
 * losses, so that a page can run one step per frame, pause and resume. The current image is
 * `st.image` ([1, H, W, 3]; kept in [0, 1]). Call `dispose()` when done.
 */
export class StyleTransfer {
  /** The current image clipped to [0, 1] (for display and export; replaced at every step). */
  image: Tensor4D;
  /** The optimised tensor: Adam keeps it in [0, 1]; L-BFGS runs unbounded. */
  private x: Tensor4D;
  readonly targets: StyleTargets;
  private opts: Required<Omit<StyleTransferOptions, 'layerWeights' | 'pause'>> & Pick<StyleTransferOptions, 'layerWeights' | 'pause'>;
  private adam?: AdamState;
  private lbfgs?: Lbfgs;
  private steps = 0;
  private lossFn!: (x: Tensor) => Promise<{ value: tf.Scalar; grad: Tensor }>;
  /** The loss parts [content, E_l...] of each evaluation of this step, and the last one of the step before. */
  private evals: { x: Tensor; parts: tf.Tensor1D }[] = [];
  private carry?: { x: Tensor; parts: tf.Tensor1D };

  constructor(
    readonly encoder: StyleEncoder,
    readonly content: Tensor4D,
    readonly style: Tensor4D,
    opts: StyleTransferOptions,
  ) {
    if (!opts.styleLayers.length) throw new ConvLabError('no-layer', 'Choose at least one style layer.');
    this.opts = { optimizer: 'adam', lr: 0.02, history: 10, start: 'content', seed: 1, ...opts };
    this.targets = tf.tidy(() => {
      const fs = encode(encoder, style, opts.styleLayers);
      const grams: Record<string, Tensor2D> = {};
      for (const l of opts.styleLayers) grams[l] = gram(fs[l]);
      const fc = encode(encoder, content, [opts.contentLayer]);
      return { grams, contentLayer: opts.contentLayer, content: fc[opts.contentLayer] };
    });
    this.x = this.startImage();
    this.image = tf.tidy(() => tf.clipByValue(this.x, 0, 1));
    this.makeLoss();
  }

  private startImage(): Tensor4D {
    const [, h, w] = this.content.shape;
    const s = this.opts.start;
    if (typeof s !== 'string') return tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(s, [h, w], true), 0, 1) as Tensor4D);
    if (s === 'style') return tf.tidy(() => tf.image.resizeBilinear(this.style, [h, w], true) as Tensor4D);
    if (s === 'noise') return noiseImage(h, w, this.opts.seed);
    return this.content.clone();
  }

  private weights(): LossWeights {
    const L = this.opts.styleLayers;
    const w = this.opts.layerWeights;
    const layers: Record<string, number> = {};
    L.forEach((l, i) => (layers[l] = w?.[i] ?? 1 / L.length));
    return { alpha: this.opts.alpha, beta: this.opts.beta, layers };
  }

  private makeLoss(): void {
    const names = [...new Set([...this.opts.styleLayers, this.opts.contentLayer])];
    const weights = this.weights();
    let current: Tensor | undefined;
    const lossOf = (feats: Record<string, Tensor4D>): tf.Scalar => {
      const p = totalLoss(feats, this.targets, weights);
      // Keep the parts of the loss (outside the gradient's tidy) for the plot.
      const parts = tf.keep(tf.stack([p.content, ...this.opts.styleLayers.map((l) => p.style[l])]) as tf.Tensor1D);
      this.evals.push({ x: current!, parts });
      return p.total;
    };
    // Always layer by layer: its hand-written backward (layerVjp) is faster than tf.valueAndGrad's.
    const pause = this.opts.pause ?? noPause;
    this.lossFn = async (x: Tensor) => {
      current = x;
      return layerwiseValueAndGrad(this.encoder, x as Tensor4D, names, lossOf, pause);
    };
    this.dropCarry();
  }

  private dropCarry(): void {
    this.carry?.parts.dispose();
    this.carry = undefined;
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  get options(): Readonly<StyleTransferOptions> {
    return this.opts;
  }

  /** Changes alpha, beta, the layer weights, the optimiser or its step size; keeps the image and the step count. */
  update(opts: Partial<Pick<StyleTransferOptions, 'alpha' | 'beta' | 'layerWeights' | 'optimizer' | 'lr'>>): void {
    const changedOpt = opts.optimizer !== undefined && opts.optimizer !== this.opts.optimizer;
    Object.assign(this.opts, opts);
    this.makeLoss();
    this.lbfgs?.reset();
    if (changedOpt) this.resetOptimizer();
  }

  private resetOptimizer(): void {
    disposeAdam(this.adam);
    this.adam = undefined;
    this.lbfgs?.dispose();
    this.lbfgs = undefined;
  }

  /** Back to the starting image and step 0. */
  reset(start?: StyleStart | Tensor4D): void {
    if (start) this.opts.start = start;
    tf.dispose([this.image, this.x]);
    this.x = this.startImage();
    this.image = tf.tidy(() => tf.clipByValue(this.x, 0, 1));
    this.resetOptimizer();
    this.dropCarry();
    this.steps = 0;
  }

  /** One optimiser step. The losses reported are those at the image the step started from. */
  async step(): Promise<StyleStepResult> {
    const start = this.x;
    let total: number;
    let evaluations = 1;
    this.evals = [];
    try {
      if (this.opts.optimizer === 'lbfgs') {
        // Unbounded, as Gatys et al. ran it: clipping inside L-BFGS bends its steps and stalls the line
        // search. The image shown (st.image) is the optimised tensor clipped to [0, 1].
        this.lbfgs ??= new Lbfgs({ history: this.opts.history });
        const r: { x: Tensor; info: LbfgsStep } = await this.lbfgs.step(this.lossFn, start);
        this.x = r.x as Tensor4D;
        total = r.info.value;
        evaluations = r.info.evaluations;
      } else {
        const { value, grad } = await this.lossFn(start);
        total = (await value.data())[0];
        value.dispose();
        const { x, state } = adamStep(start, grad, this.adam, { lr: this.opts.lr });
        grad.dispose();
        disposeAdam(this.adam);
        this.adam = state;
        this.x = tf.tidy(() => tf.clipByValue(x, 0, 1) as Tensor4D);
        x.dispose();
      }
    } catch (e) {
      this.evals.forEach((v) => v.parts.dispose());
      this.evals = [];
      throw e;
    }
    // The parts at the start point: from this step's evaluation there, or the previous step's last one.
    const all = [...(this.carry ? [this.carry] : []), ...this.evals];
    const at = [...all].reverse().find((v) => v.x === start);
    const last = this.evals[this.evals.length - 1];
    const parts = at ? Array.from(await at.parts.data()) : [];
    for (const v of all) if (v !== last) v.parts.dispose();
    this.carry = last;
    this.evals = [];
    start.dispose();
    this.image.dispose();
    this.image = tf.tidy(() => tf.clipByValue(this.x, 0, 1));
    this.steps++;
    return { step: this.steps, total, content: parts[0] ?? NaN, style: parts.slice(1), evaluations };
  }

  /** The current image's Gram matrix at a style layer, and the style image's (new tensors). */
  grams(layer: string): { current: Tensor2D; target: Tensor2D } {
    const target = this.targets.grams[layer];
    if (!target) throw new ConvLabError('no-layer', `"${layer}" is not a style layer of this run.`);
    return tf.tidy(() => ({ current: gram(encode(this.encoder, this.image, [layer])[layer]), target: target.clone() }));
  }

  /** The current image's features at a layer ([1, H, W, N], a new tensor). */
  features(layer: string, of: 'image' | 'content' | 'style' = 'image'): Tensor4D {
    const x = of === 'image' ? this.image : of === 'content' ? this.content : this.style;
    return tf.tidy(() => encode(this.encoder, x, [layer])[layer]);
  }

  dispose(): void {
    this.resetOptimizer();
    tf.dispose([this.image, this.x, this.targets.content, ...Object.values(this.targets.grams)]);
    this.dropCarry();
  }
}
