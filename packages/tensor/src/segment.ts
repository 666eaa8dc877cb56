/**
 * Felzenszwalb–Huttenlocher graph-based image segmentation ("Efficient Graph-Based Image
 * Segmentation", IJCV 2004), the first stage of selective search. Plain typed arrays, no TF.js:
 * the whole thing is a sort and a union-find, which a tensor library does not help with.
 *
 * The image is smoothed by a Gaussian (sigma, radius ceil(4 sigma), edges clamped), each pixel is
 * joined to its 8 neighbours by an edge weighted by the Euclidean distance of the smoothed colours,
 * and the edges are taken by increasing weight: an edge joins its two components C1, C2 when
 * w <= min(Int(C1) + k / |C1|, Int(C2) + k / |C2|), Int being the largest edge weight inside a
 * component (the maximum of its minimum spanning tree, which is the weight of the edge that made it,
 * since edges come sorted). Last, components smaller than `minSize` are joined to a neighbour, again
 * edge by edge in increasing weight. As in the authors' code, edge weights are compared as they are
 * (ties keep the edge order: pixel by pixel in raster order, then right, down, down-right, up-right).
 */

/** An image as interleaved channels: `data[(y * width + x) * channels + c]`. */
export interface ChannelImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Channels per pixel (default 3). */
  channels?: number;
}

export interface SegmentOptions {
  /** The scale of observation k: larger k, larger components (default 100; the paper's 8-bit values). */
  k?: number;
  /** Gaussian pre-smoothing sigma in pixels (default 0.8, as the paper); 0 turns it off. */
  sigma?: number;
  /** Components smaller than this many pixels are joined to a neighbour (default 10). */
  minSize?: number;
}

export interface Segmentation {
  /** Component of each pixel, `0 .. count - 1`, numbered in raster order of their first pixel. */
  labels: Int32Array;
  count: number;
  width: number;
  height: number;
}

/** A normalised 1-D Gaussian of radius ceil(4 sigma) (the authors' `make_fgauss` then `normalize`). */
export function gaussianTaps(sigma: number): Float32Array {
  const s = Math.max(sigma, 0.01);
  const r = Math.ceil(4 * s);
  const taps = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += taps[i + r] = Math.exp(-0.5 * (i / s) * (i / s));
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return taps;
}

/**
 * Reusable typed-array buffers, grown when too small and never shrunk, so that a caller running
 * these functions many times (selective search does, on every image) allocates once. An array
 * from a scratch is valid until the same key is asked for again.
 */
export class Scratch {
  private buffers = new Map<string, ArrayBuffer>();
  private buffer(key: string, bytes: number) {
    let b = this.buffers.get(key);
    if (!b || b.byteLength < bytes) {
      b = new ArrayBuffer(Math.max(bytes, Math.ceil((b?.byteLength ?? 0) * 1.5)));
      this.buffers.set(key, b);
    }
    return b;
  }
  f32(key: string, n: number) {
    return new Float32Array(this.buffer(key, 4 * n), 0, n);
  }
  i32(key: string, n: number) {
    return new Int32Array(this.buffer(key, 4 * n), 0, n);
  }
  u32(key: string, n: number) {
    return new Uint32Array(this.buffer(key, 4 * n), 0, n);
  }
  u8(key: string, n: number) {
    return new Uint8Array(this.buffer(key, n), 0, n);
  }
}

/**
 * Separable Gaussian smoothing of every channel into a new Float32Array (same layout); pixels
 * beyond the border repeat the edge. sigma <= 0 copies.
 */
export function smoothChannels(img: ChannelImage, sigma: number, out?: Float32Array, scratch?: Scratch): Float32Array {
  const { width: w, height: h } = img;
  const ch = img.channels ?? 3;
  const n = w * h * ch;
  const dst = out ?? new Float32Array(n);
  const src = img.data instanceof Float32Array ? img.data : Float32Array.from(img.data as ArrayLike<number>);
  if (!(sigma > 0)) {
    dst.set(src.subarray(0, n));
    return dst;
  }
  const taps = gaussianTaps(sigma);
  const r = (taps.length - 1) >> 1;
  const tmp = scratch ? scratch.f32('smooth-tmp', n).fill(0) : new Float32Array(n);
  const rowLen = w * ch;
  // Rows: each tap adds a shifted copy of the row (contiguous inner loops); the r pixels at either
  // end read clamped positions.
  for (let y = 0; y < h; y++) {
    const row = y * rowLen;
    const lo = Math.min(r, w);
    const hi = Math.max(lo, w - r);
    for (let t = 0; t <= 2 * r; t++) {
      const k = taps[t];
      const shift = (t - r) * ch;
      for (let j = row + lo * ch, e = row + hi * ch; j < e; j++) tmp[j] += k * src[j + shift];
    }
    for (let x = 0; x < w; x++) {
      if (x === lo) x = hi;
      if (x >= w) break;
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let t = -r; t <= r; t++) {
          const xx = x + t;
          acc += taps[t + r] * src[row + (xx < 0 ? 0 : xx >= w ? w - 1 : xx) * ch + c];
        }
        tmp[row + x * ch + c] = acc;
      }
    }
  }
  // Columns: each output row is the taps' sum of (clamped) input rows.
  dst.fill(0, 0, n);
  for (let y = 0; y < h; y++) {
    const out = y * rowLen;
    for (let t = 0; t <= 2 * r; t++) {
      let yy = y + t - r;
      yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
      const k = taps[t];
      const shift = yy * rowLen - out;
      for (let j = out, e = out + rowLen; j < e; j++) dst[j] += k * tmp[j + shift];
    }
  }
  return dst;
}

function check(img: ChannelImage) {
  const { width: w, height: h } = img;
  const ch = img.channels ?? 3;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new RangeError(`segment: width and height must be positive integers (got ${w} x ${h})`);
  if (!Number.isInteger(ch) || ch < 1) throw new RangeError(`segment: channels must be a positive integer (got ${ch})`);
  if (img.data.length !== w * h * ch) throw new RangeError(`segment: data has ${img.data.length} values, expected ${w} x ${h} x ${ch} = ${w * h * ch}`);
}

/**
 * The pixel graph of an image: 8-connectivity edges (each pair once: right, down, down-right and
 * up-right of each pixel in raster order), weighted by the Euclidean distance of the colours after
 * Gaussian smoothing, with their order by increasing weight. It does not depend on k, so several
 * segmentations of one image share it. With a `scratch`, its arrays are the scratch's buffers (valid
 * until the next `pixelGraph` on that scratch); without, fresh arrays.
 */
export interface PixelGraph {
  width: number;
  height: number;
  /** Edge e joins pixels a[e] and b[e] with weight w[e]. */
  a: Int32Array;
  b: Int32Array;
  w: Float32Array;
  /** Edge indices by increasing weight (ties in edge order). */
  order: Int32Array;
}

export function pixelGraph(img: ChannelImage, sigma = 0.8, scratch?: Scratch): PixelGraph {
  check(img);
  const { width: w, height: h } = img;
  const ch = img.channels ?? 3;
  const s = smoothChannels(img, sigma, scratch?.f32('graph-smooth', w * h * ch), scratch);
  const m = Math.max(0, (w - 1) * h + w * (h - 1) + 2 * (w - 1) * (h - 1));
  const ea = scratch ? scratch.i32('graph-a', m) : new Int32Array(m);
  const eb = scratch ? scratch.i32('graph-b', m) : new Int32Array(m);
  const ew = scratch ? scratch.f32('graph-w', m) : new Float32Array(m);
  let e = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      for (let d = 0; d < 4; d++) {
        let q: number;
        if (d === 0) {
          if (x === w - 1) continue;
          q = p + 1;
        } else if (d === 1) {
          if (y === h - 1) continue;
          q = p + w;
        } else if (d === 2) {
          if (x === w - 1 || y === h - 1) continue;
          q = p + w + 1;
        } else {
          if (x === w - 1 || y === 0) continue;
          q = p - w + 1;
        }
        let dd = 0;
        for (let c = 0, pa = p * ch, pb = q * ch; c < ch; c++) {
          const t = s[pa + c] - s[pb + c];
          dd += t * t;
        }
        ea[e] = p;
        eb[e] = q;
        ew[e] = Math.sqrt(dd);
        e++;
      }
    }
  }
  return { width: w, height: h, a: ea, b: eb, w: ew, order: sortByWeight(ew, scratch) };
}

/**
 * Graph-based segmentation (Felzenszwalb & Huttenlocher) of an image of any number of channels;
 * see the module comment for the rule. Deterministic: same input, same labels.
 */
export function felzenszwalb(img: ChannelImage, { k = 100, sigma = 0.8, minSize = 10 }: SegmentOptions = {}): Segmentation {
  return segmentGraph(pixelGraph(img, sigma), { k, minSize });
}

/** The segmentation of a `pixelGraph` at scale k (see `felzenszwalb`). */
export function segmentGraph(graph: PixelGraph, { k = 100, minSize = 10 }: { k?: number; minSize?: number } = {}, scratch?: Scratch): Segmentation {
  if (!(k >= 0)) throw new RangeError(`segment: k must be >= 0 (got ${k})`);
  const { width: w, height: h, a: ea, b: eb, w: ew, order } = graph;
  const n = w * h;
  const m = order.length;
  // Union-find with union by rank and path halving.
  const parent = scratch ? scratch.i32('uf-parent', n) : new Int32Array(n);
  const rank = scratch ? scratch.u8('uf-rank', n).fill(0) : new Uint8Array(n);
  const size = (scratch ? scratch.i32('uf-size', n) : new Int32Array(n)).fill(1);
  const thresh = (scratch ? scratch.f32('uf-thresh', n) : new Float32Array(n)).fill(k); // Int(C) + k / |C| with Int = 0, |C| = 1
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const join = (a: number, b: number) => {
    if (rank[a] > rank[b]) {
      parent[b] = a;
      size[a] += size[b];
      return a;
    }
    parent[a] = b;
    size[b] += size[a];
    if (rank[a] === rank[b]) rank[b]++;
    return b;
  };
  for (let i = 0; i < m; i++) {
    const e = order[i];
    const a = find(ea[e]);
    const b = find(eb[e]);
    if (a === b) continue;
    const we = ew[e];
    if (we <= thresh[a] && we <= thresh[b]) {
      const r = join(a, b);
      thresh[r] = we + k / size[r];
    }
  }
  if (minSize > 1) {
    // Flatten the trees first, so that this pass's finds are one or two steps.
    for (let p = 0; p < n; p++) parent[p] = find(p);
    for (let i = 0; i < m; i++) {
      const e = order[i];
      const a = find(ea[e]);
      const b = find(eb[e]);
      if (a !== b && (size[a] < minSize || size[b] < minSize)) join(a, b);
    }
  }

  // Labels 0 .. count - 1 in raster order of each component's first pixel.
  const labels = new Int32Array(n);
  const idOf = (scratch ? scratch.i32('uf-id', n) : new Int32Array(n)).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const r = find(p);
    if (idOf[r] < 0) idOf[r] = count++;
    labels[p] = idOf[r];
  }
  return { labels, count, width: w, height: h };
}

/**
 * Edge indices by increasing weight, ties in index order: an LSD radix sort (3 stable passes of
 * 11 bits) of the weights' float32 bit patterns, which for non-negative floats sort as unsigned
 * integers do. Exact, and linear in the number of edges.
 */
function sortByWeight(weights: Float32Array, scratch?: Scratch): Int32Array {
  const m = weights.length;
  let keys = scratch ? scratch.u32('sort-keys', m) : new Uint32Array(m);
  keys.set(new Uint32Array(weights.buffer, weights.byteOffset, m));
  let idx = scratch ? scratch.i32('sort-idx', m) : new Int32Array(m);
  for (let i = 0; i < m; i++) idx[i] = i;
  let keys2 = scratch ? scratch.u32('sort-keys2', m) : new Uint32Array(m);
  let idx2 = scratch ? scratch.i32('sort-idx2', m) : new Int32Array(m);
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < m; i++) count[(keys[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const pos = count[(keys[i] >>> shift) & 2047]++;
      keys2[pos] = keys[i];
      idx2[pos] = idx[i];
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
