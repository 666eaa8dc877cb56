/**
 * Looking inside a layers model: its convolution layers, their kernels, and the activations a layer
 * produces for an image. Used by <filter-grid> and <top-patches>; pure functions, any backend.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor4D } from './tf.js';
import { ConvLabError } from './errors.js';
import type { LoadedModel } from './models.js';

/** One layer's geometry, in the order the layers run. */
export interface LayerInfo {
  name: string;
  /** TF.js class name: Conv2D, MaxPooling2D, Dense, … */
  className: string;
  /** True for Conv2D layers (the ones with kernels to show). */
  conv: boolean;
  /** [kh, kw] of a convolution or pooling window; [1, 1] for layers that keep positions. */
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'same' | 'valid';
  /** Output shape of one image: [h, w, c] for spatial layers, [c] for flat ones. */
  outputShape: number[];
  /** Input channels of a convolution's kernel. */
  inChannels?: number;
  /** Filters of a convolution (its output channels). */
  filters?: number;
  /** The activation fused into the layer ('relu', 'linear', …). */
  activation?: string;
}

/** A unit (channel) of a layer that a reader chose: the detail of the `unit-select` event of the visualisation widgets. */
export interface UnitSelectDetail {
  /** The layer's name. */
  layer: string;
  /** The unit: a filter / output channel. */
  unit: number;
  /** The input channel of a kernel slice, when one was chosen (filter-grid's deeper layers). */
  channel?: number;
}

/** Raised when a widget asks for a layer or unit that the model does not have. */
export class LayerError extends ConvLabError {
  declare readonly code: 'no-layer' | 'no-conv' | 'graph-model' | 'bad-unit';
  constructor(code: LayerError['code'], message: string) {
    super(code, message);
  }
}

const pair = (v: unknown, dflt: number): [number, number] => {
  if (Array.isArray(v)) return [Number(v[0] ?? dflt), Number(v[1] ?? v[0] ?? dflt)];
  if (typeof v === 'number') return [v, v];
  return [dflt, dflt];
};

function layersOf(model: Pick<LoadedModel, 'layers' | 'url'>): tfl.LayersModel {
  if (!model.layers) {
    throw new LayerError('graph-model', `The model at ${model.url} is a graph model: its layers and kernels cannot be read. Use a TF.js layers model.`);
  }
  return model.layers;
}

/** The layers of a layers model with their geometry (kernel, stride, padding, output shape). */
export function modelLayers(model: Pick<LoadedModel, 'layers' | 'url'>): LayerInfo[] {
  const lm = layersOf(model);
  const out: LayerInfo[] = [];
  for (const layer of lm.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    const cfg = layer.getConfig() as Record<string, unknown>;
    const shape = (layer.outputShape as (number | null)[]).slice(1).map((d) => d ?? 0);
    const conv = cls === 'Conv2D';
    const pool = /Pooling2D$/.test(cls) && !/Global/.test(cls);
    const info: LayerInfo = {
      name: layer.name,
      className: cls,
      conv,
      kernel: conv ? pair(cfg.kernelSize, 1) : pool ? pair(cfg.poolSize, 2) : [1, 1],
      strides: conv ? pair(cfg.strides, 1) : pool ? pair(cfg.strides ?? cfg.poolSize, 2) : [1, 1],
      dilation: conv ? pair(cfg.dilationRate, 1) : [1, 1],
      padding: cfg.padding === 'same' ? 'same' : 'valid',
      outputShape: shape,
    };
    if (conv) {
      const k = layer.getWeights()[0];
      info.inChannels = k.shape[2];
      info.filters = k.shape[3];
      info.activation = String(cfg.activation ?? 'linear');
    }
    out.push(info);
  }
  return out;
}

/** The Conv2D layers, in order. Throws a LayerError naming the model when there is none. */
export function convLayers(model: Pick<LoadedModel, 'layers' | 'url'>): LayerInfo[] {
  const convs = modelLayers(model).filter((l) => l.conv);
  if (!convs.length) throw new LayerError('no-conv', `The model at ${model.url} has no convolution (Conv2D) layer, so it has no filters to show.`);
  return convs;
}

/**
 * Finds a layer by name among `layers`. Throws a LayerError that lists the names there are.
 * `what` says which kind the widget wants ("convolution layer", "spatial layer").
 */
export function findLayer(layers: LayerInfo[], name: string, what = 'layer'): LayerInfo {
  const l = layers.find((x) => x.name === name);
  if (!l) throw new LayerError('no-layer', `The model has no ${what} called '${name}'. Its ${what}s are: ${layers.map((x) => x.name).join(', ')}.`);
  return l;
}

/** A conv layer's kernel as [kh, kw, inChannels, filters] (a copy: dispose it). */
export function layerKernel(model: Pick<LoadedModel, 'layers' | 'url'>, layerName: string): Tensor4D {
  const lm = layersOf(model);
  const layer = lm.layers.find((l) => l.name === layerName);
  if (!layer || layer.getClassName() !== 'Conv2D') {
    throw new LayerError('no-layer', `The model has no convolution layer called '${layerName}'. Its convolution layers are: ${convLayers(model).map((l) => l.name).join(', ')}.`);
  }
  return tf.clone(layer.getWeights()[0]) as Tensor4D;
}

export type KernelNormalization = 'filter' | 'layer';

/**
 * Kernels as tiles in [-1, 1]: `[filters, kh, kw, inChannels]`, each weight divided by a maximum
 * absolute value m so that zero stays zero (the middle of the colour map):
 *
 *   per filter:  t[f] = W[:, :, :, f] / max |W[:, :, :, f]|      (every tile uses its full range)
 *   per layer:   t[f] = W[:, :, :, f] / max |W|                  (tiles comparable with one another)
 *
 * Returns the tiles and m (one per filter; the same value repeated for 'layer').
 */
export function normalizeKernels(kernel: Tensor4D, mode: KernelNormalization): { tiles: Tensor4D; scale: tf.Tensor1D } {
  return tf.tidy(() => {
    const t = tf.transpose(kernel, [3, 0, 1, 2]) as Tensor4D; // [f, kh, kw, c]
    const perFilter = tf.max(tf.abs(t), [1, 2, 3]) as tf.Tensor1D; // [f]
    const m = mode === 'layer' ? (tf.mul(tf.onesLike(perFilter), tf.max(perFilter)) as tf.Tensor1D) : perFilter;
    const safe = tf.maximum(m, 1e-12);
    const tiles = tf.div(t, tf.reshape(safe, [-1, 1, 1, 1])) as Tensor4D;
    return { tiles, scale: m };
  });
}

const subModels = new WeakMap<tfl.LayersModel, Map<string, tfl.LayersModel>>();

/** A model from the input to `layerName`'s output (cached per model and layer; shares the weights). */
function truncated(model: Pick<LoadedModel, 'layers' | 'url'>, layerName: string): tfl.LayersModel {
  const lm = layersOf(model);
  let byName = subModels.get(lm);
  if (!byName) subModels.set(lm, (byName = new Map()));
  let sub = byName.get(layerName);
  if (!sub) {
    const layer = lm.layers.find((l) => l.name === layerName);
    if (!layer) throw new LayerError('no-layer', `The model has no layer called '${layerName}'. Its layers are: ${modelLayers(model).map((l) => l.name).join(', ')}.`);
    sub = tfl.model({ inputs: lm.inputs, outputs: layer.output as tfl.SymbolicTensor });
    byName.set(layerName, sub);
  }
  return sub;
}

/**
 * The output of layer `layerName` for a batch of [0, 1] images (scaled to the model's input range
 * first, as `logits` does): [n, h, w, c] for a spatial layer, [n, c] for a flat one. For a conv
 * layer with a fused activation this is after the activation (ReLU). Call inside tf.tidy or dispose.
 */
export function layerActivations(model: Pick<LoadedModel, 'layers' | 'url' | 'meta'>, layerName: string, x: Tensor4D): tf.Tensor {
  const sub = truncated(model, layerName);
  return tf.tidy(() => {
    const [lo, hi] = model.meta.inputRange;
    const scaled = lo === 0 && hi === 1 ? x : tf.add(tf.mul(x, hi - lo), lo);
    return sub.predict(scaled as Tensor4D) as tf.Tensor;
  });
}

/** The layer just before the classifier's last one (the "penultimate features"), by default for t-SNE. */
export function penultimateLayer(model: Pick<LoadedModel, 'layers' | 'url'>): LayerInfo {
  const layers = modelLayers(model);
  if (layers.length < 2) throw new LayerError('no-layer', `The model at ${model.url} has a single layer: it has no penultimate features.`);
  return layers[layers.length - 2];
}
