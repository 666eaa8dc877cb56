import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import {
  ready,
  tf,
  detect,
  selectiveSearch,
  hierarchyAt,
  classifierSpec,
  toConvolutional,
  slidingWindowDetect,
  rcnnDetect,
  fastRcnnDetect,
  roiPoolBins,
  binMaxima,
  strongestChannel,
  windowClassProbabilities,
  roiAlign,
  meanAveragePrecision,
  colormapGradient,
  type ClassifierSpec,
  type ConvolutionalClassifier,
  type DetectorParts,
  type PipelineDetection,
  type SelectiveSearchResult,
  type SlidingWindowResult,
  type Tensor3D,
  type Tensor4D,
  type BackendInfo,
} from '@convlab/tensor';
import { loadShapesDetector } from '@convlab/models/detector.js';
import { loadShapesCrops, CROP_CLASSES } from '@convlab/models/crops.js';
import { scene as makeScene, type Scene } from '@convlab/scenes';
import { ConvLabElement, SettingsNotices, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, sceneRowFor, readSceneImage, readUpload, controlShown } from '@convlab/kit';
import '@convlab/kit/define.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { detectionPipelineStyles } from './detection-pipeline.styles.js';
import { measureBatch, abortError, type MethodKey, type MethodRow } from './batch.js';
import { costTable, METHOD_LABEL, fmt } from './panels.js';
import { setupCanvas, paintImage, strokeBoxes, paintDetections, paintScoreMap, paintRegions, paintRoiView, PROPOSAL, CLASS_LINE } from './draw.js';

export const PIPELINE_STEPS = ['sliding-window', 'proposals', 'r-cnn', 'fast-r-cnn', 'faster-r-cnn'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];
export const PIPELINE_CONTROLS = ['scene', 'step', 'settings', 'table'] as const;
const STEP_LABEL: Record<PipelineStep, string> = { 'sliding-window': 'Sliding window', proposals: 'Region proposals', 'r-cnn': 'R-CNN', 'fast-r-cnn': 'Fast R-CNN', 'faster-r-cnn': 'Faster R-CNN' };

export interface StepChangeDetail {
  step: PipelineStep;
  previous: PipelineStep;
}

export type { MethodKey, MethodRow };

export interface PipelineResultDetail extends MethodRow {
  step: PipelineStep;
}

interface Models {
  crops: tfl.LayersModel;
  spec: ClassifierSpec;
  conv: ConvolutionalClassifier;
  detector: DetectorParts;
}

let shared: Promise<Models> | undefined;
/** The classifier and the detector, loaded once per page (a failed load is retried next time). */
function models(): Promise<Models> {
  shared ??= Promise.all([loadShapesCrops(), loadShapesDetector()])
    .then(([crops, detector]) => {
      const spec = classifierSpec(crops);
      return { crops, spec, conv: toConvolutional(spec), detector };
    })
    .catch((e) => {
      shared = undefined;
      throw e;
    });
  return shared;
}

const isAbort = (e: unknown) => e instanceof DOMException && e.name === 'AbortError';

/**
 * Detection as a story of cost, on one scene: a crop classifier slid over every window (one pass
 * per window, or one fully convolutional pass per window size, same scores), selective search's
 * region proposals and their grouping, R-CNN (a pass per warped proposal), Fast R-CNN (one backbone
 * pass and RoI pooling: pick a proposal and see it projected onto the feature map, split into the
 * pool grid, each bin's maximum; a RoIAlign toggle) and Faster R-CNN (the RPN's proposals), with a
 * table of forward passes, milliseconds and mAP@0.5 measured live.
 *
 * @summary Sliding window, region proposals, R-CNN, Fast R-CNN (RoI pooling) and Faster R-CNN, timed live on the same scene.
 * @tagname detection-pipeline
 * @fires {CustomEvent<StepChangeDetail>} step-change - The step changed (a button or the `step` attribute): `{step, previous}`.
 * @fires {CustomEvent<PipelineResultDetail>} pipeline-result - A method finished on the scene: `{step, method, passes, ms, proposalMs, map, scenes}`.
 * @csspart image - The image canvas with the step's overlay.
 * @csspart roi - The RoI-pool view canvas (Fast R-CNN step).
 * @csspart table - The cost table.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Largest display size of the image (default 480px).
 */
export class DetectionPipeline extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, widgetLayoutStyles, sceneWidgetStyles, detectionPipelineStyles];

  /** Seed of the generated scene (a whole number >= 0; otherwise 0 or rounded, with a notice). */
  @property({ type: Number, reflect: true }) seed = 3;

  /** URL of an image to use instead of a generated scene (resized to 128×128; no ground truth, so no mAP). */
  @property() src = '';

  /** The step: sliding-window, proposals, r-cnn, fast-r-cnn or faster-r-cnn (another word: sliding-window, with a notice). */
  @property({ reflect: true }) step: PipelineStep = 'sliding-window';

  /** Window sides in pixels for the sliding window, comma-separated, each 16..128 (default 32,48,64). */
  @property({ attribute: 'window-sizes' }) windowSizes = '32,48,64';

  /** How many selective-search proposals R-CNN and Fast R-CNN use, 1..300 (outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) proposals = 100;

  /** The RoI-pool view's output grid, 1..14 (default 7, the detector's; its box head always uses 7). */
  @property({ type: Number, attribute: 'pool-size', reflect: true }) poolSize = 7;

  /** Which controls show: comma-separated from scene, step, settings, table; or 'all' / 'none'. */
  @property() controls = 'all';

  /** The crop classifier and the detector every <detection-pipeline> on the page shares (loaded on first use). */
  static async models(): Promise<void> {
    await models();
  }

  private readonly settings = new SettingsNotices(this);

  @state() private status: 'loading' | 'running' | 'ready' | 'error' = 'loading';
  @state() private message = 'Loading the classifier and the detector…';
  @state() private uploadError = '';
  @state() private rows: Partial<Record<MethodKey, MethodRow>> = {};
  @state() private batch?: Partial<Record<MethodKey, MethodRow>>;
  @state() private busy = '';
  @state() private windowIndex = 0;
  @state() private windowClass = 0;
  @state() private groupStep = -1;
  @state() private picked = 0;
  @state() private bin = -1;
  @state() private align = false;
  @state() private channel = -1;
  @state() private sameScores?: number;
  /** The RoI-pool view steps through its bins (one every 250 ms) while set. */
  @state() private animating = false;
  private timer?: ReturnType<typeof setInterval>;

  @query('canvas.image') private canvas?: HTMLCanvasElement;
  @query('canvas.roi') private roiCanvas?: HTMLCanvasElement;

  private m?: Models;
  private backend?: BackendInfo;
  private image?: Tensor3D;
  private rgba?: Uint8ClampedArray;
  private scn?: Scene;
  private run = 0;
  private loadedKey?: string;
  private used = { windows: [32, 48, 64], proposals: 100, pool: 7 };
  // per-scene results
  private sw?: SlidingWindowResult;
  private ss?: { result: SelectiveSearchResult; ms: number };
  private rcnn?: PipelineDetection[];
  private fast?: { detections: PipelineDetection[]; features: Tensor4D; data: Float32Array; stride: number };
  private faster?: { proposals: number[][]; detections: PipelineDetection[] };
  private alignValues?: { key: string; values: Float32Array };
  private job: Promise<void> = Promise.resolve();

  private get inputKey(): string {
    return this.src ? `src:${this.src}` : `seed:${this.seed}`;
  }

  /** Resolves when the work started so far is done. */
  get computed(): Promise<void> {
    return this.job.then(() => this.job);
  }

  /** The cost table of the current scene (rows computed so far). */
  get table(): Partial<Record<MethodKey, MethodRow>> {
    return { ...this.rows };
  }

  private shown(c: (typeof PIPELINE_CONTROLS)[number]): boolean {
    return controlShown(this.controls, c);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.image) this.enqueue(() => this.start());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stepBins(false);
    this.run++;
    this.clearScene();
    this.image?.dispose();
    this.image = undefined;
    this.loadedKey = undefined;
  }

  protected override firstUpdated(): void {
    this.enqueue(() => this.start());
  }

  /** Runs jobs one after another; a failed or replaced job does not stop the next. */
  private enqueue(f: () => Promise<void>): void {
    this.job = this.job.then(f).catch((e) => {
      if (!isAbort(e)) this.fail(e, 'The computation failed');
    });
  }

  private async start(): Promise<void> {
    try {
      this.status = 'loading';
      this.message = 'Loading the classifier and the detector…';
      this.backend = await ready();
      this.m = await models();
      if (!this.isConnected) return;
      await this.loadInput();
    } catch (e) {
      if (!isAbort(e)) this.fail(e, 'The models could not be loaded');
    }
  }

  private fail(e: unknown, what: string): void {
    this.status = 'error';
    this.busy = '';
    this.message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const s = this.settings;
    if (changed.has('seed')) this.seed = s.number('seed', { min: 0, max: 2 ** 31 - 1, default: 3, integer: true });
    if (changed.has('step')) this.step = s.choice('step', PIPELINE_STEPS, 'sliding-window');
    if (changed.has('proposals')) {
      const n = (this.proposals = s.number('proposals', { min: 1, max: 300, default: 100, integer: true }));
      if (n !== this.used.proposals) {
        this.used.proposals = n;
        this.rcnn = undefined;
        this.disposeFast();
        delete this.rows['r-cnn'];
        delete this.rows['fast-r-cnn'];
      }
    }
    if (changed.has('poolSize')) this.used.pool = this.poolSize = s.number('poolSize', { min: 1, max: 14, default: 7, integer: true });
    if (changed.has('windowSizes')) {
      const w = this.list('windowSizes', this.windowSizes, [32, 48, 64], 16, 128);
      if (w.join() !== this.used.windows.join()) {
        this.used.windows = w;
        this.sw = undefined;
        delete this.rows['window-conv'];
        delete this.rows['window-each'];
        this.windowIndex = 0;
      }
    }
  }

  /** A comma-separated list of whole numbers in [min, max]; bad entries dropped, an empty list the default, each with a notice. */
  private list(prop: string, raw: string, fallback: number[], min: number, max: number): number[] {
    const attr = this.settings.attributeOf(prop);
    const parts = String(raw ?? '').split(/[\s,]+/).filter((t) => t !== '');
    const ok = (t: string) => Number.isInteger(Number(t)) && Number(t) >= min && Number(t) <= max;
    const good = [...new Set(parts.filter(ok).map(Number))];
    if (!good.length) {
      this.settings.set(prop, `${attr}="${raw ?? ''}" has no whole number from ${min} to ${max}: using ${fallback.join(', ')}.`);
      return fallback;
    }
    const bad = parts.filter((t) => !ok(t));
    this.settings.set(prop, bad.length ? `${attr}: ${bad.map((b) => `"${b}"`).join(', ')} ignored (each must be a whole number from ${min} to ${max}): using ${good.join(', ')}.` : undefined);
    return good;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const prev = changed.get('step' as keyof DetectionPipeline) as PipelineStep | undefined;
    if (changed.has('step') && prev !== undefined && prev !== this.step) this.emit<StepChangeDetail>('step-change', { step: this.step, previous: prev });
    if (this.m && this.loadedKey !== undefined) {
      if (this.inputKey !== this.loadedKey) this.enqueue(() => this.loadInput());
      else if (['step', 'proposals', 'windowSizes'].some((k) => changed.has(k as keyof DetectionPipeline))) this.enqueue(() => this.ensureStep(this.run));
    }
    this.paint();
  }

  private clearScene(): void {
    this.sw = this.ss = this.rcnn = this.faster = undefined;
    this.disposeFast();
    this.rows = {};
    this.sameScores = undefined;
    this.groupStep = -1;
    this.picked = 0;
    this.bin = -1;
    this.channel = -1;
  }

  private disposeFast(): void {
    this.fast?.features.dispose();
    this.fast = undefined;
    this.alignValues = undefined;
  }

  private async loadInput(): Promise<void> {
    const run = ++this.run;
    this.loadedKey = this.inputKey;
    this.status = 'running';
    this.message = 'Making the scene…';
    try {
      const s = this.src ? undefined : makeScene(this.seed);
      const { image, rgba } = await readSceneImage(s ?? this.src);
      await this.setImage(image, rgba, s, run);
    } catch (e) {
      if (run !== this.run || isAbort(e)) return;
      this.fail(e, this.src ? `The image ${this.src} could not be loaded` : 'The scene could not be made');
    }
  }

  private async setImage(image: Tensor3D, rgba: Uint8ClampedArray, s: Scene | undefined, run: number): Promise<void> {
    if (run !== this.run || !this.isConnected) {
      image.dispose();
      return;
    }
    this.clearScene();
    this.image?.dispose();
    this.image = image;
    this.scn = s;
    this.rgba = rgba;
    this.uploadError = '';
    await this.ensureStep(run);
  }

  private async onFile(file: File | undefined): Promise<void> {
    if (!file) return;
    this.uploadError = '';
    const r = await readUpload(file);
    if ('error' in r) {
      this.uploadError = r.error;
      return;
    }
    // loadedKey stays: the seed or src did not change, so no update reloads them over the upload
    this.enqueue(() => this.setImage(r.image, r.rgba, undefined, ++this.run));
  }

  /** After each pass: yield to the page every few passes; stop when the scene was replaced. */
  private passHook(run: number, label: string) {
    let last = performance.now();
    let yielded = 0;
    return {
      yielded: () => yielded,
      onPass: async (done: number, total: number) => {
        if (run !== this.run || !this.isConnected) throw abortError();
        if (performance.now() - last > 30) {
          this.busy = `${label}: ${done} of ${total} passes…`;
          const t = performance.now();
          await new Promise((r) => setTimeout(r, 0));
          yielded += performance.now() - t;
          last = performance.now();
          if (run !== this.run || !this.isConnected) throw abortError();
        }
      },
    };
  }

  private mapOf(dets: readonly PipelineDetection[]): number | null {
    if (!this.scn) return null;
    return meanAveragePrecision(dets, this.scn.objects.map((o) => ({ box: o.box, label: o.label }))).map;
  }

  private record(row: MethodRow): void {
    this.rows = { ...this.rows, [row.method]: row };
    this.emit<PipelineResultDetail>('pipeline-result', { ...row, step: this.step });
  }

  /** Computes what the current step shows, if not done yet for this scene. */
  private async ensureStep(run: number): Promise<void> {
    if (!this.m || !this.image || run !== this.run) return;
    const img = this.image;
    this.status = 'running';
    try {
      if (this.step === 'sliding-window' && !this.sw) await this.runWindows(run, img, 'convolutional');
      if ((this.step === 'proposals' || this.step === 'r-cnn' || this.step === 'fast-r-cnn') && !this.ss) await this.runSearch(run);
      if (this.step === 'r-cnn' && !this.rcnn) await this.runRcnn(run, img);
      if (this.step === 'fast-r-cnn' && !this.fast) await this.runFast(run, img);
      if (this.step === 'faster-r-cnn' && !this.faster) await this.runFaster(run, img);
      if (run !== this.run) return;
      this.status = 'ready';
      this.message = '';
      this.busy = '';
    } catch (e) {
      if (isAbort(e) || run !== this.run) return;
      throw e;
    }
  }

  private async runWindows(run: number, img: Tensor3D, mode: 'convolutional' | 'one-by-one'): Promise<void> {
    const m = this.m!;
    const key: MethodKey = mode === 'convolutional' ? 'window-conv' : 'window-each';
    const hook = this.passHook(run, METHOD_LABEL[key]);
    this.busy = `${METHOD_LABEL[key]}…`;
    const t0 = performance.now();
    const r = await slidingWindowDetect(m.crops, m.spec, m.conv, img, this.used.windows, mode, { scoreThreshold: 0.05, nmsThreshold: 0.3, onPass: hook.onPass });
    const ms = performance.now() - t0 - hook.yielded();
    if (run !== this.run) throw abortError();
    if (mode === 'convolutional') this.sw = r;
    else if (this.sw) {
      let d = 0;
      this.sw.scales.forEach((s, k) => s.outputs.forEach((v, i) => (d = Math.max(d, Math.abs(v - r.scales[k].outputs[i])))));
      this.sameScores = d;
    }
    this.record({ method: key, passes: r.passes, ms, map: this.mapOf(r.detections), scenes: 1 });
  }

  private async runSearch(run: number): Promise<void> {
    this.busy = 'Selective search…';
    await new Promise((r) => setTimeout(r, 0));
    const t0 = performance.now();
    const result = selectiveSearch({ data: this.rgba!, width: this.image!.shape[1], height: this.image!.shape[0], channels: 4 }, { maxBoxes: 300 });
    const ms = performance.now() - t0;
    if (run !== this.run) throw abortError();
    this.ss = { result, ms };
  }

  private get proposalBoxes(): number[][] {
    return (this.ss?.result.boxes ?? []).slice(0, this.used.proposals).map((b) => [...b]);
  }

  private async runRcnn(run: number, img: Tensor3D): Promise<void> {
    const m = this.m!;
    const hook = this.passHook(run, 'R-CNN');
    const boxes = this.proposalBoxes;
    const t0 = performance.now();
    const r = await rcnnDetect(m.crops, m.spec, img, boxes, { scoreThreshold: 0.05, nmsThreshold: 0.3, onPass: hook.onPass });
    const ms = performance.now() - t0 - hook.yielded();
    if (run !== this.run) throw abortError();
    this.rcnn = r.detections;
    this.record({ method: 'r-cnn', passes: r.passes, ms, proposalMs: this.ss!.ms, map: this.mapOf(r.detections), scenes: 1 });
  }

  private async runFast(run: number, img: Tensor3D): Promise<void> {
    this.busy = 'Fast R-CNN…';
    const t0 = performance.now();
    const r = await fastRcnnDetect(this.m!.detector, img, this.proposalBoxes, { scoreThreshold: 0.05, nmsThreshold: 0.5 });
    const ms = performance.now() - t0;
    const data = (await r.features.data()) as Float32Array;
    if (run !== this.run) {
      r.features.dispose();
      throw abortError();
    }
    this.disposeFast();
    this.fast = { detections: r.detections, features: r.features, data, stride: r.stride };
    // start on the proposal behind the best detection (its RoI is worth looking at)
    this.picked = r.detections[0]?.source ?? 0;
    this.record({ method: 'fast-r-cnn', passes: r.passes, ms, proposalMs: this.ss!.ms, map: this.mapOf(r.detections), scenes: 1 });
  }

  private async runFaster(run: number, img: Tensor3D): Promise<void> {
    this.busy = 'Faster R-CNN…';
    const t0 = performance.now();
    const r = await detect(this.m!.detector, img, { masks: false, scoreThreshold: 0.05 });
    const ms = performance.now() - t0;
    const detections = r.detections.map((d) => ({ label: d.label, score: d.score, box: d.box, source: d.proposal }));
    const proposals = r.proposals.boxes;
    r.dispose();
    if (run !== this.run) throw abortError();
    this.faster = { proposals, detections };
    // backbone, RPN head, box head
    this.record({ method: 'faster-r-cnn', passes: 3, ms, map: this.mapOf(detections), scenes: 1 });
  }

  /** The one-pass-per-window sliding window on this scene (the slow way; same scores). */
  runOneByOne(): void {
    const run = this.run;
    this.enqueue(async () => {
      if (!this.image || run !== this.run) return;
      this.status = 'running';
      await this.runWindows(run, this.image, 'one-by-one').catch((e) => {
        if (!isAbort(e)) throw e;
      });
      if (run === this.run) {
        this.status = 'ready';
        this.busy = '';
      }
    });
  }

  /** Every method on `count` test-split scenes: passes and milliseconds summed, mAP@0.5 over all of them. */
  runBatch(count = 10): void {
    const run = this.run;
    this.enqueue(async () => {
      if (!this.m || run !== this.run) return;
      this.status = 'running';
      try {
        this.batch = await measureBatch(this.m, count, this.used.windows, this.used.proposals, (label) => this.passHook(run, label), () => run !== this.run || !this.isConnected);
        this.status = 'ready';
        this.busy = '';
      } catch (e) {
        if (!isAbort(e)) throw e;
      }
    });
  }

  /** A new generated scene (the next seed). */
  newScene(): void {
    this.src = '';
    this.seed = (this.seed + 1) % 2 ** 31;
  }

  private get scale(): number {
    return 3;
  }

  private paint(): void {
    const canvas = this.canvas;
    if (!canvas || !this.rgba || !this.image) return;
    const [h, w] = this.image.shape;
    const k = this.scale;
    const ctx = setupCanvas(canvas, [h, w], k);
    const layer = { rgba: this.rgba, size: [h, w] as [number, number] };
    const classes = this.m?.detector.config.classes ?? [...CROP_CLASSES];
    const shownDets = (d: readonly PipelineDetection[] | undefined) => (d ?? []).filter((x) => x.score >= 0.5);
    switch (this.step) {
      case 'sliding-window': {
        paintImage(ctx, layer, k);
        const s = this.sw?.scales[Math.min(this.windowIndex, (this.sw?.scales.length ?? 1) - 1)];
        if (s) {
          paintScoreMap(ctx, s.boxes, windowClassProbabilities(s.outputs, this.windowClass), (s.boxes[1]?.[0] ?? s.boxes[0][2]) - s.boxes[0][0] || s.window / 4, k);
          strokeBoxes(ctx, [s.boxes[0]], k, '#ffffff', 2, 0.9, [5, 4]);
        }
        paintDetections(ctx, shownDets(this.sw?.detections), classes, k);
        break;
      }
      case 'proposals': {
        const hier = this.ss?.result.hierarchies[0];
        if (hier && this.groupStep >= 0 && this.groupStep < hier.steps.length) {
          paintImage(ctx, layer, k);
          paintRegions(ctx, hierarchyAt(hier, this.groupStep + 1).labels, [h, w], k);
          strokeBoxes(ctx, [hier.steps[this.groupStep].box], k, '#ffffff', 3);
        } else {
          paintImage(ctx, layer, k, 0.25);
          strokeBoxes(ctx, this.proposalBoxes, k, PROPOSAL, 1, 0.7);
        }
        break;
      }
      case 'r-cnn':
        paintImage(ctx, layer, k, 0.2);
        strokeBoxes(ctx, this.proposalBoxes, k, PROPOSAL, 1, 0.35);
        paintDetections(ctx, shownDets(this.rcnn), classes, k);
        break;
      case 'fast-r-cnn': {
        paintImage(ctx, layer, k, 0.2);
        strokeBoxes(ctx, this.proposalBoxes, k, PROPOSAL, 1, 0.25);
        paintDetections(ctx, shownDets(this.fast?.detections), classes, k);
        const b = this.proposalBoxes[this.picked];
        if (b) strokeBoxes(ctx, [b], k, '#ff4081', 3, 1, [6, 4]);
        this.paintRoi();
        break;
      }
      case 'faster-r-cnn':
        paintImage(ctx, layer, k, 0.2);
        strokeBoxes(ctx, this.faster?.proposals ?? [], k, '#00e5ff', 1, 0.35);
        paintDetections(ctx, shownDets(this.faster?.detections), classes, k);
        break;
    }
  }

  /** The RoI-pool view of the picked proposal: bins and maxima in JS (RoI pooling) or RoIAlign's values. */
  private paintRoi(): void {
    const f = this.fast;
    const canvas = this.roiCanvas;
    const box = this.proposalBoxes[this.picked];
    if (!f || !canvas || !box) return;
    const [, fh, fw, C] = f.features.shape;
    const pool = this.used.pool;
    const bins = roiPoolBins(box, pool, 1 / f.stride, [fh, fw]);
    const channel = this.channel >= 0 ? this.channel : strongestChannel(bins, f.data, [fh, fw, C]);
    let pooled: Float32Array;
    if (!this.align) {
      pooled = binMaxima(bins, f.data, [fh, fw, C], channel);
    } else {
      const key = `${this.picked}:${pool}`;
      if (this.alignValues?.key !== key) {
        const t = roiAlign(f.features, [box], pool, { spatialScale: 1 / f.stride, samplingRatio: 2, aligned: false });
        this.alignValues = { key, values: t.dataSync() as Float32Array };
        t.dispose();
      }
      pooled = new Float32Array(pool * pool);
      for (let i = 0; i < pool * pool; i++) pooled[i] = this.alignValues.values[i * C + channel];
    }
    paintRoiView(canvas, { features: f.data, featureSize: [fh, fw], channels: C, channel, stride: f.stride, box, bins: this.align ? null : bins, pooled, pool, bin: this.bin });
  }

  /** Picks the smallest proposal under the pointer (Fast R-CNN step). */
  private pickAt(e: PointerEvent): void {
    if (this.step !== 'fast-r-cnn' || !this.canvas || !this.image) return;
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * this.image.shape[1];
    const y = ((e.clientY - r.top) / r.height) * this.image.shape[0];
    let best = -1;
    let area = Infinity;
    this.proposalBoxes.forEach((b, i) => {
      const a = (b[2] - b[0]) * (b[3] - b[1]);
      if (x >= b[0] && x < b[2] && y >= b[1] && y < b[3] && a < area) {
        area = a;
        best = i;
      }
    });
    if (best >= 0) this.pick(best);
  }

  /** Steps the highlighted bin through the pool grid, row by row (on), or stops (off). */
  stepBins(on: boolean): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.animating = on;
    if (!on) return;
    this.timer = setInterval(() => {
      const n = this.used.pool * this.used.pool;
      if (this.step !== 'fast-r-cnn' || !this.fast) return this.stepBins(false);
      this.bin = (this.bin + 1) % n;
    }, 250);
  }

  /** Shows proposal `i` (0-based) in the RoI-pool view. */
  pick(i: number): void {
    this.picked = Math.max(0, Math.min(this.proposalBoxes.length - 1, Math.floor(i) || 0));
    this.channel = -1;
  }

  protected override render() {
    return html`
      <convlab-status state=${this.status} message=${this.busy || this.message} ?retryable=${this.status === 'error'} retry-label=${this.src ? 'Load the image again' : 'Load the models again'} .backend=${this.backend} @retry=${() => this.enqueue(() => this.start())}></convlab-status>
      ${this.settings.render()}
      ${this.image ? this.renderBody() : nothing}
    `;
  }

  private renderBody() {
    return html`
      ${this.shown('step')
        ? html`<div class="views" role="group" aria-label="Step">
            ${PIPELINE_STEPS.map((s) => html`<button type="button" aria-pressed=${this.step === s ? 'true' : 'false'} @click=${() => (this.step = s)}>${STEP_LABEL[s]}</button>`)}
          </div>`
        : nothing}
      <div class="layout">
        <figure class="main">
          <canvas class="image" part="image" role="img" aria-label=${this.canvasLabel()} @pointerdown=${this.pickAt}></canvas>
          <figcaption>${this.caption()}</figcaption>
        </figure>
        <div class="side">${this.renderSide()}</div>
      </div>
      ${this.shown('table') ? this.renderTable() : nothing}
      ${this.renderControls()}
    `;
  }

  private canvasLabel(): string {
    const n = this.scn?.objects.length;
    return `A 128 by 128 ${this.scn ? `scene with ${n} objects` : 'image'}: the ${STEP_LABEL[this.step]} step.`;
  }

  private caption() {
    const ss = this.ss;
    switch (this.step) {
      case 'sliding-window': {
        const s = this.sw?.scales[this.windowIndex];
        return s
          ? html`${s.rows}×${s.cols} windows of ${s.window} px (the image scaled to ${Math.round(128 * s.scale)} px, windows of 32 px every 8 px); the dashed square is the first.
              Colour: P(${this.windowClass ? CROP_CLASSES[this.windowClass] : 'any shape'})
              <span class="legend"><span>0</span><span class="bar" style="background: ${colormapGradient('viridis')}"></span><span>1</span></span>`
          : html`Scoring the windows…`;
      }
      case 'proposals':
        return ss
          ? html`Selective search: ${ss.result.boxes.length} class-agnostic boxes in ${fmt(ss.ms)} ms; the first ${Math.min(this.used.proposals, ss.result.boxes.length)} drawn. Move "Grouping step" to replay how regions merge.`
          : html`Searching…`;
      case 'r-cnn':
        return html`Each of the ${this.proposalBoxes.length} proposals is cut out, warped to 32×32 and classified by its own forward pass. Detections ≥ 50%.`;
      case 'fast-r-cnn':
        return html`One backbone pass, then each proposal is RoI-pooled from the feature map and one box-head pass classifies them all. Click a proposal (or use "Proposal") to see its pooling.`;
      case 'faster-r-cnn':
        return html`<span class="swatch" style="--c: #00e5ff"></span>The RPN's ${this.faster?.proposals.length ?? ''} proposals replace selective search: the network proposes and classifies. Detections ≥ 50%.`;
    }
  }

  private renderSide() {
    if (this.step !== 'fast-r-cnn') return this.renderDetections();
    const f = this.fast;
    if (!f) return html`<p>Running the backbone…</p>`;
    const [, fh, fw, C] = f.features.shape;
    const pool = this.used.pool;
    return html`<figure class="roi">
      <canvas class="roi" part="roi" role="img" tabindex="0" aria-label=${`The ${fh} by ${fw} feature map with proposal ${this.picked + 1} projected and split into ${pool} by ${pool} bins, and the pooled values${this.bin >= 0 ? `; bin ${this.bin + 1} highlighted` : ''}. Arrow keys move the highlighted bin.`} @keydown=${this.onRoiKey}></canvas>
      <figcaption>Feature map ${fh}×${fw}×${C} (stride ${f.stride}), one channel. Dashed: the proposal ÷ ${f.stride}.
        ${this.align ? html`RoIAlign: the box split exactly, 2×2 bilinear samples per bin averaged (no rounding).` : html`RoI pooling: the box rounded to whole cells, ${pool}×${pool} bins (neighbours may share a cell), each bin's maximum (dot: where it came from).`}
        Right: the ${pool}×${pool} output.</figcaption>
    </figure>`;
  }

  private onRoiKey(e: KeyboardEvent): void {
    const p = this.used.pool;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -p, ArrowDown: p };
    if (!(e.key in moves)) return;
    e.preventDefault();
    this.bin = Math.max(0, Math.min(p * p - 1, (this.bin < 0 ? 0 : this.bin + moves[e.key])));
  }

  private renderDetections() {
    const d = this.step === 'sliding-window' ? this.sw?.detections : this.step === 'r-cnn' ? this.rcnn : this.step === 'faster-r-cnn' ? this.faster?.detections : undefined;
    if (this.step === 'proposals') {
      const hier = this.ss?.result.hierarchies[0];
      return hier ? html`<dl class="counts"><dt>Initial regions</dt><dd>${hier.segmentation.count}</dd><dt>Merges</dt><dd>${hier.steps.length}</dd><dt>Boxes (ranked, de-duplicated)</dt><dd>${this.ss!.result.boxes.length}</dd></dl>` : nothing;
    }
    const shown = (d ?? []).filter((x) => x.score >= 0.5);
    const classes = this.m?.detector.config.classes ?? [...CROP_CLASSES];
    return html`<ol class="dets" aria-live="polite">
      ${shown.length ? shown.map((x) => html`<li><span class="swatch" style="--c: ${CLASS_LINE[x.label]}"></span>${classes[x.label]} ${Math.round(x.score * 100)}%</li>`) : html`<li>${d ? 'No detection at or above 50%.' : 'Computing…'}</li>`}
    </ol>`;
  }

  private renderTable() {
    return costTable(this.rows, this.batch, this.scn ? 'scene' : 'image', this.sameScores);
  }

  private renderControls() {
    const sw = this.sw;
    const hier = this.ss?.result.hierarchies[0];
    return html`<div class="controls" part="controls">
      ${this.shown('scene')
        ? sceneRowFor(
            this,
            this.uploadError,
            (f) => void this.onFile(f),
            this.shown('table') ? html`<button type="button" ?disabled=${!!this.busy} @click=${() => this.runBatch(10)}>Measure every method on 10 test scenes</button>` : nothing,
          )
        : nothing}
      ${this.shown('settings') && this.step === 'sliding-window' && sw
        ? html`<label class="field">Window size <select @change=${(e: Event) => (this.windowIndex = Number((e.target as HTMLSelectElement).value))}>
              ${sw.scales.map((s, i) => html`<option value=${i} ?selected=${i === this.windowIndex}>${s.window} px (${s.rows}×${s.cols})</option>`)}
            </select></label>
            <label class="field">Score map of <select @change=${(e: Event) => (this.windowClass = Number((e.target as HTMLSelectElement).value))}>
              ${['any shape', 'circle', 'square', 'triangle'].map((c, i) => html`<option value=${i} ?selected=${i === this.windowClass}>${c}</option>`)}
            </select></label>
            <button type="button" ?disabled=${!!this.busy} @click=${() => this.runOneByOne()}>Run one pass per window (${sw.scales.reduce((t, s) => t + s.rows * s.cols, 0)} passes)</button>`
        : nothing}
      ${this.shown('settings') && this.step === 'proposals' && hier
        ? html`<convlab-slider label="Grouping step" min="0" max=${hier.steps.length} step="1" .value=${this.groupStep < 0 ? hier.steps.length : this.groupStep} @input=${(e: CustomEvent<{ value: number }>) => (this.groupStep = e.detail.value >= hier.steps.length ? -1 : e.detail.value)}></convlab-slider>`
        : nothing}
      ${this.shown('settings') && this.step === 'fast-r-cnn' && this.fast
        ? html`<convlab-slider label="Proposal" min="1" max=${Math.max(1, this.proposalBoxes.length)} step="1" .value=${this.picked + 1} @input=${(e: CustomEvent<{ value: number }>) => this.pick(e.detail.value - 1)}></convlab-slider>
            <convlab-slider label="Pool size" min="1" max="14" step="1" .value=${this.used.pool} @input=${(e: CustomEvent<{ value: number }>) => (this.poolSize = e.detail.value)}></convlab-slider>
            <button type="button" aria-pressed=${this.animating ? 'true' : 'false'} @click=${() => this.stepBins(!this.animating)}>${this.animating ? 'Stop the bins' : 'Step through the bins'}</button>
            <label class="check"><input type="checkbox" .checked=${this.align} @change=${(e: Event) => (this.align = (e.target as HTMLInputElement).checked)} /> RoIAlign instead of RoI pooling</label>`
        : nothing}
    </div>`;
  }
}
