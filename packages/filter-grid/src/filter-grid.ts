import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  convLayers,
  findLayer,
  layerKernel,
  normalizeKernels,
  layerActivations,
  colormapLut,
  colormapGradient,
  type LayerInfo,
  type KernelNormalization,
  type UnitSelectDetail,
  type LoadedModel,
  type Tensor4D,
  type ImageSource,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { ConvLabElement, ModelSource, widgetControlStyles, INVERTED_NOTE } from '@convlab/kit';
import '@convlab/kit/define.js';
import { filterGridStyles } from './filter-grid.styles.js';

export const FILTER_CONTROLS = ['layer', 'normalize', 'source'] as const;

export interface FiltersReadyDetail {
  layer: string;
  filters: number;
  inChannels: number;
  /** [kh, kw]. */
  kernel: [number, number];
}

export type { UnitSelectDetail };

/** What each normalisation shows and what it hides: the line under the toggle. */
export const NORMALIZATION_NOTE: Record<KernelNormalization, string> = {
  filter: 'Per filter: each tile is scaled by its own largest weight, so every pattern is visible, but how strong a filter is compared with the others is hidden.',
  layer: 'Across the layer: one scale for every tile, so strengths compare, but the pattern of a filter with small weights is hidden (it looks flat).',
};

/** The tiles' layout on the canvas. */
interface Layout {
  /** Tiles per row and rows. */
  cols: number;
  rows: number;
  /** Canvas pixels per weight, and between tiles. */
  cell: number;
  gap: number;
  kh: number;
  kw: number;
  /** RGB tiles (a first layer on a 3-channel image) or one tile per (filter, input channel). */
  rgb: boolean;
  perChannel: boolean;
}

/** A tile: filter f, input channel c (-1 for a whole RGB or single-channel filter). */
interface Tile {
  f: number;
  c: number;
}

/**
 * The kernels (filters) of a convolution layer as small images, one tile per filter: colour for a
 * first layer that reads an RGB image, a diverging map (blue negative, white zero, red positive)
 * for one channel. A deeper layer's kernels are shown per input channel (a row per filter, a column
 * per input channel). Hover or focus a tile to see its weights as numbers and that filter's
 * response map on the current image.
 *
 * @summary The filters of a conv layer as images, with each filter's response to an image.
 * @tagname filter-grid
 * @fires unit-select - The reader chose a filter (click, Enter or Space): `{layer, unit, channel?}`.
 * @fires filters-ready - The tiles of a (new) layer, model or colour scale are painted: `{layer, filters, inChannels, kernel}`.
 * @csspart grid - The canvas of kernel tiles.
 * @csspart response - The selected filter's response map.
 * @csspart weights - The weights of the selected filter as numbers.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Display size of the response map (default 224px).
 */
export class FilterGrid extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, filterGridStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js layers model.json. */
  @property({ reflect: true }) model = 'digits';

  /** The URL of a hosted TF.js layers model.json; when set it is used instead of `model`. */
  @property({ attribute: 'model-url' }) modelUrl = '';

  /** URL of a JSON file with metadata for a hosted model (labels, inputRange, …). */
  @property({ attribute: 'model-meta' }) modelMeta = '';

  /** Index of the bundled sample whose responses are shown (0-99: ten per class). */
  @property({ type: Number, reflect: true }) sample = 0;

  /** URL of an image to show responses for, instead of a bundled sample. */
  @property() src = '';

  /** The convolution layer to show; empty = the first one. */
  @property({ reflect: true }) layer = '';

  /** The selected filter (output channel) of the layer; out of range: clamped, with a notice. */
  @property({ type: Number, reflect: true }) unit = 0;

  /** Tile colours scaled per filter or across the whole layer. */
  @property({ reflect: true, attribute: 'normalize' }) normalization: KernelNormalization = 'filter';

  /** Which controls show: comma-separated from layer, normalize, source; or 'all' / 'none'. */
  @property() controls = 'all';

  private readonly source = new ModelSource(this, {
    samplesFor,
    onModel: (m) => {
      // The old model's image and activations go; a model with no conv layer (or a graph model)
      // has no filters: convLayers throws an error that says so, shown in the status line.
      this.inputRun++;
      tf.dispose([this.x, this.acts, this.response].filter((t): t is tf.Tensor => !!t));
      this.x = this.acts = this.response = undefined;
      this.responseKey = '';
      this.shownLayer = undefined;
      this.convs = undefined;
      this.convs = convLayers(m);
    },
  });

  @state() private convs?: LayerInfo[];
  /** Layer-level problems (a layer that does not exist), shown as an alert by the layer control. */
  @state() private layerError = '';
  @state() private x?: Tensor4D;
  /** The tile under the pointer or the keyboard cursor (what the detail panel shows). */
  @state() private active?: Tile;
  /** Keyboard cursor over tiles. */
  @state() private cursor: Tile = { f: 0, c: -1 };
  @state() private weights?: { values: Float32Array; shape: [number, number, number, number]; bias?: Float32Array; maxAbs: Float32Array };

  @query('canvas.grid') private gridCanvas?: HTMLCanvasElement;

  /** Normalised tiles [f, kh, kw, c] in [-1, 1], on the CPU (they are small). */
  private tiles?: Float32Array;
  private acts?: tf.Tensor;
  private response?: tf.Tensor;
  private responseKey = '';
  private shownLayer?: LayerInfo;
  private inputRun = 0;
  /** The tiles changed: say so once they are painted. */
  private readyPending = false;

  private get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  private shown(c: (typeof FILTER_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  /** The layer shown (after falling back from a name that does not exist). */
  get currentLayer(): LayerInfo | undefined {
    return this.shownLayer;
  }

  /** The filter shown (after clamping). */
  get currentUnit(): number {
    const n = this.shownLayer?.filters ?? 1;
    const u = Math.round(Number(this.unit));
    return Number.isFinite(u) ? Math.min(n - 1, Math.max(0, u)) : 0;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.inputRun++;
    tf.dispose([this.x, this.acts, this.response].filter((t): t is tf.Tensor => !!t));
    this.x = this.acts = this.response = undefined;
    this.responseKey = '';
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('modelUrl') && this.modelUrl) this.model = this.modelUrl;
    if (changed.has('normalization')) this.normalization = this.source.settings.choice('normalization', ['filter', 'layer'] as const, 'filter');
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('convs') && this.convs) {
      this.resolveLayer();
      return;
    }
    if (this.source.reload(changed)) return;
    if (changed.has('layer')) {
      this.resolveLayer();
      return;
    }
    if (changed.has('normalization')) this.computeTiles();
    if (changed.has('unit')) {
      this.checkUnit();
      this.cursor = { f: this.currentUnit, c: this.cursor.c };
    }
    if (['weights', 'active', 'cursor', 'unit'].some((k) => changed.has(k))) this.paintGrid();
    if (['active', 'x', 'unit'].some((k) => changed.has(k))) void this.updateResponse();
  }

  /** Finds the layer named by `layer` (the first conv layer when empty), with an alert when there is none. */
  private resolveLayer(): void {
    const convs = this.convs;
    if (!convs) return;
    let l = convs[0];
    this.layerError = '';
    if (this.layer) {
      try {
        l = findLayer(convs, this.layer, 'convolution layer');
      } catch (e) {
        this.layerError = `${(e as Error).message} Showing ${l.name}.`;
      }
    }
    const changedLayer = this.shownLayer?.name !== l.name;
    this.shownLayer = l;
    this.checkUnit();
    this.cursor = { f: this.currentUnit, c: l.inChannels! > 1 && !this.isRgb(l) ? 0 : -1 };
    this.active = undefined;
    this.computeTiles();
    if (changedLayer) void this.computeActivations();
  }

  private isRgb(l: LayerInfo): boolean {
    return l.inChannels === 3 && this.convs?.[0] === l;
  }

  private checkUnit(): void {
    const l = this.shownLayer;
    if (!l) return;
    const n = l.filters!;
    const u = Number(this.unit);
    this.source.settings.set(
      'unit',
      Number.isInteger(u) && u >= 0 && u < n ? undefined : `unit=${this.source.settings.raw('unit')} is not a filter of ${l.name}, which has ${n} (0 to ${n - 1}): showing filter ${this.currentUnit}.`,
    );
  }

  /** Reads the kernel and bias and normalises the tiles (small: done on the CPU after one read). */
  private computeTiles(): void {
    const m = this.loaded;
    const l = this.shownLayer;
    if (!m || !l) return;
    const kernel = layerKernel(m, l.name);
    const { tiles, scale } = normalizeKernels(kernel, this.normalization === 'layer' ? 'layer' : 'filter');
    const layer = m.layers!.getLayer(l.name);
    const bias = layer.getWeights()[1];
    this.tiles = tiles.dataSync() as Float32Array;
    this.weights = {
      values: kernel.dataSync() as Float32Array,
      shape: kernel.shape as [number, number, number, number],
      bias: bias ? (bias.dataSync() as Float32Array) : undefined,
      maxAbs: scale.dataSync() as Float32Array,
    };
    tf.dispose([kernel, tiles, scale]);
    this.readyPending = true;
  }

  /** Sets the image whose responses are shown. */
  async setInput(source: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    const run = ++this.inputRun;
    this.source.set({ status: 'running', message: 'Reading the image…' });
    try {
      const { x, inverted } = await prepareInput(m, source);
      if (run !== this.inputRun || !this.isConnected) {
        x.dispose();
        return;
      }
      this.source.notice = inverted ? INVERTED_NOTE : '';
      this.x?.dispose();
      this.x = x;
      await this.computeActivations();
      this.source.set({ status: 'ready', message: '' });
    } catch (e) {
      if (run === this.inputRun) this.source.fail(e);
    }
  }

  /** The shown layer's activations for the current image: [1, h, w, filters]. */
  private async computeActivations(): Promise<void> {
    const m = this.loaded;
    const l = this.shownLayer;
    const x = this.x;
    if (!m || !l || !x) return;
    const a = layerActivations(m, l.name, x);
    this.acts?.dispose();
    this.acts = a;
    this.responseKey = '';
    await this.updateResponse();
  }

  /** The response map of the active (or selected) filter. */
  private async updateResponse(): Promise<void> {
    const a = this.acts;
    const l = this.shownLayer;
    if (!a || !l) return;
    const f = this.active?.f ?? this.currentUnit;
    const key = `${l.name}/${f}`;
    if (key === this.responseKey) return;
    const r = tf.tidy(() => tf.squeeze(tf.slice(a, [0, 0, 0, f], [1, -1, -1, 1]), [0, 3]));
    this.response?.dispose();
    this.response = r;
    this.responseKey = key;
    this.requestUpdate();
  }

  /** How tiles are laid out on the canvas. */
  private layout(): Layout | undefined {
    const l = this.shownLayer;
    const w = this.weights;
    if (!l || !w) return undefined;
    const [kh, kw, cin, f] = w.shape;
    const rgb = this.isRgb(l);
    const perChannel = !rgb && cin > 1;
    const cols = perChannel ? cin : Math.min(f, 8);
    const rows = perChannel ? f : Math.ceil(f / cols);
    // Aim at about 400 canvas pixels across; at least 2 pixels per weight.
    const cell = Math.max(2, Math.floor(400 / (cols * (kw + 0.5))));
    const gap = Math.max(1, Math.round(cell / 2));
    return { cols, rows, cell, gap, kh, kw, rgb, perChannel };
  }

  private tileAt(t: Tile, L: Layout): { x: number; y: number } {
    const i = L.perChannel ? t.f * L.cols + t.c : t.f;
    const col = i % L.cols;
    const row = Math.floor(i / L.cols);
    return { x: L.gap + col * (L.kw * L.cell + L.gap), y: L.gap + row * (L.kh * L.cell + L.gap) };
  }

  /** Paints every tile onto one canvas (a few thousand pixels: cheaper than a canvas per tile). */
  private paintGrid(): void {
    const canvas = this.gridCanvas;
    const L = this.layout();
    const tiles = this.tiles;
    const w = this.weights;
    if (!canvas || !L || !tiles || !w) return;
    const [kh, kw, cin, nf] = w.shape;
    const width = L.gap + L.cols * (kw * L.cell + L.gap);
    const height = L.gap + L.rows * (kh * L.cell + L.gap);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(width, height);
    const px = img.data;
    // Background: the page's surface shows through the gaps.
    px.fill(0);
    const lut = colormapLut('diverging');
    const put = (x0: number, y0: number, f: number, c: number) => {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          let r: number, g: number, b: number;
          const base = ((f * kh + i) * kw + j) * cin;
          if (c < 0 && L.rgb) {
            r = Math.round((0.5 + 0.5 * tiles[base]) * 255);
            g = Math.round((0.5 + 0.5 * tiles[base + 1]) * 255);
            b = Math.round((0.5 + 0.5 * tiles[base + 2]) * 255);
          } else {
            const v = tiles[base + Math.max(0, c)];
            const k = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5))) * 3;
            r = lut[k];
            g = lut[k + 1];
            b = lut[k + 2];
          }
          for (let yy = 0; yy < L.cell; yy++) {
            let o = ((y0 + i * L.cell + yy) * width + x0 + j * L.cell) * 4;
            for (let xx = 0; xx < L.cell; xx++, o += 4) {
              px[o] = r;
              px[o + 1] = g;
              px[o + 2] = b;
              px[o + 3] = 255;
            }
          }
        }
      }
    };
    for (let f = 0; f < nf; f++) {
      if (L.perChannel) for (let c = 0; c < cin; c++) put(this.tileAt({ f, c }, L).x, this.tileAt({ f, c }, L).y, f, c);
      else {
        const p = this.tileAt({ f, c: -1 }, L);
        put(p.x, p.y, f, -1);
      }
    }
    ctx.putImageData(img, 0, 0);
    // Outline the selected filter and the tile the cursor or pointer is on.
    const outline = (t: Tile, color: string, lw: number) => {
      const p = this.tileAt(t, L);
      ctx.strokeStyle = color;
      ctx.lineWidth = lw;
      if (L.perChannel && t.c < 0) {
        ctx.strokeRect(L.gap / 2, p.y - L.gap / 2, width - L.gap, kh * L.cell + L.gap);
      } else {
        ctx.strokeRect(p.x - L.gap / 2, p.y - L.gap / 2, kw * L.cell + L.gap, kh * L.cell + L.gap);
      }
    };
    const accent = getComputedStyle(this).getPropertyValue('--_accent').trim() || '#2563eb';
    outline({ f: this.currentUnit, c: -1 }, accent, Math.max(1, L.gap));
    const a = this.active;
    if (a) outline(a, getComputedStyle(this).getPropertyValue('--_fg').trim() || '#000', Math.max(1, L.gap / 2));
    if (this.readyPending) {
      this.readyPending = false;
      const l = this.shownLayer!;
      const detail: FiltersReadyDetail = { layer: l.name, filters: nf, inChannels: cin, kernel: [kh, kw] };
      this.emit('filters-ready', detail);
    }
  }

  /** The tile under a pointer, through getBoundingClientRect (holds under CSS transforms). */
  private tileFromPointer(e: PointerEvent | MouseEvent): Tile | undefined {
    const canvas = this.gridCanvas;
    const L = this.layout();
    if (!canvas || !L) return undefined;
    const r = canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * canvas.width;
    const y = ((e.clientY - r.top) / r.height) * canvas.height;
    const col = Math.floor((x - L.gap / 2) / (L.kw * L.cell + L.gap));
    const row = Math.floor((y - L.gap / 2) / (L.kh * L.cell + L.gap));
    if (col < 0 || row < 0 || col >= L.cols || row >= L.rows) return undefined;
    const nf = this.weights!.shape[3];
    if (L.perChannel) return { f: row, c: col };
    const f = row * L.cols + col;
    return f < nf ? { f, c: -1 } : undefined;
  }

  private onPointerMove = (e: PointerEvent) => {
    const t = this.tileFromPointer(e);
    if (t && (t.f !== this.active?.f || t.c !== this.active?.c)) this.active = t;
  };

  private onPointerLeave = () => {
    this.active = undefined;
  };

  private onClick = (e: MouseEvent) => {
    const t = this.tileFromPointer(e);
    if (t) this.select(t);
  };

  private onFocus = () => {
    this.active = { ...this.cursor };
  };

  private onBlur = () => {
    this.active = undefined;
  };

  private onKey = (e: KeyboardEvent) => {
    const L = this.layout();
    if (!L) return;
    const nf = this.weights!.shape[3];
    let { f, c } = this.cursor;
    if (L.perChannel) {
      const cin = L.cols;
      if (c < 0) c = 0;
      const moves: Record<string, () => void> = {
        ArrowRight: () => (c = Math.min(cin - 1, c + 1)),
        ArrowLeft: () => (c = Math.max(0, c - 1)),
        ArrowDown: () => (f = Math.min(nf - 1, f + 1)),
        ArrowUp: () => (f = Math.max(0, f - 1)),
        Home: () => (c = 0),
        End: () => (c = cin - 1),
      };
      if (moves[e.key]) moves[e.key]();
      else if (e.key !== 'Enter' && e.key !== ' ') return;
    } else {
      const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: L.cols, ArrowUp: -L.cols };
      if (moves[e.key] !== undefined) f = Math.min(nf - 1, Math.max(0, f + moves[e.key]));
      else if (e.key === 'Home') f = 0;
      else if (e.key === 'End') f = nf - 1;
      else if (e.key !== 'Enter' && e.key !== ' ') return;
    }
    e.preventDefault();
    this.cursor = { f, c };
    this.active = { f, c };
    if (e.key === 'Enter' || e.key === ' ') this.select({ f, c });
  };

  /** Chooses a filter (the reader's action): reflects `unit` and fires unit-select once. */
  select(t: Tile): void {
    const l = this.shownLayer;
    if (!l) return;
    this.cursor = t;
    this.unit = t.f;
    const detail: UnitSelectDetail = { layer: l.name, unit: t.f };
    if (t.c >= 0) detail.channel = t.c;
    this.emit('unit-select', detail);
  }

  protected override render() {
    const m = this.loaded;
    return html`
      ${this.source.renderStatus()}
      ${m && this.convs && this.shownLayer ? this.renderBody(this.shownLayer) : nothing}
    `;
  }

  private describeTile(t: Tile): string {
    return t.c >= 0 ? `filter ${t.f}, input channel ${t.c}` : `filter ${t.f}`;
  }

  private renderBody(l: LayerInfo) {
    const w = this.weights;
    const L = this.layout();
    const t = this.active ?? { f: this.currentUnit, c: L?.perChannel ? this.cursor.c : -1 };
    const rf = l.kernel.join('×');
    return html`
      <div class="layout">
        <figure class="tiles">
          <figcaption>
            <strong>${l.name}</strong>: ${l.filters} filters of ${rf}×${l.inChannels}
            ${L?.perChannel ? html`<span class="hint">(a row per filter, a column per input channel)</span>` : nothing}
          </figcaption>
          <canvas
            class="grid"
            part="grid"
            tabindex="0"
            role="img"
            aria-roledescription="filter grid"
            aria-label=${`${l.filters} filters of layer ${l.name}, ${rf} weights each${L?.perChannel ? `, shown per input channel (${l.inChannels})` : ''}. Arrow keys move between ${L?.perChannel ? 'kernel slices' : 'filters'}; Enter selects one.`}
            @pointermove=${this.onPointerMove}
            @pointerleave=${this.onPointerLeave}
            @click=${this.onClick}
            @keydown=${this.onKey}
            @focus=${this.onFocus}
            @blur=${this.onBlur}
          ></canvas>
          <div class="legend" aria-hidden="true">
            ${L?.rgb
              ? html`<span>RGB: 0.5 + 0.5 · w / m per channel (grey = 0)</span>`
              : html`<span>−m</span><span class="bar" style="background: ${colormapGradient('diverging')}"></span><span>+m</span>`}
          </div>
          <p class="readout" aria-live="polite">${w ? html`Showing ${this.describeTile(t)}; selected filter ${this.currentUnit}.` : nothing}</p>
        </figure>
        <figure class="detail">
          <figcaption>Response of filter ${t.f} to the image${l.activation && l.activation !== 'linear' ? ` (after ${l.activation === 'relu' ? 'the ReLU' : l.activation})` : ''}</figcaption>
          <convlab-tensor-canvas
            part="response"
            class="response"
            .tensor=${this.response}
            colormap="viridis"
            label=${`Response map of filter ${t.f} of ${l.name} on the current image`}
          ></convlab-tensor-canvas>
          ${w ? this.renderWeights(t, l) : nothing}
        </figure>
      </div>
      ${this.renderControls(l)}
    `;
  }

  private renderWeights(t: Tile, l: LayerInfo) {
    const w = this.weights!;
    const [kh, kw, cin, nf] = w.shape;
    const at = (i: number, j: number, c: number) => w.values[((i * kw + j) * cin + c) * nf + t.f];
    const channels = t.c >= 0 ? [t.c] : cin <= 3 ? Array.from({ length: cin }, (_, c) => c) : [0];
    const names = cin === 3 && this.isRgb(l) ? ['R', 'G', 'B'] : undefined;
    const table = (c: number) => html`<table class="weights" part="weights">
      <caption>${names ? `${names[c]} channel` : cin > 1 ? `Input channel ${c}` : 'Weights'}</caption>
      <tbody>
        ${Array.from({ length: kh }, (_, i) => html`<tr>${Array.from({ length: kw }, (_, j) => html`<td class=${at(i, j, c) < 0 ? 'neg' : ''}>${at(i, j, c).toFixed(3)}</td>`)}</tr>`)}
      </tbody>
    </table>`;
    return html`<div class="numbers">
      ${channels.map(table)}
      <p class="bias">
        ${w.bias ? html`bias b = ${w.bias[t.f].toFixed(3)}; ` : nothing}max |w| = ${w.maxAbs[t.f].toFixed(3)}${this.normalization === 'layer' ? ' (the whole layer)' : ' (this filter)'}
        ${cin > 3 && t.c < 0 ? html`<br /><span class="hint">Hover a column to see another input channel's slice.</span>` : nothing}
      </p>
    </div>`;
  }

  private renderControls(l: LayerInfo) {
    const convs = this.convs!;
    return html`<div class="controls" part="controls">
      ${this.shown('layer')
        ? html`<div class="field-group">
            <label class="field"
              >Layer
              <select
                aria-describedby="layer-error"
                @change=${(e: Event) => (this.layer = (e.target as HTMLSelectElement).value)}
              >
                ${convs.map((c) => html`<option value=${c.name} ?selected=${c.name === l.name}>${c.name} (${c.filters} × ${c.kernel.join('×')}×${c.inChannels})</option>`)}
              </select></label
            >
            ${this.layerError ? html`<p id="layer-error" class="warning" role="alert">${this.layerError}</p>` : nothing}
          </div>`
        : this.layerError
          ? html`<p class="warning" role="alert">${this.layerError}</p>`
          : nothing}
      ${this.shown('normalize')
        ? html`<fieldset class="normalize">
            <legend>Colour scale</legend>
            ${(['filter', 'layer'] as const).map(
              (n) => html`<label class="check"
                ><input type="radio" name="normalize" value=${n} .checked=${this.normalization === n} @change=${() => (this.normalization = n)} />
                ${n === 'filter' ? 'per filter' : 'across the layer'}</label
              >`,
            )}
            <p class="note">${NORMALIZATION_NOTE[this.normalization === 'layer' ? 'layer' : 'filter']}</p>
          </fieldset>`
        : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
