/**
 * RoI pooling and RoI Align, torchvision's semantics (`torchvision.ops.roi_pool`, `roi_align`),
 * on NHWC feature maps (TF.js's layout; torchvision's is NCHW). The sampling positions depend only
 * on the boxes, so they are worked out in JavaScript. On a GPU the features never leave the backend:
 * one gather and one reduction per call; on wasm and cpu, roiPool reads the map once and loops.
 */
import { tf, type Tensor2D, type Tensor3D, type Tensor4D } from './tf.js';

/** Boxes as rows `[x1, y1, x2, y2]` (all on image 0) or `[batchIndex, x1, y1, x2, y2]` (torchvision's RoI format). */
export type RoiBoxes = Tensor2D | readonly (readonly number[])[];

function readRois(boxes: RoiBoxes): number[][] {
  const rows = boxes instanceof tf.Tensor ? (boxes.arraySync() as number[][]) : boxes.map((r) => [...r]);
  return rows.map((r) => {
    if (r.length === 4) return [0, ...r];
    if (r.length === 5) return r;
    throw new RangeError(`RoI boxes must have 4 ([x1, y1, x2, y2]) or 5 ([batch, x1, y1, x2, y2]) numbers; got ${r.length}`);
  });
}

function as4d(features: Tensor3D | Tensor4D): Tensor4D {
  return features.rank === 3 ? (tf.expandDims(features, 0) as Tensor4D) : (features as Tensor4D);
}

function sizePair(s: number | readonly [number, number]): [number, number] {
  const [h, w] = typeof s === 'number' ? [s, s] : s;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new RangeError(`output size must be positive integers, got ${s}`);
  return [h, w];
}

/** C++ std::round: half away from zero (what torchvision's roi_pool kernel uses). */
const roundAway = (v: number) => Math.sign(v) * Math.round(Math.abs(v));

/** One bin of `roiPoolBins`: rows [y0, y1) and columns [x0, x1) of the feature map (empty when y1 <= y0 or x1 <= x0). */
export interface RoiBin {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * The bins RoI pooling takes the maximum over, torchvision's `roi_pool` kernel: the box corners are
 * scaled by `spatialScale` and rounded (half away from zero), the end pixel is included
 * (roi width = round(x2 s) - round(x1 s) + 1, at least 1), the bin size is roi width / output width,
 * and bin j spans columns [floor(j bw), ceil((j + 1) bw)) from the roi's start, clamped to the map.
 * Neighbouring bins may overlap (share a row or column); bins outside the map are empty.
 * Returns `outH` rows of `outW` bins.
 */
export function roiPoolBins(box: readonly number[], outputSize: number | readonly [number, number], spatialScale: number, featureSize: readonly [number, number]): RoiBin[][] {
  const [oh, ow] = sizePair(outputSize);
  const [H, W] = featureSize;
  const [x1, y1, x2, y2] = box.length === 5 ? box.slice(1) : box;
  const f = Math.fround; // the kernel computes in float32
  const sw = roundAway(f(f(x1) * f(spatialScale)));
  const sh = roundAway(f(f(y1) * f(spatialScale)));
  const ew = roundAway(f(f(x2) * f(spatialScale)));
  const eh = roundAway(f(f(y2) * f(spatialScale)));
  const rw = Math.max(ew - sw + 1, 1);
  const rh = Math.max(eh - sh + 1, 1);
  const bh = f(f(rh) / oh);
  const bw = f(f(rw) / ow);
  const clampH = (v: number) => Math.min(Math.max(v, 0), H);
  const clampW = (v: number) => Math.min(Math.max(v, 0), W);
  const rows: RoiBin[][] = [];
  for (let i = 0; i < oh; i++) {
    const row: RoiBin[] = [];
    for (let j = 0; j < ow; j++)
      row.push({
        y0: clampH(Math.floor(f(i * bh)) + sh),
        y1: clampH(Math.ceil(f((i + 1) * bh)) + sh),
        x0: clampW(Math.floor(f(j * bw)) + sw),
        x1: clampW(Math.ceil(f((j + 1) * bw)) + sw),
      });
    rows.push(row);
  }
  return rows;
}

/**
 * `torchvision.ops.roi_pool(features, boxes, outputSize, spatialScale)` on NHWC: the maximum of each
 * bin of `roiPoolBins` (empty bins give 0). features `[N, H, W, C]` (or `[H, W, C]`), boxes `[K, 4]`
 * or `[K, 5]` in image pixels -> `[K, outH, outW, C]`. Tensor boxes are read synchronously (they are few).
 */
export function roiPool(features: Tensor3D | Tensor4D, boxes: RoiBoxes, outputSize: number | readonly [number, number], spatialScale = 1): Tensor4D {
  // Where tensors live in main memory (wasm, cpu), reading the map once and taking each bin's
  // maximum in a loop is ~10x faster than the gather, which copies every bin's pixels (about 5 M
  // floats for 100 RoIs on a 16 x 16 x 64 map). On a GPU the gather keeps the map on the GPU.
  // Both give the same values (a maximum is exact).
  if (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu') return roiPoolInMemory(features, boxes, outputSize, spatialScale);
  return gatherBins(features, boxes, outputSize, 'max', (roi, oh, ow, H, W) =>
    roiPoolBins(roi.slice(1), [oh, ow], spatialScale, [H, W])
      .flat()
      .map((b) => {
        const idx: number[] = [];
        for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) idx.push(y * W + x);
        return { idx };
      }),
  );
}

/** roiPool by a loop over the map's values (read once, synchronously: cheap on wasm and cpu). */
function roiPoolInMemory(features: Tensor3D | Tensor4D, boxes: RoiBoxes, outputSize: number | readonly [number, number], spatialScale: number): Tensor4D {
  const [oh, ow] = sizePair(outputSize);
  const rois = readRois(boxes);
  const shape = features.rank === 3 ? [1, ...features.shape] : features.shape;
  const [N, H, W, C] = shape as [number, number, number, number];
  const K = rois.length;
  if (K === 0) return tf.zeros([0, oh, ow, C]) as Tensor4D;
  const map = features.dataSync() as Float32Array;
  const out = new Float32Array(K * oh * ow * C);
  const best = new Float32Array(C);
  rois.forEach((r, k) => {
    if (!(r[0] >= 0 && r[0] < N)) throw new RangeError(`RoI batch index ${r[0]} is outside the ${N} feature maps`);
    const base = r[0] * H * W * C;
    const bins = roiPoolBins(r.slice(1), [oh, ow], spatialScale, [H, W]);
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const b = bins[i][j];
        const o = ((k * oh + i) * ow + j) * C;
        if (b.y1 <= b.y0 || b.x1 <= b.x0) continue; // empty bin: 0
        best.fill(-Infinity);
        for (let y = b.y0; y < b.y1; y++) {
          for (let x = b.x0; x < b.x1; x++) {
            const p = base + (y * W + x) * C;
            for (let c = 0; c < C; c++) {
              const v = map[p + c];
              if (v > best[c]) best[c] = v;
            }
          }
        }
        out.set(best, o);
      }
    }
  });
  return tf.tensor4d(out, [K, oh, ow, C]);
}

/** Per RoI, per bin: the feature-map pixels (y * W + x) it reads and, for a weighted sum, their weights. */
type BinReader = (roi: number[], oh: number, ow: number, H: number, W: number) => { idx: number[]; w?: number[] }[];

/**
 * Shared by roiPool and roiAlign: lays every bin's pixel list out in one index tensor (padded to the
 * longest bin), gathers all of them in one call, and reduces each bin by its maximum (empty bins 0;
 * padding repeats a pixel of the bin, so the maximum is unchanged) or by its weighted sum (padding
 * weighs 0).
 */
function gatherBins(features: Tensor3D | Tensor4D, boxes: RoiBoxes, outputSize: number | readonly [number, number], reduce: 'max' | 'sum', read: BinReader): Tensor4D {
  const [oh, ow] = sizePair(outputSize);
  const rois = readRois(boxes);
  return tf.tidy(() => {
    const x = as4d(features);
    const [N, H, W, C] = x.shape;
    const K = rois.length;
    if (K === 0) return tf.zeros([0, oh, ow, C]) as Tensor4D;
    const all = rois.map((r) => {
      if (!(r[0] >= 0 && r[0] < N)) throw new RangeError(`RoI batch index ${r[0]} is outside the ${N} feature maps`);
      return read(r, oh, ow, H, W);
    });
    let S = 1;
    for (const roi of all) for (const b of roi) S = Math.max(S, b.idx.length);
    const B = K * oh * ow;
    const idx = new Int32Array(B * S);
    const wts = new Float32Array(B * S);
    const nonEmpty = new Float32Array(B);
    all.forEach((roi, k) => {
      const base = rois[k][0] * H * W;
      roi.forEach((b, q) => {
        const o = (k * oh * ow + q) * S;
        for (let t = 0; t < S; t++) {
          const have = t < b.idx.length;
          idx[o + t] = base + (have ? b.idx[t] : (b.idx[0] ?? 0));
          wts[o + t] = have ? (b.w?.[t] ?? 1) : 0;
        }
        nonEmpty[k * oh * ow + q] = b.idx.length ? 1 : 0;
      });
    });
    const g = tf.reshape(tf.gather(tf.reshape(x, [N * H * W, C]), tf.tensor1d(idx, 'int32')), [B, S, C]);
    const r = reduce === 'max' ? tf.mul(tf.max(g, 1), tf.tensor2d(nonEmpty, [B, 1])) : tf.sum(tf.mul(g, tf.tensor3d(wts, [B, S, 1])), 1);
    return tf.reshape(r, [K, oh, ow, C]) as Tensor4D;
  });
}

export interface RoiAlignOptions {
  /** Feature-map pixels per image pixel (1 / stride). Default 1. */
  spatialScale?: number;
  /** Sample points per bin along each axis; <= 0 (default -1): adaptive, ceil(roi size / output size). */
  samplingRatio?: number;
  /** Shift the box by -0.5 pixel so pixel centres line up (Detectron2's fix); default false (torchvision's default). */
  aligned?: boolean;
}

/** The sample points of one RoI Align bin with their bilinear corner indices and weights (already divided by the count). */
function alignSamples(roi: number[], oh: number, ow: number, H: number, W: number, { spatialScale = 1, samplingRatio = -1, aligned = false }: RoiAlignOptions) {
  const off = aligned ? 0.5 : 0;
  const [, x1, y1, x2, y2] = roi;
  const sx = x1 * spatialScale - off;
  const sy = y1 * spatialScale - off;
  let rw = x2 * spatialScale - off - sx;
  let rh = y2 * spatialScale - off - sy;
  if (!aligned) {
    rw = Math.max(rw, 1);
    rh = Math.max(rh, 1);
  }
  const bh = rh / oh;
  const bw = rw / ow;
  const gh = samplingRatio > 0 ? samplingRatio : Math.ceil(rh / oh);
  const gw = samplingRatio > 0 ? samplingRatio : Math.ceil(rw / ow);
  const count = Math.max(gh * gw, 1);
  const bins: { idx: number[]; w: number[] }[] = [];
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) {
      const idx: number[] = [];
      const w: number[] = [];
      for (let iy = 0; iy < gh; iy++) {
        let y = sy + i * bh + ((iy + 0.5) * bh) / gh;
        for (let ix = 0; ix < gw; ix++) {
          let x = sx + j * bw + ((ix + 0.5) * bw) / gw;
          if (y < -1 || y > H || x < -1 || x > W) continue; // outside: contributes 0
          let yy = Math.max(y, 0);
          let xx = Math.max(x, 0);
          let yl = Math.floor(yy);
          let xl = Math.floor(xx);
          let yh: number;
          let xh: number;
          if (yl >= H - 1) {
            yh = yl = H - 1;
            yy = yl;
          } else yh = yl + 1;
          if (xl >= W - 1) {
            xh = xl = W - 1;
            xx = xl;
          } else xh = xl + 1;
          const ly = yy - yl;
          const lx = xx - xl;
          const hy = 1 - ly;
          const hx = 1 - lx;
          idx.push(yl * W + xl, yl * W + xh, yh * W + xl, yh * W + xh);
          w.push((hy * hx) / count, (hy * lx) / count, (ly * hx) / count, (ly * lx) / count);
          y = yy;
          x = xx;
        }
      }
      bins.push({ idx, w });
    }
  return bins;
}

/**
 * `torchvision.ops.roi_align(features, boxes, outputSize, spatialScale, samplingRatio, aligned)` on
 * NHWC. No rounding: the box (scaled, minus 0.5 when `aligned`; at least 1 x 1 when not) is cut into
 * outH x outW equal bins, each bin averages gh x gw bilinear samples at
 * (y1 + i bh + (iy + 0.5) bh / gh, ...), with gh = samplingRatio or ceil(roi height / outH).
 * A sample beyond one pixel outside the map counts as 0; within it, coordinates are clamped to the map.
 * features `[N, H, W, C]` or `[H, W, C]`, boxes `[K, 4]` / `[K, 5]` -> `[K, outH, outW, C]`.
 *
 * Not `tf.image.cropAndResize`: that samples one point per output pixel on a grid whose first and
 * last points sit on the box's edges (normalised `[y1, x1, y2, x2]`), and extrapolates outside the
 * image with a fill value; RoI Align averages several samples at bin centres.
 */
export function roiAlign(features: Tensor3D | Tensor4D, boxes: RoiBoxes, outputSize: number | readonly [number, number], options: RoiAlignOptions = {}): Tensor4D {
  return gatherBins(features, boxes, outputSize, 'sum', (roi, oh, ow, H, W) => alignSamples(roi, oh, ow, H, W, options));
}

/**
 * RoI pooling of one channel of an NHWC feature map already on the CPU (`data`, `[H, W, C]`), by
 * the bins of `roiPoolBins`: each bin's maximum, row by row (an empty bin gives 0, as torchvision's
 * kernel does). What a view that animates the bins needs, without a backend round trip.
 */
export function binMaxima(bins: readonly (readonly RoiBin[])[], data: ArrayLike<number>, [, W, C]: readonly [number, number, number], channel: number): Float32Array {
  const ow = bins[0]?.length ?? 0;
  const out = new Float32Array(bins.length * ow);
  bins.forEach((row, i) =>
    row.forEach((b, j) => {
      let mx = b.y1 > b.y0 && b.x1 > b.x0 ? -Infinity : 0;
      for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) mx = Math.max(mx, data[(y * W + x) * C + channel]);
      out[i * ow + j] = mx;
    }),
  );
  return out;
}

/** The channel with the largest sum over the cells the bins cover (a cell shared by two bins counts twice). */
export function strongestChannel(bins: readonly (readonly RoiBin[])[], data: ArrayLike<number>, [, W, C]: readonly [number, number, number]): number {
  let best = 0;
  let bestV = -Infinity;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (const row of bins) for (const b of row) for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) s += data[(y * W + x) * C + c];
    if (s > bestV) {
      bestV = s;
      best = c;
    }
  }
  return best;
}
