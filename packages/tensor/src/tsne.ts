/**
 * t-SNE (van der Maaten & Hinton, 2008) with the Barnes-Hut approximation (van der Maaten, 2014):
 * plain TypeScript on Float32Arrays, no TF.js, so that it runs in a Web Worker (and in Node) without
 * loading a backend. Memory is O(N·k) (sparse P over 3·perplexity neighbours, a quadtree per
 * iteration), never N×N: 5,000 points need a few MB. Seeded: the same data, options and seed give the
 * same map, number for number.
 *
 * The objective: KL(P || Q) = Σ_ij p_ij log(p_ij / q_ij), with
 *   p_j|i = exp(-β_i ||x_i - x_j||²) / Σ_k exp(-β_i ||x_i - x_k||²)  (β_i found so that the entropy
 *   of p_·|i is log(perplexity)), p_ij = (p_j|i + p_i|j) / 2N, and
 *   q_ij = (1 + ||y_i - y_j||²)⁻¹ / Z,  Z = Σ_{k≠l} (1 + ||y_k - y_l||²)⁻¹.
 * Its gradient: ∂C/∂y_i = 4 Σ_j (p_ij - q_ij)(1 + ||y_i - y_j||²)⁻¹ (y_i - y_j)
 *   = 4 [Σ_j p_ij q̂_ij (y_i - y_j)  -  Σ_j q̂_ij² (y_i - y_j) / Z],  q̂_ij = (1 + ||y_i - y_j||²)⁻¹,
 * the first (attractive) term over the sparse neighbours, the second (repulsive) over a quadtree whose
 * cells far enough away (cell width / distance < θ) count as one point at their centre of mass.
 * Optimiser (as in the paper and bhtsne): gradient descent with momentum 0.5 then 0.8, per-parameter
 * gains, early exaggeration (P × 12 for the first 250 iterations).
 */

/** mulberry32: a small seeded PRNG in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TsneOptions {
  /** Effective number of neighbours (5-50 is usual). Default 30; at most (N - 1) / 3. */
  perplexity?: number;
  /** Step size; 'auto' = max(N / 12 / exaggeration… as openTSNE: max(N / 12, 50)). Default 'auto'. */
  learningRate?: number | 'auto';
  /** Seed of the initial layout. Default 1. */
  seed?: number;
  /** Barnes-Hut accuracy: 0 = exact repulsion (slow), 0.5 usual. */
  theta?: number;
  /** Early exaggeration factor and how many iterations it lasts. Defaults 12 and 250. */
  exaggeration?: number;
  exaggerationIterations?: number;
}

/** Sparse symmetric joint probabilities in CSR form. */
export interface SparseP {
  n: number;
  rowStart: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/** Squared Euclidean distances from point i to every point (rows of an N×D matrix). */
function sqDistRow(data: Float32Array, n: number, d: number, i: number, norms: Float64Array, out: Float64Array): void {
  const oi = i * d;
  for (let j = 0; j < n; j++) {
    const oj = j * d;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += data[oi + k] * data[oj + k];
    out[j] = Math.max(0, norms[i] + norms[j] - 2 * dot);
  }
}

/**
 * The k nearest neighbours of every point (exact, O(N²D)), as indices and squared distances, nearest
 * first. `onProgress(fraction)` is called now and then.
 */
export function nearestNeighbours(data: Float32Array, n: number, d: number, k: number, onProgress?: (f: number) => void): { idx: Int32Array; dist: Float64Array } {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += data[i * d + t] ** 2;
    norms[i] = s;
  }
  const idx = new Int32Array(n * k);
  const dist = new Float64Array(n * k);
  const row = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    sqDistRow(data, n, d, i, norms, row);
    row[i] = Infinity;
    // Partial selection: keep the k smallest in a sorted buffer (k is small).
    let m = 0;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (m === k && v >= row[order[m - 1]]) continue;
      let p = m < k ? m++ : k - 1;
      while (p > 0 && row[order[p - 1]] > v) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = j;
    }
    for (let t = 0; t < k; t++) {
      idx[i * k + t] = order[t];
      dist[i * k + t] = row[order[t]];
    }
    if (onProgress && i % 256 === 0) onProgress(i / n);
  }
  return { idx, dist };
}

/**
 * p_j|i over each point's k neighbours, with β_i found by bisection so that the entropy H(P_i) =
 * log(perplexity) (natural log), then symmetrised: p_ij = (p_j|i + p_i|j) / 2N.
 */
export function jointProbabilities(idx: Int32Array, dist: Float64Array, n: number, k: number, perplexity: number): SparseP {
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    const o = i * k;
    for (let iter = 0; iter < 200; iter++) {
      let sum = 0;
      let sumDP = 0;
      const d0 = dist[o]; // shift by the smallest distance for stability
      for (let t = 0; t < k; t++) {
        const p = Math.exp(-beta * (dist[o + t] - d0));
        cond[o + t] = p;
        sum += p;
        sumDP += (dist[o + t] - d0) * p;
      }
      // H = log(sum) + beta * E[d - d0]
      const H = Math.log(sum) + (beta * sumDP) / sum;
      for (let t = 0; t < k; t++) cond[o + t] /= sum;
      const diff = H - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  // Symmetrise: collect (i, j) and (j, i) entries.
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = idx[i * k + t];
      const v = cond[i * k + t];
      rows[i].set(j, (rows[i].get(j) ?? 0) + v);
      rows[j].set(i, (rows[j].get(i) ?? 0) + v);
    }
  }
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].size;
  const cols = new Int32Array(rowStart[n]);
  const vals = new Float64Array(rowStart[n]);
  for (let i = 0; i < n; i++) {
    let p = rowStart[i];
    for (const [j, v] of rows[i]) {
      cols[p] = j;
      vals[p++] = v / (2 * n);
    }
  }
  return { n, rowStart, cols, vals };
}

/** A quadtree over 2-D points, in flat arrays (rebuilt each iteration). */
class QuadTree {
  cx: Float64Array;
  cy: Float64Array;
  hw: Float64Array;
  comX: Float64Array;
  comY: Float64Array;
  count: Int32Array;
  child: Int32Array;
  point: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.cx = new Float64Array(capacity);
    this.cy = new Float64Array(capacity);
    this.hw = new Float64Array(capacity);
    this.comX = new Float64Array(capacity);
    this.comY = new Float64Array(capacity);
    this.count = new Int32Array(capacity);
    this.child = new Int32Array(capacity * 4);
    this.point = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.cx.length * 2;
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array, m = 1) => {
      const b = new Int32Array(cap * m);
      b.set(a);
      return b;
    };
    this.cx = g64(this.cx);
    this.cy = g64(this.cy);
    this.hw = g64(this.hw);
    this.comX = g64(this.comX);
    this.comY = g64(this.comY);
    this.count = g32(this.count);
    this.child = g32(this.child, 4);
    this.point = g32(this.point);
  }

  private node(cx: number, cy: number, hw: number): number {
    if (this.size === this.cx.length) this.grow();
    const i = this.size++;
    this.cx[i] = cx;
    this.cy[i] = cy;
    this.hw[i] = hw;
    this.comX[i] = 0;
    this.comY[i] = 0;
    this.count[i] = 0;
    this.child.fill(-1, i * 4, i * 4 + 4);
    this.point[i] = -1;
    return i;
  }

  build(y: Float64Array, n: number): void {
    this.yRef = y;
    this.size = 0;
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    const hw = Math.max(maxX - minX, maxY - minY) / 2 + 1e-5;
    this.node((minX + maxX) / 2, (minY + maxY) / 2, hw);
    for (let i = 0; i < n; i++) this.insert(0, i, y[2 * i], y[2 * i + 1], 0);
  }

  private insert(nd: number, p: number, x: number, yy: number, depth: number): void {
    // Update the centre of mass on the way down.
    const c = this.count[nd];
    this.comX[nd] = (this.comX[nd] * c + x) / (c + 1);
    this.comY[nd] = (this.comY[nd] * c + yy) / (c + 1);
    this.count[nd] = c + 1;
    const leaf = this.child[nd * 4] === -1 && this.child[nd * 4 + 1] === -1 && this.child[nd * 4 + 2] === -1 && this.child[nd * 4 + 3] === -1;
    if (leaf && c === 0) {
      this.point[nd] = p;
      return;
    }
    if (depth > 50) return; // duplicates: keep them summed in this cell
    if (leaf) {
      // Split: push the resident point down.
      const q = this.point[nd];
      this.point[nd] = -1;
      if (q >= 0) this.descend(nd, q, depth);
    }
    this.descend(nd, p, depth);
  }

  private yRef: Float64Array<ArrayBufferLike> = new Float64Array(0);

  private descend(nd: number, p: number, depth: number): void {
    const x = this.yRef[2 * p];
    const yy = this.yRef[2 * p + 1];
    const q = (x >= this.cx[nd] ? 1 : 0) + (yy >= this.cy[nd] ? 2 : 0);
    let ch = this.child[nd * 4 + q];
    if (ch === -1) {
      const h = this.hw[nd] / 2;
      ch = this.node(this.cx[nd] + (q & 1 ? h : -h), this.cy[nd] + (q & 2 ? h : -h), h);
      this.child[nd * 4 + q] = ch;
    }
    this.insert(ch, p, x, yy, depth + 1);
  }

  private stack = new Int32Array(256);

  /** Σ_j q̂_ij and Σ_j q̂_ij² (y_i - y_j) for point i, over cells that pass the θ test. */
  repulsion(i: number, xi: number, yi: number, theta: number, out: Float64Array): number {
    let sumQ = 0;
    let fx = 0,
      fy = 0;
    const theta2 = theta * theta;
    let stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    const child = this.child;
    while (top > 0) {
      const nd = stack[--top];
      const cnt = this.count[nd];
      if (cnt === 0) continue;
      if (cnt === 1 && this.point[nd] === i) continue;
      const dx = xi - this.comX[nd];
      const dy = yi - this.comY[nd];
      const d2 = dx * dx + dy * dy;
      const c4 = nd * 4;
      const isLeaf = child[c4] === -1 && child[c4 + 1] === -1 && child[c4 + 2] === -1 && child[c4 + 3] === -1;
      const w = 2 * this.hw[nd];
      if (isLeaf || w * w < theta2 * d2) {
        // A leaf that holds i itself among duplicates: leave i out.
        const m = isLeaf && this.point[nd] === i ? cnt - 1 : cnt;
        if (m <= 0) continue;
        const q = 1 / (1 + d2);
        sumQ += m * q;
        const mq2 = m * q * q;
        fx += mq2 * dx;
        fy += mq2 * dy;
      } else {
        if (top + 4 > stack.length) {
          const bigger = new Int32Array(stack.length * 2);
          bigger.set(stack);
          this.stack = stack = bigger;
        }
        for (let c = 0; c < 4; c++) {
          const ch = child[c4 + c];
          if (ch !== -1) stack[top++] = ch;
        }
      }
    }
    out[0] = fx;
    out[1] = fy;
    return sumQ;
  }
}

/** Gaussian N(0, 1) numbers from a uniform PRNG (Box-Muller). */
function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A t-SNE run, one `step()` per iteration, so that a caller (a worker) can post frames as it goes.
 * Construct with affinities from `affinities()` (the expensive, once-only part).
 */
export class Tsne {
  readonly n: number;
  readonly y: Float64Array;
  iteration = 0;
  /** KL(P || Q) (with the exaggeration taken out, an estimate through the tree's Z), updated every 25 iterations and at iteration `klAt`. */
  kl = NaN;
  /** The iteration (1-based) whose KL must be computed too: set it to the last one of a run. */
  klAt = 0;
  private readonly P: SparseP;
  private readonly gains: Float64Array;
  private readonly update: Float64Array;
  private readonly grad: Float64Array;
  private readonly tree: QuadTree;
  private readonly opts: Required<TsneOptions>;
  readonly learningRate: number;

  constructor(P: SparseP, opts: TsneOptions = {}) {
    this.n = P.n;
    this.P = P;
    const n = P.n;
    this.opts = {
      perplexity: opts.perplexity ?? 30,
      learningRate: opts.learningRate ?? 'auto',
      seed: opts.seed ?? 1,
      theta: opts.theta ?? 0.5,
      exaggeration: opts.exaggeration ?? 12,
      exaggerationIterations: opts.exaggerationIterations ?? 250,
    };
    this.learningRate = this.opts.learningRate === 'auto' ? Math.max(n / 12, 50) : this.opts.learningRate;
    const g = gaussian(mulberry32(this.opts.seed));
    this.y = new Float64Array(2 * n);
    for (let i = 0; i < 2 * n; i++) this.y[i] = 1e-4 * g();
    this.gains = new Float64Array(2 * n).fill(1);
    this.update = new Float64Array(2 * n);
    this.grad = new Float64Array(2 * n);
    this.tree = new QuadTree(Math.max(16, 4 * n));
  }

  /** One iteration of gradient descent. */
  step(): void {
    const { n, y, P, grad, gains, update } = this;
    const it = this.iteration;
    const ex = it < this.opts.exaggerationIterations ? this.opts.exaggeration : 1;
    const momentum = it < this.opts.exaggerationIterations ? 0.5 : 0.8;
    // Repulsive forces through the quadtree.
    this.tree.build(y, n);
    const rep = new Float64Array(2 * n);
    const f = new Float64Array(2);
    let Z = 0;
    for (let i = 0; i < n; i++) {
      Z += this.tree.repulsion(i, y[2 * i], y[2 * i + 1], this.opts.theta, f);
      rep[2 * i] = f[0];
      rep[2 * i + 1] = f[1];
    }
    // Attractive forces over the sparse P, and now and then KL (the exaggeration taken out; logs are costly).
    const withKl = it % 25 === 0 || it + 1 === this.klAt;
    let kl = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0,
        ay = 0;
      for (let p = P.rowStart[i]; p < P.rowStart[i + 1]; p++) {
        const j = P.cols[p];
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        const pij = P.vals[p];
        ax += ex * pij * q * dx;
        ay += ex * pij * q * dy;
        if (withKl) kl += pij * Math.log(Math.max(pij, 1e-12) / Math.max(q / Z, 1e-12));
      }
      grad[2 * i] = 4 * (ax - rep[2 * i] / Z);
      grad[2 * i + 1] = 4 * (ay - rep[2 * i + 1] / Z);
    }
    if (withKl) this.kl = kl;
    // Gains, momentum, step.
    for (let t = 0; t < 2 * n; t++) {
      gains[t] = Math.sign(grad[t]) !== Math.sign(update[t]) ? gains[t] + 0.2 : gains[t] * 0.8;
      if (gains[t] < 0.01) gains[t] = 0.01;
      update[t] = momentum * update[t] - this.learningRate * gains[t] * grad[t];
      y[t] += update[t];
    }
    // Keep the map centred.
    let mx = 0,
      my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i] -= mx;
      y[2 * i + 1] -= my;
    }
    this.iteration++;
  }

  /** The embedding as float32 [x0, y0, x1, y1, …]. */
  embedding(): Float32Array {
    return Float32Array.from(this.y);
  }
}

/** Neighbours per point for a perplexity: 3·perplexity (bhtsne's choice), at most N - 1. */
export function neighboursFor(n: number, perplexity: number): number {
  return Math.max(1, Math.min(n - 1, Math.floor(3 * perplexity)));
}

/** The perplexity actually used: at least 2, at most (N - 1) / 3. */
export function clampPerplexity(n: number, perplexity: number): number {
  return Math.max(2, Math.min(perplexity, Math.floor((n - 1) / 3)));
}

/** P for a data matrix (rows are points): kNN, then the perplexity calibration. */
export function affinities(data: Float32Array, n: number, d: number, perplexity: number, onProgress?: (f: number) => void): SparseP {
  const perp = clampPerplexity(n, perplexity);
  const k = neighboursFor(n, perp);
  const { idx, dist } = nearestNeighbours(data, n, d, k, onProgress);
  return jointProbabilities(idx, dist, n, k, perp);
}

/** Runs t-SNE to the end in one call (for Node and tests): the embedding, float32 [x0, y0, …]. */
export function tsne(data: Float32Array, n: number, d: number, opts: TsneOptions & { iterations?: number } = {}): { embedding: Float32Array; kl: number } {
  const P = affinities(data, n, d, opts.perplexity ?? 30);
  const t = new Tsne(P, opts);
  t.klAt = opts.iterations ?? 1000;
  for (let i = 0; i < t.klAt; i++) t.step();
  return { embedding: t.embedding(), kl: t.kl };
}

/**
 * Places a new point in an existing map by its k nearest neighbours in the original (feature) space:
 * the mean of their map positions weighted by 1 / (distance + ε). t-SNE has no map for new points;
 * this is an estimate, and the widget says so.
 */
export function placeByNeighbours(data: Float32Array, n: number, d: number, embedding: Float32Array, query: Float32Array, k = 5): { x: number; y: number; neighbours: number[]; distances: number[] } {
  const dists = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (data[i * d + t] - query[t]) ** 2;
    dists[i] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dists[a] - dists[b] || a - b);
  const nb = order.slice(0, Math.max(1, Math.min(k, n)));
  let wx = 0,
    wy = 0,
    ws = 0;
  for (const i of nb) {
    const w = 1 / (dists[i] + 1e-6);
    wx += w * embedding[2 * i];
    wy += w * embedding[2 * i + 1];
    ws += w;
  }
  return { x: wx / ws, y: wy / ws, neighbours: nb, distances: nb.map((i) => dists[i]) };
}
