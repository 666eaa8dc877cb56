/**
 * Maximally activating patches (Girshick et al., "Rich feature hierarchies", the pool5 figure; Zeiler
 * & Fergus): run a pool of images through the network up to one layer, and for each unit (channel)
 * find the images where it responds most, and where. Plus the pool itself: a sprite of test images
 * cut into an image batch, and the receptive field of a position of a layer.
 */
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import { abortError } from './errors.js';
import type { LoadedModel } from './models.js';
import { layerActivations, modelLayers, findLayer, LayerError, type LayerInfo } from './filters.js';
import { receptiveField, receptiveRegion, type RfLayer } from './receptive-field.js';

/**
 * Cuts a sprite of square tiles (row-major, `columns` per row) into an image batch
 * [count, tile, tile, channels]. `sprite` is [H, W, channels] (or [H, W] for grey), values kept as
 * they are (pass [0, 1] floats). Pure reshapes: [R·t, C·t] -> [R, t, C, t] -> [R, C, t, t] -> [R·C, t, t].
 */
export function spriteToBatch(sprite: tf.Tensor2D | tf.Tensor3D, tile: number, columns: number, count: number): Tensor4D {
  return tf.tidy(() => {
    const s = sprite.rank === 2 ? tf.expandDims(sprite, 2) : sprite;
    const [H, W, c] = s.shape as [number, number, number];
    const rows = Math.floor(H / tile);
    if (W < columns * tile || rows * columns < count) throw new RangeError(`spriteToBatch(): a ${H}×${W} sprite of ${tile}px tiles, ${columns} per row, holds fewer than ${count} tiles.`);
    const cropped = tf.slice(s, [0, 0, 0], [rows * tile, columns * tile, c]);
    const t = tf.transpose(tf.reshape(cropped, [rows, tile, columns, tile, c]), [0, 2, 1, 3, 4]);
    return tf.slice(tf.reshape(t, [rows * columns, tile, tile, c]), [0, 0, 0, 0], [count, tile, tile, c]) as Tensor4D;
  });
}

/** The layers with a spatial output ([h, w, c]): those whose units have positions and receptive fields. */
export function spatialLayers(model: Pick<LoadedModel, 'layers' | 'url'>): LayerInfo[] {
  const s = modelLayers(model).filter((l) => l.outputShape.length === 3 && l.kernel[0] > 0);
  if (!s.some((l) => l.conv)) throw new LayerError('no-conv', `The model at ${model.url} has no convolution (Conv2D) layer, so its units have no patches to show.`);
  return s;
}

/**
 * The receptive field, along each axis, of the units of `layerName`: TF.js 'same' padding puts
 * floor(total / 2) at the start, total = max((ceil(n / s) - 1) s + k' - n, 0); 'valid' puts none.
 * Layers that keep positions (activations, batch norm) are skipped; a flatten or dense layer ends the
 * chain with an error.
 */
export function layerReceptiveField(model: Pick<LoadedModel, 'layers' | 'url' | 'inputShape'>, layerName: string): { rows: ReturnType<typeof receptiveField>[number]; cols: ReturnType<typeof receptiveField>[number] } {
  const all = modelLayers(model);
  const target = findLayer(all, layerName);
  if (target.outputShape.length !== 3) throw new LayerError('no-layer', `Layer '${layerName}' has no spatial output (its output is [${target.outputShape.join(', ')}]), so its units have no receptive field in the image.`);
  const chain: [RfLayer[], RfLayer[]] = [[], []];
  let [h, w] = model.inputShape;
  for (const l of all) {
    if (l.outputShape.length !== 3) throw new LayerError('no-layer', `Layer '${l.name}' comes before '${layerName}' and is not spatial.`);
    const moves = l.kernel[0] !== 1 || l.kernel[1] !== 1 || l.strides[0] !== 1 || l.strides[1] !== 1;
    if (moves) {
      [h, w].forEach((n, axis) => {
        const k = l.kernel[axis];
        const s = l.strides[axis];
        const d = l.dilation[axis];
        const ke = d * (k - 1) + 1;
        const total = l.padding === 'same' ? Math.max((Math.ceil(n / s) - 1) * s + ke - n, 0) : 0;
        chain[axis].push({ name: l.name, kernel: k, stride: s, dilation: d, padding: Math.floor(total / 2) });
      });
    }
    [h, w] = l.outputShape as [number, number, number];
    if (l.name === layerName) break;
  }
  const [ih, iw] = model.inputShape;
  const rows = chain[0].length ? receptiveField(chain[0], ih).at(-1)! : { name: layerName, size: 1, jump: 1, start: 0 };
  const cols = chain[1].length ? receptiveField(chain[1], iw).at(-1)! : { name: layerName, size: 1, jump: 1, start: 0 };
  return { rows, cols };
}

/** The input pixels [y0, x0, y1, x1] (inclusive, clipped to the image) that position (i, j) of a layer sees. */
export function receptiveBox(rf: ReturnType<typeof layerReceptiveField>, i: number, j: number, inputShape: readonly number[]): [number, number, number, number] {
  const [y0, y1] = receptiveRegion(rf.rows, i, inputShape[0]);
  const [x0, x1] = receptiveRegion(rf.cols, j, inputShape[1]);
  return [Math.ceil(y0), Math.ceil(x0), Math.floor(y1), Math.floor(x1)];
}

export interface UnitMaxima {
  /** Images searched. */
  count: number;
  /** Units (channels) of the layer. */
  units: number;
  /** [h, w] of the layer's map. */
  mapSize: [number, number];
  /** values[n * units + u]: the largest activation of unit u anywhere in image n. */
  values: Float32Array;
  /** positions[n * units + u]: where (row-major index i * w + j into the map). */
  positions: Int32Array;
}

export interface UnitMaximaOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * For every image of `images` and every unit u of layer `layerName`: max over positions (i, j) of
 * a[n, i, j, u], and the argmax. One forward pass per batch gives every unit at once (the top
 * patches of a single unit cost the same as those of all units). Batches yield to the event loop
 * between them; `signal` aborts.
 */
export async function unitMaxima(
  model: Pick<LoadedModel, 'layers' | 'url' | 'meta'>,
  layerName: string,
  images: Tensor4D,
  opts: UnitMaximaOptions = {},
): Promise<UnitMaxima> {
  const n = images.shape[0];
  const batch = Math.max(1, Math.round(opts.batchSize ?? 250));
  let values: Float32Array | undefined;
  let positions: Int32Array | undefined;
  let units = 0;
  let mapSize: [number, number] = [0, 0];
  for (let start = 0; start < n; start += batch) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const size = Math.min(batch, n - start);
    const [v, p] = tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]) as Tensor4D;
      const a = layerActivations(model, layerName, x);
      if (a.rank !== 4) throw new LayerError('no-layer', `Layer '${layerName}' has no spatial output, so its units have no positions.`);
      const [b, h, w, c] = a.shape as [number, number, number, number];
      units = c;
      mapSize = [h, w];
      const flat = tf.reshape(a, [b, h * w, c]);
      return [tf.max(flat, 1) as Tensor2D, tf.argMax(flat, 1) as Tensor2D];
    });
    const [vd, pd] = await Promise.all([v.data(), p.data()]);
    tf.dispose([v, p]);
    values ??= new Float32Array(n * units);
    positions ??= new Int32Array(n * units);
    values.set(vd as Float32Array, start * units);
    positions.set(pd as Int32Array, start * units);
    opts.onProgress?.(start + size, n);
    if (start + size < n) await new Promise((r) => setTimeout(r, 0));
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  return { count: n, units, mapSize, values: values ?? new Float32Array(), positions: positions ?? new Int32Array() };
}

export interface TopPatch {
  /** The image's index in the pool. */
  index: number;
  /** The activation. */
  value: number;
  /** Position in the layer's map. */
  i: number;
  j: number;
}

/** The k images where unit u responds most (one patch per image, its best position), highest first. */
export function topPatches(m: UnitMaxima, unit: number, k: number): TopPatch[] {
  if (!Number.isInteger(unit) || unit < 0 || unit >= m.units) throw new LayerError('bad-unit', `There is no unit ${unit}: the layer has ${m.units} (0 to ${m.units - 1}).`);
  const order = Array.from({ length: m.count }, (_, n) => n);
  order.sort((a, b) => m.values[b * m.units + unit] - m.values[a * m.units + unit] || a - b);
  return order.slice(0, Math.max(0, k)).map((n) => {
    const pos = m.positions[n * m.units + unit];
    return { index: n, value: m.values[n * m.units + unit], i: Math.floor(pos / m.mapSize[1]), j: pos % m.mapSize[1] };
  });
}
