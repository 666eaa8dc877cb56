/**
 * Gradient-based visualisation (the course's "Visualizing ConvNets" lecture): the gradient of one
 * neuron, or of a class score before the softmax, with respect to the input image, under the three
 * rules that differ only in what a ReLU lets back through. With y = max(x, 0) in the forward pass
 * and g the gradient arriving from above, the gradient passed below is
 *
 *   gradient (plain backprop, "vanilla saliency", Simonyan et al.):  g * [x > 0]
 *   deconvnet (Zeiler & Fergus):                                      g * [g > 0]   (forward sign ignored)
 *   guided backpropagation (Springenberg et al.):                     g * [x > 0] * [g > 0]
 *
 * Everything else (convolutions, pooling switches, dense layers) backpropagates as usual.
 *
 * TF.js fuses the ReLU of a Conv2D or Dense layer into the layer's kernel, so overriding the Relu
 * gradient would never reach it. These functions therefore run a layers model with every ReLU
 * replaced by a rule-ReLU for the duration of one (synchronous) forward pass: the activation of
 * each Conv2D / Dense / Activation layer whose activation is 'relu', and the call of each ReLU layer.
 * The model is restored before the function returns.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor, type Tensor4D } from './tf.js';
import type { LoadedModel } from './models.js';
import { layerVjp } from './style.js';

export type ReluRule = 'gradient' | 'deconvnet' | 'guided';
export const RELU_RULES: readonly ReluRule[] = ['gradient', 'deconvnet', 'guided'];

/** A loaded model (its layers model is used), or a TF.js layers model taking [0, 1] images. */
export type VisualisedModel = LoadedModel | tfl.LayersModel;

/**
 * What to take the gradient of: a class score (logit, before the softmax), or a unit of a layer.
 * A unit of a layer with spatial output [h, w, channels] is a channel; `position` says which of its
 * neurons: [row, col], 'max' (the most active one on this image; the default) or 'mean' (the
 * channel's mean over all positions).
 */
export type NeuronTarget =
  | { class: number; layer?: undefined; unit?: undefined; position?: undefined }
  | { layer: string; unit: number; position?: [number, number] | 'max' | 'mean'; class?: undefined };

export type NeuronGradientOptions = NeuronTarget & {
  /** What every ReLU passes back. Default 'gradient'. */
  rule?: ReluRule;
};

interface Runner {
  layers: tfl.LayersModel;
  inputRange: [number, number];
  /** Class count of the output. */
  numClasses: number;
}

function runnerFor(model: VisualisedModel): Runner {
  const lm = model as LoadedModel;
  if ('logits' in lm && 'meta' in lm) {
    if (!lm.layers) {
      throw new Error(`${lm.meta.name ?? lm.id} is a graph model: saliency and class visualisation need a TF.js layers model (its layers and ReLUs must be visible).`);
    }
    return { layers: lm.layers, inputRange: lm.meta.inputRange, numClasses: lm.numClasses };
  }
  const layers = model as tfl.LayersModel;
  const out = layers.outputs[0].shape;
  return { layers, inputRange: [0, 1], numClasses: out[out.length - 1] ?? 0 };
}

/** The layers of a model in order, nested models opened. */
function allLayers(m: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  for (const l of m.layers) {
    const inner = (l as unknown as { layers?: tfl.layers.Layer[] }).layers;
    if (Array.isArray(inner)) out.push(...allLayers(l as unknown as tfl.LayersModel));
    else out.push(l);
  }
  return out;
}

/** Names of the layers a unit can be chosen from (input layers and flatten-like reshapes left out), with their unit counts. */
export function visualisableLayers(model: VisualisedModel): { name: string; units: number; spatial: boolean; className: string }[] {
  const { layers } = runnerFor(model);
  return allLayers(layers)
    .filter((l) => !['InputLayer', 'Flatten', 'Reshape', 'Dropout'].includes(l.getClassName()))
    .map((l) => {
      const shape = l.outputShape as (number | null)[];
      return { name: l.name, units: shape[shape.length - 1] ?? 0, spatial: shape.length === 4, className: l.getClassName() };
    });
}

/** Checks a target against the model; throws an Error (RangeError for numbers out of range) that says what is valid. */
export function checkTarget(model: VisualisedModel, target: NeuronTarget): void {
  const r = runnerFor(model);
  if (target.layer === undefined) {
    const c = target.class;
    if (!Number.isInteger(c) || c < 0 || c >= r.numClasses) {
      throw new RangeError(`There is no class ${c}: the model has classes 0 to ${r.numClasses - 1}.`);
    }
    return;
  }
  const layers = visualisableLayers(model);
  const l = layers.find((x) => x.name === target.layer);
  if (!l) throw new Error(`There is no layer '${target.layer}' in this model; its layers are ${layers.map((x) => x.name).join(', ')}.`);
  const u = target.unit;
  if (!Number.isInteger(u) || u < 0 || u >= l.units) {
    throw new RangeError(`Layer ${l.name} has ${l.units} ${l.spatial ? 'channels' : 'units'}, 0 to ${l.units - 1}; there is no unit ${u}.`);
  }
  const p = target.position;
  if (Array.isArray(p)) {
    const shape = allLayers(r.layers).find((x) => x.name === l.name)!.outputShape as number[];
    if (!l.spatial) throw new Error(`Layer ${l.name} has no spatial positions; leave out the position.`);
    if (!p.every((v, i) => Number.isInteger(v) && v >= 0 && v < shape[i + 1])) {
      throw new RangeError(`Position (${p.join(', ')}) is outside layer ${l.name}'s ${shape[1]}×${shape[2]} map.`);
    }
  }
}

/** Per-example rule flags: a = use the forward sign [x > 0], c = use the gradient sign [g > 0]. */
function ruleFlags(rules: readonly ReluRule[]): { a: number[]; c: number[] } {
  return {
    a: rules.map((r) => (r === 'deconvnet' ? 0 : 1)),
    c: rules.map((r) => (r === 'gradient' ? 0 : 1)),
  };
}

/**
 * A ReLU whose backward pass follows a rule per batch example (so that one batched pass can compute
 * all three maps). With masks a, c in {0, 1} per example:
 *   dx = g * (1 - a + a [x > 0]) * (1 - c + c [g > 0]).
 */
export function ruleRelu(rules: readonly ReluRule[]): (x: Tensor) => Tensor {
  const { a, c } = ruleFlags(rules);
  const same = rules.every((r) => r === rules[0]);
  return (x: Tensor) => {
    const f = tf.customGrad(((xi: Tensor, save: tf.GradSaveFunc) => {
      save([xi]);
      return {
        value: tf.relu(xi),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [input] = saved;
          const posX = tf.cast(tf.greater(input, 0), 'float32');
          const posG = tf.cast(tf.greater(dy, 0), 'float32');
          if (same) {
            let m: Tensor = dy;
            if (a[0]) m = tf.mul(m, posX);
            if (c[0]) m = tf.mul(m, posG);
            return m;
          }
          if (input.shape[0] !== rules.length) throw new Error(`A batch of ${input.shape[0]} for ${rules.length} rules.`);
          const shape = [rules.length, ...input.shape.slice(1).map(() => 1)];
          const A = tf.tensor(a, shape);
          const C = tf.tensor(c, shape);
          const fa = tf.add(tf.sub(1, A), tf.mul(A, posX));
          const fc = tf.add(tf.sub(1, C), tf.mul(C, posG));
          return tf.mul(tf.mul(dy, fa), fc);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x);
  };
}


interface Swappable {
  activation?: { getClassName(): string; apply(x: Tensor): Tensor } | null;
  call?: unknown;
  maxValue?: number | null;
  kernel?: { read(): Tensor };
  bias?: { read(): Tensor } | null;
  strides?: number[];
  padding?: 'valid' | 'same';
  dilationRate?: number[];
  dataFormat?: string;
}

/**
 * tf.conv2d whose gradient with respect to its input is a forward convolution with the kernel turned
 * 180° (style.ts's layerVjp) for stride 1 and 'same' or 'valid' padding: TF.js's own gradient runs
 * Conv2DBackpropInput, which the WASM backend runs without XNNPACK (several times slower). Only the
 * input gets a gradient (the kernel is a constant here: these functions differentiate the input).
 */
function conv2dFastInputGrad(x: Tensor4D, k: Tensor4D, strides: [number, number] | number, padding: string, dilation: [number, number] | number | undefined): Tensor4D {
  const st = typeof strides === 'number' ? [strides, strides] : strides;
  const dl = (dilation === undefined ? [1, 1] : typeof dilation === 'number' ? [dilation, dilation] : dilation) as [number, number];
  if (st[0] !== 1 || st[1] !== 1 || (padding !== 'same' && padding !== 'valid')) return tf.conv2d(x, k, st as [number, number], padding as 'same' | 'valid', 'NHWC', dl);
  const f = tf.customGrad(((xi: Tensor4D) => {
    const value = tf.conv2d(xi, k, 1, padding as 'same' | 'valid', 'NHWC', dl);
    return {
      value,
      gradFunc: (dy: Tensor4D) => layerVjp({ kind: 'conv', name: '', kernel: k, relu: false, strides: [1, 1], padding: padding as 'same' | 'valid', dilation: dl }, xi, value, dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as Tensor4D;
}

/**
 * Runs fn with every ReLU of the model replaced by `relu`, the activation of `linearAt` (the target
 * layer) by the identity, and a final softmax by the identity (class scores before the softmax).
 * Returns fn's result and the number of ReLUs replaced. Synchronous: nothing else can run the model
 * meanwhile, and it is restored in `finally`.
 *
 * Conv2D and Dense layers are run as plain tf.conv2d / tf.matMul + bias + activation: TF.js-layers
 * calls the fused kernels even without an activation, and inside a gradient a fused 'linear'
 * kernel computes the filter gradient too (Conv2DBackpropFilter, missing on WASM, and wasted work).
 * Stride-1 convolutions differentiate their input only (conv2dFastInputGrad): inside `fn`, no
 * gradient reaches a convolution's kernel, so this is for input gradients, not for training.
 */
export function withReluRule<T>(model: tfl.LayersModel, relu: (x: Tensor) => Tensor, linearAt: tfl.layers.Layer | undefined, fn: () => T): { value: T; relus: number } {
  const layers = allLayers(model);
  const last = layers[layers.length - 1];
  const undo: (() => void)[] = [];
  let relus = 0;
  try {
    for (const l of layers) {
      const s = l as unknown as Swappable;
      const cls = l.getClassName();
      const act = s.activation;
      const name = act?.getClassName?.();
      // What the layer's activation becomes.
      let apply: ((x: Tensor) => Tensor) | undefined;
      if (act && name === 'relu') {
        apply = l === linearAt ? (x) => x : relu;
        if (l !== linearAt) relus++;
      } else if (act && (name === 'linear' || (name === 'softmax' && l === last))) {
        apply = (x) => x;
      } else if (act) {
        apply = (x) => act.apply(x);
      }
      const plain = (cls === 'Conv2D' && s.dataFormat !== 'channelsFirst') || cls === 'Dense';
      if (plain && s.kernel && apply) {
        const a = apply;
        s.call = (inputs: Tensor | Tensor[]) => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const k = s.kernel!.read();
          let y: Tensor;
          if (cls === 'Conv2D') {
            y = conv2dFastInputGrad(x as Tensor4D, k as Tensor4D, s.strides as [number, number], s.padding!, s.dilationRate as [number, number]);
          } else if (x.rank === 2) {
            y = tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D);
          } else {
            // Dense on a higher-rank input: contract the last axis.
            const shape = x.shape;
            y = tf.reshape(tf.matMul(tf.reshape(x, [-1, shape[shape.length - 1]]), k as tf.Tensor2D), [...shape.slice(0, -1), k.shape[1] as number]);
          }
          if (s.bias) y = tf.add(y, s.bias.read());
          return a(y);
        };
        undo.push(() => delete s.call);
      } else if (apply && act) {
        const swapped = { getClassName: () => 'convlab-rule', apply };
        s.activation = swapped;
        undo.push(() => (s.activation = act));
      } else if (cls === 'ReLU' && l !== linearAt) {
        const max = s.maxValue;
        s.call = (inputs: Tensor | Tensor[]) => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const y = relu(x);
          return max != null ? tf.clipByValue(y, 0, max) : y;
        };
        relus++;
        undo.push(() => delete s.call);
      }
    }
    return { value: fn(), relus };
  } finally {
    for (const u of undo.reverse()) u();
  }
}

function findLayer(m: tfl.LayersModel, name: string): tfl.layers.Layer {
  const l = allLayers(m).find((x) => x.name === name);
  if (!l) throw new Error(`There is no layer '${name}' in this model; its layers are ${allLayers(m).map((x) => x.name).join(', ')}.`);
  return l;
}

/**
 * The value of the target for each example of a batch of [0, 1] images: a vector [batch]. Runs the
 * model (with the rules set by the caller), input range scaling included, so gradients are with
 * respect to the [0, 1] image.
 */
function targetValues(r: Runner, x: Tensor4D, targets: readonly NeuronTarget[]): tf.Tensor1D {
  const [lo, hi] = r.inputRange;
  const scaled = lo === 0 && hi === 1 ? x : tf.add(tf.mul(x, hi - lo), lo);
  const t0 = targets[0];
  if (t0.layer === undefined) {
    const logits = r.layers.predict(scaled) as Tensor;
    const classes = targets.map((t) => t.class as number);
    const onehot = tf.oneHot(tf.tensor1d(classes, 'int32'), logits.shape[logits.shape.length - 1]);
    return tf.sum(tf.mul(logits, onehot), 1) as tf.Tensor1D;
  }
  const layer = findLayer(r.layers, t0.layer);
  const out = execute(r.layers, scaled, layer);
  const units = targets.map((t) => t.unit as number);
  const onehot = tf.oneHot(tf.tensor1d(units, 'int32'), out.shape[out.shape.length - 1]); // [b, u]
  if (out.rank === 2) return tf.sum(tf.mul(out, onehot), 1) as tf.Tensor1D;
  const [b, h, w, u] = out.shape;
  // The chosen channel of each example: [b, h, w].
  const ch = tf.sum(tf.mul(out, tf.reshape(onehot, [b, 1, 1, u])), 3);
  const pos = t0.position ?? 'max';
  if (pos === 'max') return tf.max(tf.reshape(ch, [b, h * w]), 1) as tf.Tensor1D;
  if (pos === 'mean') return tf.mean(tf.reshape(ch, [b, h * w]), 1) as tf.Tensor1D;
  return tf.reshape(tf.slice(ch, [0, pos[0], pos[1]], [b, 1, 1]), [b]) as tf.Tensor1D;
}

/** The output of one layer for an input, through the model's graph. */
function execute(m: tfl.LayersModel, x: Tensor, layer: tfl.layers.Layer): Tensor {
  const sym = layer.output as tfl.SymbolicTensor;
  const seq = m as unknown as { model?: tfl.LayersModel };
  // A Sequential keeps its graph in an inner model.
  const graph = m.getClassName() === 'Sequential' && seq.model ? seq.model : m;
  return graph.execute(x, sym.name) as Tensor;
}

/**
 * The gradient of one target with respect to a batch of input images, one ReLU rule per example
 * (all examples have the same target kind). Inside a tidy; returns [batch, h, w, c].
 */
function ruleGradients(model: VisualisedModel, x: Tensor4D, targets: readonly NeuronTarget[], rules: readonly ReluRule[]): Tensor4D {
  const r = runnerFor(model);
  for (const t of targets) checkTarget(model, t);
  const linearAt = targets[0].layer !== undefined ? findLayer(r.layers, targets[0].layer) : undefined;
  return tf.tidy(() => {
    const f = (xi: Tensor) => withReluRule(r.layers, ruleRelu(rules), linearAt, () => tf.sum(targetValues(r, xi as Tensor4D, targets))).value;
    return tf.grad(f)(x) as Tensor4D;
  });
}

/**
 * d target / d x for an image batch x (NHWC, [0, 1]): the gradient of a class score S_c (before
 * the softmax) or of one unit of a layer (`layer`, `unit`, `position`), with every ReLU passing back
 * what `rule` says. The target layer's own ReLU, when it has one, is left out: the unit's value is
 * taken before it, so a unit that is off on this image still has a gradient.
 * Throws a clear error for a layer that does not exist, a unit or class out of range.
 */
export function neuronGradient(model: VisualisedModel, x: Tensor4D, opts: NeuronGradientOptions): Tensor4D {
  const rule = opts.rule ?? 'gradient';
  if (!RELU_RULES.includes(rule)) throw new Error(`Unknown rule '${rule}': use gradient, deconvnet or guided.`);
  const n = x.shape[0];
  return ruleGradients(model, x, Array(n).fill(opts), Array(n).fill(rule));
}

export interface SaliencyMaps {
  gradient: Tensor4D;
  deconvnet: Tensor4D;
  guided: Tensor4D;
}

/**
 * The three maps of one image x ([1, h, w, c]) for one target, in a single batched forward and
 * backward pass (the image three times, each copy under its own ReLU rule).
 */
export function saliencyMaps(model: VisualisedModel, x: Tensor4D, target: NeuronTarget): SaliencyMaps {
  if (x.shape[0] !== 1) throw new Error(`saliencyMaps takes one image, not a batch of ${x.shape[0]}.`);
  return tf.tidy(() => {
    const xs = tf.concat([x, x, x], 0) as Tensor4D;
    const g = ruleGradients(model, xs, [target, target, target], RELU_RULES);
    const [gradient, deconvnet, guided] = tf.split(g, 3, 0) as Tensor4D[];
    return { gradient, deconvnet, guided };
  });
}

/**
 * A map for display: the signed gradient summed over channels ([h, w]), and its magnitude
 * max over channels of |g| ([h, w]), as Simonyan et al. show saliency.
 */
export function saliencyDisplay(g: Tensor4D): { signed: tf.Tensor2D; magnitude: tf.Tensor2D } {
  return tf.tidy(() => {
    const [, h, w] = g.shape;
    const one = tf.reshape(tf.slice(g, [0, 0, 0, 0], [1, -1, -1, -1]), g.shape.slice(1) as [number, number, number]);
    return {
      signed: tf.reshape(tf.sum(one, 2), [h, w]) as tf.Tensor2D,
      magnitude: tf.reshape(tf.max(tf.abs(one), 2), [h, w]) as tf.Tensor2D,
    };
  });
}

/** The target's value for each image of a batch (no rule: a plain forward pass). */
export function targetValue(model: VisualisedModel, x: Tensor4D, target: NeuronTarget): tf.Tensor1D {
  checkTarget(model, target);
  const r = runnerFor(model);
  const linearAt = target.layer !== undefined ? findLayer(r.layers, target.layer) : undefined;
  return tf.tidy(() => withReluRule(r.layers, tf.relu, linearAt, () => targetValues(r, x, Array(x.shape[0]).fill(target))).value);
}

/** For tests: how many ReLUs the rule reaches in a model (fused activations, Activation and ReLU layers). */
export function countRuleRelus(model: VisualisedModel): number {
  const r = runnerFor(model);
  return withReluRule(r.layers, tf.relu, undefined, () => 0).relus;
}

/** For class visualisation: the summed target over a batch, each example its own target, under plain ReLUs. */
export function batchTargetSum(model: VisualisedModel, x: Tensor4D, targets: readonly NeuronTarget[]): { sum: tf.Scalar; values: tf.Tensor1D } {
  const r = runnerFor(model);
  const linearAt = targets[0].layer !== undefined ? findLayer(r.layers, targets[0].layer) : undefined;
  return withReluRule(r.layers, tf.relu, linearAt, () => {
    const values = targetValues(r, x, targets);
    return { sum: tf.sum(values) as tf.Scalar, values };
  }).value;
}

export { runnerFor as visualisationRunner };

/**
 * What one ReLU passes back under each rule, on plain numbers (for diagrams): with f the ReLU's
 * forward input and r the gradient arriving from above, element by element,
 *   gradient: r [f > 0],   deconvnet: r [r > 0],   guided: r [f > 0] [r > 0].
 */
export function reluRuleBackward(rule: ReluRule, forward: readonly number[], fromAbove: readonly number[]): number[] {
  if (forward.length !== fromAbove.length) throw new Error(`${forward.length} forward values but ${fromAbove.length} gradients.`);
  return fromAbove.map((r, i) => {
    const keepForward = rule === 'deconvnet' || forward[i] > 0;
    const keepGradient = rule === 'gradient' || r > 0;
    return keepForward && keepGradient ? r : 0;
  });
}
