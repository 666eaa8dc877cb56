import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  spatialLayers,
  findLayer,
  layerReceptiveField,
  receptiveBox,
  unitMaxima,
  topPatches,
  isAbortError,
  type LayerInfo,
  type LoadedModel,
  type Tensor4D,
  type ImageSource,
  type TopPatch,
  type UnitMaxima,
  type UnitSelectDetail,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { poolFor, POOL_SIZES } from '@convlab/models/pool.js';
import { ConvLabElement, ModelSource, widgetControlStyles } from '@convlab/kit';
import '@convlab/kit/define.js';
import { loadPool, type ImagePool } from './pool.js';
import { topPatchesStyles } from './top-patches.styles.js';

export type { UnitSelectDetail };
export const PATCH_CONTROLS = ['layer', 'unit', 'k', 'count', 'mode', 'source'] as const;
export type PatchMode = 'single' | 'grid';

export interface RankedPatch extends TopPatch {
  /** True class of the image (-1 for an image the reader added). */
  label: number;
  /** The receptive field in the image: [y0, x0, y1, x1], inclusive. */
  box: [number, number, number, number];
}

export interface PatchesCompleteDetail {
  layer: string;
  unit: number;
  /** Images searched. */
  count: number;
  /** Time of the search over the pool (ms), from start to the last batch's results. */
  ms: number;
  patches: RankedPatch[];
}

const MAX_K = 50;
const MIN_COUNT = 100;

/**
 * The image patches that most activate one unit (channel) of a layer, over a pool of test images
 * (Girshick et al.'s pool5 figure; Zeiler & Fergus): every image runs through the network up to the
 * layer; for each unit, the k images where it responds most, each at its best position, cropped to
 * that position's receptive field and ranked by the activation. Hover or focus a patch to see the
 * field drawn on its whole image. Grid mode shows the top patches of every unit of the layer at once.
 *
 * @summary Maximally activating image patches of a unit, with receptive fields; all units in grid mode.
 * @tagname top-patches
 * @fires unit-select - The reader chose a unit (the unit control or a row of the grid): `{layer, unit}`.
 * @fires patches-complete - A search over the pool finished: `{layer, unit, count, ms, patches}`.
 * @fires patches-progress - After each batch of the search: `{done, total}` images.
 * @csspart patches - The ranked patches of the unit.
 * @csspart full - The whole image with the receptive field drawn.
 * @csspart grid - Grid mode: the rows of units.
 * @csspart controls - The controls.
 */
export class TopPatches extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, topPatchesStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js layers model.json. */
  @property({ reflect: true }) model = 'digits';
  /** The URL of a hosted TF.js layers model.json; when set it is used instead of `model`. */
  @property({ attribute: 'model-url' }) modelUrl = '';
  /** URL of a JSON file with metadata for a hosted model. */
  @property({ attribute: 'model-meta' }) modelMeta = '';
  /** Kept for the shared input source: the sample the picker starts on (added images are the reader's). */
  @property({ type: Number }) sample = 0;
  /** URL of an image to add to the pool. */
  @property() src = '';
  /** A layer with a spatial output (conv or pool); empty = the last conv layer. */
  @property({ reflect: true }) layer = '';
  /** The unit (channel) of the layer; out of range: clamped, with a notice. */
  @property({ type: Number, reflect: true }) unit = 0;
  /** How many patches to show (1-50). */
  @property({ type: Number, reflect: true }) k = 9;
  /** How many of the shipped test images to search (100 to the pool's size: digits 5,000, fashion 2,000). */
  @property({ type: Number, reflect: true }) count = 1000;
  /** One unit's ranked patches, or the top patches of every unit of the layer. */
  @property({ reflect: true }) mode: PatchMode = 'single';
  /** Which controls show: comma-separated from layer, unit, k, count, mode, source; or 'all' / 'none'. */
  @property() controls = 'all';
  /** Images per forward pass of the search. */
  @property({ type: Number, attribute: 'batch-size' }) batchSize = 250;

  private readonly source = new ModelSource(this, {
    samplesFor,
    channels: [1, 3],
    onModel: (m) => {
      this.reset();
      this.layersInfo = spatialLayers(m);
      this.starting = true;
    },
  });

  @state() private layersInfo?: LayerInfo[];
  @state() private layerError = '';
  @state() private maxima?: UnitMaxima;
  @state() private ranked: RankedPatch[] = [];
  @state() private hovered?: RankedPatch;
  @state() private extraCount = 0;
  @state() private lastMs = 0;

  private pool?: ImagePool;
  /** Images the reader added: the tensor batch and a canvas of each (to crop from). */
  private extra?: Tensor4D;
  private extraCanvases: HTMLCanvasElement[] = [];
  private shownLayer?: LayerInfo;
  private searchAbort?: AbortController;
  private run = 0;
  /** The model has just loaded: the input source's first image starts the search, not an addition. */
  private starting = false;

  private get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  private shown(c: (typeof PATCH_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  get currentLayer(): LayerInfo | undefined {
    return this.shownLayer;
  }

  /** Units of the layer shown. */
  private get units(): number {
    return this.shownLayer?.outputShape[2] ?? 1;
  }

  get currentUnit(): number {
    const u = Math.round(Number(this.unit));
    return Number.isFinite(u) ? Math.min(this.units - 1, Math.max(0, u)) : 0;
  }

  get currentK(): number {
    const k = Math.round(Number(this.k));
    return Number.isFinite(k) ? Math.min(MAX_K, Math.max(1, k)) : 9;
  }

  /** The pool's size for this model (0 for a hosted model: it ships none). */
  private get poolMax(): number {
    return this.model === 'digits' || this.model === 'fashion' ? POOL_SIZES[this.model] : 0;
  }

  get currentCount(): number {
    const max = this.poolMax;
    if (!max) return 0;
    const n = Math.round(Number(this.count));
    return Number.isFinite(n) ? Math.min(max, Math.max(MIN_COUNT, n)) : 1000;
  }

  private reset(): void {
    this.searchAbort?.abort();
    this.run++;
    tf.dispose([this.pool?.images, this.extra].filter((t): t is Tensor4D => !!t));
    this.pool?.sprite.close();
    this.pool = this.extra = undefined;
    this.extraCanvases = [];
    this.extraCount = 0;
    this.maxima = undefined;
    this.ranked = [];
    this.hovered = undefined;
    this.shownLayer = undefined;
    this.layersInfo = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.reset();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('modelUrl') && this.modelUrl) this.model = this.modelUrl;
    if (changed.has('mode')) this.mode = this.source.settings.choice('mode', ['single', 'grid'] as const, 'single');
  }

  protected override updated(changed: PropertyValues): void {
    if (this.source.reload(changed)) return;
    if (changed.has('layer') || changed.has('count')) {
      void this.search();
      return;
    }
    if (changed.has('unit') || changed.has('k')) this.rank();
    if (changed.has('hovered') || changed.has('ranked') || changed.has('mode') || changed.has('maxima')) this.paint();
  }

  /** The first image from the input source starts the search of the shipped pool; later ones (and a hosted model's first) are added to it. */
  async setInput(source: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    if (this.starting) {
      this.starting = false;
      // A bundled model searches its pool; a hosted one (no pool) starts its pool with this image (src).
      if (poolFor(this.model)) {
        await this.search();
        return;
      }
    }
    try {
      const { x } = await prepareInput(m, source);
      if (!this.isConnected || this.loaded !== m) {
        x.dispose();
        return;
      }
      const c = document.createElement('canvas');
      const [h, w] = m.inputShape;
      c.width = w;
      c.height = h;
      const img = tf.tidy(() => tf.squeeze(x, [0])) as tf.Tensor3D;
      try {
        await tf.browser.toPixels(img, c);
      } finally {
        img.dispose();
      }
      const old = this.extra;
      this.extra = old ? (tf.concat([old, x]) as Tensor4D) : x;
      if (old) tf.dispose([old, x]);
      this.extraCanvases.push(c);
      this.extraCount = this.extraCanvases.length;
      await this.search();
    } catch (e) {
      this.source.fail(e);
    }
  }

  /** Resolves the layer (the last conv layer by default), with an alert for a name that does not exist. */
  private resolveLayer(): LayerInfo | undefined {
    const layers = this.layersInfo;
    if (!layers) return undefined;
    const convs = layers.filter((l) => l.conv);
    let l = convs[convs.length - 1];
    this.layerError = '';
    if (this.layer) {
      try {
        l = findLayer(layers, this.layer, 'spatial layer');
      } catch (e) {
        this.layerError = `${(e as Error).message} Showing ${l.name}.`;
      }
    }
    return l;
  }

  private checkSettings(): void {
    const s = this.source.settings;
    const u = Number(this.unit);
    s.set('unit', Number.isInteger(u) && u >= 0 && u < this.units ? undefined : `unit=${s.raw('unit')} is not a unit of ${this.shownLayer?.name}, which has ${this.units} (0 to ${this.units - 1}): showing unit ${this.currentUnit}.`);
    const k = Number(this.k);
    s.set('k', Number.isInteger(k) && k >= 1 && k <= MAX_K ? undefined : `k=${s.raw('k')} is outside 1 to ${MAX_K}: showing ${this.currentK}.`);
    const max = this.poolMax;
    const n = Number(this.count);
    s.set('count', !max || (Number.isInteger(n) && n >= MIN_COUNT && n <= max) ? undefined : `count=${s.raw('count')} is outside ${MIN_COUNT} to ${max} (the test images shipped): searching ${this.currentCount}.`);
  }

  /** Runs every image of the pool (and the added ones) up to the layer: every unit's maxima at once. */
  async search(): Promise<void> {
    const m = this.loaded;
    if (!m || !this.layersInfo) return;
    this.searchAbort?.abort();
    const ac = new AbortController();
    this.searchAbort = ac;
    const run = ++this.run;
    this.shownLayer = this.resolveLayer();
    this.checkSettings();
    const l = this.shownLayer!;
    let images: Tensor4D | undefined;
    try {
      const files = poolFor(this.model);
      // Load as many pool images as the search needs (more later if count grows).
      if (files && (!this.pool || this.pool.images.shape[0] < this.currentCount)) {
        this.source.set({ status: 'running', progress: -1, message: 'Loading the image pool…' });
        const pool = await loadPool(files, this.currentCount, ac.signal);
        if (run !== this.run) {
          pool.images.dispose();
          pool.sprite.close();
          return;
        }
        this.pool?.images.dispose();
        this.pool?.sprite.close();
        this.pool = pool;
      }
      const n = this.currentCount;
      const parts: Tensor4D[] = [];
      images = tf.tidy(() => {
        if (this.pool) parts.push(tf.slice(this.pool.images, [0, 0, 0, 0], [n, -1, -1, -1]) as Tensor4D);
        if (this.extra) parts.push(this.extra);
        if (!parts.length) return undefined as unknown as Tensor4D;
        return (parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts)) as Tensor4D;
      });
      if (!images) {
        this.source.set({ status: 'ready', message: '' });
        this.source.notice = 'This model ships no pool of test images: add images (upload, drop, paste or draw) to search them.';
        return;
      }
      const total = images.shape[0];
      this.source.set({ status: 'running', progress: 0, message: `Searching ${total} images…` });
      const t0 = performance.now();
      const r = await unitMaxima(m, l.name, images, {
        batchSize: this.batchSize,
        signal: ac.signal,
        onProgress: (done, all) => {
          if (run !== this.run) return;
          this.source.set({ progress: done / all, message: `Searching… ${done} of ${all} images` });
          this.emit('patches-progress', { done, total: all });
        },
      });
      if (run !== this.run) return;
      this.lastMs = performance.now() - t0;
      this.maxima = r;
      this.source.set({ status: 'ready', message: '' });
      this.rank();
      const detail: PatchesCompleteDetail = { layer: l.name, unit: this.currentUnit, count: total, ms: this.lastMs, patches: this.ranked };
      this.emit('patches-complete', detail);
    } catch (e) {
      if (isAbortError(e) || run !== this.run) return;
      this.source.fail(e);
    } finally {
      images?.dispose();
    }
  }

  /** Ranks the pool for the current unit (on the CPU: the maxima are already read back). */
  private rank(): void {
    const r = this.maxima;
    const m = this.loaded;
    const l = this.shownLayer;
    if (!r || !m || !l) return;
    this.checkSettings();
    const rf = layerReceptiveField(m, l.name);
    const n = this.pool ? this.currentCount : 0;
    this.ranked = topPatches(r, this.currentUnit, this.currentK).map((p) => ({
      ...p,
      label: p.index < n ? (this.pool?.labels[p.index] ?? -1) : -1,
      box: receptiveBox(rf, p.i, p.j, m.inputShape),
    }));
    this.hovered = undefined;
  }

  /** Draws image `index` of the searched pool (a crop [y0, x0, y1, x1] of it, or all) onto a canvas. */
  private drawImage(ctx: CanvasRenderingContext2D, index: number, box: [number, number, number, number] | undefined, dx: number, dy: number, dw: number, dh: number): void {
    const m = this.loaded!;
    const [h, w] = m.inputShape;
    const [y0, x0, y1, x1] = box ?? [0, 0, h - 1, w - 1];
    const n = this.pool ? this.currentCount : 0;
    ctx.imageSmoothingEnabled = false;
    if (index < n && this.pool) {
      const p = this.pool;
      const sx = (index % p.columns) * p.tile;
      const sy = Math.floor(index / p.columns) * p.tile;
      ctx.drawImage(p.sprite, sx + x0, sy + y0, x1 - x0 + 1, y1 - y0 + 1, dx, dy, dw, dh);
    } else {
      const c = this.extraCanvases[index - n];
      if (c) ctx.drawImage(c, x0, y0, x1 - x0 + 1, y1 - y0 + 1, dx, dy, dw, dh);
    }
  }

  private paint(): void {
    const m = this.loaded;
    if (!m) return;
    const root = this.shadowRoot!;
    if (this.mode === 'grid') {
      this.paintGrid();
      return;
    }
    root.querySelectorAll<HTMLCanvasElement>('canvas.patch').forEach((c) => {
      const p = this.ranked[Number(c.dataset.rank)];
      if (!p) return;
      const ctx = c.getContext('2d')!;
      ctx.clearRect(0, 0, c.width, c.height);
      // The crop keeps its aspect (a field clipped by the image edge is narrower).
      const ph = p.box[2] - p.box[0] + 1;
      const pw = p.box[3] - p.box[1] + 1;
      const s = Math.min(c.width / pw, c.height / ph);
      this.drawImage(ctx, p.index, p.box, (c.width - pw * s) / 2, (c.height - ph * s) / 2, pw * s, ph * s);
    });
    const full = root.querySelector<HTMLCanvasElement>('canvas.full');
    const p = this.hovered ?? this.ranked[0];
    if (full && p) {
      const ctx = full.getContext('2d')!;
      const [h, w] = m.inputShape;
      const s = full.width / w;
      ctx.clearRect(0, 0, full.width, full.height);
      this.drawImage(ctx, p.index, undefined, 0, 0, full.width, (full.width * h) / w);
      ctx.strokeStyle = '#ff3b30';
      ctx.lineWidth = 3;
      ctx.strokeRect(p.box[1] * s + 1.5, p.box[0] * s + 1.5, (p.box[3] - p.box[1] + 1) * s - 3, (p.box[2] - p.box[0] + 1) * s - 3);
    }
  }

  /** Grid mode: a row of the top patches of every unit. */
  private paintGrid(): void {
    const r = this.maxima;
    const m = this.loaded;
    const l = this.shownLayer;
    if (!r || !m || !l) return;
    const rf = layerReceptiveField(m, l.name);
    const k = Math.min(this.currentK, 10);
    this.shadowRoot!.querySelectorAll<HTMLCanvasElement>('canvas.row').forEach((c) => {
      const u = Number(c.dataset.unit);
      const ctx = c.getContext('2d')!;
      ctx.clearRect(0, 0, c.width, c.height);
      const cell = c.height;
      topPatches(r, u, k).forEach((p, i) => {
        const box = receptiveBox(rf, p.i, p.j, m.inputShape);
        const ph = box[2] - box[0] + 1;
        const pw = box[3] - box[1] + 1;
        const s = Math.min((cell - 2) / pw, (cell - 2) / ph);
        this.drawImage(ctx, p.index, box, i * cell + (cell - pw * s) / 2, (cell - ph * s) / 2, pw * s, ph * s);
      });
    });
  }

  /** The reader chose a unit. */
  selectUnit(u: number, opts: { single?: boolean } = {}): void {
    const l = this.shownLayer;
    if (!l) return;
    this.unit = u;
    if (opts.single) this.mode = 'single';
    const detail: UnitSelectDetail = { layer: l.name, unit: u };
    this.emit('unit-select', detail);
  }

  protected override render() {
    return html`
      ${this.source.renderStatus()}
      ${this.loaded && this.shownLayer ? this.renderBody(this.loaded, this.shownLayer) : nothing}
    `;
  }

  private labelOf(p: RankedPatch): string {
    const labels = this.loaded!.meta.labels;
    return p.label >= 0 ? `a ${labels[p.label]}` : 'an image you added';
  }

  private renderBody(m: LoadedModel, l: LayerInfo) {
    const rf = this.maxima ? layerReceptiveField(m, l.name) : undefined;
    const searched = (this.pool ? this.currentCount : 0) + this.extraCount;
    const head = html`<p class="caption">
      ${rf ? html`<strong>${l.name}</strong>, ${l.outputShape[0]}×${l.outputShape[1]} positions; each unit sees ${rf.rows.size}×${rf.cols.size} pixels (its receptive field). ` : nothing}
      Searched ${searched} ${searched === 1 ? 'image' : 'images'}${this.extraCount ? html` (${this.extraCount} yours)` : nothing}${this.lastMs ? html` in ${Math.round(this.lastMs)} ms` : nothing}.
    </p>`;
    return html`${head}${this.mode === 'grid' ? this.renderGrid(l) : this.renderSingle(m, l)}${this.renderControls(l)}`;
  }

  private renderSingle(m: LoadedModel, l: LayerInfo) {
    const p = this.hovered ?? this.ranked[0];
    const [h, w] = m.inputShape;
    return html`<div class="layout">
      <figure class="ranked">
        <figcaption>Top ${this.ranked.length} patches of unit ${this.currentUnit} of ${l.name}, highest activation first</figcaption>
        <ol class="patches" part="patches">
          ${this.ranked.map(
            (r, i) => html`<li>
              <button
                type="button"
                class="patch"
                aria-pressed=${String(this.hovered === r)}
                @pointerenter=${() => (this.hovered = r)}
                @focus=${() => (this.hovered = r)}
              >
                <canvas class="patch" data-rank=${i} width="56" height="56" aria-hidden="true"></canvas>
                <span class="value">${r.value.toFixed(2)}</span><span class="visually-hidden"
                  >: activation of rank ${i + 1}, ${this.labelOf(r)} (image ${r.index}), rows ${r.box[0]} to ${r.box[2]}, columns ${r.box[1]} to ${r.box[3]}</span
                >
              </button>
            </li>`,
          )}
        </ol>
      </figure>
      <figure class="whole">
        <figcaption>${p ? html`Rank ${this.ranked.indexOf(p) + 1}: ${this.labelOf(p)}, the field at rows ${p.box[0]}–${p.box[2]}, columns ${p.box[1]}–${p.box[3]}` : 'The whole image'}</figcaption>
        <canvas class="full" part="full" width=${w * 8} height=${h * 8} role="img" aria-label=${p ? `The whole image of rank ${this.ranked.indexOf(p) + 1} with the receptive field of the unit drawn as a red box` : 'No patch yet'}></canvas>
        <p class="readout" aria-live="polite">${p ? html`Activation <strong>${p.value.toFixed(3)}</strong> at position (${p.i}, ${p.j}) of the ${l.outputShape[0]}×${l.outputShape[1]} map.` : nothing}</p>
      </figure>
    </div>`;
  }

  private renderGrid(l: LayerInfo) {
    const k = Math.min(this.currentK, 10);
    const units = Array.from({ length: this.units }, (_, u) => u);
    return html`<ol class="grid" part="grid" aria-label=${`Top ${k} patches of each of the ${this.units} units of ${l.name}`}>
      ${units.map(
        (u) => html`<li>
          <button type="button" class="unit-row" aria-current=${u === this.currentUnit ? 'true' : 'false'} @click=${() => this.selectUnit(u, { single: true })}>
            <span class="unit-label">${u}</span><span class="visually-hidden">: show the patches of unit ${u}</span>
            <canvas class="row" data-unit=${u} width=${k * 36} height="36" aria-hidden="true"></canvas>
          </button>
        </li>`,
      )}
    </ol>`;
  }

  private renderControls(l: LayerInfo) {
    const layers = this.layersInfo!;
    const max = this.poolMax;
    return html`<div class="controls" part="controls">
      ${this.shown('layer')
        ? html`<div class="field-group">
            <label class="field"
              >Layer
              <select @change=${(e: Event) => (this.layer = (e.target as HTMLSelectElement).value)}>
                ${layers.map((x) => html`<option value=${x.name} ?selected=${x.name === l.name}>${x.name} (${x.outputShape.join('×')})</option>`)}
              </select></label
            >
            ${this.layerError ? html`<p class="warning" role="alert">${this.layerError}</p>` : nothing}
          </div>`
        : this.layerError
          ? html`<p class="warning" role="alert">${this.layerError}</p>`
          : nothing}
      ${this.shown('unit') && this.mode === 'single'
        ? html`<convlab-slider label="Unit" min="0" max=${this.units - 1} step="1" digits="0" .value=${this.currentUnit} @change=${(e: CustomEvent<{ value: number }>) => this.selectUnit(e.detail.value)}></convlab-slider>`
        : nothing}
      ${this.shown('k') ? html`<convlab-slider label="Patches (k)" min="1" max=${MAX_K} step="1" digits="0" .value=${this.currentK} @change=${(e: CustomEvent<{ value: number }>) => (this.k = e.detail.value)}></convlab-slider>` : nothing}
      ${this.shown('count') && max
        ? html`<convlab-slider label="Images searched" min=${MIN_COUNT} max=${max} step="100" digits="0" .value=${this.currentCount} @change=${(e: CustomEvent<{ value: number }>) => (this.count = e.detail.value)}></convlab-slider>`
        : nothing}
      ${this.shown('mode')
        ? html`<div class="tabs" role="group" aria-label="View">
            <button type="button" aria-pressed=${String(this.mode !== 'grid')} @click=${() => (this.mode = 'single')}>One unit</button>
            <button type="button" aria-pressed=${String(this.mode === 'grid')} @click=${() => (this.mode = 'grid')}>Every unit (grid)</button>
          </div>`
        : nothing}
      ${this.shown('source') ? html`<p class="hint">Add your own image to the pool: pick, upload, drop, paste or draw one.</p>` : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
