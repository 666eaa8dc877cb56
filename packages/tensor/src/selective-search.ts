/**
 * Selective search (Uijlings, van de Sande, Gevers & Smeulders, "Selective Search for Object
 * Recognition", IJCV 2013): class-agnostic region proposals. Plain typed arrays, no TF.js.
 *
 * For each strategy (a colour space, a segmentation scale k and a set of similarities):
 *  1. the image, converted to the colour space, is segmented by Felzenszwalb–Huttenlocher
 *     (`felzenszwalb`, segment.ts) into initial regions;
 *  2. hierarchical grouping: the two most similar neighbouring regions are merged, over and over,
 *     until one region is left. The similarity is the sum of the chosen ones of
 *     - colour: histogram intersection of 25-bin histograms of each channel (75 bins, L1-normalised);
 *     - texture: histogram intersection of SIFT-like gradient histograms: for each channel, Gaussian
 *       derivatives (sigma 1) in 8 orientations, each binned in 10 bins (240 bins, L1-normalised);
 *     - size: 1 - (|r_i| + |r_j|) / |image|, so that small regions merge first;
 *     - fill: 1 - (|BB_ij| - |r_i| - |r_j|) / |image|, BB_ij the box around both, so that regions
 *       which fill each other's gaps merge first.
 *     A merged region's histograms are the size-weighted means of its parts' (as the paper);
 *  3. every region of the hierarchy (the initial ones and each merge) is a proposal box.
 * The strategies' boxes are then ranked as the paper does: the region made last (the whole image)
 * has position 1, the one before it 2, and so on; each box's position is multiplied by a random
 * number in [0, 1) (a seeded PRNG, so results are deterministic), the boxes of all strategies are
 * sorted by that value, and a box already taken (the same four numbers) is dropped.
 *
 * Boxes are `[x1, y1, x2, y2]` in pixels with x2, y2 exclusive (torchvision's convention, as the
 * scenes' boxes): a region covering columns 3 to 7 has x1 = 3, x2 = 8.
 */
import { pixelGraph, segmentGraph, smoothChannels, Scratch, type Segmentation } from './segment.js';
import type { XyxyBox } from './metrics.js';
import { mulberry32 } from './prng.js';

export type ColorSpace = 'rgb' | 'hsv' | 'lab' | 'rgi' | 'gray';
export type SimilarityName = 'color' | 'texture' | 'size' | 'fill';
export type ProposalBox = [number, number, number, number];

export interface SearchStrategy {
  colorSpace: ColorSpace;
  /** Felzenszwalb's k for the initial segmentation. */
  k: number;
  similarities: readonly SimilarityName[];
}

export type SearchMode = 'single' | 'fast' | 'quality';

export interface SelectiveSearchOptions {
  /**
   * The paper's set-ups: `single` (default) one strategy, HSV, k = 100, all four similarities;
   * `fast` 8 strategies: HSV and Lab, k = 50 and 100, colour + texture + size + fill and
   * texture + size + fill; `quality` 80 strategies: five colour spaces (HSV, Lab, rgI, grey, RGB),
   * k = 50, 100, 150 and 300, and those two similarity sets plus fill + size and size alone (slow).
   * On the scenes' 128 x 128 test images `single` already covers 99.5 % of the objects at IoU 0.5
   * with about 130 boxes, so it is the default; `fast` covers all of them with about 270 boxes in
   * about four times the time (bench suite `selective-search`).
   */
  mode?: SearchMode;
  /** Explicit strategies (override `mode`). */
  strategies?: readonly SearchStrategy[];
  /** Gaussian pre-smoothing of the segmentation (default 0.8). */
  sigma?: number;
  /** Smallest initial region in pixels (default 10). */
  minSize?: number;
  /** Keep at most this many boxes after ranking (default: all). */
  maxBoxes?: number;
  /** Seed of the ranking's random factors (default 0). */
  seed?: number;
  /** Drop boxes narrower or lower than this many pixels (default 1: keep all). */
  minBoxSide?: number;
}

/** One merge of the hierarchy: regions `a` and `b` (ids) became region `into`. */
export interface GroupingStep {
  a: number;
  b: number;
  into: number;
  /** The box around the merged region. */
  box: ProposalBox;
  /** The similarity at which they were merged (the sum of the strategy's similarities). */
  similarity: number;
}

/** The grouping of one strategy, enough for a widget to replay it. */
export interface Hierarchy {
  strategy: SearchStrategy;
  /** The initial segmentation: region ids `0 .. segmentation.count - 1` are its components. */
  segmentation: Segmentation;
  /** Every region's box, by id: initial regions first, then the merged ones (`count + step`). */
  regionBoxes: ProposalBox[];
  /** Every region's size in pixels, by id. */
  regionSizes: Int32Array;
  /** Merge `s` makes region `segmentation.count + s`. */
  steps: GroupingStep[];
}

export interface SelectiveSearchResult {
  /** Ranked, de-duplicated boxes, best first. */
  boxes: ProposalBox[];
  /** Where each box came from: the strategy (index into `hierarchies`) and the region id in it. */
  sources: { strategy: number; region: number }[];
  /** The ranking value of each box (position in its hierarchy x a random factor; smaller is better). */
  ranks: number[];
  hierarchies: Hierarchy[];
  width: number;
  height: number;
}

/** An RGB image (3 bytes a pixel), or RGBA (4; alpha ignored), as `ImageData` or the scenes give. */
export interface RgbImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** 3 (RGB, default) or 4 (RGBA). */
  channels?: number;
}

const COLOR_BINS = 25;
const TEX_ORIENT = 8;
const TEX_BINS = 10;
const COLOR_DIM = 3 * COLOR_BINS; // 75
const TEX_DIM = 3 * TEX_ORIENT * TEX_BINS; // 240

const ALL: readonly SimilarityName[] = ['color', 'texture', 'size', 'fill'];
const SPACES: readonly ColorSpace[] = ['rgb', 'hsv', 'lab', 'rgi', 'gray'];

/** The strategies of a mode (see `SelectiveSearchOptions.mode`). */
export function searchStrategies(mode: SearchMode = 'single'): SearchStrategy[] {
  if (mode === 'single') return [{ colorSpace: 'hsv', k: 100, similarities: ALL }];
  const spaces: ColorSpace[] = mode === 'fast' ? ['hsv', 'lab'] : ['hsv', 'lab', 'rgi', 'gray', 'rgb'];
  const ks = mode === 'fast' ? [50, 100] : [50, 100, 150, 300];
  const sims: SimilarityName[][] =
    mode === 'fast'
      ? [['color', 'texture', 'size', 'fill'], ['texture', 'size', 'fill']]
      : [['color', 'texture', 'size', 'fill'], ['texture', 'size', 'fill'], ['fill', 'size'], ['size']];
  const out: SearchStrategy[] = [];
  for (const colorSpace of spaces) for (const k of ks) for (const similarities of sims) out.push({ colorSpace, k, similarities });
  return out;
}

function checkImage(img: RgbImage) {
  const { width: w, height: h } = img;
  const ch = img.channels ?? (img.data.length === w * h * 4 ? 4 : 3);
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new RangeError(`selectiveSearch: width and height must be positive integers (got ${w} x ${h})`);
  if (ch !== 3 && ch !== 4) throw new RangeError(`selectiveSearch: channels must be 3 (RGB) or 4 (RGBA) (got ${ch})`);
  if (img.data.length !== w * h * ch) throw new RangeError(`selectiveSearch: data has ${img.data.length} values, expected ${w} x ${h} x ${ch}`);
  return ch;
}

// sRGB byte -> linear, for Lab.
let srgbLinear: Float32Array | undefined;
function linearLut() {
  if (!srgbLinear) {
    srgbLinear = new Float32Array(256);
    for (let i = 0; i < 256; i++) {
      const c = i / 255;
      srgbLinear[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
  }
  return srgbLinear;
}
const labF = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);

/**
 * The image in a colour space, 3 channels of floats, each scaled to [0, 255]: `rgb` as is; `hsv` hue
 * (0 to 360 degrees) x 255 / 360, saturation and value x 255; `lab` CIELAB (sRGB, D65) with L x 2.55,
 * a + 128 and b + 128 (clamped); `rgi` the normalised r = R / (R + G + B), g, and intensity
 * (R + G + B) / 3; `gray` the luma (0.299 R + 0.587 G + 0.114 B) in all 3 channels.
 */
export function toColorSpace(img: RgbImage, space: ColorSpace, out?: Float32Array): Float32Array {
  const ch = checkImage(img);
  const n = img.width * img.height;
  const d = img.data;
  const o = out ?? new Float32Array(n * 3);
  const lin = space === 'lab' ? linearLut() : undefined;
  for (let p = 0; p < n; p++) {
    const r = d[p * ch];
    const g = d[p * ch + 1];
    const b = d[p * ch + 2];
    let x = r;
    let y = g;
    let z = b;
    if (space === 'hsv') {
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const c = max - min;
      let hue = 0;
      if (c > 0) {
        if (max === r) hue = ((g - b) / c + 6) % 6;
        else if (max === g) hue = (b - r) / c + 2;
        else hue = (r - g) / c + 4;
      }
      x = (hue * 255) / 6;
      y = max > 0 ? (c / max) * 255 : 0;
      z = max;
    } else if (space === 'lab') {
      const lr = lin![r];
      const lg = lin![g];
      const lb = lin![b];
      const fx = labF((0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047);
      const fy = labF(0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb);
      const fz = labF((0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883);
      x = Math.min(255, Math.max(0, (116 * fy - 16) * 2.55));
      y = Math.min(255, Math.max(0, 500 * (fx - fy) + 128));
      z = Math.min(255, Math.max(0, 200 * (fy - fz) + 128));
    } else if (space === 'rgi') {
      const s = r + g + b;
      x = s > 0 ? (r / s) * 255 : 85;
      y = s > 0 ? (g / s) * 255 : 85;
      z = s / 3;
    } else if (space === 'gray') {
      x = y = z = 0.299 * r + 0.587 * g + 0.114 * b;
    }
    o[p * 3] = x;
    o[p * 3 + 1] = y;
    o[p * 3 + 2] = z;
  }
  return o;
}

/**
 * Per-pixel histogram bins of a 3-channel [0, 255] image: `color[p * 3 + c]` is the colour bin
 * (0..74) of channel c; `texture[p * 24 + c * 8 + o]` the texture bin (0..239) of channel c,
 * orientation o. Orientation o's response is the Gaussian derivative (sigma 1) along the direction
 * o x 45 degrees, its positive part (the opposite direction is orientation o + 4), divided by the
 * channel's largest gradient magnitude and cut in 10 equal bins. With a `scratch`, the arrays are
 * its buffers (named with `key`), valid until the same key is asked for again.
 */
export function pixelBins(cs: Float32Array, width: number, height: number, scratch?: Scratch, key = ''): { color: Uint8Array; texture: Uint8Array } {
  const n = width * height;
  const color = scratch ? scratch.u8(`bins-color${key}`, n * 3) : new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) {
    const v = cs[i];
    const b = Math.floor((v * COLOR_BINS) / 256);
    color[i] = (i % 3) * COLOR_BINS + (b < 0 ? 0 : b >= COLOR_BINS ? COLOR_BINS - 1 : b);
  }
  const sm = smoothChannels({ data: cs, width, height, channels: 3 }, 1, scratch?.f32('bins-smooth', n * 3), scratch);
  const gx = scratch ? scratch.f32('bins-gx', n * 3) : new Float32Array(n * 3);
  const gy = scratch ? scratch.f32('bins-gy', n * 3) : new Float32Array(n * 3);
  const maxMag = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const y0 = y > 0 ? y - 1 : 0;
    const y1 = y < height - 1 ? y + 1 : height - 1;
    for (let x = 0; x < width; x++) {
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < width - 1 ? x + 1 : width - 1;
      const p = y * width + x;
      for (let c = 0; c < 3; c++) {
        const dx = (sm[(y * width + x1) * 3 + c] - sm[(y * width + x0) * 3 + c]) / 2;
        const dy = (sm[(y1 * width + x) * 3 + c] - sm[(y0 * width + x) * 3 + c]) / 2;
        gx[p * 3 + c] = dx;
        gy[p * 3 + c] = dy;
        const m = Math.sqrt(dx * dx + dy * dy);
        if (m > maxMag[c]) maxMag[c] = m;
      }
    }
  }
  const texture = scratch ? scratch.u8(`bins-texture${key}`, n * 24) : new Uint8Array(n * 24);
  const S = Math.SQRT1_2;
  // Orientations o and o + 4 are opposite: one axis response r gives r to o and -r to o + 4.
  const cosO = [1, S, 0, -S];
  const sinO = [0, S, 1, S];
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const scale = maxMag[c] > 0 ? TEX_BINS / maxMag[c] : 0;
      const dx = gx[p * 3 + c];
      const dy = gy[p * 3 + c];
      const base = p * 24 + c * 8;
      const first = c * TEX_ORIENT * TEX_BINS;
      for (let o = 0; o < 4; o++) {
        const r = (dx * cosO[o] + dy * sinO[o]) * scale;
        let b = r > 0 ? r | 0 : -r | 0;
        if (b >= TEX_BINS) b = TEX_BINS - 1;
        texture[base + o] = first + o * TEX_BINS + (r > 0 ? b : 0);
        texture[base + o + 4] = first + (o + 4) * TEX_BINS + (r < 0 ? b : 0);
      }
    }
  }
  return { color, texture };
}

/** A max-heap of region pairs by similarity (ties: smaller a, then smaller b, first). */
class PairHeap {
  sim = new Float64Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  length = 0;
  clear() {
    this.length = 0;
  }
  private before(i: number, j: number) {
    const si = this.sim[i];
    const sj = this.sim[j];
    if (si !== sj) return si > sj;
    if (this.a[i] !== this.a[j]) return this.a[i] < this.a[j];
    return this.b[i] < this.b[j];
  }
  private swap(i: number, j: number) {
    const s = this.sim[i];
    this.sim[i] = this.sim[j];
    this.sim[j] = s;
    const a = this.a[i];
    this.a[i] = this.a[j];
    this.a[j] = a;
    const b = this.b[i];
    this.b[i] = this.b[j];
    this.b[j] = b;
  }
  push(sim: number, a: number, b: number) {
    if (this.length === this.sim.length) {
      const grow = <T extends Float64Array | Int32Array>(x: T): T => {
        const y = new (x.constructor as { new (n: number): T })(x.length * 2);
        y.set(x);
        return y;
      };
      this.sim = grow(this.sim);
      this.a = grow(this.a);
      this.b = grow(this.b);
    }
    let i = this.length++;
    this.sim[i] = sim;
    this.a[i] = a < b ? a : b;
    this.b[i] = a < b ? b : a;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  /** Removes the top; its fields are left at index `this.length` (read them right after). */
  pop() {
    const last = --this.length;
    this.swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(r, l) ? r : l;
      if (!this.before(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return last;
  }
}

/** Buffers reused across strategies (and calls) to keep allocations low. */
class Workspace {
  colorH = new Float32Array(0);
  texH = new Float32Array(0);
  heap = new PairHeap();
  ensure(total: number) {
    if (this.colorH.length < total * COLOR_DIM) {
      this.colorH = new Float32Array(total * COLOR_DIM);
      this.texH = new Float32Array(total * TEX_DIM);
    }
  }
}
const workspace = new Workspace();
const scratch = new Scratch();

/** The initial regions of a segmentation: sizes, boxes, normalised histograms and adjacent pairs. */
export interface InitialRegions {
  count: number;
  size: Int32Array;
  /** `[x1, y1, x2, y2]` of region r at `4 r`. */
  box: Int32Array;
  /** 75 colour bins of region r at `75 r`, 240 texture bins at `240 r`; each sums to 1. */
  color: Float32Array;
  texture: Float32Array;
  /** Adjacent pairs (4-neighbours) `a < b`: `pairs[2 i]`, `pairs[2 i + 1]`, in order of first contact in raster order. */
  pairs: Int32Array;
}

/** Sizes, boxes, histograms and adjacency of a segmentation's regions (`bins` from `pixelBins`). */
export function initialRegions(seg: Segmentation, bins: { color: Uint8Array; texture: Uint8Array }): InitialRegions {
  const { labels, count: R, width: w, height: h } = seg;
  const size = new Int32Array(R);
  const bx = new Int32Array(R * 4);
  const colorH = new Float32Array(R * COLOR_DIM);
  const texH = new Float32Array(R * TEX_DIM);
  for (let r = 0; r < R; r++) {
    bx[r * 4] = w;
    bx[r * 4 + 1] = h;
  }
  const cb = bins.color;
  const tb = bins.texture;
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const r = labels[p];
      size[r]++;
      const o = r * 4;
      if (x < bx[o]) bx[o] = x;
      if (y < bx[o + 1]) bx[o + 1] = y;
      if (x + 1 > bx[o + 2]) bx[o + 2] = x + 1;
      if (y + 1 > bx[o + 3]) bx[o + 3] = y + 1;
      const cBase = r * COLOR_DIM;
      colorH[cBase + cb[p * 3]]++;
      colorH[cBase + cb[p * 3 + 1]]++;
      colorH[cBase + cb[p * 3 + 2]]++;
      const tBase = r * TEX_DIM;
      for (let i = p * 24, e = i + 24; i < e; i++) texH[tBase + tb[i]]++;
    }
  }
  // L1-normalise: each pixel added 3 colour and 24 texture counts.
  for (let r = 0; r < R; r++) {
    const fc = 1 / (3 * size[r]);
    for (let i = r * COLOR_DIM, e = i + COLOR_DIM; i < e; i++) colorH[i] *= fc;
    const ft = 1 / (24 * size[r]);
    for (let i = r * TEX_DIM, e = i + TEX_DIM; i < e; i++) texH[i] *= ft;
  }
  // Adjacent pairs, each once.
  const pairs: number[] = [];
  const seen = new Set<number>();
  const meet = (a: number, b: number) => {
    const key = a < b ? a * R + b : b * R + a;
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push(a < b ? a : b, a < b ? b : a);
  };
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const a = labels[p];
      if (x < w - 1 && labels[p + 1] !== a) meet(a, labels[p + 1]);
      if (y < h - 1 && labels[p + w] !== a) meet(a, labels[p + w]);
    }
  }
  return { count: R, size, box: bx, color: colorH, texture: texH, pairs: Int32Array.from(pairs) };
}

/**
 * Hierarchical grouping of one segmentation by the similarities of `strategy` (see the module
 * comment). `bins` are the colour space's `pixelBins` (or pass `initial`, from `initialRegions`,
 * to share that work between strategies on one segmentation). Returns the hierarchy (every
 * region's box and the merges in order).
 */
export function groupRegions(seg: Segmentation, bins: { color: Uint8Array; texture: Uint8Array } | null, strategy: SearchStrategy, initial?: InitialRegions): Hierarchy {
  const { count: R, width: w, height: h } = seg;
  const init = initial ?? initialRegions(seg, bins!);
  if (init.count !== R) throw new RangeError('groupRegions: initial regions of another segmentation');
  const n = w * h;
  const total = Math.max(1, 2 * R - 1);
  const useC = strategy.similarities.includes('color');
  const useT = strategy.similarities.includes('texture');
  const useS = strategy.similarities.includes('size');
  const useF = strategy.similarities.includes('fill');
  const ws = workspace;
  ws.ensure(total);
  const colorH = ws.colorH;
  const texH = ws.texH;
  if (useC) colorH.set(init.color);
  if (useT) texH.set(init.texture);
  const size = new Int32Array(total);
  size.set(init.size);
  const bx = new Int32Array(total * 4);
  bx.set(init.box);
  const pairs = init.pairs;
  const nbr: number[][] = new Array(total);
  for (let r = 0; r < total; r++) nbr[r] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    nbr[pairs[i]].push(pairs[i + 1]);
    nbr[pairs[i + 1]].push(pairs[i]);
  }

  const sim = (a: number, b: number) => {
    let s = 0;
    if (useC) {
      let acc = 0;
      for (let i = a * COLOR_DIM, j = b * COLOR_DIM, e = i + COLOR_DIM; i < e; i++, j++) acc += colorH[i] < colorH[j] ? colorH[i] : colorH[j];
      s += acc;
    }
    if (useT) {
      let acc = 0;
      for (let i = a * TEX_DIM, j = b * TEX_DIM, e = i + TEX_DIM; i < e; i++, j++) acc += texH[i] < texH[j] ? texH[i] : texH[j];
      s += acc;
    }
    if (useS) s += 1 - (size[a] + size[b]) / n;
    if (useF) {
      const bw = Math.max(bx[a * 4 + 2], bx[b * 4 + 2]) - Math.min(bx[a * 4], bx[b * 4]);
      const bh = Math.max(bx[a * 4 + 3], bx[b * 4 + 3]) - Math.min(bx[a * 4 + 1], bx[b * 4 + 1]);
      s += 1 - (bw * bh - size[a] - size[b]) / n;
    }
    return s;
  };

  const heap = ws.heap;
  heap.clear();
  for (let i = 0; i < pairs.length; i += 2) heap.push(sim(pairs[i], pairs[i + 1]), pairs[i], pairs[i + 1]);

  const alive = new Uint8Array(total);
  alive.fill(1, 0, R);
  const stamp = new Int32Array(total).fill(-1);
  const steps: GroupingStep[] = [];
  let next = R;
  while (heap.length > 0) {
    const top = heap.pop();
    const a = heap.a[top];
    const b = heap.b[top];
    if (!alive[a] || !alive[b]) continue;
    const s = heap.sim[top];
    const t = next++;
    alive[a] = alive[b] = 0;
    alive[t] = 1;
    const sa = size[a];
    const sb = size[b];
    size[t] = sa + sb;
    bx[t * 4] = Math.min(bx[a * 4], bx[b * 4]);
    bx[t * 4 + 1] = Math.min(bx[a * 4 + 1], bx[b * 4 + 1]);
    bx[t * 4 + 2] = Math.max(bx[a * 4 + 2], bx[b * 4 + 2]);
    bx[t * 4 + 3] = Math.max(bx[a * 4 + 3], bx[b * 4 + 3]);
    const fa = sa / (sa + sb);
    const fb = sb / (sa + sb);
    if (useC) for (let i = 0, ta = t * COLOR_DIM, ia = a * COLOR_DIM, ib = b * COLOR_DIM; i < COLOR_DIM; i++) colorH[ta + i] = fa * colorH[ia + i] + fb * colorH[ib + i];
    if (useT) for (let i = 0, ta = t * TEX_DIM, ia = a * TEX_DIM, ib = b * TEX_DIM; i < TEX_DIM; i++) texH[ta + i] = fa * texH[ia + i] + fb * texH[ib + i];
    steps.push({ a, b, into: t, box: [bx[t * 4], bx[t * 4 + 1], bx[t * 4 + 2], bx[t * 4 + 3]], similarity: s });
    // The merged region's neighbours: the live neighbours of a and b (each dead neighbour's
    // successor was pushed onto their lists when it died), once each.
    stamp[a] = stamp[b] = t;
    const mine = nbr[t];
    for (let side = 0; side < 2; side++) {
      const list = side === 0 ? nbr[a] : nbr[b];
      for (let i = 0; i < list.length; i++) {
        const u = list[i];
        if (!alive[u] || stamp[u] === t) continue;
        stamp[u] = t;
        mine.push(u);
      }
    }
    nbr[a] = nbr[b] = [];
    for (const u of mine) {
      nbr[u].push(t);
      heap.push(sim(t, u), t, u);
    }
  }
  const count = next;
  const regionBoxes: ProposalBox[] = new Array(count);
  for (let r = 0; r < count; r++) regionBoxes[r] = [bx[r * 4], bx[r * 4 + 1], bx[r * 4 + 2], bx[r * 4 + 3]];
  return { strategy, segmentation: seg, regionBoxes, regionSizes: size.slice(0, count), steps };
}


/**
 * Selective search on an RGB (or RGBA) image: ranked, de-duplicated, class-agnostic boxes, and each
 * strategy's hierarchy for replay. See the module comment for the method.
 */
export function selectiveSearch(img: RgbImage, options: SelectiveSearchOptions = {}): SelectiveSearchResult {
  checkImage(img);
  const { mode = 'single', sigma = 0.8, minSize = 10, maxBoxes = Infinity, seed = 0, minBoxSide = 1 } = options;
  const strategies = options.strategies ?? searchStrategies(mode);
  if (!strategies.length) throw new RangeError('selectiveSearch: no strategies');
  const { width: w, height: h } = img;
  for (const st of strategies) {
    if (!SPACES.includes(st.colorSpace)) throw new RangeError(`selectiveSearch: unknown colour space '${st.colorSpace}' (use ${SPACES.join(', ')})`);
    if (!(st.k >= 0)) throw new RangeError(`selectiveSearch: strategy k must be >= 0 (got ${st.k})`);
    for (const s of st.similarities) if (!ALL.includes(s)) throw new RangeError(`selectiveSearch: unknown similarity '${s}' (use ${ALL.join(', ')})`);
  }
  // Per colour space: its pixel graph (shared by every k), the segmentations, the pixels' bins.
  // Work buffers come from a module-level scratch (kept between calls for images up to 512 x 512,
  // about 30 MB; bigger ones allocate afresh), so a colour space is finished before the next.
  const sc = w * h <= 512 * 512 ? scratch : undefined;
  const segs = new Map<string, { seg: Segmentation; initial?: InitialRegions }>();
  const binsOf = new Map<ColorSpace, ReturnType<typeof pixelBins>>();
  for (const space of new Set(strategies.map((st) => st.colorSpace))) {
    const cs = toColorSpace(img, space, sc?.f32('colour-space', w * h * 3));
    const graph = pixelGraph({ data: cs, width: w, height: h, channels: 3 }, sigma, sc);
    for (const st of strategies) {
      const key = `${space}/${st.k}`;
      if (st.colorSpace === space && !segs.has(key)) segs.set(key, { seg: segmentGraph(graph, { k: st.k, minSize }, sc) });
    }
    binsOf.set(space, pixelBins(cs, w, h, sc, space));
  }
  const hierarchies: Hierarchy[] = [];
  for (const st of strategies) {
    const entry = segs.get(`${st.colorSpace}/${st.k}`)!;
    entry.initial ??= initialRegions(entry.seg, binsOf.get(st.colorSpace)!);
    hierarchies.push(groupRegions(entry.seg, null, st, entry.initial));
  }

  // Rank: position (1 = made last) x a random factor, all strategies together.
  const rnd = mulberry32(seed);
  let total = 0;
  for (const hi of hierarchies) total += hi.regionBoxes.length;
  const value = new Float64Array(total);
  const strat = new Int32Array(total);
  const region = new Int32Array(total);
  let m = 0;
  hierarchies.forEach((hi, s) => {
    const count = hi.regionBoxes.length;
    for (let r = count - 1; r >= 0; r--) {
      value[m] = rnd() * (count - r);
      strat[m] = s;
      region[m] = r;
      m++;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((i, j) => value[i] - value[j] || i - j);
  const boxes: ProposalBox[] = [];
  const sources: { strategy: number; region: number }[] = [];
  const ranks: number[] = [];
  const taken = new Set<number>();
  for (const i of order) {
    if (boxes.length >= maxBoxes) break;
    const b = hierarchies[strat[i]].regionBoxes[region[i]];
    if (b[2] - b[0] < minBoxSide || b[3] - b[1] < minBoxSide) continue;
    const key = ((b[0] * (h + 1) + b[1]) * (w + 1) + b[2]) * (h + 1) + b[3];
    if (taken.has(key)) continue;
    taken.add(key);
    boxes.push(b);
    sources.push({ strategy: strat[i], region: region[i] });
    ranks.push(value[i]);
  }
  return { boxes, sources, ranks, hierarchies, width: w, height: h };
}

/** The regions of a hierarchy after its first `step` merges (see `hierarchyAt`). */
export interface HierarchyState {
  /** Region id of each pixel (an initial region, or `segmentation.count + s` for merge s < step). */
  labels: Int32Array;
  /** The ids of the regions alive at that point, ascending. */
  regions: number[];
}

/**
 * The state of a hierarchy after its first `step` merges (0: the initial segmentation; `steps.length`:
 * one region), for a widget replaying the grouping: each pixel's current region and the regions
 * alive. `step` is clamped to `[0, steps.length]`.
 */
export function hierarchyAt(h: Hierarchy, step: number): HierarchyState {
  const R = h.segmentation.count;
  const last = Math.max(0, Math.min(h.steps.length, Math.floor(step) || 0));
  const up = new Int32Array(R + last).fill(-1);
  for (let s = 0; s < last; s++) {
    const { a, b, into } = h.steps[s];
    up[a] = into;
    up[b] = into;
  }
  const owner = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    let x = r;
    while (up[x] >= 0) x = up[x];
    owner[r] = x;
  }
  const src = h.segmentation.labels;
  const labels = new Int32Array(src.length);
  for (let p = 0; p < src.length; p++) labels[p] = owner[src[p]];
  const regions: number[] = [];
  for (let id = 0; id < R + last; id++) if (up[id] < 0) regions.push(id);
  return { labels, regions };
}

export interface RecallResult {
  /** Fraction of the ground-truth boxes that some proposal covers with IoU >= the threshold. */
  recall: number;
  /** Per ground-truth box: the best IoU of any proposal. */
  bestIou: number[];
  covered: number;
  total: number;
}

/**
 * Proposal recall: how many ground-truth boxes some proposal matches at IoU >= `iouThreshold`
 * (IoU as `iouOf`, torchvision's; written out here so that this module needs no TF.js).
 */
export function proposalRecall(proposals: readonly XyxyBox[], groundTruth: readonly XyxyBox[], iouThreshold = 0.5): RecallResult {
  const bestIou = groundTruth.map((g) => {
    let best = 0;
    for (const p of proposals) {
      const iw = Math.min(p[2], g[2]) - Math.max(p[0], g[0]);
      const ih = Math.min(p[3], g[3]) - Math.max(p[1], g[1]);
      if (iw <= 0 || ih <= 0) continue;
      const inter = iw * ih;
      const v = inter / ((p[2] - p[0]) * (p[3] - p[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter);
      if (v > best) best = v;
    }
    return best;
  });
  const covered = bestIou.filter((v) => v >= iouThreshold).length;
  return { recall: groundTruth.length ? covered / groundTruth.length : NaN, bestIou, covered, total: groundTruth.length };
}
