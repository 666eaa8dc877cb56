/**
 * Tensors out: colour maps, painting a tensor onto a canvas (crisp nearest-neighbour upscaling of
 * small maps), and a heat map laid over an image with some transparency.
 */
import { tf, type Tensor } from './tf.js';

export type ColormapName = 'viridis' | 'diverging' | 'grey';

/** Stops sampled evenly from matplotlib's viridis (perceptually uniform, reads in greyscale). */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
/** ColorBrewer RdBu, reversed: negative blue, zero near white, positive red. */
const DIVERGING = ['#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'];
const GREY = ['#000000', '#ffffff'];

const STOPS: Record<ColormapName, string[]> = { viridis: VIRIDIS, diverging: DIVERGING, grey: GREY };

function hex(c: string): [number, number, number] {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const lutCache = new Map<ColormapName, Uint8Array>();

/** A 256-entry RGB lookup table for a colour map (768 bytes), interpolated linearly between stops. */
export function colormapLut(name: ColormapName): Uint8Array {
  const cached = lutCache.get(name);
  if (cached) return cached;
  const stops = STOPS[name];
  if (!stops) throw new Error(`Unknown colour map '${name}' (use viridis, diverging or grey).`);
  const rgb = stops.map(hex);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (rgb.length - 1);
    const k = Math.min(Math.floor(t), rgb.length - 2);
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(rgb[k][c] * (1 - f) + rgb[k + 1][c] * f);
  }
  lutCache.set(name, lut);
  return lut;
}

/** CSS linear-gradient for a legend of this colour map (left = low, right = high). */
export function colormapGradient(name: ColormapName, direction = 'to right'): string {
  return `linear-gradient(${direction}, ${STOPS[name].join(', ')})`;
}

/** The value range a map is painted with. 'auto' = [min, max]; 'symmetric' = [-m, m] with m = max |v|. */
export type RangeSpec = 'auto' | 'symmetric' | readonly [number, number];

export function resolveRange(values: ArrayLike<number>, spec: RangeSpec): [number, number] {
  if (Array.isArray(spec)) return [spec[0], spec[1]];
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (spec === 'symmetric') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/**
 * Maps scalar values to RGBA bytes through a colour map: v -> lut[round(255 (v - lo) / (hi - lo))],
 * clamped to the ends. NaN paints transparent.
 */
export function colorize(
  values: ArrayLike<number>,
  colormap: ColormapName,
  range: readonly [number, number],
  alpha = 255,
): Uint8ClampedArray {
  const lut = colormapLut(colormap);
  const [lo, hi] = range;
  const span = hi - lo || 1;
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const k = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
    out[i * 4] = lut[k * 3];
    out[i * 4 + 1] = lut[k * 3 + 1];
    out[i * 4 + 2] = lut[k * 3 + 2];
    out[i * 4 + 3] = alpha;
  }
  return out;
}

export interface PaintOptions {
  /** For one-channel maps. Default 'viridis'; 'diverging' pairs with range 'symmetric'. */
  colormap?: ColormapName;
  /** Value range mapped to the colour map ends, or for RGB the range mapped to 0..255. Default 'auto' for maps, [0, 1] for RGB. */
  range?: RangeSpec;
  /**
   * Size of the painted canvas in canvas pixels. A number is an integer upscaling factor; default:
   * the canvas keeps its current size when it has one, else the tensor's size. Scaling is
   * nearest-neighbour, so small maps stay crisp.
   */
  scale?: number | { width: number; height: number };
  /** 0..1 opacity of what is painted. Default 1. */
  alpha?: number;
  /** Clear the canvas first (default true). With false, paint over what is there (overlays). */
  clear?: boolean;
}

export interface PaintResult {
  /** The value range that was mapped onto the colour map. */
  range: [number, number];
  width: number;
  height: number;
}

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;

/** [h,w], [h,w,c] or [1,h,w,c] to [h, w, c]. */
function asHwc(t: Tensor): { data: Promise<Float32Array | Int32Array | Uint8Array>; h: number; w: number; c: number } {
  const s = t.shape;
  let h: number, w: number, c: number;
  if (s.length === 2) [h, w, c] = [s[0], s[1], 1];
  else if (s.length === 3) [h, w, c] = [s[0], s[1], s[2]];
  else if (s.length === 4 && s[0] === 1) [h, w, c] = [s[1], s[2], s[3]];
  else throw new Error(`Cannot paint a tensor of shape [${s.join(', ')}]: expected [h,w], [h,w,c] or [1,h,w,c].`);
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`Cannot paint ${c} channels: expected 1, 3 or 4.`);
  return { data: t.data() as Promise<Float32Array | Int32Array | Uint8Array>, h, w, c };
}

/** Converts the tensor's values to RGBA bytes (no canvas involved: usable in Node). */
export async function toRgba(
  t: Tensor,
  opts: Pick<PaintOptions, 'colormap' | 'range' | 'alpha'> = {},
): Promise<{ rgba: Uint8ClampedArray; width: number; height: number; range: [number, number] }> {
  const { data, h, w, c } = asHwc(t);
  const values = await data;
  const alpha = Math.round(255 * (opts.alpha ?? 1));
  if (c === 1) {
    const range = resolveRange(values, opts.range ?? 'auto');
    return { rgba: colorize(values, opts.colormap ?? 'viridis', range, alpha), width: w, height: h, range };
  }
  const range: [number, number] = Array.isArray(opts.range) ? [opts.range[0], opts.range[1]] : [0, 1];
  const span = range[1] - range[0] || 1;
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = Math.round(((values[i * c + k] - range[0]) / span) * 255);
    rgba[i * 4 + 3] = c === 4 ? Math.round(values[i * c + 3] * alpha) : alpha;
  }
  return { rgba, width: w, height: h, range };
}

/**
 * Paints a tensor onto a canvas: one channel through a colour map, three or four as RGB(A).
 * The tensor is not disposed.
 */
export async function toCanvas(t: Tensor, canvas: AnyCanvas, opts: PaintOptions = {}): Promise<PaintResult> {
  const { rgba, width, height, range } = await toRgba(t, opts);
  let outW: number, outH: number;
  if (typeof opts.scale === 'number') {
    outW = width * opts.scale;
    outH = height * opts.scale;
  } else if (opts.scale) {
    outW = opts.scale.width;
    outH = opts.scale.height;
  } else {
    outW = width;
    outH = height;
  }
  if (canvas.width !== outW) canvas.width = outW;
  if (canvas.height !== outH) canvas.height = outH;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('The canvas has no 2D context.');
  const img = new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height);
  if (opts.clear !== false) ctx.clearRect(0, 0, outW, outH);
  if (outW === width && outH === height && opts.clear !== false) {
    ctx.putImageData(img, 0, 0);
  } else {
    const src = new OffscreenCanvas(width, height);
    (src.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(src, 0, 0, outW, outH);
  }
  return { range, width: outW, height: outH };
}

export interface OverlayOptions {
  colormap?: ColormapName;
  range?: RangeSpec;
  /** Opacity of the heat map over the image. Default 0.6. */
  alpha?: number;
  /** Canvas size; default: the image's size times `scale` (default 1). */
  scale?: number;
}

/**
 * Paints an image (RGB or grey tensor) and lays a one-channel map over it, stretched to the
 * image's size with nearest-neighbour sampling. Returns the map's value range.
 */
export async function paintOverlay(
  canvas: AnyCanvas,
  image: Tensor,
  map: Tensor,
  opts: OverlayOptions = {},
): Promise<PaintResult> {
  const base = await toCanvas(image, canvas, { scale: opts.scale ?? 1, range: [0, 1], colormap: 'grey' });
  const over = await toRgba(map, { colormap: opts.colormap ?? 'viridis', range: opts.range ?? 'auto', alpha: opts.alpha ?? 0.6 });
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
  const src = new OffscreenCanvas(over.width, over.height);
  (src.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(
    new ImageData(over.rgba as Uint8ClampedArray<ArrayBuffer>, over.width, over.height),
    0,
    0,
  );
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, base.width, base.height);
  return { range: over.range, width: base.width, height: base.height };
}

/** Softmax probabilities of a row of logits as a plain array (handy for bars). */
export async function probabilities(logits: Tensor): Promise<number[]> {
  const p = tf.tidy(() => tf.softmax(tf.reshape(logits, [-1])));
  try {
    return Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

/** Indices and values of the k largest entries, largest first. */
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from(values, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, Math.max(0, k));
}
