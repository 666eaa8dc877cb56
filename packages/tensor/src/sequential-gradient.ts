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

/**
 * dh at a 2x2 / stride 2 max pool's output -> dh at its input a [n, H, W, C]: each window's gradient
 * goes to its first maximum in scan order ((0,0), (0,1), (1,0), (1,1)), as MaxPoolGrad does. Ties are
 * common: where a ReLU layer's receptive field is all background its output is the same value across
 * the window. The four window positions are strided slices, so every element-wise kernel works on
 * same-shape tensors (the WASM backend's broadcasting Equal over rank-6 windows took 30 times longer).
 */
function maxPoolBack(a: Tensor4D, pooled: Tensor4D, dh: Tensor4D): Tensor4D {
  const [n, h, w, c] = a.shape;
  const [h2, w2] = [pooled.shape[1], pooled.shape[2]];
  const at = (r: number, q: number) => tf.stridedSlice(a, [0, r, q, 0], [n, 2 * h2, 2 * w2, c], [1, 2, 2, 1]) as Tensor4D;
  let taken: tf.Tensor = tf.zerosLike(pooled);
  const parts = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].map(([r, q]) => {
    const first = tf.mul(tf.cast(tf.equal(at(r, q), pooled), 'float32'), tf.sub(1, taken));
    taken = tf.add(taken, first);
    return tf.mul(first, dh);
  });
  const rows = [tf.stack([parts[0], parts[1]], 3), tf.stack([parts[2], parts[3]], 3)]; // [n, h2, w2, 2, c] each
  const back = tf.reshape(tf.stack(rows, 2), [n, 2 * h2, 2 * w2, c]) as Tensor4D; // [n, h2, 2, w2, 2, c]
  return 2 * h2 === h && 2 * w2 === w ? back : (tf.pad(back, [[0, 0], [0, h - 2 * h2], [0, w - 2 * w2], [0, 0]]) as Tensor4D);
}

/** grad_x sum_i L(x_i, y_i) through the steps (forward kept, then back), and the logits f(x). */
function lossGradientBy(steps: Step[], x: Tensor4D, labels: readonly number[]): { gradient: Tensor4D; logits: Tensor2D } {
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
    let dh: tf.Tensor = tf.sub(tf.softmax(logits), y);
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i];
      const [input, output] = [outs[i], outs[i + 1]];
      if (s.kind === 'pool') {
        dh = maxPoolBack(input as Tensor4D, output as Tensor4D, dh as Tensor4D);
        continue;
      }
      if (s.kind === 'flatten') {
        dh = tf.reshape(dh, input.shape);
        continue;
      }
      if (s.kind === 'conv') dh = layerVjp(s.layer, input as Tensor4D, output as Tensor4D, dh as Tensor4D);
      // W^T made in this tidy on every call: a plan keeps only the model's own weights, so a first
      // call inside a caller's tf.tidy cannot leave it holding freed tensors.
      else dh = tf.matMul(s.relu ? tf.mul(dh, tf.step(output)) : dh, tf.transpose(s.w) as Tensor2D);
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
export function fastGradientClassifier(model: LoadedModel): Classifier {
  const f: Classifier = (x: Tensor4D) => model.logits(x);
  const steps = plan(model);
  if (steps) {
    f.lossGradientWithLogits = (x, labels) => lossGradientBy(steps, x, labels);
    f.lossGradient = (x, labels) => {
      const { gradient, logits } = lossGradientBy(steps, x, labels);
      logits.dispose();
      return gradient;
    };
  }
  return f;
}
