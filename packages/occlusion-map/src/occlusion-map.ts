import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  occlusionMap,
  occlusionPositions,
  occludedCopies,
  probabilityRows,
  boxBlur,
  paintOverlay,
  toCanvas,
  colormapGradient,
  isAbortError,
  type LoadedModel,
  type Tensor2D,
  type Tensor4D,
  type ImageSource,
  type ProbabilityFn,
  type OcclusionResult,
  type OcclusionFill,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { ConvLabElement, ModelSource, widgetControlStyles, clientToCell, sampleConverter, clampSetting, chooseSetting } from '@convlab/kit';
import '@convlab/kit/define.js';
import { occlusionMapStyles } from './occlusion-map.styles.js';

export type OcclusionFillName = 'grey' | 'black' | 'mean' | 'blurred';
export const OCCLUSION_CONTROLS = ['source', 'patch', 'stride', 'fill', 'class', 'mode', 'scale'] as const;
export type OcclusionScale = 'absolute' | 'stretched';

export interface MapCompleteDetail {
  classIndex: number;
  label: string;
  /** P(class | unoccluded image). */
  baseline: number;
  min: number;
  max: number;
  rows: number;
  cols: number;
  /** Where hiding a patch lowers the probability most (top-left corner in image pixels). */
  mostSensitive: { row: number; col: number; y: number; x: number; drop: number };
  blackBox: boolean;
}

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));

/**
 * Occlusion sensitivity (Zeiler & Fergus): a grey square slides over the image and the map shows the
 * classifier's probability for one class at each position: where it drops, the network was looking.
 * It needs class probabilities only, no gradients, so it also works through a black-box API: set
 * `probabilities` to an `(images) => probabilities` function (or the `black-box` attribute for the
 * bundled models through that same interface).
 *
 * @summary Occlusion sensitivity map, also through a black-box probability function.
 * @tagname occlusion-map
 * @fires map-progress - After each batch of occluded copies: `{done, total}` positions.
 * @fires map-complete - When a full map is done: `{classIndex, label, baseline, min, max, rows, cols, mostSensitive, blackBox}`.
 * @csspart image - The image with the heat map and the occluder.
 * @csspart legend - The colour legend: 0-100% (absolute), or the map's own range when stretched.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Display size of the image (default 280px).
 */
export class OcclusionMap extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, occlusionMapStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js model.json. */
  @property({ reflect: true }) model = 'digits';

  /** URL of a JSON file with metadata for a hosted model (labels, inputRange, …). */
  @property({ attribute: 'model-meta' }) modelMeta = '';

  /**
   * The bundled sample to start from: its index (0-99, ten per class in class order: 30-39 are
   * threes) or `label:<class>` for the first sample of a class, by index or name (`label:3`,
   * `label:sneaker`). Out of range or unknown: clamped or sample 0, with a notice. Default 51: a
   * five whose probability falls from 100% to about 1% when the patch hides its middle stroke (on
   * sample 0 no patch moves it by more than a point).
   */
  @property({ reflect: true, converter: sampleConverter }) sample: number | string = 51;

  /** URL of an image to start from instead of a bundled sample. */
  @property() src = '';

  /** Side of the occluding square, in model-input pixels, 1 to the image side (outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) patch = 6;

  /** Step between patch positions, in pixels, at least 1 (outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) stride = 2;

  /** What covers the patch: grey (0.5), black (0), the image's mean, or a blurred copy (another word: grey, with a notice). */
  @property({ reflect: true }) fill: OcclusionFillName = 'grey';

  /** The class whose probability is mapped; empty = the predicted class (no such class: the predicted one, with a notice). */
  @property({ attribute: 'target-class' }) targetClass = '';

  /** Use only class probabilities of the bundled model, through the same interface as an external API. */
  @property({ type: Boolean, attribute: 'black-box', reflect: true }) blackBox = false;

  /**
   * The colour scale: 'absolute' (0% to 100%, the same colours mean the same probability on every
   * map) or 'stretched' (the map's own lowest to highest, at least one point wide: small drops show,
   * and the legend says it is stretched). Another word: absolute, with a notice.
   */
  @property({ reflect: true }) scale: OcclusionScale = 'absolute';

  /** Which controls show: comma-separated from source, patch, stride, fill, class, mode, scale; or 'all' / 'none'. */
  @property() controls = 'all';

  /**
   * A black-box classifier: `(images: Tensor4D [n, h, w, c] in [0, 1]) => [n, classes]` probabilities
   * (a tensor or plain rows, sync or async), for example a wrapper around a remote API. When set, the
   * map is computed only through it. Property only.
   */
  @property({ attribute: false }) probabilities?: ProbabilityFn;

  /** Occluded copies per call of the probability function. */
  @property({ type: Number, attribute: 'batch-size' }) batchSize = 32;

  /** Model, samples, starting input, status line and input source. */
  private readonly source = new ModelSource(this, { samplesFor });

  private get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  @state() private x?: Tensor4D;
  @state() private clean?: number[];
  @state() private result?: OcclusionResult;
  @state() private partial?: { rows: number; cols: number; probabilities: Float32Array };
  /** The occluded input shown beside the map: the patch's top-left corner and its predictions. */
  @state() private selected?: { y: number; x: number; probs: number[] };
  @state() private occluder?: { y: number; x: number; p: number };

  @query('canvas.map') private mapCanvas?: HTMLCanvasElement;
  @query('convlab-tensor-canvas.detail') private detailCanvas?: HTMLElement & { tensor?: tf.Tensor };

  private mapAbort?: AbortController;
  private mapRun = 0;
  private selectedTensor?: Tensor4D;
  private dragging = false;
  private occluderQueued?: { y: number; x: number };
  private occluderBusy = false;
  /** Where the occluder is going (set at once; `occluder` follows when its probability is known). */
  private occluderPos?: { y: number; x: number };

  private shown(c: (typeof OCCLUSION_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  /** True when the map goes through a probability function only (a page-set one, or the model's wrapped as one). */
  get isBlackBox(): boolean {
    return this.blackBox || !!this.probabilities;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.mapAbort?.abort();
    tf.dispose([this.x, this.selectedTensor].filter((t): t is Tensor4D => !!t));
    this.x = this.selectedTensor = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    if (this.source.reload(changed)) return;
    if (changed.has('probabilities') && this.x) {
      // Another classifier: its own clean prediction (and so the default class), then the map.
      void this.reclassify();
    } else if (['patch', 'stride', 'fill', 'targetClass', 'blackBox', 'batchSize'].some((k) => changed.has(k))) {
      void this.computeMap();
    }
    if (changed.has('result') || changed.has('partial') || changed.has('occluder') || changed.has('x') || changed.has('scale')) void this.paintMap();
  }

  /** Sets a new input image and computes its map. */
  async setInput(source: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    this.source.set({ status: 'running', message: 'Reading the image…' });
    try {
      const { x, inverted } = await prepareInput(m, source);
      // The inverted remark, or for a reader's own image how the model sees it and what it was trained on.
      await this.source.describeInput(x, inverted);
      if (!this.isConnected) {
        x.dispose();
        return;
      }
      // In black-box mode the clean prediction, too, comes only through the probability function.
      const [p] = await probabilityRows(await this.probabilityFn(m)(x), 1);
      if (!this.isConnected) {
        x.dispose();
        return;
      }
      this.x?.dispose();
      this.x = x;
      this.clean = p;
      await this.computeMap();
    } catch (e) {
      this.fail(e);
    }
  }

  private async reclassify(): Promise<void> {
    const m = this.loaded;
    const x = this.x;
    if (!m || !x) return;
    try {
      const [p] = await probabilityRows(await this.probabilityFn(m)(x), 1);
      if (this.x !== x) return;
      this.clean = p;
      await this.computeMap();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.source.fail(e);
  }

  /** The class that is mapped: target-class when valid, else the predicted one. */
  get classIndex(): number {
    const m = this.loaded;
    const predicted = this.clean ? this.clean.indexOf(Math.max(...this.clean)) : 0;
    if (this.targetClass === '' || this.targetClass == null || !m) return predicted;
    const t = Number(this.targetClass);
    return Number.isInteger(t) && t >= 0 && t < m.numClasses ? t : predicted;
  }

  /**
   * Settings after clamping (the patch's maximum depends on the model), with a notice for each value
   * that had to change: `computeMap` shows them through the kit's settings notices.
   */
  private settings(): { patch: number; stride: number; notes: Record<'patch' | 'stride' | 'fill' | 'targetClass', string | undefined> } {
    const m = this.loaded!;
    const [h, w] = m.inputShape;
    const side = Math.min(h, w);
    const raw = (p: 'patch' | 'stride') => this.source.settings.raw(p);
    const patch = clampSetting('patch', raw('patch'), { min: 1, max: side, default: 6, integer: true });
    const stride = clampSetting('stride', raw('stride'), { min: 1, max: side, default: 2, integer: true });
    const fill = chooseSetting('fill', this.fill, ['grey', 'black', 'mean', 'blurred'] as const, 'grey');
    const t = this.targetClass;
    let target: string | undefined;
    if (t !== '' && t != null) {
      const n = Number(t);
      if (!(Number.isInteger(n) && n >= 0 && n < m.numClasses)) {
        target = `target-class=${/^-?\d+$/.test(String(t)) ? t : `"${t}"`}: the model has classes 0 to ${m.numClasses - 1}: mapping the predicted class.`;
      }
    }
    return { patch: patch.value, stride: stride.value, notes: { patch: patch.notice, stride: stride.notice, fill: fill.notice, targetClass: target } };
  }

  /** The probability function the map goes through. */
  private probabilityFn(m: LoadedModel): ProbabilityFn {
    if (this.probabilities) return this.probabilities;
    if (this.blackBox) {
      // The bundled model behind the same interface as a remote API: images in, plain rows out.
      return async (images) => {
        const p = tf.tidy(() => tf.softmax(m.logits(images)));
        const rows = (await p.array()) as number[][];
        p.dispose();
        return rows;
      };
    }
    return (images) => tf.tidy(() => tf.softmax(m.logits(images)) as Tensor2D);
  }

  private fillFor(x: Tensor4D, patch: number): { fill: OcclusionFill; dispose?: Tensor4D } {
    switch (chooseSetting('fill', this.fill, ['grey', 'black', 'mean', 'blurred'] as const, 'grey').value) {
      case 'black':
        return { fill: 0 };
      case 'mean':
        return { fill: 'mean' };
      case 'blurred': {
        const b = boxBlur(x, Math.max(3, patch | 1));
        return { fill: b, dispose: b };
      }
      default:
        return { fill: 0.5 };
    }
  }

  /** Computes the full map, painting it progressively as batches finish. */
  async computeMap(): Promise<OcclusionResult | undefined> {
    const m = this.loaded;
    const x = this.x;
    if (!m || !x) return undefined;
    this.mapAbort?.abort();
    const ac = new AbortController();
    this.mapAbort = ac;
    const run = ++this.mapRun;
    const { patch, stride, notes } = this.settings();
    for (const [k, n] of Object.entries(notes)) this.source.settings.set(k, n);
    const classIndex = this.classIndex;
    const { fill, dispose } = this.fillFor(x, patch);
    this.source.set({ status: 'running', progress: 0, message: 'Computing the occlusion map…' });
    this.result = undefined;
    // The shown occluded input and the occluder were for the old settings.
    this.clearSelection();
    try {
      const r = await occlusionMap(this.probabilityFn(m), x, classIndex, {
        patch,
        stride,
        fill,
        batchSize: this.batchSize,
        signal: ac.signal,
        onProgress: (p) => {
          if (run !== this.mapRun) return;
          this.source.set({ progress: p.done / p.total, message: `Computing the occlusion map… ${p.done} of ${p.total} positions` });
          this.partial = { rows: p.rows, cols: p.cols, probabilities: p.probabilities.slice() };
          this.emit('map-progress', { done: p.done, total: p.total });
        },
      });
      if (run !== this.mapRun) return undefined;
      this.result = r;
      this.partial = undefined;
      this.source.set({ status: 'ready', message: '' });
      const detail: MapCompleteDetail = {
        classIndex,
        label: m.meta.labels[classIndex],
        baseline: r.baseline,
        min: r.min,
        max: r.max,
        rows: r.rows,
        cols: r.cols,
        mostSensitive: r.mostSensitive,
        blackBox: this.isBlackBox,
      };
      this.emit('map-complete', detail);
      return r;
    } catch (e) {
      if (isAbortError(e) || run !== this.mapRun) return undefined;
      this.fail(e);
      return undefined;
    } finally {
      dispose?.dispose();
    }
  }

  /** Paints the image, the (partial) map over it, and the occluder. */
  private async paintMap(): Promise<void> {
    const canvas = this.mapCanvas;
    const m = this.loaded;
    const x = this.x;
    if (!canvas || !m || !x) return;
    const map = this.result ?? this.partial;
    const [h, w] = m.inputShape;
    const scale = Math.max(1, Math.ceil(280 / Math.max(h, w)));
    if (map) {
      const t = tf.tensor2d(map.probabilities, [map.rows, map.cols]);
      try {
        await paintOverlay(canvas, x, t, { colormap: 'viridis', range: this.legendRange(), alpha: 0.65, scale });
      } finally {
        t.dispose();
      }
    } else {
      await toCanvas(x, canvas, { scale, range: [0, 1], colormap: 'grey' });
    }
    const ctx = canvas.getContext('2d')!;
    if (this.occluder) {
      const p = this.settings().patch;
      ctx.fillStyle = 'rgba(128,128,128,0.85)';
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2;
      ctx.fillRect(this.occluder.x * scale, this.occluder.y * scale, p * scale, p * scale);
      ctx.strokeRect(this.occluder.x * scale, this.occluder.y * scale, p * scale, p * scale);
    }
  }

  /** The colour scale in use (a bad `scale` attribute reads as absolute; its notice comes from willUpdate). */
  private get stretched(): boolean {
    return chooseSetting('scale', this.scale, ['absolute', 'stretched'] as const, 'absolute').value === 'stretched';
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('scale')) this.source.settings.set('scale', chooseSetting('scale', this.scale, ['absolute', 'stretched'] as const, 'absolute').notice);
  }

  /**
   * The probability range the colours span: [0, 1] (absolute, the default); stretched: the map's own
   * [min, max] (so that small drops show), at least 1% wide. [0, 1] while nothing is computed.
   */
  private legendRange(): [number, number] {
    const map = this.result ?? this.partial;
    if (!map || !this.stretched) return [0, 1];
    let lo = Infinity,
      hi = -Infinity;
    for (const p of map.probabilities) {
      if (Number.isNaN(p)) continue;
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    if (!Number.isFinite(lo)) return [0, 1];
    // At least one percentage point between the ends, so that noise in a flat map is not stretched
    // over the whole colour scale (near 0 the span grows upwards: the ends stay in [0, 1]).
    if (hi - lo < 0.01) {
      lo = Math.max(0, Math.min(lo, hi - 0.01));
      hi = Math.min(1, Math.max(hi, lo + 0.01));
    }
    return [lo, hi];
  }

  /** Image pixel under a pointer event, through getBoundingClientRect (holds under CSS transforms). */
  private pixelAt(e: PointerEvent | MouseEvent): { y: number; x: number } | null {
    const m = this.loaded;
    if (!m || !this.mapCanvas) return null;
    const [h, w] = m.inputShape;
    const hit = clientToCell(this.mapCanvas.getBoundingClientRect(), e.clientX, e.clientY, h, w);
    return hit ? { y: hit.row, x: hit.col } : null;
  }

  /** Top-left corner of a patch centred on a pixel, kept inside the image. */
  private patchAt(px: { y: number; x: number }): { y: number; x: number } {
    const [h, w] = this.loaded!.inputShape;
    const p = this.settings().patch;
    return { y: clampInt(px.y - p / 2, 0, h - p), x: clampInt(px.x - p / 2, 0, w - p) };
  }

  private onPointerDown(e: PointerEvent): void {
    const px = this.pixelAt(e);
    if (!px) return;
    if (e.shiftKey || this.result === undefined) {
      this.selectCellAt(px);
      return;
    }
    this.dragging = true;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    this.moveOccluder(this.patchAt(px));
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.dragging) return;
    const px = this.pixelAt(e);
    if (px) this.moveOccluder(this.patchAt(px));
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.dragging) return;
    this.dragging = false;
    // Show exactly what the occluder covered (the map's cells are on the stride grid; this need not be).
    if (this.occluderPos) void this.selectPosition(this.occluderPos);
  }

  private onKey(e: KeyboardEvent): void {
    const m = this.loaded;
    if (!m) return;
    const step = e.shiftKey ? 4 : 1;
    const cur = this.occluderPos ?? { y: 0, x: 0 };
    const moves: Record<string, [number, number]> = { ArrowUp: [-step, 0], ArrowDown: [step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] };
    if (moves[e.key]) {
      e.preventDefault();
      const [h, w] = m.inputShape;
      const p = this.settings().patch;
      this.moveOccluder({ y: clampInt(cur.y + moves[e.key][0], 0, h - p), x: clampInt(cur.x + moves[e.key][1], 0, w - p) });
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      void this.selectPosition(cur);
    } else if (e.key === 'Escape') {
      this.occluder = this.occluderPos = undefined;
    }
  }

  /** Moves the single occluder and updates the class probability live (one forward pass per frame). */
  private moveOccluder(pos: { y: number; x: number }): void {
    this.occluderPos = pos;
    this.occluderQueued = pos;
    if (this.occluderBusy) return;
    this.occluderBusy = true;
    const loop = async () => {
      try {
        while (this.occluderQueued) {
          const at = this.occluderQueued;
          this.occluderQueued = undefined;
          const p = await this.probabilityWithPatch(at);
          this.occluder = { ...at, p };
          await new Promise((r) => requestAnimationFrame(r));
        }
      } finally {
        this.occluderBusy = false;
      }
    };
    void loop();
  }

  /** One occluded copy: P(class | x with the patch at pos). */
  private async probabilityWithPatch(pos: { y: number; x: number }): Promise<number> {
    const rows = await this.occludedProbabilities(pos);
    return rows[this.classIndex];
  }

  private occludedImage(pos: { y: number; x: number }): Tensor4D {
    const { patch } = this.settings();
    const { fill, dispose } = this.fillFor(this.x!, patch);
    try {
      return occludedCopies(this.x!, [pos], patch, fill);
    } finally {
      dispose?.dispose();
    }
  }

  private async occludedProbabilities(pos: { y: number; x: number }): Promise<number[]> {
    const img = this.occludedImage(pos);
    try {
      const [p] = await probabilityRows(await this.probabilityFn(this.loaded!)(img), 1);
      return p;
    } finally {
      img.dispose();
    }
  }

  /** Shows the occluded input of the map cell under a pixel, with its top predictions. */
  private async selectCellAt(px: { y: number; x: number }): Promise<void> {
    const m = this.loaded;
    const r = this.result;
    if (!m || !r) return;
    const near = (list: number[], v: number) => list.reduce((best, p, i) => (Math.abs(p + r.patch / 2 - v) < Math.abs(list[best] + r.patch / 2 - v) ? i : best), 0);
    await this.selectCell(near(r.ys, px.y), near(r.xs, px.x));
  }

  /** Selects map cell (row, col): its occluded input and top predictions appear beside the map. */
  async selectCell(row: number, col: number): Promise<void> {
    const r = this.result;
    if (!r) return;
    await this.selectPosition({ y: r.ys[row], x: r.xs[col] });
  }

  /** Shows the input with the patch's top-left corner at pos, and its top predictions. */
  private async selectPosition(pos: { y: number; x: number }): Promise<void> {
    const x = this.x;
    if (!x) return;
    const probs = await this.occludedProbabilities(pos);
    if (this.x !== x) return;
    this.selectedTensor?.dispose();
    this.selectedTensor = this.occludedImage(pos);
    this.selected = { ...pos, probs };
  }

  private clearSelection(): void {
    this.selected = undefined;
    this.selectedTensor?.dispose();
    this.selectedTensor = undefined;
    this.occluder = this.occluderPos = undefined;
  }

  protected override render() {
    const m = this.loaded;
    return html`
      ${this.source.renderStatus()}
      ${m ? this.renderBody(m) : nothing}
    `;
  }

  private renderBody(m: LoadedModel) {
    const labels = m.meta.labels;
    const k = this.classIndex;
    const r = this.result;
    const size = this.settings();
    const [h, w] = m.inputShape;
    const rows = occlusionPositions(h, size.patch, size.stride).length;
    const cols = occlusionPositions(w, size.patch, size.stride).length;
    return html`
      <div class="layout">
        <figure class="main">
          <figcaption>
            P(<strong>${labels[k]}</strong> | image with a ${size.patch}×${size.patch} patch hidden), at each of ${rows}×${cols} positions
            ${this.isBlackBox ? html`<span class="badge" title="Only class probabilities are used: no gradients, no weights.">black box</span>` : nothing}
          </figcaption>
          <canvas
            class="map"
            part="image"
            tabindex="0"
            role="img"
            aria-label=${r
              ? `Occlusion map for class ${labels[k]}: the probability falls most, to ${(r.probabilities[r.mostSensitive.row * r.cols + r.mostSensitive.col] * 100).toFixed(1)}%, when the patch covers rows ${r.mostSensitive.y} to ${r.mostSensitive.y + r.patch - 1} and columns ${r.mostSensitive.x} to ${r.mostSensitive.x + r.patch - 1}. Arrow keys move a single occluder; Enter shows that occluded image.`
              : 'The input image; the occlusion map is being computed.'}
            @pointerdown=${this.onPointerDown}
            @pointermove=${this.onPointerMove}
            @pointerup=${this.onPointerUp}
            @keydown=${this.onKey}
          ></canvas>
          <div class="legend" part="legend">
            <span class="legend-lo">${(this.legendRange()[0] * 100).toFixed(this.stretched ? 1 : 0)}%</span><span class="bar" style="background: ${colormapGradient('viridis')}"></span><span class="legend-hi">${(this.legendRange()[1] * 100).toFixed(this.stretched ? 1 : 0)}%</span>
          </div>
          <p class="legend-note">
            ${this.stretched
              ? html`<strong>Stretched scale:</strong> the colours span only this map's range, so small differences look large.`
              : html`Colour = P(${labels[k]}) with the patch there, on a fixed 0-100% scale: dark where hiding the patch lowers it.`}
          </p>
          <p class="readout" aria-live="polite">
            ${r
              ? html`Unoccluded: ${(r.baseline * 100).toFixed(1)}%. Lowest ${(r.min * 100).toFixed(1)}% (patch at row ${r.mostSensitive.y}, column ${r.mostSensitive.x}); highest ${(r.max * 100).toFixed(1)}%.`
              : nothing}
            ${this.occluder ? html`<br />Occluder at (${this.occluder.y}, ${this.occluder.x}): <strong>${(this.occluder.p * 100).toFixed(1)}%</strong>` : nothing}
          </p>
          <p class="hint">Drag on the image to move a single occluder; release or press Enter to see that occluded input.</p>
        </figure>
        ${this.selected
          ? html`<figure class="detail">
              <figcaption>Occluded input, patch at row ${this.selected.y}, column ${this.selected.x}</figcaption>
              <convlab-tensor-canvas class="detail" .tensor=${this.selectedTensor} colormap="grey" .range=${[0, 1]} label="The occluded input image"></convlab-tensor-canvas>
              <convlab-prob-bars heading="Prediction" .labels=${labels} .probabilities=${this.selected.probs} top="3" .highlight=${k}></convlab-prob-bars>
            </figure>`
          : this.clean
            ? html`<figure class="detail">
                <convlab-prob-bars heading="Prediction without occlusion" .labels=${labels} .probabilities=${this.clean} top="3" .highlight=${k}></convlab-prob-bars>
              </figure>`
            : nothing}
      </div>
      ${this.renderControls(m)}
    `;
  }

  private renderControls(m: LoadedModel) {
    const [h, w] = m.inputShape;
    const side = Math.min(h, w);
    return html`<div class="controls" part="controls">
      ${this.shown('patch')
        ? html`<convlab-slider label="Patch size (px)" min="1" max=${side} step="1" digits="0" .value=${this.settings().patch} @change=${(e: CustomEvent<{ value: number }>) => (this.patch = e.detail.value)}></convlab-slider>`
        : nothing}
      ${this.shown('stride')
        ? html`<convlab-slider label="Stride (px)" min="1" max=${Math.max(1, Math.floor(side / 2))} step="1" digits="0" .value=${this.settings().stride} @change=${(e: CustomEvent<{ value: number }>) => (this.stride = e.detail.value)}></convlab-slider>`
        : nothing}
      ${this.shown('fill')
        ? html`<label class="field">Fill
            <select @change=${(e: Event) => (this.fill = (e.target as HTMLSelectElement).value as OcclusionFillName)}>
              ${(['grey', 'black', 'mean', 'blurred'] as const).map((f) => html`<option value=${f} ?selected=${f === this.fill}>${f === 'mean' ? 'image mean' : f}</option>`)}
            </select></label>`
        : nothing}
      ${this.shown('class')
        ? html`<label class="field">Class
            <select @change=${(e: Event) => (this.targetClass = (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${this.targetClass === ''}>the predicted class</option>
              ${m.meta.labels.map((l, i) => html`<option value=${i} ?selected=${String(i) === String(this.targetClass)}>${l}</option>`)}
            </select></label>`
        : nothing}
      ${this.shown('scale')
        ? html`<label class="check"><input type="checkbox" .checked=${this.stretched} @change=${(e: Event) => (this.scale = (e.target as HTMLInputElement).checked ? 'stretched' : 'absolute')} /> Stretch the colour scale to this map</label>`
        : nothing}
      ${this.shown('mode')
        ? html`<label class="check"><input type="checkbox" .checked=${this.isBlackBox} ?disabled=${!!this.probabilities} @change=${(e: Event) => (this.blackBox = (e.target as HTMLInputElement).checked)} /> Black box: probabilities only</label>`
        : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
