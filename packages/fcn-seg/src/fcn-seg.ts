import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  ready,
  tf,
  semanticMap,
  iouFromConfusion,
  confusionMatrix,
  fcnLayers,
  fcnRegion,
  fcnRfPath,
  multiplyAdds,
  receptiveField,
  effectiveReceptiveField,
  erfSummary,
  slidingWindowSegment,
  countRegions,
  mergedObjects,
  detect,
  type BackendInfo,
  type DetectorParts,
  type DetectedObject,
  type ErfSummary,
  type FcnLayer,
  type IouResult,
  type PixelRegion,
  type Tensor3D,
} from '@convlab/tensor';
import { loadSegmenter, type SegmenterId } from '@convlab/models/fcn.js';
import { loadShapesDetector } from '@convlab/models/detector.js';
import { scene as makeScene, type Scene } from '@convlab/scenes';
import { ConvLabElement, SettingsNotices, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, sceneRowFor, readSceneImage, readUpload, clientToCellClamped, controlShown } from '@convlab/kit';
import '@convlab/kit/define.js';
import { fcnSegStyles } from './fcn-seg.styles.js';
import { paintLabels, paintInstances, paintReceptiveField, CLASS_NAMES, CLASS_COLOURS, css, SCALE } from './draw.js';

export const FCN_VIEWS = ['semantic', 'receptive-field', 'compare', 'instance'] as const;
export type FcnView = (typeof FCN_VIEWS)[number];
export const FCN_MODELS = ['encoder-decoder', 'flat'] as const;
export type FcnModel = (typeof FCN_MODELS)[number];
export const FCN_CONTROLS = ['scene', 'view', 'model', 'layers'] as const;

const MODEL_ID: Record<FcnModel, SegmenterId> = { 'encoder-decoder': 'shapes-fcn', flat: 'shapes-fcn-flat' };
const MODEL_LABEL: Record<FcnModel, string> = { 'encoder-decoder': 'Encoder-decoder', flat: 'Flat (3×3 convs at full resolution)' };
const VIEW_LABEL: Record<FcnView, string> = { semantic: 'Semantic map', 'receptive-field': 'Receptive field', compare: 'Flat vs encoder-decoder', instance: 'Semantic vs instance' };
const SIZE: [number, number] = [128, 128];

export interface SegmentationChangeDetail {
  model: FcnModel;
  /** The scene's seed, or null for a reader's own image. */
  seed: number | null;
  origin: 'scene' | 'src' | 'file';
  /** Mean IoU and per-class IoU against the scene's ground truth (null without ground truth). */
  meanIoU: number | null;
  perClass: (number | null)[] | null;
  /** Pixels of each class in the predicted map. */
  pixels: number[];
  /** Milliseconds from the image tensor to the class map read back. */
  ms: number;
}

export interface PixelSelectDetail {
  y: number;
  x: number;
  className: string;
  /** The theoretical field (formula, exact through the skips), clipped to the image, inclusive. */
  region: PixelRegion;
  /** Width of the theoretical field by the formula (receptiveField of the longest path). */
  formulaSize: number;
}

interface ModelRun {
  labels: Int32Array;
  ms: number;
  iou: IouResult | null;
}

interface ModelInfo {
  model: tfl.LayersModel;
  layers: FcnLayer[];
  macs: number;
  rfSize: number;
  convs: number;
}

const models = new Map<FcnModel, Promise<ModelInfo>>();
/** A bundled segmenter with its layer list, loaded once per page (a failed load is retried next time). */
function modelInfo(which: FcnModel): Promise<ModelInfo> {
  let p = models.get(which);
  if (!p) {
    p = loadSegmenter(MODEL_ID[which]).then((model) => {
      const layers = fcnLayers(model);
      return { model, layers, macs: multiplyAdds(layers).total, rfSize: receptiveField(fcnRfPath(layers)).at(-1)!.size, convs: layers.filter((l) => l.kind === 'conv').length };
    });
    p.catch(() => models.delete(which));
    models.set(which, p);
  }
  return p;
}
let detector: Promise<DetectorParts> | undefined;
function bundledDetector(): Promise<DetectorParts> {
  detector ??= loadShapesDetector().catch((e) => {
    detector = undefined;
    throw e;
  });
  return detector;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(3));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en');
const ms = (v: number) => (v >= 10000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

/**
 * Fully convolutional semantic segmentation on generated scenes (or your image): the class of every
 * pixel from one forward pass, with the ground truth and per-class IoU; the receptive field of an
 * output pixel by the formula and by the gradient (effective field); the 1 + 2L rule of a stack of
 * 3×3 convolutions against an encoder-decoder with down- and upsampling; both networks measured side
 * by side, with the sliding-window strawman; and semantic vs instance segmentation.
 *
 * @summary Semantic segmentation with a fully convolutional network: receptive fields, flat vs encoder-decoder, sliding window, semantic vs instance.
 * @tagname fcn-seg
 * @fires {CustomEvent<SegmentationChangeDetail>} segmentation-change - A new class map: `{model, seed, origin, meanIoU, perClass, pixels, ms}`.
 * @fires {CustomEvent<PixelSelectDetail>} pixel-select - The reader chose an output pixel (click or arrow keys): `{y, x, className, region, formulaSize}`.
 * @csspart image - The main canvas.
 * @csspart controls - The controls.
 * @csspart side - The panel beside the image.
 * @cssprop --convlab-canvas-size - Largest display size of one canvas (default 480px).
 */
export class FcnSeg extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, fcnSegStyles];

  /** Seed of the generated scene (a whole number >= 0; otherwise 0 or rounded, with a notice). */
  @property({ type: Number, reflect: true }) seed = 9;

  /** URL of an image to segment instead of a generated scene (resized to 128×128; no ground truth). */
  @property() src = '';

  /** The network: encoder-decoder or flat (another word: encoder-decoder, with a notice). */
  @property({ reflect: true }) model: FcnModel = 'encoder-decoder';

  /** L of the stack of 3×3 convolutions drawn in the receptive-field view, 1..30 (clamped, with a notice); 10 by default, the flat network's L. */
  @property({ type: Number, reflect: true }) layers = 10;

  /** The view: semantic, receptive-field, compare or instance (another word: semantic, with a notice). */
  @property({ reflect: true }) view: FcnView = 'semantic';

  /** Which controls show: comma-separated from scene, view, model, layers; or 'all' / 'none'. */
  @property() controls = 'all';

  private readonly settings = new SettingsNotices(this);

  @state() private status: 'loading' | 'running' | 'ready' | 'error' = 'loading';
  @state() private message = 'Loading the segmenter…';
  @state() private uploadError = '';
  @state() private runs: Partial<Record<FcnModel, ModelRun>> = {};
  @state() private pixel = { y: 64, x: 64 };
  @state() private erf?: { map: Float32Array; summary: ErfSummary; ms: number; model: FcnModel; y: number; x: number };
  @state() private sliding?: { model: FcnModel; passes: number; ms: number; perPass: number; extrapolated: number; crop: [number, number, number, number]; agree: number; window: number; running: boolean };
  @state() private instances?: { dets: DetectedObject[]; ms: number };
  @state() private infoFor: Partial<Record<FcnModel, ModelInfo>> = {};

  @query('canvas.image') private canvas?: HTMLCanvasElement;

  private backend?: BackendInfo;
  private image?: Tensor3D;
  private rgba?: Uint8ClampedArray;
  private scn?: Scene;
  private origin: SegmentationChangeDetail['origin'] = 'scene';
  private run = 0;
  private erfRun = 0;
  private loadedKey?: string;
  private get inputKey(): string {
    return this.src ? `src:${this.src}` : `seed:${this.seed}`;
  }

  /** Resolves when the current image's maps (and the view's extra work) are computed. */
  get computed(): Promise<void> {
    return this.pending ?? Promise.resolve();
  }
  private pending?: Promise<void>;

  /** The current model's class map (row-major 128×128), once computed. */
  get labels(): Int32Array | undefined {
    return this.runs[this.model]?.labels;
  }

  private shown(c: (typeof FCN_CONTROLS)[number]): boolean {
    return controlShown(this.controls, c);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.image) this.pending = this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.run++;
    this.erfRun++;
    this.image?.dispose();
    this.image = undefined;
    this.loadedKey = undefined;
  }

  protected override firstUpdated(): void {
    this.pending = this.start();
  }

  private async start(): Promise<void> {
    try {
      this.status = 'loading';
      this.message = 'Loading the segmenter…';
      this.backend = await ready();
      await this.ensureModel(this.model);
      if (!this.isConnected) return;
      await this.loadInput();
    } catch (e) {
      this.fail(e, 'The segmenter could not be loaded');
    }
  }

  private async ensureModel(which: FcnModel): Promise<ModelInfo> {
    const info = await modelInfo(which);
    if (!this.infoFor[which]) this.infoFor = { ...this.infoFor, [which]: info };
    return info;
  }

  private fail(e: unknown, what: string): void {
    this.status = 'error';
    this.message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const s = this.settings;
    if (changed.has('seed')) this.seed = s.number('seed', { min: 0, max: 2 ** 31 - 1, default: 9, integer: true });
    if (changed.has('view')) this.view = s.choice('view', FCN_VIEWS, 'semantic');
    if (changed.has('model')) this.model = s.choice('model', FCN_MODELS, 'encoder-decoder');
    if (changed.has('layers')) this.layers = s.number('layers', { min: 1, max: 30, default: 10, integer: true });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.loadedKey === undefined || this.status === 'loading') return;
    if (this.inputKey !== this.loadedKey) {
      this.pending = this.loadInput();
      return;
    }
    if (this.image && (changed.has('model') || changed.has('view'))) this.pending = this.afterChange(changed.has('model'));
    this.paint();
  }

  /** What a view needs beyond the current model's map: the other model (compare), the field (receptive-field), instances. */
  private async afterChange(modelChanged: boolean): Promise<void> {
    const run = this.run;
    try {
      if (!this.runs[this.model]) await this.segment(this.model, run, true);
      else if (modelChanged) this.emitSegmentation(this.model);
      if (run !== this.run) return;
      if (this.view === 'compare') for (const m of FCN_MODELS) if (!this.runs[m]) await this.segment(m, run, false);
      if (this.view === 'receptive-field') await this.computeErf();
      if (this.view === 'instance' && !this.instances) await this.computeInstances(run);
    } catch (e) {
      if (run === this.run) this.fail(e, 'The network failed on this image');
    }
  }

  /** Reads the scene (or `src`), then segments it. */
  private async loadInput(): Promise<void> {
    const run = ++this.run;
    this.loadedKey = this.inputKey;
    this.status = 'running';
    this.message = 'Segmenting…';
    try {
      const sc = this.src ? undefined : makeScene(this.seed);
      const { image, rgba } = await readSceneImage(sc ?? this.src);
      if (run !== this.run) {
        // a newer input was asked for while this one was read: it must not replace that one
        image.dispose();
        return;
      }
      this.scn = sc;
      this.origin = sc ? 'scene' : 'src';
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
    this.pending = this.setImage(r.image, r.rgba, run);
    await this.pending;
  }

  private async setImage(image: Tensor3D, rgba: Uint8ClampedArray, run: number): Promise<void> {
    try {
      if (run !== this.run || !this.isConnected) {
        image.dispose();
        return;
      }
      this.image?.dispose();
      this.image = image;
      this.rgba = rgba;
      this.runs = {};
      this.erf = undefined;
      this.sliding = undefined;
      this.instances = undefined;
      this.uploadError = '';
      if (this.scn) this.pixel = this.startPixel(this.scn);
      await this.segment(this.model, run, true);
      if (run !== this.run) return;
      this.status = 'ready';
      this.message = '';
      await this.afterChange(false);
    } catch (e) {
      if (run === this.run) this.fail(e, 'The segmenter failed on this image');
    }
  }

  /** Starts on the centre of the largest object: where the flat network's small field shows. */
  private startPixel(s: Scene): { y: number; x: number } {
    const big = [...s.objects].sort((a, b) => b.area - a.area)[0];
    if (!big) return { y: 64, x: 64 };
    return { y: Math.floor((big.box[1] + big.box[3]) / 2), x: Math.floor((big.box[0] + big.box[2]) / 2) };
  }

  /** One forward pass of a model on the image, timed from the tensor to the class map read back; IoU against the ground truth. */
  private async segment(which: FcnModel, run: number, announce: boolean): Promise<void> {
    const info = await this.ensureModel(which);
    if (run !== this.run || !this.image) return;
    const t0 = performance.now();
    const m = semanticMap(info.model, this.image);
    const labels = (await m.data()) as Int32Array;
    const took = performance.now() - t0;
    let iou: IouResult | null = null;
    if (this.scn) {
      const cm = tf.tidy(() => confusionMatrix(tf.tensor1d(Int32Array.from(this.scn!.semantic), 'int32'), m, CLASS_NAMES.length));
      const conf = (await cm.array()) as number[][];
      cm.dispose();
      iou = iouFromConfusion(conf);
    }
    m.dispose();
    if (run !== this.run) return;
    this.runs = { ...this.runs, [which]: { labels, ms: took, iou } };
    if (announce) this.emitSegmentation(which);
  }

  private emitSegmentation(which: FcnModel): void {
    const r = this.runs[which];
    if (!r) return;
    const pixels = CLASS_NAMES.map(() => 0);
    for (const c of r.labels) pixels[c]++;
    this.emit<SegmentationChangeDetail>('segmentation-change', {
      model: which,
      seed: this.origin === 'scene' ? this.seed : null,
      origin: this.origin,
      meanIoU: r.iou ? r.iou.mean : null,
      perClass: r.iou ? r.iou.perClass.map((v) => (Number.isNaN(v) ? null : v)) : null,
      pixels,
      ms: r.ms,
    });
  }

  /** The effective receptive field of the selected pixel on the current model (latest request wins). */
  private async computeErf(): Promise<void> {
    const info = await this.ensureModel(this.model);
    if (!this.image) return;
    const token = ++this.erfRun;
    const { y, x } = this.pixel;
    const model = this.model;
    if (this.erf && this.erf.model === model && this.erf.y === y && this.erf.x === x) return;
    const t0 = performance.now();
    const { map } = effectiveReceptiveField(info.model, this.image, y, x);
    const values = (await map.data()) as Float32Array;
    map.dispose();
    const took = performance.now() - t0;
    if (token !== this.erfRun) return;
    this.erf = { map: values, summary: erfSummary(values, SIZE[0], SIZE[1]), ms: took, model, y, x };
  }

  private async computeInstances(run: number): Promise<void> {
    const parts = await bundledDetector();
    if (run !== this.run || !this.image) return;
    const t0 = performance.now();
    const r = await detect(parts, this.image, { masks: true });
    const dets = r.detections.filter((d) => d.score >= 0.5);
    r.dispose();
    if (run !== this.run) return;
    this.instances = { dets, ms: performance.now() - t0 };
  }

  /** Sliding-window segmentation of a crop around the selected pixel, one pass per pixel, timed and extrapolated to the whole image. */
  async runSlidingWindow(which: FcnModel = this.model, side = which === 'flat' ? 16 : 4): Promise<void> {
    const info = await this.ensureModel(which);
    const full = this.runs[which];
    if (!this.image || !full) return;
    const run = this.run;
    // The window: the flat net's whole field (1 + 2L), so each patch holds every pixel its centre depends on;
    // the encoder-decoder needs a side divisible by 16 and sees the whole 128 x 128 image anyway.
    const window = which === 'flat' ? info.rfSize : 128;
    const y0 = Math.min(SIZE[0] - side, Math.max(0, this.pixel.y - side / 2));
    const x0 = Math.min(SIZE[1] - side, Math.max(0, this.pixel.x - side / 2));
    const crop: [number, number, number, number] = [y0, x0, side, side];
    this.sliding = { model: which, passes: 0, ms: 0, perPass: 0, extrapolated: 0, crop, agree: 0, window, running: true };
    const t0 = performance.now();
    const r = await slidingWindowSegment(info.model, this.image, window, { region: crop, yieldEvery: 8 });
    const took = performance.now() - t0;
    if (run !== this.run) return;
    let agree = 0;
    for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) if (r.labels[i * side + j] === full.labels[(y0 + i) * SIZE[1] + x0 + j]) agree++;
    this.sliding = { model: which, passes: r.passes, ms: took, perPass: took / r.passes, extrapolated: (took / r.passes) * SIZE[0] * SIZE[1], crop, agree: agree / r.passes, window, running: false };
  }

  /** A new generated scene (the next seed). */
  newScene(): void {
    this.src = '';
    this.seed = (this.seed + 1) % 2 ** 31;
  }

  private region(which: FcnModel): { region: PixelRegion; size: number } | undefined {
    const info = this.infoFor[which];
    if (!info) return undefined;
    return { region: fcnRegion(info.layers, this.pixel.y, this.pixel.x).clipped, size: info.rfSize };
  }

  private paint(): void {
    const canvas = this.canvas;
    const rgba = this.rgba;
    if (!canvas || !rgba) return;
    const run = this.runs[this.model];
    const second = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.second');
    switch (this.view) {
      case 'semantic':
        paintLabels(canvas, rgba, run?.labels ?? null, SIZE);
        if (second) paintLabels(second, rgba, this.scn ? this.scn.semantic : null, SIZE);
        break;
      case 'receptive-field': {
        const reg = this.region(this.model);
        if (!reg) return;
        const erf = this.erf && this.erf.model === this.model && this.erf.y === this.pixel.y && this.erf.x === this.pixel.x ? this.erf.map : undefined;
        paintReceptiveField(canvas, rgba, SIZE, { pixel: this.pixel, region: reg.region, stackSide: 1 + 2 * this.layers, erf });
        break;
      }
      case 'compare':
        paintLabels(canvas, rgba, this.runs.flat?.labels ?? null, SIZE);
        if (second) paintLabels(second, rgba, this.runs['encoder-decoder']?.labels ?? null, SIZE);
        if (this.sliding) {
          const ctx = (this.sliding.model === 'flat' ? canvas : second)?.getContext('2d');
          const [y0, x0, h, w] = this.sliding.crop;
          if (ctx) {
            ctx.strokeStyle = '#ffffff';
            ctx.lineWidth = 2;
            ctx.strokeRect(x0 * SCALE, y0 * SCALE, w * SCALE, h * SCALE);
          }
        }
        break;
      case 'instance':
        paintLabels(canvas, rgba, this.runs['encoder-decoder']?.labels ?? run?.labels ?? null, SIZE);
        if (second && this.instances) paintInstances(second, rgba, SIZE, this.instances.dets);
        break;
    }
  }

  private selectPixel(y: number, x: number): void {
    this.pixel = { y, x };
    const reg = this.region(this.model);
    const labels = this.runs[this.model]?.labels;
    if (reg) this.emit<PixelSelectDetail>('pixel-select', { y, x, className: labels ? CLASS_NAMES[labels[y * SIZE[1] + x]] : 'unknown', region: reg.region, formulaSize: reg.size });
    if (this.view === 'receptive-field') this.pending = this.computeErf();
  }

  private onPointer(e: PointerEvent): void {
    if (!this.canvas || this.view !== 'receptive-field') return;
    const hit = clientToCellClamped(this.canvas.getBoundingClientRect(), e.clientX, e.clientY, SIZE[0], SIZE[1]);
    if (hit) this.selectPixel(hit.row, hit.col);
  }

  private onKey(e: KeyboardEvent): void {
    if (this.view !== 'receptive-field') return;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const step = e.shiftKey ? 8 : 1;
    this.selectPixel(Math.min(SIZE[0] - 1, Math.max(0, this.pixel.y + m[0] * step)), Math.min(SIZE[1] - 1, Math.max(0, this.pixel.x + m[1] * step)));
  }

  protected override render() {
    return html`
      <convlab-status
        state=${this.status}
        message=${this.message}
        ?retryable=${this.status === 'error'}
        retry-label=${this.src ? 'Load the image again' : 'Load the segmenter again'}
        .backend=${this.backend}
        @retry=${() => (this.pending = this.start())}
      ></convlab-status>
      ${this.settings.render()}
      ${this.rgba && this.runs[this.model] ? this.renderBody() : nothing}
    `;
  }

  private renderBody() {
    const two = this.view !== 'receptive-field';
    const [first, second] = this.captions();
    return html`
      ${this.shown('view')
        ? html`<div class="views" role="group" aria-label="View">
            ${FCN_VIEWS.map((v) => html`<button type="button" aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => (this.view = v)}>${VIEW_LABEL[v]}</button>`)}
          </div>`
        : nothing}
      <div class="layout">
        <figure class="main">
          <canvas
            class="image"
            part="image"
            tabindex=${this.view === 'receptive-field' ? '0' : '-1'}
            role="img"
            aria-label=${this.canvasLabel()}
            @pointerdown=${this.onPointer}
            @keydown=${this.onKey}
          ></canvas>
          <figcaption>${first}</figcaption>
        </figure>
        ${two
          ? html`<figure class="main">
              <canvas class="image second" role="img" aria-label=${second.label}></canvas>
              <figcaption>${second.text}</figcaption>
            </figure>`
          : nothing}
        <div class="side" part="side">${this.renderSide()}</div>
      </div>
      ${this.renderLegend()} ${this.renderControls()}
    `;
  }

  private canvasLabel(): string {
    const n = this.scn?.objects.length;
    const base = `A 128 by 128 image${n ? ` with ${n} objects` : ''}`;
    switch (this.view) {
      case 'semantic':
        return `${base}, coloured by the class the ${this.model} network gives each pixel.`;
      case 'receptive-field': {
        const r = this.region(this.model);
        return `${base}. Output pixel row ${this.pixel.y}, column ${this.pixel.x} selected${r ? `; its receptive field covers rows ${r.region.y0} to ${r.region.y1}, columns ${r.region.x0} to ${r.region.x1}` : ''}. Arrow keys move the pixel (Shift: 8 pixels).`;
      }
      case 'compare':
        return `${base}, coloured by the flat network's classes.`;
      case 'instance':
        return `${base}, coloured by the encoder-decoder's classes (semantic segmentation).`;
    }
  }

  private captions(): [unknown, { label: string; text: unknown }] {
    const none = { label: '', text: nothing };
    switch (this.view) {
      case 'semantic':
        return [
          html`Prediction of the ${this.model} network: one forward pass for all ${fmtInt(SIZE[0] * SIZE[1])} pixels.`,
          this.scn
            ? { label: 'The ground truth: the scene generator\'s class of each pixel.', text: html`Ground truth (from the scene generator).` }
            : { label: 'No ground truth for this image.', text: html`<strong>No ground truth for an uploaded image: no IoU.</strong>` },
        ];
      case 'receptive-field':
        return [
          html`Click an output pixel (or focus the image and use the arrow keys). <span class="key dashed"></span> receptive field by the formula;
            <span class="key dotted"></span> a stack of L = ${this.layers} 3×3 convs (1 + 2L = ${1 + 2 * this.layers} px); colour: effective field |∂ score / ∂ input| (square-root scale).`,
          none,
        ];
      case 'compare':
        return [html`Flat: ${this.infoFor.flat?.convs ?? '…'} 3×3 convs at full resolution.`, { label: "The encoder-decoder network's classes.", text: html`Encoder-decoder: down to 8×8 and back up, with skips.` }];
      case 'instance':
        return [
          html`Semantic: one class per pixel; touching shapes of one class merge into one region.`,
          { label: 'Instances from the shapes detector: each detection has its own box and mask.', text: html`Instances: the detector's boxes, each with its own mask (Mask R-CNN: an FCN on each RoI).` },
        ];
    }
  }

  private renderLegend() {
    return html`<ul class="legend" aria-label="Class colours">
      ${CLASS_NAMES.map((c, i) => html`<li><span class="swatch" style="--c: ${i === 0 ? 'rgb(60, 60, 60)' : css(CLASS_COLOURS[i])}"></span>${c}</li>`)}
    </ul>`;
  }

  private iouTable(r: ModelRun | undefined) {
    if (!r) return html`<p>Computing…</p>`;
    if (!r.iou) return html`<p>No ground truth: no IoU for this image.</p>`;
    return html`<table class="iou">
      <caption>IoU per class on this scene (TP / (TP + FP + FN))</caption>
      <tbody>
        ${CLASS_NAMES.map((c, i) => html`<tr><th scope="row">${c}</th><td>${Number.isNaN(r.iou!.perClass[i]) ? 'not present' : pct(r.iou!.perClass[i])}</td></tr>`)}
        <tr class="mean"><th scope="row">mean IoU</th><td>${pct(r.iou.mean)}</td></tr>
      </tbody>
    </table>`;
  }

  private renderSide() {
    const r = this.runs[this.model];
    switch (this.view) {
      case 'semantic':
        return html`<div aria-live="polite">${this.iouTable(r)}<p class="note">One forward pass: ${r ? ms(r.ms) : '…'} on ${this.backend?.name ?? 'this backend'}.</p></div>`;
      case 'receptive-field':
        return this.renderRfSide();
      case 'compare':
        return this.renderCompare();
      case 'instance':
        return this.renderInstanceSide();
    }
  }

  private renderRfSide() {
    const info = this.infoFor[this.model];
    const reg = this.region(this.model);
    const e = this.erf && this.erf.model === this.model && this.erf.y === this.pixel.y && this.erf.x === this.pixel.x ? this.erf : undefined;
    const labels = this.runs[this.model]?.labels;
    const stack = receptiveField(Array.from({ length: this.layers }, () => ({ kernel: 3, padding: 1 }))).at(-1)!.size;
    return html`<dl class="counts" aria-live="polite">
        <dt>Output pixel (row, column)</dt><dd>(${this.pixel.y}, ${this.pixel.x}): ${labels ? CLASS_NAMES[labels[this.pixel.y * SIZE[1] + this.pixel.x]] : '…'}</dd>
        <dt>Receptive field of the ${this.model} net (formula)</dt><dd>${info ? `${info.rfSize} × ${info.rfSize} px` : '…'}</dd>
        <dt>Inside the image</dt><dd>${reg ? `rows ${reg.region.y0}–${reg.region.y1}, columns ${reg.region.x0}–${reg.region.x1}` : '…'}</dd>
        <dt>Stack of L = ${this.layers} 3×3 convs: 1 + 2L</dt><dd>${stack} px</dd>
        <dt>Effective field: 95% of |gradient| within</dt><dd>${e ? `${e.summary.side} × ${e.summary.side} px` : 'computing…'}</dd>
        <dt>Effective field: RMS radius</dt><dd>${e ? `${e.summary.rms.toFixed(1)} px` : '…'}</dd>
        <dt>Gradient computed in</dt><dd>${e ? ms(e.ms) : '…'}</dd>
      </dl>
      <p class="note">The formula counts every pixel that can reach the output; the gradient shows how much each one does: a smaller, roughly Gaussian core.
        ${this.model === 'flat' ? html`In the middle of a large shape the flat net's ${info?.rfSize ?? ''} px window sees one flat colour: it cannot tell a square from a circle there.` : html`The encoder-decoder's field covers whole objects (sides up to 60 px).`}</p>`;
  }

  private renderCompare() {
    const row = (m: FcnModel) => {
      const i = this.infoFor[m];
      const r = this.runs[m];
      return html`<tr>
        <th scope="row">${m === 'flat' ? 'Flat' : 'Encoder-decoder'}</th>
        <td>${i ? `${i.rfSize} px` : '…'}</td>
        <td>${i ? `${(i.macs / 1e6).toFixed(1)} M` : '…'}</td>
        <td>${r ? ms(r.ms) : '…'}</td>
        <td>${r?.iou ? pct(r.iou.mean) : '–'}</td>
      </tr>`;
    };
    const s = this.sliding;
    return html`<table class="compare" aria-live="polite">
        <caption>Measured here, on this image (${this.backend?.name ?? ''})</caption>
        <thead><tr><th scope="col">network</th><th scope="col">receptive field</th><th scope="col">multiply-adds</th><th scope="col">time per image</th><th scope="col">mean IoU</th></tr></thead>
        <tbody>${row('flat')}${row('encoder-decoder')}</tbody>
      </table>
      <div class="sliding">
        <button type="button" ?disabled=${s?.running} @click=${() => (this.pending = this.runSlidingWindow('flat'))}>Sliding window with the flat net</button>
        <button type="button" ?disabled=${s?.running} @click=${() => (this.pending = this.runSlidingWindow('encoder-decoder'))}>Sliding window with the encoder-decoder</button>
        ${s
          ? s.running
            ? html`<p aria-live="polite">Classifying ${s.crop[2] * s.crop[3]} windows one at a time…</p>`
            : html`<p class="result" aria-live="polite">Sliding window (${s.model}): ${s.window}×${s.window} window around each pixel, one pass per pixel.
                On a ${s.crop[2]}×${s.crop[3]} crop (white box): <strong>${s.passes} passes, ${ms(s.ms)}</strong> (${ms(s.perPass)} per pass; labels agree with the one-pass map on ${(s.agree * 100).toFixed(0)}% of the crop).
                Extrapolated to all ${fmtInt(SIZE[0] * SIZE[1])} pixels: <strong>${fmtInt(SIZE[0] * SIZE[1])} passes, about ${ms(s.extrapolated)}</strong> (not run: it would take that long), against one pass of ${ms(this.runs[s.model]?.ms ?? 0)}.</p>`
          : nothing}
      </div>`;
  }

  private renderInstanceSide() {
    const inst = this.instances;
    const r = this.runs['encoder-decoder'] ?? this.runs[this.model];
    // shapes of one class that touch or overlap are one region of the true map too
    const { regions: trueRegions, merged } = this.scn ? mergedObjects(this.scn.semantic, this.scn.instances, SIZE[0], SIZE[1]) : { regions: 0, merged: 0 };
    return html`<dl class="counts" aria-live="polite">
        <dt>Objects in the scene (ground truth)</dt><dd>${this.scn ? this.scn.objects.length : '–'}</dd>
        <dt>Regions in the true semantic map</dt><dd>${this.scn ? trueRegions : '–'}</dd>
        <dt>Regions in the semantic map</dt><dd>${r ? countRegions(r.labels, SIZE[0], SIZE[1]) : '…'}</dd>
        <dt>Instances (detections ≥ 50%)</dt><dd>${inst ? inst.dets.length : 'running the detector…'}</dd>
      </dl>
      <p class="note">The semantic map says which class each pixel is, not which object: two touching squares are one square-coloured region.
        The instance view (a mini Mask R-CNN) finds each object's box, then runs a small FCN on that box alone for its mask.
        ${merged > 0 ? html`Here ${this.scn!.objects.length} objects make ${trueRegions} regions even in the true map: shapes of one class that touch or overlap merge. Look for them.` : nothing}
        Choose detection when you need to count or track objects and boxes are enough; semantic segmentation when every pixel's class matters (area, boundaries) and objects need not be told apart; instance segmentation when both.</p>`;
  }

  private renderControls() {
    return html`<div class="controls" part="controls">
      ${this.shown('scene') ? sceneRowFor(this, this.uploadError, (f) => void this.onFile(f)) : nothing}
      ${this.shown('model') && (this.view === 'semantic' || this.view === 'receptive-field')
        ? html`<div class="views" role="group" aria-label="Network">
            ${FCN_MODELS.map((m) => html`<button type="button" aria-pressed=${this.model === m ? 'true' : 'false'} @click=${() => (this.model = m)}>${MODEL_LABEL[m]}</button>`)}
          </div>`
        : nothing}
      ${this.shown('layers') && this.view === 'receptive-field'
        ? html`<convlab-slider label="L (3×3 convs in a stack)" min="1" max="30" step="1" digits="0" .value=${this.layers} @input=${(e: CustomEvent<{ value: number }>) => (this.layers = e.detail.value)}></convlab-slider>`
        : nothing}
    </div>`;
  }
}
