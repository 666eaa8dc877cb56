import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  penultimateLayer,
  findLayer,
  modelLayers,
  layerActivations,
  placeByNeighbours,
  clampPerplexity,
  isAbortError,
  type LayerInfo,
  type LoadedModel,
  type Tensor4D,
  type ImageSource,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { poolFor, POOL_SIZES } from '@convlab/models/pool.js';
import { ConvLabElement, ModelSource, widgetControlStyles } from '@convlab/kit';
import '@convlab/kit/define.js';
import { loadPool, type ImagePool } from '@convlab/top-patches/pool.js';
import { TsneRunner, type TsneResult } from './runner.js';
import { tsneMapStyles } from './tsne-map.styles.js';

export const TSNE_CONTROLS = ['count', 'perplexity', 'learning-rate', 'seed', 'run', 'source'] as const;
export type Space = 'features' | 'pixels';

export interface PointSelectDetail {
  /** The image's index in the pool. */
  index: number;
  /** Its true class and its name. */
  classIndex: number;
  label: string;
  /** The map it was picked in. */
  space: Space;
}

export interface SpaceSummary {
  /** KL(P || Q) at the end. */
  kl: number;
  /** Share of points whose 5 nearest neighbours in the map mostly share their class (how well the map separates the classes). */
  neighbourAgreement: number;
  /** Wall time of the run, ms. */
  ms: number;
  where: 'worker' | 'main';
}

export interface EmbeddingDoneDetail {
  count: number;
  perplexity: number;
  learningRate: number;
  seed: number;
  iterations: number;
  layer: string;
  features: SpaceSummary;
  pixels: SpaceSummary;
}

/** Ten class colours that stay apart on light and dark backgrounds (Tableau 10). */
export const CLASS_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The share of points whose k nearest map neighbours are mostly of their own class. */
export function neighbourAgreement(embedding: Float32Array, labels: readonly number[], k = 5): number {
  const n = labels.length;
  let ok = 0;
  // The k nearest of each point by insertion into a sorted list of k (ties: the lower index first,
  // as a stable sort gives): O(n² k), where sorting all n per point took ~200 ms for 2,000 points.
  const bestD = new Float64Array(k);
  const bestJ = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    let m = 0;
    const xi = embedding[2 * i];
    const yi = embedding[2 * i + 1];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (xi - embedding[2 * j]) ** 2 + (yi - embedding[2 * j + 1]) ** 2;
      if (m === k && d >= bestD[k - 1]) continue;
      let p = m < k ? m++ : k - 1;
      while (p > 0 && bestD[p - 1] > d) {
        bestD[p] = bestD[p - 1];
        bestJ[p] = bestJ[p - 1];
        p--;
      }
      bestD[p] = d;
      bestJ[p] = j;
    }
    let same = 0;
    for (let q = 0; q < m; q++) if (labels[bestJ[q]] === labels[i]) same++;
    if (same > k / 2) ok++;
  }
  return ok / n;
}

interface MapState {
  embedding?: Float32Array;
  iteration: number;
  kl: number;
  done?: TsneResult;
}

/**
 * t-SNE (van der Maaten & Hinton) of what a ConvNet computes: the penultimate features of 1,000 to
 * 5,000 test images embedded in 2-D, animated as it converges, points coloured by their true class,
 * beside the same images' raw pixels embedded the same way (the features separate the classes; the
 * pixels much less). Barnes-Hut t-SNE in a Web Worker, seeded. Draw a digit or drop an image: it is
 * placed in each map by its nearest neighbours (t-SNE has no map for new points).
 *
 * @summary t-SNE of features vs pixels of many test images, animated, with new images placed by neighbours.
 * @tagname tsne-map
 * @fires point-select - The reader picked a point (click, or Enter on the keyboard cursor): `{index, classIndex, label, space}`.
 * @fires embedding-done - Both maps finished: `{count, perplexity, learningRate, seed, iterations, layer, features, pixels}`.
 * @csspart map - Each map's canvas.
 * @csspart controls - The controls.
 */
export class TsneMap extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, tsneMapStyles];

  /** A bundled model id ('digits', 'fashion'); a hosted model needs a pool, so only bundled ones work here. */
  @property({ reflect: true }) model = 'digits';
  /** The URL of a hosted layers model.json (used instead of `model`; it has no shipped pool, so it shows an error). */
  @property({ attribute: 'model-url' }) modelUrl = '';
  @property({ attribute: 'model-meta' }) modelMeta = '';
  /** For the shared input source. */
  @property({ type: Number }) sample = 0;
  /** URL of an image to place in the maps. */
  @property() src = '';
  /** The feature layer; empty = the penultimate layer. */
  @property({ reflect: true }) layer = '';
  /** Test images embedded (100 to the pool's size: digits 5,000, fashion 2,000). */
  @property({ type: Number, reflect: true }) count = 1000;
  /** Perplexity: the effective number of neighbours (2-100). */
  @property({ type: Number, reflect: true }) perplexity = 30;
  /** Learning rate, 10-1000; empty or 'auto' = max(N / 12, 50). */
  @property({ attribute: 'learning-rate', reflect: true }) learningRate = 'auto';
  /** Seed of the initial layout: the same seed gives the same map. */
  @property({ type: Number, reflect: true }) seed = 1;
  /** Iterations (250-5000). */
  @property({ type: Number, reflect: true }) iterations = 1000;
  /** Colour the points by 'class' (true class) or 'none'. */
  @property({ attribute: 'color-by', reflect: true }) colorBy: 'class' | 'none' = 'class';
  /** Which controls show: comma-separated from count, perplexity, learning-rate, seed, run, source; or 'all' / 'none'. */
  @property() controls = 'all';

  private readonly source = new ModelSource(this, {
    samplesFor,
    channels: [1],
    onModel: (m) => {
      this.reset();
      if (!poolFor(this.model)) throw new Error(`The model '${this.model}' ships no pool of test images to embed: <tsne-map> needs a bundled model (digits, fashion).`);
      this.featureLayer = this.resolveLayer(m);
      this.starting = true;
    },
  });

  @state() private maps: Record<Space, MapState> = { features: { iteration: 0, kl: NaN }, pixels: { iteration: 0, kl: NaN } };
  @state() private layerError = '';
  @state() private paused = false;
  @state() private running = false;
  @state() private hover?: { space: Space; index: number; cx: number; cy: number };
  @state() private placed?: { features: { x: number; y: number; neighbours: number[] }; pixels: { x: number; y: number; neighbours: number[] }; predicted?: number };
  @state() private featureLayer?: LayerInfo;

  private pool?: ImagePool;
  private data?: { features: Float32Array; pixels: Float32Array; dims: Record<Space, number>; n: number };
  private runners: Record<Space, TsneRunner> = { features: new TsneRunner(), pixels: new TsneRunner() };
  private run = 0;
  private starting = false;
  private cursor: Record<Space, number> = { features: 0, pixels: 0 };
  private frameQueued = false;

  private get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  private shown(c: (typeof TSNE_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  private get poolMax(): number {
    return this.model === 'fashion' ? POOL_SIZES.fashion : POOL_SIZES.digits;
  }

  get resolved(): { count: number; perplexity: number; learningRate: number | 'auto'; seed: number; iterations: number; notes: string[] } {
    const notes: string[] = [];
    const raw = (attr: string, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? (this.getAttribute(attr) ?? v) : v);
    const int = (v: unknown, lo: number, hi: number, dflt: number, what: string) => {
      const n = Number(v);
      if (!Number.isFinite(n)) {
        notes.push(`${what}=${raw(what, v)} is not a number: using ${dflt}.`);
        return dflt;
      }
      const c = Math.min(hi, Math.max(lo, Math.round(n)));
      if (c !== n) notes.push(`${what}=${raw(what, v)} is outside ${lo} to ${hi}: using ${c}.`);
      return c;
    };
    const count = int(this.count, 100, this.poolMax, 1000, 'count');
    let perplexity = Number(this.perplexity);
    if (!Number.isFinite(perplexity) || perplexity < 2 || perplexity > 100) {
      const p = Number.isFinite(perplexity) ? Math.min(100, Math.max(2, perplexity)) : 30;
      notes.push(`perplexity=${raw('perplexity', this.perplexity)} is outside 2 to 100: using ${p}.`);
      perplexity = p;
    }
    const usable = clampPerplexity(count, perplexity);
    if (usable !== perplexity) notes.push(`perplexity=${perplexity} needs more than ${count} points (at most (N - 1) / 3): using ${usable}.`);
    let learningRate: number | 'auto' = 'auto';
    const lr = String(this.learningRate ?? '').trim();
    if (lr !== '' && lr !== 'auto') {
      const v = Number(lr);
      if (!Number.isFinite(v)) notes.push(`learning-rate=${lr} is not a number: using auto.`);
      else {
        learningRate = Math.min(1000, Math.max(10, v));
        if (learningRate !== v) notes.push(`learning-rate=${lr} is outside 10 to 1000: using ${learningRate}.`);
      }
    }
    const seed = int(this.seed, 0, 2 ** 31 - 1, 1, 'seed');
    const iterations = int(this.iterations, 250, 5000, 1000, 'iterations');
    return { count, perplexity: usable, learningRate, seed, iterations, notes };
  }

  private resolveLayer(m: LoadedModel): LayerInfo {
    const pen = penultimateLayer(m);
    this.layerError = '';
    if (!this.layer) return pen;
    try {
      return findLayer(modelLayers(m), this.layer);
    } catch (e) {
      this.layerError = `${(e as Error).message} Using ${pen.name}.`;
      return pen;
    }
  }

  private reset(): void {
    this.run++;
    this.runners.features.stop();
    this.runners.pixels.stop();
    this.pool?.images.dispose();
    this.pool?.sprite.close();
    this.pool = undefined;
    this.data = undefined;
    this.placed = undefined;
    this.hover = undefined;
    this.maps = { features: { iteration: 0, kl: NaN }, pixels: { iteration: 0, kl: NaN } };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.reset();
    this.runners.features.dispose();
    this.runners.pixels.dispose();
    this.runners = { features: new TsneRunner(), pixels: new TsneRunner() };
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('modelUrl') && this.modelUrl) this.model = this.modelUrl;
    if (changed.has('colorBy')) this.colorBy = this.source.settings.choice('colorBy', ['class', 'none'] as const, 'class');
  }

  protected override updated(changed: PropertyValues): void {
    if (this.source.reload(changed)) return;
    if (changed.has('layer') && this.loaded) {
      this.featureLayer = this.resolveLayer(this.loaded);
      this.data = undefined;
      void this.embed();
      return;
    }
    if (['count', 'perplexity', 'learningRate', 'seed', 'iterations'].some((k) => changed.has(k))) {
      if (changed.has('count')) this.data = undefined;
      void this.embed();
      return;
    }
    if (['maps', 'hover', 'placed', 'colorBy'].some((k) => changed.has(k))) this.paint();
  }

  /** The first image from the input source starts the maps; later ones are placed in them. */
  async setInput(source: ImageSource | Blob): Promise<void> {
    if (this.starting) {
      this.starting = false;
      await this.embed();
      return;
    }
    await this.place(source);
  }

  /** Features and pixels of the first `count` pool images, read back once (the worker gets plain arrays). */
  private async prepare(m: LoadedModel, count: number, run: number): Promise<boolean> {
    const files = poolFor(this.model);
    if (!files) throw new Error(`The model '${this.model}' ships no pool of test images to embed: use a bundled model (digits, fashion).`);
    if (!this.pool || this.pool.images.shape[0] < count) {
      this.pool?.images.dispose();
      this.pool?.sprite.close();
      this.pool = undefined;
      this.source.set({ status: 'running', progress: -1, message: 'Loading the test images…' });
      const pool = await loadPool(files, count);
      if (run !== this.run) {
        pool.images.dispose();
        pool.sprite.close();
        return false;
      }
      this.pool = pool;
    }
    if (this.data && this.data.n === count) return true;
    const layer = this.featureLayer!.name;
    const feats: Float32Array[] = [];
    let dimF = 0;
    // Small batches, each in a task of its own (on WASM and CPU a batch runs on this thread, and
    // f.data() resolves at once: without the setTimeout, 2,000 images were one 500 ms task).
    const BATCH = 100;
    for (let s = 0; s < count; s += BATCH) {
      const size = Math.min(BATCH, count - s);
      this.source.set({ status: 'running', progress: s / count, message: `Computing the ${layer} features of ${count} images…` });
      await new Promise((r) => setTimeout(r, 0));
      if (run !== this.run) return false;
      const f = tf.tidy(() => {
        const x = tf.slice(this.pool!.images, [s, 0, 0, 0], [size, -1, -1, -1]) as Tensor4D;
        const a = layerActivations(m, layer, x);
        return tf.reshape(a, [size, -1]);
      });
      dimF = f.shape[1]!;
      feats.push((await f.data()) as Float32Array);
      f.dispose();
      if (run !== this.run) return false;
    }
    const features = new Float32Array(count * dimF);
    feats.forEach((f, i) => features.set(f, i * BATCH * dimF));
    const px = tf.tidy(() => tf.reshape(tf.slice(this.pool!.images, [0, 0, 0, 0], [count, -1, -1, -1]), [count, -1]));
    const pixels = (await px.data()) as Float32Array;
    const dimP = px.shape[1]!;
    px.dispose();
    if (run !== this.run) return false;
    this.data = { features, pixels, dims: { features: dimF, pixels: dimP }, n: count };
    return true;
  }

  /** (Re)runs both maps with the current settings. */
  async embed(): Promise<void> {
    const m = this.loaded;
    if (!m || !this.featureLayer) return;
    const run = ++this.run;
    const s = this.resolved;
    for (const key of ['count', 'perplexity', 'learningRate', 'seed', 'iterations']) this.source.settings.set(key, s.notes.find((n) => n.startsWith(this.source.settings.attributeOf(key) + '=')));
    this.placed = undefined;
    this.paused = false;
    try {
      if (!(await this.prepare(m, s.count, run))) return;
      const data = this.data!;
      this.maps = { features: { iteration: 0, kl: NaN }, pixels: { iteration: 0, kl: NaN } };
      this.running = true;
      this.source.set({ status: 'running', progress: 0, message: `Finding neighbours of ${s.count} points…` });
      const opts = { perplexity: s.perplexity, learningRate: s.learningRate, seed: s.seed };
      const go = (space: Space) =>
        this.runners[space].run(space === 'features' ? data.features : data.pixels, data.n, data.dims[space], {
          options: opts,
          iterations: s.iterations,
          onProgress: (f) => {
            if (run === this.run && space === 'features') this.source.set({ progress: f * 0.1, message: `Finding neighbours of ${s.count} points…` });
          },
          onFrame: (fr) => {
            if (run !== this.run) return;
            this.maps = { ...this.maps, [space]: { embedding: fr.embedding, iteration: fr.iteration, kl: fr.kl } };
            if (space === 'features') this.source.set({ progress: 0.1 + (0.9 * fr.iteration) / s.iterations, message: `t-SNE: iteration ${fr.iteration} of ${s.iterations}` });
          },
        });
      const [f, p] = await Promise.all([go('features'), go('pixels')]);
      if (run !== this.run) return;
      this.maps = {
        features: { embedding: f.embedding, iteration: f.iteration, kl: f.kl, done: f },
        pixels: { embedding: p.embedding, iteration: p.iteration, kl: p.kl, done: p },
      };
      this.running = false;
      this.source.set({ status: 'ready', message: '' });
      const labels = this.pool!.labels.slice(0, data.n);
      const summary = (r: TsneResult): SpaceSummary => ({ kl: r.kl, neighbourAgreement: neighbourAgreement(r.embedding, labels), ms: r.ms, where: r.where });
      const detail: EmbeddingDoneDetail = {
        count: data.n,
        perplexity: s.perplexity,
        learningRate: s.learningRate === 'auto' ? Math.max(data.n / 12, 50) : s.learningRate,
        seed: s.seed,
        iterations: s.iterations,
        layer: this.featureLayer.name,
        features: summary(f),
        pixels: summary(p),
      };
      this.lastDone = detail;
      this.emit('embedding-done', detail);
    } catch (e) {
      if (isAbortError(e) || run !== this.run) return;
      this.running = false;
      this.source.fail(e);
    }
  }

  /** The last finished run's figures (also the embedding-done detail). */
  @state() lastDone?: EmbeddingDoneDetail;

  /** Places a new image in both maps by its 5 nearest neighbours in each space. */
  private async place(source: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    const data = this.data;
    const fe = this.maps.features.embedding;
    const pe = this.maps.pixels.embedding;
    if (!m || !data || !fe || !pe) return;
    try {
      const { x } = await prepareInput(m, source);
      const [f, px, logits] = tf.tidy(() => [
        tf.reshape(layerActivations(m, this.featureLayer!.name, x), [-1]),
        tf.reshape(x, [-1]),
        tf.reshape(m.logits(x), [-1]),
      ]);
      const [fv, pv, lv] = await Promise.all([f.data(), px.data(), logits.data()]);
      tf.dispose([x, f, px, logits]);
      const a = placeByNeighbours(data.features, data.n, data.dims.features, fe, fv as Float32Array, 5);
      const b = placeByNeighbours(data.pixels, data.n, data.dims.pixels, pe, pv as Float32Array, 5);
      const predicted = Array.from(lv as Float32Array).reduce((best, v, i, arr) => (v > arr[best] ? i : best), 0);
      this.placed = { features: a, pixels: b, predicted };
    } catch (e) {
      this.source.fail(e);
    }
  }

  /** Canvas coordinates of a map: the embedding's bounding box scaled into the canvas with a margin. */
  private transform(e: Float32Array, size: number): { sx: (v: number) => number; sy: (v: number) => number } {
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < e.length; i += 2) {
      x0 = Math.min(x0, e[i]);
      x1 = Math.max(x1, e[i]);
      y0 = Math.min(y0, e[i + 1]);
      y1 = Math.max(y1, e[i + 1]);
    }
    const span = Math.max(x1 - x0, y1 - y0, 1e-9);
    const pad = 12;
    const s = (size - 2 * pad) / span;
    const ox = pad + (size - 2 * pad - (x1 - x0) * s) / 2;
    const oy = pad + (size - 2 * pad - (y1 - y0) * s) / 2;
    return { sx: (v) => ox + (v - x0) * s, sy: (v) => oy + (v - y0) * s };
  }

  /** Paints both maps (at most once per animation frame). */
  private paint(): void {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      for (const space of ['features', 'pixels'] as const) this.paintMap(space);
    });
  }

  private paintMap(space: Space): void {
    const canvas = this.shadowRoot?.querySelector<HTMLCanvasElement>(`canvas.map.${space}`);
    const e = this.maps[space].embedding;
    if (!canvas) return;
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!e || !this.pool) return;
    const { sx, sy } = this.transform(e, canvas.width);
    const labels = this.pool.labels;
    const byClass = this.colorBy !== 'none';
    const fg = getComputedStyle(this).getPropertyValue('--_fg').trim() || '#000';
    for (let i = 0; i < e.length / 2; i++) {
      ctx.fillStyle = byClass ? CLASS_COLOURS[labels[i] % 10] : fg;
      ctx.fillRect(sx(e[2 * i]) - 1.5, sy(e[2 * i + 1]) - 1.5, 3, 3);
    }
    const h = this.hover;
    if (h && h.space === space && h.index < e.length / 2) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 2;
      ctx.strokeRect(sx(e[2 * h.index]) - 4, sy(e[2 * h.index + 1]) - 4, 8, 8);
    }
    const p = this.placed?.[space];
    if (p) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 1;
      for (const j of p.neighbours) {
        ctx.beginPath();
        ctx.moveTo(sx(p.x), sy(p.y));
        ctx.lineTo(sx(e[2 * j]), sy(e[2 * j + 1]));
        ctx.stroke();
      }
      ctx.fillStyle = fg;
      ctx.beginPath();
      ctx.arc(sx(p.x), sy(p.y), 7, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.beginPath();
      ctx.arc(sx(p.x), sy(p.y), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  /** The point nearest a canvas position (within 10 px), or undefined. */
  private pointAt(space: Space, ev: PointerEvent | MouseEvent): { index: number; cx: number; cy: number } | undefined {
    const canvas = ev.currentTarget as HTMLCanvasElement;
    const e = this.maps[space].embedding;
    if (!e) return undefined;
    const r = canvas.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * canvas.width;
    const y = ((ev.clientY - r.top) / r.height) * canvas.height;
    const { sx, sy } = this.transform(e, canvas.width);
    let best = -1;
    let bd = 100;
    for (let i = 0; i < e.length / 2; i++) {
      const d = (sx(e[2 * i]) - x) ** 2 + (sy(e[2 * i + 1]) - y) ** 2;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    if (best < 0) return undefined;
    return { index: best, cx: (sx(e[2 * best]) / canvas.width) * r.width, cy: (sy(e[2 * best + 1]) / canvas.height) * r.height };
  }

  private onMove(space: Space, ev: PointerEvent): void {
    const p = this.pointAt(space, ev);
    this.hover = p ? { space, ...p } : undefined;
  }

  private onClick(space: Space, ev: MouseEvent): void {
    const p = this.pointAt(space, ev);
    if (p) this.selectPoint(space, p.index);
  }

  /** Keyboard: arrows move a cursor to the nearest point in that direction; Enter selects it. */
  private onKey(space: Space, ev: KeyboardEvent): void {
    const e = this.maps[space].embedding;
    if (!e) return;
    const dirs: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    const i0 = this.cursor[space];
    if (dirs[ev.key]) {
      ev.preventDefault();
      const [dx, dy] = dirs[ev.key];
      let best = i0;
      let bd = Infinity;
      for (let i = 0; i < e.length / 2; i++) {
        const vx = e[2 * i] - e[2 * i0];
        const vy = e[2 * i + 1] - e[2 * i0 + 1];
        const along = vx * dx + vy * dy;
        const across = Math.abs(vx * dy - vy * dx);
        if (along <= 0 || across > along) continue;
        const d = along + 2 * across;
        if (d < bd) {
          bd = d;
          best = i;
        }
      }
      this.cursor[space] = best;
      const canvas = ev.currentTarget as HTMLCanvasElement;
      const { sx, sy } = this.transform(e, canvas.width);
      const r = canvas.getBoundingClientRect();
      this.hover = { space, index: best, cx: (sx(e[2 * best]) / canvas.width) * r.width, cy: (sy(e[2 * best + 1]) / canvas.height) * r.height };
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      this.selectPoint(space, i0);
    }
  }

  /** The reader picked point `index` of a map. */
  selectPoint(space: Space, index: number): void {
    if (!this.pool) return;
    const c = this.pool.labels[index];
    const detail: PointSelectDetail = { index, classIndex: c, label: this.loaded!.meta.labels[c], space };
    this.cursor[space] = index;
    this.emit('point-select', detail);
  }

  togglePause(): void {
    this.paused = !this.paused;
    for (const r of Object.values(this.runners)) this.paused ? r.pause() : r.resume();
  }

  protected override render() {
    return html`
      ${this.source.renderStatus()}
      ${this.loaded && this.featureLayer ? this.renderBody(this.loaded) : nothing}
    `;
  }

  private renderThumb(space: Space) {
    const h = this.hover;
    if (!h || h.space !== space || !this.pool) return nothing;
    const p = this.pool;
    const sx = (h.index % p.columns) * p.tile;
    const sy = Math.floor(h.index / p.columns) * p.tile;
    const draw = (c: HTMLCanvasElement | undefined) => {
      if (!c) return;
      const ctx = c.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(p.sprite, sx, sy, p.tile, p.tile, 0, 0, c.width, c.height);
    };
    const label = this.loaded!.meta.labels[p.labels[h.index]];
    queueMicrotask(() => draw(this.shadowRoot?.querySelector<HTMLCanvasElement>(`.thumb.${space} canvas`) ?? undefined));
    return html`<div class="thumb ${space}" style="left: ${h.cx + 8}px; top: ${h.cy + 8}px" role="status">
      <canvas width="56" height="56" aria-hidden="true"></canvas><span>${label} (#${h.index})</span>
    </div>`;
  }

  private renderMap(space: Space, title: string, dims: string) {
    const st = this.maps[space];
    const n = this.data?.n ?? 0;
    const done = st.done;
    const sum = this.lastDone?.[space];
    return html`<figure class="panel">
      <figcaption><strong>${title}</strong> <span class="hint">${dims}</span></figcaption>
      <div class="stage">
        <canvas
          class="map ${space}"
          part="map"
          width="360"
          height="360"
          tabindex="0"
          role="img"
          aria-label=${`t-SNE map of the ${title.toLowerCase()} of ${n} test images, coloured by class${sum ? `: ${(sum.neighbourAgreement * 100).toFixed(0)}% of points sit among mostly their own class` : ''}. Arrow keys move between points; Enter picks one.`}
          @pointermove=${(e: PointerEvent) => this.onMove(space, e)}
          @pointerleave=${() => (this.hover = undefined)}
          @click=${(e: MouseEvent) => this.onClick(space, e)}
          @keydown=${(e: KeyboardEvent) => this.onKey(space, e)}
        ></canvas>
        ${this.renderThumb(space)}
      </div>
      <p class="readout">
        ${st.iteration ? html`Iteration ${st.iteration}${Number.isFinite(st.kl) ? html`, KL ${st.kl.toFixed(3)}` : nothing}` : html`Waiting…`}
        ${done && sum ? html`<br />${(sum.neighbourAgreement * 100).toFixed(1)}% of points have mostly their own class among their 5 nearest map neighbours. ${Math.round(done.ms)} ms${done.where === 'main' ? ' (on the main thread: no worker)' : ''}.` : nothing}
      </p>
    </figure>`;
  }

  private renderBody(m: LoadedModel) {
    const labels = m.meta.labels;
    const s = this.resolved;
    const fdims = this.data ? `${this.data.dims.features}-D` : '';
    const pdims = this.data ? `${this.data.dims.pixels}-D` : '';
    const placed = this.placed;
    return html`
      ${this.layerError ? html`<p class="warning" role="alert">${this.layerError}</p>` : nothing}
      <div class="maps">
        ${this.renderMap('features', `Features (${this.featureLayer!.name})`, fdims)}
        ${this.renderMap('pixels', 'Pixels', pdims)}
      </div>
      ${this.colorBy !== 'none'
        ? html`<ul class="key" aria-label="Class colours">
            ${labels.map((l, i) => html`<li><span class="dot" style="background: ${CLASS_COLOURS[i % 10]}"></span>${l}</li>`)}
          </ul>`
        : nothing}
      ${placed && this.pool
        ? html`<p class="placed" aria-live="polite">
            Your image (the model reads <strong>${labels[placed.predicted ?? 0]}</strong>) is placed at the weighted mean of the map positions of its 5 nearest
            neighbours in each space, because t-SNE has no map for a new point (it would have to be rerun). In feature space they are
            ${placed.features.neighbours.map((j) => labels[this.pool!.labels[j]]).join(', ')}; in pixel space
            ${placed.pixels.neighbours.map((j) => labels[this.pool!.labels[j]]).join(', ')}.
          </p>`
        : nothing}
      ${this.renderControls(s)}
    `;
  }

  private renderControls(s: TsneMap['resolved']) {
    const slider = (name: (typeof TSNE_CONTROLS)[number], label: string, min: number, max: number, step: number, value: number, set: (v: number) => void) =>
      this.shown(name) ? html`<convlab-slider label=${label} min=${min} max=${max} step=${step} digits="0" .value=${value} @change=${(e: CustomEvent<{ value: number }>) => set(e.detail.value)}></convlab-slider>` : nothing;
    const lrAuto = s.learningRate === 'auto';
    return html`<div class="controls" part="controls">
      ${slider('count', 'Images', 100, this.poolMax, 100, s.count, (v) => (this.count = v))}
      ${slider('perplexity', 'Perplexity', 2, 100, 1, s.perplexity, (v) => (this.perplexity = v))}
      ${this.shown('learning-rate')
        ? html`<div class="field-group">
            <label class="check"><input type="checkbox" .checked=${lrAuto} @change=${(e: Event) => (this.learningRate = (e.target as HTMLInputElement).checked ? 'auto' : '200')} /> Learning rate: auto (N / 12)</label>
            ${lrAuto ? nothing : html`<convlab-slider label="Learning rate" min="10" max="1000" step="10" digits="0" .value=${s.learningRate as number} @change=${(e: CustomEvent<{ value: number }>) => (this.learningRate = String(e.detail.value))}></convlab-slider>`}
          </div>`
        : nothing}
      ${slider('seed', 'Seed', 0, 999, 1, s.seed, (v) => (this.seed = v))}
      ${this.shown('run')
        ? html`<div class="buttons">
            <button type="button" ?disabled=${!this.running} @click=${() => this.togglePause()}>${this.paused ? 'Resume' : 'Pause'}</button>
            <button type="button" @click=${() => void this.embed()}>Restart</button>
          </div>`
        : nothing}
      ${this.shown('source') ? html`<p class="hint">Draw a digit or drop an image to place it in both maps.</p>` : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
