/**
 * Fully convolutional semantic segmentation (issue 14): a network that maps an image [H, W, 3] to
 * class scores for every pixel [H, W, C] in one pass, and what the course says about it:
 *
 * - its layers as plain data (`fcnLayers`), their multiply-adds (`multiplyAdds`) and the input
 *   region one output pixel depends on (`fcnRegion`, exact, through every path of the graph), with
 *   `fcnRfPath` giving the longest path as a layer list for `receptiveField` (r = 1 + 2L for L 3x3
 *   convolutions);
 * - the effective receptive field (Luo et al., 2016): |d z_k(y, x) / d input|, summed over the
 *   input channels (`effectiveReceptiveField`), and its spread (`erfSummary`);
 * - segmentation by sliding window, the strawman: one forward pass per pixel on the window around
 *   it, keeping the centre's class (`slidingWindowSegment`).
 *
 * Supported layers: Conv2D ('same' or 'valid', square kernel, any stride), Conv2DTranspose with
 * kernel == stride and 'valid' padding (an exact s-fold upsampling: output pixel u comes from input
 * pixel floor(u / s) alone), Add and Concatenate; the model's input is an InputLayer.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor2D, type Tensor3D, type Tensor4D } from './tf.js';
import type { RfLayer } from './receptive-field.js';
import { withReluRule } from './saliency.js';

export interface FcnLayer {
  name: string;
  /** 'pointwise': an activation layer (keeps every position, no multiply-adds). */
  kind: 'conv' | 'up' | 'add' | 'concat' | 'pointwise';
  /** Names of the layers feeding it; 'input' is the image. */
  inputs: string[];
  /** Kernel size k (square), stride s; 1 for add and concat. */
  kernel: number;
  stride: number;
  /** Zero rows (and columns) added before the first pixel: TF.js 'same' pads floor(total / 2) there. */
  padding: number;
  inChannels: number;
  outChannels: number;
  inSize: [number, number];
  outSize: [number, number];
}

type AnyLayer = tfl.layers.Layer & { getConfig(): Record<string, unknown>; inboundNodes: { inboundLayers: tfl.layers.Layer[] }[] };

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

/**
 * The layers of a fully convolutional TF.js layers model (Sequential or functional) as plain data,
 * in order. Throws a RangeError naming the first layer it cannot describe.
 */
export function fcnLayers(model: Pick<tfl.LayersModel, 'layers' | 'inputs'>): FcnLayer[] {
  const shapes = new Map<string, number[]>();
  const inShape = model.inputs[0].shape;
  shapes.set('input', inShape.slice(1) as number[]);
  const out: FcnLayer[] = [];
  for (const layer of model.layers as AnyLayer[]) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const inputs = inbound.map((l) => (l.getClassName() === 'InputLayer' ? 'input' : l.name));
    const ins = inputs.map((n) => shapes.get(n));
    if (!inputs.length || ins.some((s) => !s)) throw new RangeError(`fcnLayers(): layer '${layer.name}' has inputs that come from no earlier layer`);
    const [h, w, c] = ins[0]!;
    const oshape = (layer.outputShape as number[]).slice(1);
    const cfg = layer.getConfig();
    const base = { name: layer.name, inputs, inChannels: c, outChannels: oshape[2], inSize: [h, w] as [number, number], outSize: [oshape[0], oshape[1]] as [number, number] };
    if (cls === 'Conv2D' || cls === 'Conv2DTranspose') {
      const [kh, kw] = pair(cfg.kernel_size ?? cfg.kernelSize);
      const [sh, sw] = pair(cfg.strides);
      const [dh, dw] = pair(cfg.dilation_rate ?? cfg.dilationRate ?? 1);
      if (kh !== kw || sh !== sw || dh !== 1 || dw !== 1) throw new RangeError(`fcnLayers(): layer '${layer.name}' needs a square kernel, equal strides and no dilation`);
      if (cls === 'Conv2DTranspose') {
        if (kh !== sh || cfg.padding !== 'valid') throw new RangeError(`fcnLayers(): transposed conv '${layer.name}' must have kernel == stride and 'valid' padding`);
        out.push({ ...base, kind: 'up', kernel: kh, stride: sh, padding: 0 });
      } else {
        const total = cfg.padding === 'same' ? Math.max((Math.ceil(h / sh) - 1) * sh + kh - h, 0) : 0;
        out.push({ ...base, kind: 'conv', kernel: kh, stride: sh, padding: Math.floor(total / 2) });
      }
    } else if (cls === 'Add' || cls === 'Concatenate') {
      out.push({ ...base, kind: cls === 'Add' ? 'add' : 'concat', kernel: 1, stride: 1, padding: 0 });
    } else if (cls === 'Activation' || cls === 'ReLU') {
      out.push({ ...base, kind: 'pointwise', kernel: 1, stride: 1, padding: 0 });
    } else {
      throw new RangeError(`fcnLayers(): layer '${layer.name}' (${cls}) is not a layer of a fully convolutional network here (Conv2D, Conv2DTranspose, Add, Concatenate)`);
    }
    shapes.set(layer.name, oshape);
  }
  if (!out.length) throw new RangeError('fcnLayers(): the model has no layers');
  return out;
}

/**
 * Multiply-adds of one forward pass: a convolution computes H_out W_out k^2 C_in C_out of them, a
 * transposed convolution H_in W_in k^2 C_in C_out (every input pixel spreads a k x k x C_out block);
 * additions and concatenations none (their H W C additions are not counted).
 */
export function multiplyAdds(layers: readonly FcnLayer[]): { total: number; perLayer: { name: string; macs: number }[] } {
  const perLayer = layers.map((l) => {
    const k2 = l.kernel * l.kernel * l.inChannels * l.outChannels;
    const macs = l.kind === 'conv' ? l.outSize[0] * l.outSize[1] * k2 : l.kind === 'up' ? l.inSize[0] * l.inSize[1] * k2 : 0;
    return { name: l.name, macs };
  });
  return { total: perLayer.reduce((a, b) => a + b.macs, 0), perLayer };
}

/** An inclusive pixel range [lo, hi] along each axis. */
export interface PixelRegion {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * The input pixels output pixel (y, x) of the last layer can depend on (its theoretical receptive
 * field), exact, by walking the graph backwards with an interval per layer and axis: a convolution's
 * output range [lo, hi] comes from input [lo s - p, hi s - p + k - 1]; a transposed convolution's
 * (k = s) from [floor(lo / s), floor(hi / s)]; add and concat pass the range to each input, and a
 * layer fed by several paths takes the union (the smallest range holding them all). A layer's range is
 * first clipped to its output: the rows beyond it are the next layer's zero padding.
 * `clipped` is clipped to the image; `full` may reach into the zero padding (negative or >= size).
 */
export function fcnRegion(layers: readonly FcnLayer[], y: number, x: number): { full: PixelRegion; clipped: PixelRegion } {
  const last = layers[layers.length - 1];
  const [H, W] = layers[0].inSize;
  if (!(Number.isInteger(y) && Number.isInteger(x) && y >= 0 && x >= 0 && y < last.outSize[0] && x < last.outSize[1]))
    throw new RangeError(`fcnRegion(): pixel (${y}, ${x}) is outside the ${last.outSize[0]} x ${last.outSize[1]} output`);
  const ranges = new Map<string, PixelRegion>([[last.name, { y0: y, y1: y, x0: x, x1: x }]]);
  const union = (name: string, r: PixelRegion) => {
    const o = ranges.get(name);
    ranges.set(name, o ? { y0: Math.min(o.y0, r.y0), y1: Math.max(o.y1, r.y1), x0: Math.min(o.x0, r.x0), x1: Math.max(o.x1, r.x1) } : r);
  };
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const got = ranges.get(l.name);
    if (!got) continue;
    // rows and columns outside a layer's output are the next layer's zero padding: they depend on nothing
    const r = { y0: Math.max(0, got.y0), y1: Math.min(l.outSize[0] - 1, got.y1), x0: Math.max(0, got.x0), x1: Math.min(l.outSize[1] - 1, got.x1) };
    let back: PixelRegion;
    if (l.kind === 'conv') {
      const f = (lo: number, hi: number) => [lo * l.stride - l.padding, hi * l.stride - l.padding + l.kernel - 1];
      const [y0, y1] = f(r.y0, r.y1);
      const [x0, x1] = f(r.x0, r.x1);
      back = { y0, y1, x0, x1 };
    } else if (l.kind === 'up') {
      const s = l.stride;
      back = { y0: Math.floor(r.y0 / s), y1: Math.floor(r.y1 / s), x0: Math.floor(r.x0 / s), x1: Math.floor(r.x1 / s) };
    } else back = r;
    for (const n of l.inputs) union(n, back);
  }
  const full = ranges.get('input');
  if (!full) throw new RangeError('fcnRegion(): the last layer does not depend on the input');
  const clipped = { y0: Math.max(0, full.y0), y1: Math.min(H - 1, full.y1), x0: Math.max(0, full.x0), x1: Math.min(W - 1, full.x1) };
  return { full, clipped };
}

/**
 * The longest path (most convolutions) from the input to the output, as a layer list for
 * `receptiveField` (transposed convolutions marked `transposed`; add and concat left out: they
 * neither grow the field nor move it). Its last `size` is the field's width in pixels.
 */
export function fcnRfPath(layers: readonly FcnLayer[]): RfLayer[] {
  const best = new Map<string, RfLayer[]>([['input', []]]);
  for (const l of layers) {
    let path: RfLayer[] | undefined;
    for (const n of l.inputs) {
      const p = best.get(n);
      if (p && (!path || p.length > path.length)) path = p;
    }
    if (!path) continue;
    if (l.kind === 'conv') path = [...path, { name: l.name, kernel: l.kernel, stride: l.stride, padding: l.padding }];
    else if (l.kind === 'up') path = [...path, { name: l.name, kernel: l.kernel, stride: l.stride, transposed: true }];
    best.set(l.name, path);
  }
  return best.get(layers[layers.length - 1].name) ?? [];
}

/** A model that may carry ConvLab's metadata (a loaded TF.js LayersModel does: model.json's userDefinedMetadata). */
type WithMeta = { getUserDefinedMetadata?(): object | undefined };

/** The preprocessing a segmenter's model.json asks for (`userDefinedMetadata.convlab.inputNorm`); undefined: none. */
export function fcnInputNorm(model: WithMeta): 'subtract-mean' | undefined {
  const meta = model.getUserDefinedMetadata?.() as { convlab?: { inputNorm?: unknown } } | undefined;
  const norm = meta?.convlab?.inputNorm;
  if (norm === undefined || norm === null) return undefined;
  if (norm === 'subtract-mean') return norm;
  throw new RangeError(`fcnInput(): the model asks for input preprocessing '${String(norm)}', which ConvLab does not know (only 'subtract-mean')`);
}

/**
 * What the network itself sees of an image [H, W, 3] (or a batch [N, H, W, 3]): the image, or, for a
 * model whose metadata says `inputNorm: 'subtract-mean'`, the image minus its own mean colour (per
 * channel, over all its pixels). The network's own receptive field (the convolutions', 1 + 2L for a
 * flat stack) is unchanged, but measured from the raw image every output also depends, through the
 * mean, on every pixel: the network is given one number per channel for the whole image besides its
 * window. effectiveReceptiveField takes its gradient with respect to the subtracted input, the
 * network's own. A new tensor; the caller disposes it. fcnLogits, semanticMap,
 * effectiveReceptiveField and slidingWindowSegment call it: pass them the image as it is.
 */
export function fcnInput<T extends Tensor3D | Tensor4D>(model: WithMeta, image: T): T {
  const norm = fcnInputNorm(model);
  if (norm !== 'subtract-mean') return tf.clone(image);
  // the mean over rows, then over columns: a one-step float32 sum over all H W pixels (WASM's) drifts by
  // ~1e-5 at 128 x 128, which ten convolutions turned into logits 2.6e-3 off PyTorch's
  const [r, c] = image.rank === 3 ? [0, 1] : [1, 2];
  return tf.tidy(() => tf.sub(image, tf.mean(tf.mean(image, r, true), c, true)) as T);
}

/** Per-pixel class scores [H, W, C] of one image [H, W, 3] (or [1, H, W, 3]) in one forward pass. */
export function fcnLogits(model: Pick<tfl.LayersModel, 'predict'> & WithMeta, image: Tensor3D | Tensor4D): Tensor3D {
  return tf.tidy(() => {
    const x = fcnInput(model, image.rank === 3 ? tf.expandDims(image, 0) : image) as Tensor4D;
    return tf.squeeze(model.predict(x) as Tensor4D, [0]) as Tensor3D;
  });
}

/** The class of every pixel: arg max over the class scores, int32 [H, W]. */
export function semanticMap(model: Pick<tfl.LayersModel, 'predict'> & WithMeta, image: Tensor3D | Tensor4D): Tensor2D {
  return tf.tidy(() => tf.argMax(fcnLogits(model, image), -1) as Tensor2D);
}

/**
 * The effective receptive field of output pixel (y, x): |d z_k(y, x) / d x_in|, summed over the
 * input's channels, [H, W], x_in being what the network sees (fcnInput: for a model that subtracts the
 * image's mean colour, the gradient is taken after it, as the field is the network's). k is
 * `classIndex`, or the class the network gives that pixel. Pixels
 * outside the theoretical field get exactly 0; inside, the gradient concentrates near the centre
 * (for a stack of L 3x3 convolutions with positive weights it is a product of binomials: roughly
 * Gaussian, with a spread growing as sqrt(L), not L).
 */
export function effectiveReceptiveField(model: tfl.LayersModel, image: Tensor3D, y: number, x: number, classIndex?: number): { map: Tensor2D; classIndex: number } {
  const [H, W] = image.shape;
  if (!(Number.isInteger(y) && Number.isInteger(x) && y >= 0 && x >= 0 && y < H && x < W)) throw new RangeError(`effectiveReceptiveField(): pixel (${y}, ${x}) is outside the ${H} x ${W} image`);
  let k = classIndex ?? -1;
  const map = tf.tidy(() => {
    const x4 = fcnInput(model, tf.expandDims(image, 0) as Tensor4D);
    // withReluRule (plain ReLUs here) runs the Conv2D layers as unfused tf.conv2d: a fused conv inside
    // a gradient also computes its filter's gradient (Conv2DBackpropFilter: wasted, and missing on WASM).
    const f = (inp: tf.Tensor) => {
      const out = withReluRule(model, (t) => tf.relu(t), undefined, () => model.apply(inp, { training: false }) as Tensor4D).value;
      const at = tf.slice(out, [0, y, x, 0], [1, 1, 1, -1]);
      if (k < 0) k = (tf.argMax(tf.reshape(at, [-1])).dataSync() as Int32Array)[0];
      return tf.sum(tf.slice(at, [0, 0, 0, k], [1, 1, 1, 1]));
    };
    const g = tf.grad(f)(x4);
    return tf.sum(tf.abs(tf.squeeze(g, [0])), -1) as Tensor2D;
  });
  return { map, classIndex: k };
}

export interface ErfSummary {
  /** Sum of the map (total gradient magnitude). */
  mass: number;
  /** Centre of mass (row, column). */
  cy: number;
  cx: number;
  /** Root-mean-square distance of the mass from its centre, in pixels (a Gaussian's sigma sqrt(2)). */
  rms: number;
  /** Smallest box around the pixels above `threshold` of the largest value (inclusive). */
  box: PixelRegion | null;
  /** Width of the smallest centred square holding `fraction` of the mass (odd, in pixels). */
  side: number;
}

/** Summarises an effective-receptive-field map [H, W] given as row-major values. */
export function erfSummary(values: ArrayLike<number>, height: number, width: number, { threshold = 0.01, fraction = 0.95 } = {}): ErfSummary {
  let mass = 0, sy = 0, sx = 0, max = 0;
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) {
    const v = values[i * width + j];
    mass += v;
    sy += v * i;
    sx += v * j;
    if (v > max) max = v;
  }
  if (!(mass > 0)) return { mass: 0, cy: NaN, cx: NaN, rms: 0, box: null, side: 0 };
  const cy = sy / mass, cx = sx / mass;
  let m2 = 0;
  let box: PixelRegion | null = null;
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) {
    const v = values[i * width + j];
    m2 += v * ((i - cy) ** 2 + (j - cx) ** 2);
    if (v > threshold * max) box = box ? { y0: Math.min(box.y0, i), y1: Math.max(box.y1, i), x0: Math.min(box.x0, j), x1: Math.max(box.x1, j) } : { y0: i, y1: i, x0: j, x1: j };
  }
  const ry = Math.round(cy), rx = Math.round(cx);
  let side = 1;
  for (let h = 0; ; h++) {
    let s = 0;
    for (let i = Math.max(0, ry - h); i <= Math.min(height - 1, ry + h); i++) for (let j = Math.max(0, rx - h); j <= Math.min(width - 1, rx + h); j++) s += values[i * width + j];
    side = 2 * h + 1;
    if (s >= fraction * mass || (ry - h <= 0 && rx - h <= 0 && ry + h >= height - 1 && rx + h >= width - 1)) break;
  }
  return { mass, cy, cx, rms: Math.sqrt(m2 / mass), box, side };
}

export interface SlidingWindowSegmentResult {
  /** Class of each pixel of the region, row-major [h, w]. */
  labels: Int32Array;
  /** Forward passes run: one per pixel. */
  passes: number;
  /** The region that was segmented: [y0, x0, h, w]. */
  region: [number, number, number, number];
}

/**
 * Segmentation by sliding window: for every pixel of `region` (default the whole image), cut the
 * window x window patch around it (of the network's input, fcnInput of the whole image, padded with
 * zeros; the pixel sits at row and column
 * floor(window / 2) of its patch), run the network on that patch alone and keep the class of the
 * patch's centre. One forward pass per pixel. With a network whose receptive field fits in the
 * window and that pads nowhere inside it (a stack of 'same' 3x3 convolutions with window = 1 + 2L),
 * every label equals the one-pass label (the patch holds every pixel the centre depends on).
 * Yields to the event loop every `yieldEvery` passes; `signal` aborts.
 */
export async function slidingWindowSegment(
  model: Pick<tfl.LayersModel, 'apply'> & WithMeta,
  image: Tensor3D,
  window: number,
  { region, signal, yieldEvery = 16, onProgress }: { region?: [number, number, number, number]; signal?: AbortSignal; yieldEvery?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SlidingWindowSegmentResult> {
  const [H, W] = image.shape;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`slidingWindowSegment(): window must be a positive integer, got ${window}`);
  const [y0, x0, h, w] = region ?? [0, 0, H, W];
  if (!(y0 >= 0 && x0 >= 0 && h > 0 && w > 0 && y0 + h <= H && x0 + w <= W)) throw new RangeError(`slidingWindowSegment(): region [${region}] is not inside the ${H} x ${W} image`);
  const half = Math.floor(window / 2);
  // the whole image's preprocessing (fcnInput) first, then the windows: each pass sees what the one pass sees
  const padded = tf.tidy(() => tf.pad(fcnInput(model, image), [[half, window - 1 - half], [half, window - 1 - half], [0, 0]]));
  const labels = new Int32Array(h * w);
  let passes = 0;
  try {
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      if (signal?.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError');
      const cls = tf.tidy(() => {
        const patch = tf.slice(padded, [y0 + i, x0 + j, 0], [window, window, -1]);
        const out = model.apply(tf.expandDims(patch, 0), { training: false }) as Tensor4D; // apply: any input size
        return tf.argMax(tf.reshape(tf.slice(out, [0, half, half, 0], [1, 1, 1, -1]), [-1]));
      });
      labels[i * w + j] = (await cls.data())[0];
      cls.dispose();
      passes++;
      if (passes % yieldEvery === 0) {
        onProgress?.(passes, h * w);
        await new Promise((r) => setTimeout(r, 0));
      }
    }
  } finally {
    padded.dispose();
  }
  return { labels, passes, region: [y0, x0, h, w] };
}

/**
 * Connected regions of a label map (row-major h x w): pixels joined to their 4 neighbours of the same
 * label; label 0 (background) is not counted. `ids` gives each pixel its region, 1..count (0 for the
 * background), numbered in raster order of their first pixel.
 */
export function labelRegions(labels: ArrayLike<number>, h: number, w: number): { ids: Int32Array; count: number } {
  const ids = new Int32Array(h * w);
  const stack: number[] = [];
  let n = 0;
  for (let p = 0; p < h * w; p++) {
    if (ids[p] || labels[p] === 0) continue;
    n++;
    ids[p] = n;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      const y = Math.floor(q / w);
      const x = q % w;
      for (const [dy, dx] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const yy = y + dy;
        const xx = x + dx;
        const k = yy * w + xx;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w && !ids[k] && labels[k] === labels[q]) {
          ids[k] = n;
          stack.push(k);
        }
      }
    }
  }
  return { ids, count: n };
}

/**
 * Connected regions of a label map (row-major h x w), as `labelRegions`: touching objects of one class
 * are one region, what a semantic map cannot tell apart.
 */
export function countRegions(labels: ArrayLike<number>, h: number, w: number): number {
  return labelRegions(labels, h, w).count;
}

/**
 * What a label map merges, given each pixel's object (`instances`: an id per pixel, 0 for none): its
 * regions, and `merged`, the objects that share a region with an earlier one (the sum over regions of
 * the objects in it, less one). A shape cut in two by another counts once, in both regions.
 */
export function mergedObjects(labels: ArrayLike<number>, instances: ArrayLike<number>, h: number, w: number): { regions: number; merged: number } {
  const { ids, count } = labelRegions(labels, h, w);
  const seen = new Set<number>(); // region * 65536 + instance, for each pair met
  const objectsIn = new Int32Array(count + 1);
  for (let p = 0; p < h * w; p++) {
    if (!ids[p] || !instances[p]) continue;
    const key = ids[p] * 65536 + instances[p];
    if (seen.has(key)) continue;
    seen.add(key);
    objectsIn[ids[p]]++;
  }
  let merged = 0;
  for (let r = 1; r <= count; r++) merged += Math.max(0, objectsIn[r] - 1);
  return { regions: count, merged };
}
