/**
 * The input gradient of a small sequential conv net by hand, for the attacks (FGSM, PGD) that need
 * grad_x of the summed cross-entropy at every step:
 *   dz_L = softmax(z_L) - onehot(y)
 *   Dense:      dh_in = dz W^T                      (W^T transposed once, a plain MatMul)
 *   ReLU:       dz = dh * [h > 0]                    (h the layer's output)
 *   Flatten:    reshape back
 *   MaxPool 2x2, stride 2, valid: the gradient goes to the window's first maximum
 *   Conv2D, stride 1: dx = conv2d(dz, W') with W'[i, j, o, c] = W[k-1-i, k-1-j, c, o] (the kernel
 *               turned 180 degrees, in and out channels swapped), padded by the complement of the
 *               forward padding: style.ts's layerVjp, which this reuses.
 * Why: TF.js's gradients of Conv2D and MaxPool run Conv2DBackpropInput and MaxPoolGrad, which the
 * WASM backend (4.22) implements without XNNPACK: tf.grad of the digits model over 250 images took
 * ~12 forward passes' time, most of it there. The turned kernel makes the backward pass a forward
 * convolution, so the gradient costs about two forward passes.
 *
 */
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import type { Classifier } from './adversarial.js';
import type { LoadedModel } from './models.js';
import { layerVjp, type EncoderLayer } from './style.js';

type Step =
  | { kind: 'conv'; layer: Extract<EncoderLayer, { kind: 'conv' }> }
  | { kind: 'pool' }
  | { kind: 'flatten' }
  | { kind: 'dense'; w: Tensor2D; bias?: tf.Tensor1D; relu: boolean };

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): tf.Tensor[];
}

const plans = new WeakMap<object, Step[] | null>();

const pair = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)]);

/** The layer steps of a model this file can differentiate, or null (then use tf.grad). */
function planFor(layers: readonly LayerLike[]): Step[] | null {
  const steps: Step[] = [];
  for (const layer of layers) {
    const c = layer.getConfig();
    const cls = layer.getClassName();
    const act = (c.activation as string | undefined) ?? 'linear';
    if (!['relu', 'linear'].includes(act)) return null;
    if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') return null;
    const [w, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor1D | undefined];
    if (cls === 'Conv2D') {
      const pad = c.padding as string;
      if (pair(c.strides).some((v) => v !== 1) || (pad !== 'same' && pad !== 'valid')) return null;
      const dilation = pair(c.dilationRate ?? 1) as [number, number];
      steps.push({ kind: 'conv', layer: { kind: 'conv', name: String(c.name), kernel: w as Tensor4D, bias, relu: act === 'relu', strides: [1, 1], padding: pad, dilation } });
    } else if (cls === 'MaxPooling2D') {
      if (pair(c.poolSize).some((s) => s !== 2) || pair(c.strides ?? c.poolSize).some((s) => s !== 2) || c.padding !== 'valid') return null;
      steps.push({ kind: 'pool' });
    } else if (cls === 'Flatten') {
      steps.push({ kind: 'flatten' });
    } else if (cls === 'Dense') {
      const w2 = w as Tensor2D;
      steps.push({ kind: 'dense', w: w2, bias, relu: act === 'relu' });
    } else if (cls !== 'InputLayer' && cls !== 'Dropout') return null;
  }
  return steps;
}

function plan(model: LoadedModel): Step[] | null {
  const layers = model.layers as unknown as { layers: LayerLike[] } | undefined;
  if (!layers || model.meta.output !== 'logits' || model.meta.inputRange[0] !== 0 || model.meta.inputRange[1] !== 1) return null;
  if (!plans.has(layers)) plans.set(layers, planFor(layers.layers));
  return plans.get(layers)!;
}

/** [n, h, w, c] -> [n, 2h, 2w, c], every value repeated in a 2x2 block. */
function upsample2(t: Tensor4D): Tensor4D {
  return tf.image.resizeNearestNeighbor(t, [t.shape[1] * 2, t.shape[2] * 2]);
}

/** [h, w, 1]: 8, 4, 2, 1 at the positions (0,0), (0,1), (1,0), (1,1) of every 2x2 window (scan order). */
function windowRanks(h: number, w: number): tf.Tensor3D {
  const v = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[y * w + x] = 8 >> (2 * (y % 2) + (x % 2));
  return tf.tensor3d(v, [h, w, 1]);
}

/**
 * dh at a 2x2 / stride 2 max pool's output -> dh at its input a [n, H, W, C]: each window's gradient
 * goes to its first maximum in scan order, as MaxPoolGrad does on cpu. Ties are common: where a ReLU
 * layer's receptive field is all background its output is the same value across the window. The
 * maxima are [a = its window's max] (pooled, upsampled); the first of them is the one whose rank
 * (8, 4, 2, 1 in scan order) is the largest rank among its window's maxima (a max pool of the ranks).
 * Only kernels that WASM runs fast: max pool, nearest upsampling, same-shape or [H, W, 1]-broadcast
 * element-wise ops (its StridedSlice, rank-6 Slice / Transpose and rank-6 broadcasting Equal took
 * 10 to 30 times longer than the convolutions).
 */
function maxPoolBack(a: Tensor4D, pooled: Tensor4D, dh: Tensor4D): Tensor4D {
  const [n, h, w, c] = a.shape;
  const [h2, w2] = [pooled.shape[1], pooled.shape[2]];
  const inner = h2 * 2 === h && w2 * 2 === w ? a : (tf.slice(a, [0, 0, 0, 0], [n, h2 * 2, w2 * 2, c]) as Tensor4D);
  const isMax = tf.cast(tf.equal(inner, upsample2(pooled)), 'float32');
  const ranked = tf.mul(isMax, windowRanks(2 * h2, 2 * w2)) as Tensor4D;
  const first = tf.cast(tf.equal(ranked, upsample2(tf.maxPool(ranked, 2, 2, 'valid'))), 'float32');
  const back = tf.mul(first, upsample2(dh)) as Tensor4D;
  return inner === a ? back : (tf.pad(back, [[0, 0], [0, h - 2 * h2], [0, w - 2 * w2], [0, 0]]) as Tensor4D);
}

/**
 * maxPoolBack's result in one JavaScript pass over the values, for backends whose tensors live in
 * this thread's memory (wasm, cpu: reading them back is a copy, not a GPU round trip): per window
 * and channel, the first of its values in scan order that equals the pooled maximum gets dh, the
 * others 0. With `relu` (the pooled layer's ReLU folded in) the window's gradient is also 0 where its
 * maximum is not > 0, as layerVjp's dh * step(y) would make it at that position (so windows whose
 * gradient is 0 either way are skipped). The same values as
 * maxPoolBack (then times step(a)) up to the sign of zeros; about a sixth of its time on WASM, where
 * its ~10 full-size element-wise kernels (Equal, Cast, ResizeNearestNeighbor) were half the gradient's.
 */
function maxPoolBackJs(a: Tensor4D, pooled: Tensor4D, dh: Tensor4D, relu: boolean): Tensor4D {
  const [n, h, w, c] = a.shape;
  const [h2, w2] = [dh.shape[1], dh.shape[2]];
  const av = a.dataSync() as Float32Array;
  const pv = pooled.dataSync() as Float32Array;
  const dv = dh.dataSync() as Float32Array;
  const out = new Float32Array(av.length);
  const row = w * c;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        const p00 = ((b * h + 2 * i) * w + 2 * j) * c;
        const d = ((b * h2 + i) * w2 + j) * c;
        for (let ch = 0; ch < c; ch++) {
          const g = dv[d + ch];
          const m = pv[d + ch];
          // Nothing to route: a zero gradient, or (ReLU folded in) a window whose maximum is not > 0.
          if (g === 0 || (relu && !(m > 0))) continue;
          // The first of the window's four values, in scan order, that equals its maximum.
          let k = p00 + ch;
          if (av[k] !== m) {
            k += c;
            if (av[k] !== m) {
              k += row - c;
              if (av[k] !== m) k += c;
            }
          }
          out[k] = g;
        }
      }
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

/** Backends whose tensors can be read in this thread without a GPU round trip (maxPoolBackJs). */
const HOST_BACKENDS = ['wasm', 'cpu'];

export interface GradientOptions {
  /**
   * How the max pools' gradients are routed: 'tensor' (maxPoolBack's kernels, any backend), 'js'
   * (maxPoolBackJs, read back into JavaScript) or 'auto' (default: 'js' on wasm and cpu). Both give
   * the same gradient; the choice is for tests and benchmarks.
   */
  poolBackward?: 'auto' | 'tensor' | 'js';
}

/** grad_x sum_i L(x_i, y_i) through the steps (forward kept, then back), and the logits f(x). */
function lossGradientBy(steps: Step[], x: Tensor4D, labels: readonly number[], opts: GradientOptions = {}): { gradient: Tensor4D; logits: Tensor2D } {
  const how = opts.poolBackward ?? 'auto';
  const js = how === 'js' || (how === 'auto' && HOST_BACKENDS.includes(tf.getBackend()));
  return tf.tidy(() => {
    const outs: tf.Tensor[] = [x];
    for (const s of steps) {
      const h = outs[outs.length - 1];
      if (s.kind === 'conv') {
        const l = s.layer;
        outs.push(tf.fused.conv2d({ x: h as Tensor4D, filter: l.kernel, strides: 1, pad: l.padding, dilations: l.dilation, bias: l.bias, activation: l.relu ? 'relu' : 'linear' }));
      }
      else if (s.kind === 'pool') outs.push(tf.maxPool(h as Tensor4D, 2, 2, 'valid'));
      else if (s.kind === 'flatten') outs.push(tf.reshape(h, [h.shape[0], -1]));
      else outs.push(tf.fused.matMul({ a: h as Tensor2D, b: s.w, bias: s.bias, activation: s.relu ? 'relu' : 'linear' }));
    }
    const logits = outs[outs.length - 1] as Tensor2D;
    const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), logits.shape[1]);
    // dL/dz = softmax(z) - onehot(y), with the true class's entry as -(sum of the other classes'
    // probabilities): p_y - 1 rounds to 0 in float32 once the model is confident (p_y > 1 - 6e-8),
    // which would drop the -grad z_y term from an input gradient of size ~1e-9 and leave its signs,
    // all FGSM uses, to rounding.
    const others = tf.mul(tf.softmax(logits), tf.sub(1, y));
    let dh: tf.Tensor = tf.sub(others, tf.mul(y, tf.sum(others, 1, true)));
    // Set when a pool's JS routing already applied the ReLU of the conv below it.
    let reluDone = false;
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i];
      const [input, output] = [outs[i], outs[i + 1]];
      if (s.kind === 'pool') {
        const below = steps[i - 1];
        if (js) {
          reluDone = below?.kind === 'conv' && below.layer.relu;
          dh = maxPoolBackJs(input as Tensor4D, output as Tensor4D, dh as Tensor4D, reluDone);
        } else dh = maxPoolBack(input as Tensor4D, output as Tensor4D, dh as Tensor4D);
        continue;
      }
      if (s.kind === 'flatten') {
        dh = tf.reshape(dh, input.shape);
        continue;
      }
      if (s.kind === 'conv') {
        dh = layerVjp(reluDone ? { ...s.layer, relu: false } : s.layer, input as Tensor4D, output as Tensor4D, dh as Tensor4D);
        reluDone = false;
      } else {
        // W^T made in this tidy on every call: a plan keeps only the model's own weights, so a first
        // call inside a caller's tf.tidy cannot leave it holding freed tensors.
        dh = tf.matMul(s.relu ? tf.mul(dh, tf.step(output)) : dh, tf.transpose(s.w) as Tensor2D);
      }
    }
    return { gradient: dh as Tensor4D, logits };
  });
}

/**
 * The model as a Classifier whose `lossGradient` is computed by hand (see above), for a sequential
 * layers model of Conv2D (stride 1), MaxPooling2D (2x2, stride 2, valid), Flatten and Dense layers
 * with ReLU or no activation, inputs in [0, 1], logits out; for any other model the plain classifier
 * (the attacks then use tf.grad). The forward pass is the model's own.
 */
export function fastGradientClassifier(model: LoadedModel, opts: GradientOptions = {}): Classifier {
  const f: Classifier = (x: Tensor4D) => model.logits(x);
  const steps = plan(model);
  if (steps) {
    f.lossGradientWithLogits = (x, labels) => lossGradientBy(steps, x, labels, opts);
    f.lossGradient = (x, labels) => {
      const { gradient, logits } = lossGradientBy(steps, x, labels, opts);
      logits.dispose();
      return gradient;
    };
  }
  return f;
}
