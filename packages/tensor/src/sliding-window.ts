/**
 * Detection by classification (issue 13): a small crop classifier run on every window of an image,
 * two ways, and on every region proposal (R-CNN's warp).
 *
 * The classifier is a TF.js layers `Sequential` of unpadded ('valid') convolutions, max pooling, a
 * Flatten and Dense layers (see @convlab/models' `shapes-crops`). A Dense layer on a k x k x C input
 * computes, for each unit o, sum over (h, w, c) of x[h, w, c] K[(h k + w) C + c, o] (Keras flattens
 * NHWC as (h, w, c)): exactly a k x k 'valid' convolution with kernel K reshaped to [k, k, C, units]
 * (`denseToConvKernel`). Every later Dense is a 1 x 1 convolution. Run on a whole image, the network
 * then gives the classifier's output for every window of its input size at once, at the network's
 * stride (the product of the pooling strides): OverFeat's "fully convolutional" sliding window.
 * Because no layer pads, a window's output does not depend on pixels outside it, and the one pass
 * gives the same numbers as one forward pass per window (`scoreWindows`, `scoreWindowsOneByOne`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor2D, type Tensor3D, type Tensor4D } from './tf.js';

/** One layer of a crop classifier, as plain data (weights are the model's own tensors: not copies). */
export type ClassifierLayer =
  | { kind: 'conv'; name: string; kernel: Tensor4D; bias: tf.Tensor1D | null; strides: [number, number]; activation: 'relu' | 'linear' }
  | { kind: 'pool'; name: string; size: [number, number]; strides: [number, number] }
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; kernel: Tensor2D; bias: tf.Tensor1D | null; activation: 'relu' | 'linear' };

export interface ClassifierSpec {
  /** The window the classifier was trained on, `[height, width]` (its input size). */
  inputSize: [number, number];
  channels: number;
  layers: ClassifierLayer[];
  /** Product of the conv and pooling strides: how far apart the fully convolutional windows are. */
  stride: number;
  /** Number of outputs per window (the last Dense layer's units). */
  outputs: number;
}

function activationOf(layer: tfl.layers.Layer, name: string): 'relu' | 'linear' {
  const a = (layer.getConfig() as { activation?: string }).activation ?? 'linear';
  if (a !== 'relu' && a !== 'linear') throw new Error(`${name}: activation ${a} is not supported (relu or linear)`);
  return a;
}

/**
 * Reads a layers `Sequential` into a `ClassifierSpec`. Throws when a layer is not an unpadded
 * Conv2D, a 'valid' MaxPooling2D, a Flatten or a Dense with relu / linear activation, or when a
 * Dense follows the Flatten of a spatial tensor that the conversion could not reshape.
 */
export function classifierSpec(model: Pick<tfl.LayersModel, 'layers' | 'inputs'>): ClassifierSpec {
  const shape = model.inputs[0].shape;
  const [h, w, c] = [shape[1], shape[2], shape[3]];
  if (!(typeof h === 'number' && typeof w === 'number' && typeof c === 'number')) throw new Error('the classifier needs a fixed input size [h, w, c]');
  const layers: ClassifierLayer[] = [];
  let stride = 1;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const wts = layer.getWeights();
    if (cls === 'InputLayer') continue;
    if (cls === 'Conv2D') {
      if (cfg.padding !== 'valid') throw new Error(`${layer.name}: padding '${String(cfg.padding)}' makes a window's score depend on its surroundings; use 'valid'`);
      const dil = cfg.dilationRate as number[] | number | undefined;
      if (dil !== undefined && (Array.isArray(dil) ? dil.some((d) => d !== 1) : dil !== 1)) throw new Error(`${layer.name}: dilation is not supported`);
      const strides = cfg.strides as [number, number];
      stride *= strides[0];
      layers.push({ kind: 'conv', name: layer.name, kernel: wts[0] as Tensor4D, bias: (wts[1] as tf.Tensor1D) ?? null, strides, activation: activationOf(layer, layer.name) });
    } else if (cls === 'MaxPooling2D') {
      if (cfg.padding !== 'valid') throw new Error(`${layer.name}: only 'valid' max pooling is supported`);
      const strides = cfg.strides as [number, number];
      stride *= strides[0];
      layers.push({ kind: 'pool', name: layer.name, size: cfg.poolSize as [number, number], strides });
    } else if (cls === 'Flatten') {
      layers.push({ kind: 'flatten', name: layer.name });
    } else if (cls === 'Dense') {
      layers.push({ kind: 'dense', name: layer.name, kernel: wts[0] as Tensor2D, bias: (wts[1] as tf.Tensor1D) ?? null, activation: activationOf(layer, layer.name) });
    } else {
      throw new Error(`${layer.name}: ${cls} layers are not supported by the sliding window`);
    }
  }
  const last = layers[layers.length - 1];
  if (!last || last.kind !== 'dense') throw new Error('the classifier must end with a Dense layer');
  return { inputSize: [h, w], channels: c, layers, stride, outputs: last.kernel.shape[1] };
}

/**
 * A Dense kernel `[kh * kw * C, units]` (rows in Keras' NHWC flatten order (h, w, c)) as the
 * equivalent 'valid' convolution kernel `[kh, kw, C, units]` (HWIO): element
 * `[(h kw + w) C + c, o]` becomes `[h, w, c, o]`. A Dense after another Dense is a 1 x 1 kernel.
 */
export function denseToConvKernel(kernel: Tensor2D, [kh, kw, c]: readonly [number, number, number]): Tensor4D {
  const [rows, units] = kernel.shape;
  if (rows !== kh * kw * c) throw new Error(`a Dense kernel of ${rows} rows cannot be a ${kh}x${kw}x${c} convolution (${kh * kw * c} rows)`);
  return tf.reshape(kernel, [kh, kw, c, units]);
}

/** The classifier's layers with every Dense as a convolution (new kernels: dispose with `disposeConvolutional`). */
export interface ConvolutionalClassifier {
  spec: ClassifierSpec;
  /** Per layer: a conv kernel (for a Dense, the converted one), or null for pooling / flatten. */
  kernels: (Tensor4D | null)[];
  /** Which kernels this object owns (the converted ones). */
  owned: Tensor4D[];
}

/** Converts every Dense of `spec` to a convolution (the first to k x k, the rest to 1 x 1). */
export function toConvolutional(spec: ClassifierSpec): ConvolutionalClassifier {
  let [h, w] = spec.inputSize;
  let c = spec.channels;
  const kernels: (Tensor4D | null)[] = [];
  const owned: Tensor4D[] = [];
  for (const l of spec.layers) {
    if (l.kind === 'conv') {
      const [kh, kw, , o] = l.kernel.shape;
      h = Math.floor((h - kh) / l.strides[0]) + 1;
      w = Math.floor((w - kw) / l.strides[1]) + 1;
      c = o;
      kernels.push(l.kernel);
    } else if (l.kind === 'pool') {
      h = Math.floor((h - l.size[0]) / l.strides[0]) + 1;
      w = Math.floor((w - l.size[1]) / l.strides[1]) + 1;
      kernels.push(null);
    } else if (l.kind === 'flatten') {
      kernels.push(null);
    } else {
      const k = denseToConvKernel(l.kernel, [h, w, c]);
      owned.push(k);
      kernels.push(k);
      h = 1;
      w = 1;
      c = l.kernel.shape[1];
    }
  }
  return { spec, kernels, owned };
}

export function disposeConvolutional(conv: ConvolutionalClassifier): void {
  for (const k of conv.owned) k.dispose();
  conv.owned.length = 0;
}

/**
 * The fully convolutional pass: `image` `[H, W, C]` (or `[1, H, W, C]`) in the classifier's input
 * range -> `[gh, gw, outputs]`, the classifier's output for the window whose top-left corner is
 * `(x, y) = (j stride, i stride)` at `[i, j]`, with gh = floor((H - h) / stride) + 1 (likewise gw).
 * One forward pass, whatever the number of windows.
 */
export function scoreWindows(conv: ConvolutionalClassifier, image: Tensor3D | Tensor4D): Tensor3D {
  const [ih, iw] = conv.spec.inputSize;
  const H = image.shape[image.rank - 3];
  const W = image.shape[image.rank - 2];
  if (H < ih || W < iw) throw new Error(`the image (${W}x${H}) is smaller than the ${iw}x${ih} window`);
  return tf.tidy(() => {
    let x = (image.rank === 3 ? tf.expandDims(image, 0) : image) as Tensor4D;
    conv.spec.layers.forEach((l, i) => {
      if (l.kind === 'conv' || l.kind === 'dense') {
        const strides = l.kind === 'conv' ? l.strides : ([1, 1] as [number, number]);
        x = tf.conv2d(x, conv.kernels[i] as Tensor4D, strides, 'valid');
        if (l.bias) x = tf.add(x, l.bias);
        if (l.activation === 'relu') x = tf.relu(x);
      } else if (l.kind === 'pool') {
        x = tf.maxPool(x, l.size, l.strides, 'valid');
      }
    });
    return tf.squeeze(x, [0]) as Tensor3D;
  });
}

/** Top-left corners of the windows `scoreWindows` scores, in its row-major order. */
export function windowGrid([H, W]: readonly [number, number], [h, w]: readonly [number, number], stride: number): { rows: number; cols: number; origins: [number, number][] } {
  const rows = H >= h ? Math.floor((H - h) / stride) + 1 : 0;
  const cols = W >= w ? Math.floor((W - w) / stride) + 1 : 0;
  const origins: [number, number][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) origins.push([j * stride, i * stride]);
  return { rows, cols, origins };
}

export interface OneByOneResult {
  /** `[gh, gw, outputs]`, the same layout as `scoreWindows`. */
  scores: Tensor3D;
  /** Forward passes run (one per window). */
  passes: number;
}

/**
 * The naive sliding window: one forward pass of `model` per window (each a `[1, h, w, C]` slice of
 * the image), at the classifier's stride (or `stride`). `onPass(done, total)` is called after each
 * pass; awaited, so a caller can yield to the page or stop by throwing (e.g. an AbortError).
 */
export async function scoreWindowsOneByOne(
  model: Pick<tfl.LayersModel, 'predict'>,
  spec: ClassifierSpec,
  image: Tensor3D,
  { stride = spec.stride, onPass }: { stride?: number; onPass?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<OneByOneResult> {
  const [H, W] = image.shape;
  const [h, w] = spec.inputSize;
  const grid = windowGrid([H, W], [h, w], stride);
  if (!grid.origins.length) throw new Error(`the image (${W}x${H}) is smaller than the ${w}x${h} window`);
  const rows: tf.Tensor1D[] = [];
  try {
    for (let k = 0; k < grid.origins.length; k++) {
      const [x, y] = grid.origins[k];
      rows.push(tf.tidy(() => tf.reshape(model.predict(tf.expandDims(tf.slice(image, [y, x, 0], [h, w, image.shape[2]]), 0)) as tf.Tensor, [-1]) as tf.Tensor1D));
      if (onPass) await onPass(k + 1, grid.origins.length);
    }
    const scores = tf.tidy(() => tf.reshape(tf.stack(rows), [grid.rows, grid.cols, spec.outputs]) as Tensor3D);
    return { scores, passes: grid.origins.length };
  } finally {
    for (const r of rows) r.dispose();
  }
}

/**
 * Boxes `[x1, y1, x2, y2]` in pixels (x2, y2 exclusive) as `tf.image.cropAndResize` boxes
 * (normalised `[y1, x1, y2, x2]`) that sample a `size x size` crop at pixel centres: output pixel i
 * reads the input at y1 + (i + 1/2) (y2 - y1) / size - 1/2, the convention of `resizeBilinear` with
 * half-pixel centres. A box of exactly `size` pixels is then copied without resampling.
 */
export function warpBoxes(boxes: readonly (readonly number[])[], [H, W]: readonly [number, number], size: number): number[][] {
  return boxes.map(([x1, y1, x2, y2]) => {
    const hy = (y2 - y1) / (2 * size);
    const hx = (x2 - x1) / (2 * size);
    return [(y1 + hy - 0.5) / Math.max(H - 1, 1), (x1 + hx - 0.5) / Math.max(W - 1, 1), (y2 - hy - 0.5) / Math.max(H - 1, 1), (x2 - hx - 0.5) / Math.max(W - 1, 1)];
  });
}

/**
 * R-CNN's warp: every box cut out of `image` `[H, W, C]` and resized (bilinear) to the classifier's
 * `size x size` input, whatever its aspect ratio -> `[N, size, size, C]`.
 */
export function warpCrops(image: Tensor3D, boxes: readonly (readonly number[])[], size: number): Tensor4D {
  const [H, W] = image.shape;
  return tf.tidy(() => {
    if (!boxes.length) return tf.zeros([0, size, size, image.shape[2]]) as Tensor4D;
    const b = tf.tensor2d(warpBoxes(boxes, [H, W], size), [boxes.length, 4]);
    const idx = tf.zeros([boxes.length], 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(tf.expandDims(image, 0) as Tensor4D, b, idx, [size, size], 'bilinear');
  });
}
