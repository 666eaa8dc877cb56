import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import {
  ready,
  tf,
  detect,
  filterProposals,
  anchorGrid,
  cellAnchors,
  labelAnchors,
  detectorLosses,
  colormapGradient,
  type DetectorParts,
  type DetectResult,
  type DetectorLosses,
  type ProposalSet,
  type Tensor3D,
  type BackendInfo,
} from '@convlab/tensor';
import { loadShapesDetector } from '@convlab/models/detector.js';
import { scene as makeScene, type Scene } from '@convlab/scenes';
import { ConvLabElement, SettingsNotices, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, sceneRowFor, readSceneImage, readUpload, clientToCell, controlShown } from '@convlab/kit';
import '@convlab/kit/define.js';
import { anchorViewerStyles } from './anchor-viewer.styles.js';
import { paintView, LABEL_COLOURS, CLASS_LINE, type View } from './draw.js';
import { anchorTable, lossTable, fmt, type CellAnchor } from './panels.js';

export const ANCHOR_VIEWS = ['anchors', 'objectness', 'proposals', 'detections', 'losses'] as const;
export type AnchorView = (typeof ANCHOR_VIEWS)[number];
export const ANCHOR_CONTROLS = ['scene', 'view', 'iou', 'nms', 'score', 'truth'] as const;

export interface SceneChangeDetail {
  /** The scene's seed, or null for a reader's own image. */
  seed: number | null;
  origin: 'scene' | 'src' | 'file';
  width: number;
  height: number;
  /** Ground-truth objects (0 for an image without ground truth). */
  objects: number;
}

export interface DetectionsChangeDetail {
  /** Detections at or above the score threshold, by decreasing score. */
  detections: { className: string; label: number; score: number; box: [number, number, number, number] }[];
  scoreThreshold: number;
  /** Proposals after NMS that the head classified. */
  proposals: number;
}

const VIEW_LABEL: Record<AnchorView, string> = { anchors: 'Anchors', objectness: 'Objectness', proposals: 'Proposals', detections: 'Detections', losses: 'Losses' };

let bundled: Promise<DetectorParts> | undefined;
/** The bundled detector, loaded once per page (a failed load is retried next time). */
function bundledDetector(): Promise<DetectorParts> {
  bundled ??= loadShapesDetector().catch((e) => {
    bundled = undefined;
    throw e;
  });
  return bundled;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Faster R-CNN's region proposal network on a detector that runs in the page (a mini Mask R-CNN
 * trained on generated scenes of circles, squares and triangles): the feature-map grid and each
 * cell's anchors labelled against the ground truth, the objectness per anchor shape, proposals
 * before and after NMS, the final detections, and the four training losses for this scene.
 *
 * @summary Anchors, RPN objectness, proposals and NMS, detections and the four losses of a live Faster R-CNN.
 * @tagname anchor-viewer
 * @fires {CustomEvent<SceneChangeDetail>} scene-change - A new scene or image is shown: `{seed, origin, width, height, objects}`.
 * @fires {CustomEvent<DetectionsChangeDetail>} detections-change - The detections above the score threshold changed (after each run and each threshold change): `{detections, scoreThreshold, proposals}`.
 * @csspart image - The image canvas with the overlay of the current view.
 * @csspart controls - The controls.
 * @csspart side - The panel beside the image (anchor table, counts, losses).
 * @cssprop --convlab-canvas-size - Largest display size of the image (default 480px).
 */
export class AnchorViewer extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, anchorViewerStyles];

  /** Seed of the generated scene (a whole number >= 0; otherwise 0 or rounded, with a notice). */
  @property({ type: Number, reflect: true }) seed = 7;

  /** URL of an image to show instead of a generated scene (resized to 128×128; no ground truth). */
  @property() src = '';

  /** Anchor sizes in pixels for the anchors view, comma-separated (default the detector's: 16,32,64). */
  @property() sizes = '16,32,64';

  /** Anchor aspect ratios h / w for the anchors view, comma-separated (default 0.5,1,2; empty: the default, with a notice). */
  @property() ratios = '0.5,1,2';

  /** IoU at or above which an anchor is positive, 0..1 (outside: clamped, with a notice). */
  @property({ type: Number, attribute: 'fg-iou', reflect: true }) fgIou = 0.7;

  /** IoU below which an anchor is negative, 0..fg-iou (outside: clamped, with a notice). */
  @property({ type: Number, attribute: 'bg-iou', reflect: true }) bgIou = 0.3;

  /** The RPN's NMS threshold: a proposal is dropped when its IoU with a better one is above it, 0..1. */
  @property({ type: Number, attribute: 'nms-iou', reflect: true }) nmsIou = 0.7;

  /** Proposals kept after NMS (1..500). */
  @property({ type: Number, attribute: 'top-n', reflect: true }) topN = 100;

  /** Class score a detection needs to be shown, 0..1. */
  @property({ type: Number, attribute: 'score-threshold', reflect: true }) scoreThreshold = 0.5;

  /** The view: anchors, objectness, proposals, detections or losses (another word: anchors, with a notice). */
  @property({ reflect: true }) view: AnchorView = 'anchors';

  /** Which controls show: comma-separated from scene, view, iou, nms, score, truth; or 'all' / 'none'. */
  @property() controls = 'all';

  /** The bundled detector every <anchor-viewer> on the page shares (loaded on first use). */
  static detector(): Promise<DetectorParts> {
    return bundledDetector();
  }

  private readonly settings = new SettingsNotices(this);

  @state() private status: 'loading' | 'running' | 'ready' | 'error' = 'loading';
  @state() private message = 'Loading the detector…';
  @state() private uploadError = '';
  @state() private result?: DetectResult;
  @state() private filtered?: { beforeNms: ProposalSet; proposals: ProposalSet };
  @state() private labels?: { labels: ArrayLike<number>; iou: ArrayLike<number>; anchors: ArrayLike<number> };
  @state() private losses?: DetectorLosses;
  @state() private cell = { row: 6, col: 6 };
  @state() private shape = -1;
  @state() private showTruth = true;
  /** Run the mask head too (detections view checkbox). */
  @state() private showMasks = false;
  /** The cell stays where the reader clicked or moved it with the keys (the pointer no longer moves it). */
  @state() private pinned = false;
  /** Set for the first labelling of a new image (which picks the starting cell). */
  private freshImage = false;

  @query('canvas.image') private canvas?: HTMLCanvasElement;

  private parts?: DetectorParts;
  private backend?: BackendInfo;
  private image?: Tensor3D;
  private rgba?: Uint8ClampedArray;
  private scn?: Scene;
  private origin: SceneChangeDetail['origin'] = 'scene';
  private obj?: Float32Array;
  private reg?: Float32Array;
  /** The detector's own anchors, 4 numbers each. */
  private anchors?: Float32Array;
  private run = 0;
  /** The seed or src the shown image came from. */
  private loadedKey?: string;
  private get inputKey(): string {
    return this.src ? `src:${this.src}` : `seed:${this.seed}`;
  }
  private used = { sizes: [16, 32, 64], ratios: [0.5, 1, 2], fg: 0.7, bg: 0.3, nms: 0.7, topN: 100, score: 0.5 };

  /** The last detect() result's detections above the score threshold. */
  get detections(): DetectionsChangeDetail['detections'] {
    return (this.result?.detections ?? []).filter((d) => d.score >= this.used.score).map((d) => ({ className: d.className, label: d.label, score: d.score, box: d.box }));
  }

  /** Resolves when the current scene's detections and losses are computed. */
  get computed(): Promise<void> {
    return this.pending ?? Promise.resolve();
  }
  private pending?: Promise<void>;

  private shown(c: (typeof ANCHOR_CONTROLS)[number]): boolean {
    return controlShown(this.controls, c);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.image) this.pending = this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.run++;
    this.result?.dispose();
    this.image?.dispose();
    this.result = this.image = undefined;
  }

  protected override firstUpdated(): void {
    this.pending = this.start();
  }

  private async start(): Promise<void> {
    try {
      this.status = 'loading';
      this.message = 'Loading the detector…';
      this.backend = await ready();
      this.parts = await bundledDetector();
      if (!this.isConnected) return;
      await this.loadInput();
    } catch (e) {
      this.fail(e, 'The detector could not be loaded');
    }
  }

  private fail(e: unknown, what: string): void {
    this.status = 'error';
    this.message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const s = this.settings;
    if (changed.has('seed')) this.seed = s.number('seed', { min: 0, max: 2 ** 31 - 1, default: 7, integer: true });
    if (changed.has('view')) this.view = s.choice('view', ANCHOR_VIEWS, 'anchors');
    if (changed.has('fgIou') || changed.has('bgIou')) {
      const fg = (this.fgIou = s.number('fgIou', { min: 0, max: 1, default: 0.7 }));
      let bg = (this.bgIou = s.number('bgIou', { min: 0, max: 1, default: 0.3 }));
      if (bg > fg) {
        s.set('bgOrder', `bg-iou=${bg} is above fg-iou=${fg}: using ${fg} (no anchor is ignored).`);
        bg = fg;
      } else s.set('bgOrder');
      this.used.fg = fg;
      this.used.bg = bg;
    }
    if (changed.has('nmsIou')) this.used.nms = this.nmsIou = s.number('nmsIou', { min: 0, max: 1, default: 0.7 });
    if (changed.has('topN')) this.used.topN = this.topN = s.number('topN', { min: 1, max: 500, default: 100, integer: true });
    if (changed.has('scoreThreshold')) this.used.score = this.scoreThreshold = s.number('scoreThreshold', { min: 0, max: 1, default: 0.5 });
    if (changed.has('sizes')) this.used.sizes = this.list('sizes', this.sizes, [16, 32, 64], 1, 512);
    if (changed.has('ratios')) this.used.ratios = this.list('ratios', this.ratios, [0.5, 1, 2], 0.05, 20);
    if ((changed.has('sizes') || changed.has('ratios')) && this.parts) this.noteAnchorShapes();
    // The re-filter is part of this update, so the same frame paints it.
    if ((changed.has('nmsIou') || changed.has('topN')) && this.result) this.refilter();
  }

  /** A comma-separated list of positive numbers in [min, max]; bad entries dropped, an empty list the default, each with a notice. */
  private list(prop: string, raw: string, fallback: number[], min: number, max: number): number[] {
    const attr = this.settings.attributeOf(prop);
    const parts = String(raw ?? '').split(/[\s,]+/).filter((t) => t !== '');
    const good = parts.map(Number).filter((n) => Number.isFinite(n) && n >= min && n <= max);
    if (!good.length) {
      this.settings.set(prop, `${attr}="${raw ?? ''}" has no number between ${min} and ${max}: using ${fallback.join(', ')}.`);
      return fallback;
    }
    const bad = parts.filter((t) => !(Number(t) >= min && Number(t) <= max));
    this.settings.set(prop, bad.length ? `${attr}: ${bad.map((b) => `"${b}"`).join(', ')} ignored (each must be a number from ${min} to ${max}): using ${good.join(', ')}.` : undefined);
    return good;
  }

  /** Says when the anchors view's shapes are not the ones the RPN was trained with. */
  private noteAnchorShapes(): void {
    const c = this.parts!.config;
    const same = c.anchorSizes.join() === this.used.sizes.join() && c.anchorRatios.join() === this.used.ratios.join();
    this.settings.set(
      'anchorShapes',
      same ? undefined : `The anchors view uses sizes ${this.used.sizes.join(', ')} and ratios ${this.used.ratios.join(', ')}; the detector was trained with sizes ${c.anchorSizes.join(', ')} and ratios ${c.anchorRatios.join(', ')}, which the other views use.`,
    );
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.parts || this.loadedKey === undefined) return;
    if (this.inputKey !== this.loadedKey) {
      this.pending = this.loadInput();
      return;
    }
    if (this.result) {
      if (['sizes', 'ratios', 'fgIou', 'bgIou'].some((k) => changed.has(k as keyof AnchorViewer))) this.pending = this.relabel();
      else if (changed.has('view') && this.view === 'losses' && !this.losses) this.pending = this.relabel();
      if (changed.has('scoreThreshold') && changed.get('scoreThreshold' as keyof AnchorViewer) !== undefined) this.emitDetections();
    }
    this.paint();
  }

  /** Reads the scene (or `src`), then runs the detector. */
  private async loadInput(): Promise<void> {
    const run = ++this.run;
    this.loadedKey = this.inputKey;
    this.status = 'running';
    this.message = 'Running the detector…';
    try {
      const s = this.src ? undefined : makeScene(this.seed);
      const { image, rgba } = await readSceneImage(s ?? this.src);
      if (run !== this.run) {
        // A newer input started while this one was read: it must not replace that one's scene.
        image.dispose();
        return;
      }
      this.scn = s;
      this.origin = s ? 'scene' : 'src';
      await this.setImage(image, rgba, run);
    } catch (e) {
      if (run !== this.run) return;
      this.fail(e, this.src ? `The image ${this.src} could not be loaded` : 'The scene could not be made');
    }
  }

  /** Reads a file the reader chose; a file that is not an image leaves the current one, with a message under the button. */
  private async onFile(file: File | undefined): Promise<void> {
    if (!file) return;
    this.uploadError = '';
    const r = await readUpload(file);
    if ('error' in r) {
      this.uploadError = r.error;
      return;
    }
    const run = ++this.run;
    this.scn = undefined;
    this.origin = 'file';
    try {
      this.pending = this.setImage(r.image, r.rgba, run);
      await this.pending;
    } catch (e) {
      if (run === this.run) this.uploadError = `${file.name} could not be read (${e instanceof Error ? e.message : e}): the previous image stays.`;
    }
  }

  /** Runs the detector on a new image and keeps everything the views repaint from. */
  private async setImage(image: Tensor3D, rgba: Uint8ClampedArray, run: number, announce = true): Promise<void> {
    let r: DetectResult | undefined;
    try {
      // Masks only when asked for: the mask head's RoI Align costs several times the rest (bench).
      r = await detect(this.parts!, image, { rpnNmsThreshold: this.used.nms, postNmsTopN: this.used.topN, scoreThreshold: 0.05, masks: this.showMasks });
      const [obj, reg, anchors] = await Promise.all([r.objectness.data(), r.regressed.data(), r.anchors.data()]);
      if (run !== this.run || !this.isConnected) {
        r.dispose();
        image.dispose();
        return;
      }
      this.result?.dispose();
      this.image?.dispose();
      this.image = image;
      this.rgba = rgba;
      this.result = r;
      this.obj = obj as Float32Array;
      this.reg = reg as Float32Array;
      this.anchors = anchors as Float32Array;
      this.filtered = { beforeNms: r.beforeNms, proposals: r.proposals };
      this.uploadError = '';
      if (announce) this.emit<SceneChangeDetail>('scene-change', { seed: this.origin === 'scene' ? this.seed : null, origin: this.origin, width: image.shape[1], height: image.shape[0], objects: this.scn?.objects.length ?? 0 });
      this.freshImage = announce;
      await this.relabel();
      if (run !== this.run) return;
      this.status = 'ready';
      this.message = '';
      this.emitDetections();
    } catch (e) {
      r?.dispose();
      image.dispose();
      if (run === this.run) this.fail(e, 'The detector failed on this image');
    }
  }

  private emitDetections(): void {
    this.emit<DetectionsChangeDetail>('detections-change', { detections: this.detections, scoreThreshold: this.used.score, proposals: this.result?.proposals.boxes.length ?? 0 });
  }

  /** Labels the anchors view's anchors and recomputes the losses at the current IoU thresholds. */
  private async relabel(): Promise<void> {
    const r = this.result;
    if (!r) return;
    const gt = this.scn ? { boxes: this.scn.objects.map((o) => [...o.box]), labels: this.scn.objects.map((o) => o.label) } : undefined;
    const grid = anchorGrid({ sizes: this.used.sizes, ratios: this.used.ratios, stride: r.stride, featureSize: r.featureSize });
    try {
      const anchors = (await grid.data()) as Float32Array;
      let labels: Int32Array<ArrayBufferLike> = new Int32Array(anchors.length / 4).fill(-2);
      let iou: Float32Array<ArrayBufferLike> = new Float32Array(anchors.length / 4).fill(NaN);
      if (gt) {
        const out = tf.tidy(() => labelAnchors(grid, tf.tensor2d(gt.boxes, [gt.boxes.length, 4]), { fg: this.used.fg, bg: this.used.bg }));
        try {
          [labels, iou] = (await Promise.all([out.labels.data(), out.maxIou.data()])) as [Int32Array, Float32Array];
        } finally {
          tf.dispose([out.labels, out.matches, out.maxIou]);
        }
      }
      // The losses (a second pass of the box head over 64 sampled RoIs) only for the losses view.
      const losses = gt && this.view === 'losses' ? await detectorLosses(this.parts!, r, gt, { fgIou: this.used.fg, bgIou: this.used.bg, seed: this.seed }) : undefined;
      if (r !== this.result) return;
      // A new image: start on the cell of the anchor that overlaps an object most (its anchors show
      // positives), unless the reader chose a cell.
      if (this.freshImage && !this.pinned && gt) {
        let best = 0;
        for (let i = 1; i < iou.length; i++) if (iou[i] > iou[best]) best = i;
        const cell = Math.floor(best / (this.used.sizes.length * this.used.ratios.length));
        this.cell = { row: Math.floor(cell / r.featureSize[1]), col: cell % r.featureSize[1] };
      }
      this.freshImage = false;
      this.labels = { labels, iou, anchors };
      this.losses = losses;
    } finally {
      grid.dispose();
    }
  }

  /** NMS and top-N again on the kept objectness and boxes: no network. */
  private refilter(): void {
    const r = this.result;
    if (!r || !this.obj || !this.reg) return;
    const c = this.parts!.config.rpn;
    this.filtered = filterProposals(this.obj, this.reg, { preNmsTopN: c.preNmsTopN, postNmsTopN: this.used.topN, nmsThreshold: this.used.nms, minSize: c.minSize, scoreThreshold: c.scoreThreshold });
  }

  /** A new generated scene (the next seed). */
  newScene(): void {
    this.src = '';
    this.seed = (this.seed + 1) % 2 ** 31;
  }

  private get viewBox(): View {
    return { scale: 3, pad: 16 };
  }

  private paint(): void {
    const canvas = this.canvas;
    const r = this.result;
    if (!canvas || !r || !this.rgba || !this.obj || !this.anchors || !this.filtered) return;
    paintView(canvas, this.viewBox, {
      view: this.view,
      rgba: this.rgba,
      imageSize: r.imageSize,
      featureSize: r.featureSize,
      stride: r.stride,
      anchorsPerCell: r.anchorsPerCell,
      truth: this.showTruth && this.scn ? this.scn.objects.map((o) => o.box) : [],
      cell: this.cell,
      cellAnchors: this.cellAnchors(),
      objectness: this.obj,
      shape: this.shape,
      filtered: this.filtered,
      detections: r.detections.filter((d) => d.score >= this.used.score),
      losses: this.losses,
      anchors: this.anchors,
    });
  }

  /** The selected cell's anchors (anchors view shapes), with label, IoU and, for the trained shapes, objectness. */
  private cellAnchors(): CellAnchor[] {
    const r = this.result;
    const L = this.labels;
    if (!r || !L) return [];
    const [, fw] = r.featureSize;
    const [sy, sx] = r.stride;
    const base = cellAnchors(this.used.sizes, this.used.ratios);
    const A = base.length;
    const cellIndex = this.cell.row * fw + this.cell.col;
    const c = this.parts!.config;
    const trained = c.anchorSizes.join() === this.used.sizes.join() && c.anchorRatios.join() === this.used.ratios.join();
    return base.map((b, k) => {
      const i = cellIndex * A + k;
      const lab = L.labels[i];
      const label: CellAnchor['label'] = lab === 1 ? 'positive' : lab === 0 ? 'negative' : lab === -1 ? 'ignored' : 'none';
      return {
        box: [b[0] + this.cell.col * sx, b[1] + this.cell.row * sy, b[2] + this.cell.col * sx, b[3] + this.cell.row * sy],
        ratio: this.used.ratios[Math.floor(k / this.used.sizes.length)],
        size: this.used.sizes[k % this.used.sizes.length],
        label,
        colour: LABEL_COLOURS[label],
        iou: L.iou[i],
        objectness: trained && this.obj ? sigmoid(this.obj[i]) : undefined,
      };
    });
  }

  private pickCell(e: PointerEvent, pin: boolean): void {
    const r = this.result;
    if (!r || !this.canvas || this.view !== 'anchors') return;
    if (!pin && this.pinned) return;
    const v = this.viewBox;
    const [H, W] = r.imageSize;
    const rect = this.canvas.getBoundingClientRect();
    const k = rect.width / ((W + 2 * v.pad) * v.scale);
    const inner = { left: rect.left + v.pad * v.scale * k, top: rect.top + v.pad * v.scale * k, width: W * v.scale * k, height: H * v.scale * k, right: 0, bottom: 0 };
    inner.right = inner.left + inner.width;
    inner.bottom = inner.top + inner.height;
    const hit = clientToCell(inner, e.clientX, e.clientY, r.featureSize[0], r.featureSize[1]);
    if (!hit) return;
    if (pin) this.pinned = !(this.pinned && hit.row === this.cell.row && hit.col === this.cell.col);
    this.cell = { row: hit.row, col: hit.col };
  }

  private onKey(e: KeyboardEvent): void {
    const r = this.result;
    if (!r || this.view !== 'anchors') return;
    const [fh, fw] = r.featureSize;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    this.pinned = true;
    this.cell = { row: Math.min(fh - 1, Math.max(0, this.cell.row + m[0])), col: Math.min(fw - 1, Math.max(0, this.cell.col + m[1])) };
  }

  protected override render() {
    return html`
      <convlab-status
        state=${this.status}
        message=${this.message}
        ?retryable=${this.status === 'error'}
        retry-label=${this.src ? 'Load the image again' : 'Load the detector again'}
        .backend=${this.backend}
        @retry=${() => (this.pending = this.start())}
      ></convlab-status>
      ${this.settings.render()}
      ${this.result ? this.renderBody(this.result) : nothing}
    `;
  }

  private renderBody(r: DetectResult) {
    return html`
      ${this.shown('view')
        ? html`<div class="views" role="group" aria-label="View">
            ${ANCHOR_VIEWS.map((v) => html`<button type="button" aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => (this.view = v)}>${VIEW_LABEL[v]}</button>`)}
          </div>`
        : nothing}
      <div class="layout">
        <figure class="main">
          <canvas
            class="image"
            part="image"
            tabindex="0"
            role="img"
            aria-label=${this.canvasLabel(r)}
            @pointermove=${(e: PointerEvent) => this.pickCell(e, false)}
            @pointerdown=${(e: PointerEvent) => this.pickCell(e, true)}
            @keydown=${this.onKey}
          ></canvas>
          <figcaption>${this.caption(r)}</figcaption>
        </figure>
        <div class="side" part="side">${this.renderSide(r)}</div>
      </div>
      ${this.renderControls()}
    `;
  }

  private canvasLabel(r: DetectResult): string {
    const n = this.scn?.objects.length ?? 0;
    const base = `A ${r.imageSize[1]} by ${r.imageSize[0]} image${n ? ` with ${n} objects` : ''}`;
    if (this.view === 'anchors') return `${base} and the ${r.featureSize[0]} by ${r.featureSize[1]} feature-map grid; cell row ${this.cell.row + 1}, column ${this.cell.col + 1} selected. Arrow keys move the cell.`;
    return `${base}: ${this.view} view.`;
  }

  private caption(r: DetectResult) {
    const [fh, fw] = r.featureSize;
    switch (this.view) {
      case 'anchors':
        return html`Feature map ${fh}×${fw} (stride ${r.stride[0]} px). Point at a cell (or focus the image and use the arrow keys; click pins it) to see its
          ${this.used.sizes.length * this.used.ratios.length} anchors, centred on the cell's corner.${this.pinned ? ' Pinned: click the cell again to follow the pointer.' : ''} ${this.scn ? nothing : html`<strong>No ground truth for this image: anchors are not labelled.</strong>`}`;
      case 'objectness':
        return html`Objectness σ(logit) per cell for ${this.shape < 0 ? 'the best of the anchor shapes' : 'one anchor shape'}:
          <span class="legend"><span>0</span><span class="bar" style="background: ${colormapGradient('viridis')}"></span><span>1</span></span>`;
      case 'proposals':
        return html`Regressed anchors: <span class="swatch" style="--c: #ffd54f"></span> the top ${this.parts!.config.rpn.preNmsTopN} by objectness before NMS,
          <span class="swatch" style="--c: #00e5ff"></span> proposals after NMS, as opaque as their objectness.`;
      case 'detections':
        return html`The head's classes and refined boxes${this.showMasks ? ' with masks' : ''}, score ≥ ${Math.round(this.used.score * 100)}%. ${this.showTruth && this.scn ? html`Dashed white: ground truth.` : nothing}`;
      case 'losses':
        return this.scn
          ? !this.losses
            ? html`Computing the losses…`
            : html`Sampled anchors: <span class="swatch" style="--c: ${LABEL_COLOURS.positive}"></span> positive,
              <span class="swatch" style="--c: ${LABEL_COLOURS.negative}"></span> negative (dots); dashed: positive sampled RoIs.`
          : html`<strong>The losses need ground truth: choose a generated scene.</strong>`;
    }
  }

  private renderSide(r: DetectResult) {
    switch (this.view) {
      case 'anchors':
        return anchorTable(this.cellAnchors(), this.cell, this.used.fg, this.used.bg);
      case 'objectness': {
        const c = this.parts!.config;
        return html`<label class="field">Anchor shape
          <select @change=${(e: Event) => (this.shape = Number((e.target as HTMLSelectElement).value))}>
            <option value="-1" ?selected=${this.shape < 0}>best of all ${r.anchorsPerCell}</option>
            ${c.anchorRatios.flatMap((ra, i) => c.anchorSizes.map((s, j) => html`<option value=${i * c.anchorSizes.length + j} ?selected=${this.shape === i * c.anchorSizes.length + j}>ratio ${ra}, size ${s}</option>`))}
          </select></label>`;
      }
      case 'proposals': {
        const f = this.filtered!;
        const n = r.featureSize[0] * r.featureSize[1] * r.anchorsPerCell;
        return html`<dl class="counts" aria-live="polite">
          <dt>Anchors</dt><dd>${n.toLocaleString('en')}</dd>
          <dt>Top by objectness (before NMS)</dt><dd>${f.beforeNms.boxes.length}</dd>
          <dt>After NMS at IoU ${fmt(this.used.nms)}, top ${this.used.topN}</dt><dd class="after">${f.proposals.boxes.length}</dd>
        </dl>`;
      }
      case 'detections': {
        const d = this.detections;
        return html`<ol class="dets" aria-live="polite">
          ${d.length ? d.map((x) => html`<li><span class="swatch" style="--c: ${CLASS_LINE[x.label]}"></span>${x.className} ${Math.round(x.score * 100)}%</li>`) : html`<li>No detection at or above ${Math.round(this.used.score * 100)}%.</li>`}
        </ol>`;
      }
      case 'losses': {
        const L = this.losses;
        if (!L) return html`<p>${this.scn ? 'Computing the losses…' : 'No ground truth: no losses.'}</p>`;
        return lossTable(L, this.seed);
      }
    }
  }

  private renderControls() {
    const slider = (label: string, prop: 'fgIou' | 'bgIou' | 'nmsIou' | 'scoreThreshold' | 'topN', min: number, max: number, step: number, value: number) =>
      html`<convlab-slider label=${label} min=${min} max=${max} step=${step} digits=${step < 1 ? 2 : 0} .value=${value} @input=${(e: CustomEvent<{ value: number }>) => ((this as unknown as Record<string, number>)[prop] = e.detail.value)} @change=${(e: CustomEvent<{ value: number }>) => this.onSliderChange(prop, e.detail.value)}></convlab-slider>`;
    const v = this.view;
    return html`<div class="controls" part="controls">
      ${this.shown('scene')
        ? sceneRowFor(this, this.uploadError, (f) => void this.onFile(f))
        : nothing}
      ${this.shown('iou') && (v === 'anchors' || v === 'losses')
        ? html`${slider('Positive at IoU ≥', 'fgIou', 0, 1, 0.05, this.used.fg)}${slider('Negative below IoU', 'bgIou', 0, 1, 0.05, this.used.bg)}`
        : nothing}
      ${this.shown('nms') && v === 'proposals' ? html`${slider('NMS IoU threshold', 'nmsIou', 0, 1, 0.05, this.used.nms)}${slider('Top-N after NMS', 'topN', 1, 500, 1, this.used.topN)}` : nothing}
      ${this.shown('score') && v === 'detections' ? slider('Score threshold', 'scoreThreshold', 0, 1, 0.05, this.used.score) : nothing}
      ${this.shown('score') && v === 'detections'
        ? html`<label class="check"><input type="checkbox" .checked=${this.showMasks} @change=${(e: Event) => this.setMasks((e.target as HTMLInputElement).checked)} /> Masks (runs the mask head)</label>`
        : nothing}
      ${this.shown('truth') && this.scn && v !== 'anchors'
        ? html`<label class="check"><input type="checkbox" .checked=${this.showTruth} @change=${(e: Event) => (this.showTruth = (e.target as HTMLInputElement).checked)} /> Show ground truth</label>`
        : nothing}
    </div>`;
  }

  /** Masks on or off: on runs the detector again with its mask head. */
  private setMasks(on: boolean): void {
    this.showMasks = on;
    if (on && this.image && this.rgba) this.pending = this.setImage(this.image.clone(), this.rgba, ++this.run, false);
  }

  /** A committed NMS / top-N change also re-runs the head on the new proposals (detections and losses follow). */
  private onSliderChange(prop: string, value: number): void {
    (this as unknown as Record<string, number>)[prop] = value;
    if ((prop === 'nmsIou' || prop === 'topN') && this.image && this.rgba) {
      const image = this.image.clone();
      this.pending = this.setImage(image, this.rgba, ++this.run, false);
    }
  }
}
