import { html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  classVisualisation,
  visualisableLayers,
  stepFor,
  toCanvas,
  isAbortError,
  type ClassVisualiser,
  type LoadedModel,
  type Tensor4D,
  type ImageSource,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { ConvLabElement, ModelSource, widgetControlStyles, sampleConverter, savePng } from '@convlab/kit';
import '@convlab/kit/define.js';
import { classVizStyles } from './class-viz.styles.js';

export type ClassVizStart = 'zeros' | 'noise' | 'grey' | 'sample';
export const CLASS_VIZ_STARTS: readonly ClassVizStart[] = ['zeros', 'noise', 'grey', 'sample'];
export const CLASS_VIZ_CONTROLS = ['target', 'lambda', 'learning-rate', 'steps', 'jitter', 'blur', 'start', 'run', 'plot', 'source'] as const;
/** At most this many images in the all-classes (or all-units) grid. */
export const GRID_MAX = 16;

export interface StepDetail {
  /** Steps taken so far. */
  step: number;
  steps: number;
  /** S (class score before the softmax, or the unit's value) of each image at this step. */
  scores: number[];
  /** ||I||_2 of each image. */
  norms: number[];
}

export interface DoneDetail extends StepDetail {
  /** What each image maximises: class indices, or units of `layer`. */
  classes?: number[];
  layer?: string;
  units?: number[];
}

/** One point of the plot: the step and the mean score and norm over the images. */
interface PlotPoint {
  step: number;
  score: number;
  norm: number;
}

/** Work per animation frame: a 60 Hz frame is 16.7 ms; this leaves the rest for painting and input. */
const FRAME_BUDGET_MS = 12;

/**
 * Optimisation to image (Simonyan et al. 2014): the image that maximises a class score before the
 * softmax, argmax_I S_c(I) - lambda ||I||^2, found live by gradient ascent (forward, set the
 * score's gradient to one, backprop to the image, a small step), with the regularisers that make
 * it readable (L2 decay, jitter, periodic blur), each switchable. The image updates every frame and
 * the score and ||I|| are plotted; a few steps run per frame, so the page never freezes. The same
 * works for a unit of any layer (neuron mode), and for every class at once (a grid).
 *
 * @summary Class visualisation by gradient ascent, live and step by step.
 * @tagname class-viz
 * @fires step - Once per animation frame while running, after the steps of that frame: `{step, steps, scores, norms}`.
 * @fires done - When the run reaches its last step: `{step, steps, scores, norms, classes | layer + units}`.
 * @csspart images - The image (or the grid of images).
 * @csspart plot - The score and norm plot.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Display size of the image (default 224px; grid cells are smaller).
 */
export class ClassViz extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, classVizStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js layers model.json. */
  @property({ reflect: true }) model = 'digits';
  /** The URL of a hosted TF.js layers model.json (the same as a URL in `model`; wins when set). */
  @property({ attribute: 'model-url' }) modelUrl = '';
  /** URL of a JSON file with metadata for a hosted model. */
  @property({ attribute: 'model-meta' }) modelMeta = '';
  /** The bundled sample used when `start="sample"`: an index or `label:<class>`. */
  @property({ reflect: true, converter: sampleConverter }) sample: number | string = 0;
  /** URL of an image used when `start="sample"`, instead of a bundled sample. */
  @property() src = '';
  /** The class to visualise (default 0; no such class: 0, with a notice). */
  @property({ attribute: 'target-class', reflect: true }) targetClass = '';
  /** A layer name: visualise a unit of this layer instead of a class (no such layer: the class, with a notice). */
  @property({ reflect: true }) layer = '';
  /** The unit (channel) of `layer`; spatial layers use the channel's mean over positions (out of range: clamped, with a notice). */
  @property({ type: Number, reflect: true }) unit = 0;
  /** One image per class (or, with `layer`, per unit: the first 16) in a grid. */
  @property({ type: Boolean, reflect: true }) grid = false;
  /** L2 weight lambda, 0 to 1 (0: off; outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) lambda = 0.01;
  /** Number of ascent steps, 1 to 2000 (outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) steps = 200;
  /** Step size, 0.001 to 1 (outside: clamped, with a notice). */
  @property({ type: Number, attribute: 'learning-rate', reflect: true }) learningRate = 0.05;
  /** Largest random shift before each gradient, 0 to 8 pixels (0: off). */
  @property({ type: Number, reflect: true }) jitter = 1;
  /** Sigma of the Gaussian blur applied every 4 steps, 0 to 3 pixels (0: off). */
  @property({ type: Number, attribute: 'blur', reflect: true }) blurSigma = 0.5;
  /** Starting image: zeros, noise, grey, or the sample (another word: zeros, with a notice). */
  @property({ reflect: true }) start: ClassVizStart = 'zeros';
  /** Start running when the model is loaded (default on; `autorun="false"` waits for Run). */
  @property({ reflect: true, converter: { fromAttribute: (v: string | null) => v !== 'false', toAttribute: (v: boolean) => (v ? '' : 'false') } }) autorun = true;
  /** Seed of the jitter and noise: the same seed gives the same run. */
  @property({ type: Number }) seed = 1;
  /** Which controls show: comma-separated from target, lambda, learning-rate, steps, jitter, blur, start, run, plot, source; or 'all' / 'none'. */
  @property() controls = 'all';

  private readonly source = new ModelSource(this, {
    samplesFor,
    // A hosted model without samples: there is no starting image to load, and none is needed.
    onModel: () => {
      if (!samplesFor(this.model) && !this.src) queueMicrotask(() => this.reset(this.autorun));
    },
  });

  @state() private running = false;
  @state() private plot: PlotPoint[] = [];
  @state() private last?: StepDetail;
  /** Per-image clones of the run's images, shown by the canvases. */
  @state() private shownImages: Tensor4D[] = [];
  @state() private labels: string[] = [];
  /** Why Save PNG failed (shown next to the button). */
  @state() private saveError = '';

  private run?: ClassVisualiser;
  private startImage?: Tensor4D;
  private frame = 0;
  private generation = 0;

  constructor() {
    super();
    // ModelSource reports a model with neither samples nor src as an error ("No input image"): this
    // widget starts from zeros, noise or grey without one, so that case is not a failure here.
    const fail = this.source.fail.bind(this.source);
    this.source.fail = (e: unknown) => {
      if (e instanceof Error && /^No input image/.test(e.message) && this.source.loaded) {
        if (this.start === 'sample') this.source.settings.set('start', 'start="sample" needs a sample: this model ships none and no src is set; starting from zeros.');
        this.source.set({ status: 'ready', message: '' });
        return;
      }
      fail(e);
    };
  }

  get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  /** True while steps are running. */
  get isRunning(): boolean {
    return this.running;
  }

  /** The current run (for tests and the bench). */
  get visualiser(): ClassVisualiser | undefined {
    return this.run;
  }

  private shown(c: (typeof CLASS_VIZ_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('modelUrl') && this.modelUrl) this.model = this.modelUrl;
    const s = this.source.settings;
    if (changed.has('lambda')) this.lambda = s.number('lambda', { min: 0, max: 1, default: 0.01 });
    if (changed.has('steps')) this.steps = s.number('steps', { min: 1, max: 2000, default: 200, integer: true });
    if (changed.has('learningRate')) this.learningRate = s.number('learningRate', { min: 0.001, max: 1, default: 0.05 });
    if (changed.has('jitter')) this.jitter = s.number('jitter', { min: 0, max: 8, default: 1, integer: true });
    if (changed.has('blurSigma')) this.blurSigma = s.number('blurSigma', { min: 0, max: 3, default: 0.5 });
    if (changed.has('unit')) this.unit = s.number('unit', { min: 0, default: 0, integer: true });
    if (changed.has('start')) this.start = s.choice('start', CLASS_VIZ_STARTS, 'zeros');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    this.generation++;
    this.run?.dispose();
    this.run = undefined;
    tf.dispose([...this.shownImages, ...(this.startImage ? [this.startImage] : [])]);
    this.shownImages = [];
    this.startImage = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    if (this.source.reload(changed)) return;
    const live = ['lambda', 'learningRate', 'jitter', 'blurSigma', 'steps'].filter((k) => changed.has(k));
    if (['targetClass', 'layer', 'unit', 'grid', 'start', 'seed'].some((k) => changed.has(k))) {
      this.reset(this.running || this.autorun);
    } else if (live.length && this.run) {
      // Settings of the run in progress: the next step uses them.
      this.run.setOptions({ lambda: this.lambda, lr: this.learningRate, jitter: this.jitter, blur: this.blurSigma, steps: this.steps });
      if (changed.has('steps') && !this.run.done && !this.running && this.last) this.resume();
    }
  }

  /** ModelSource hands over the starting sample (used when start="sample"); a new model starts a new run. */
  async setInput(image: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    const gen = ++this.generation;
    try {
      const { x } = await prepareInput(m, image);
      if (gen !== this.generation || !this.isConnected) {
        x.dispose();
        return;
      }
      this.startImage?.dispose();
      this.startImage = x;
      this.source.set({ status: 'ready', message: '' });
      this.reset(this.autorun || this.running);
    } catch (e) {
      if (gen === this.generation) this.source.fail(e);
    }
  }

  /** The targets the settings name, checked against the model, with a notice for what could not be used. */
  private targets(m: LoadedModel): { classes?: number[]; layer?: string; units?: number[] } {
    const s = this.source.settings;
    let layerNote: string | undefined;
    let unitNote: string | undefined;
    let classNote: string | undefined;
    let gridNote: string | undefined;
    let out: { classes?: number[]; layer?: string; units?: number[] } | undefined;
    if (this.layer) {
      const layers = visualisableLayers(m);
      const l = layers.find((x) => x.name === this.layer);
      if (!l) layerNote = `layer="${this.layer}" is not a layer of this model (${layers.map((x) => x.name).join(', ')}): visualising a class.`;
      else {
        let unit = this.unit;
        if (unit > l.units - 1) {
          unitNote = `unit=${unit} is above the last unit of ${l.name}, ${l.units - 1}: using ${l.units - 1}.`;
          unit = l.units - 1;
        }
        if (this.grid && l.units > GRID_MAX) gridNote = `${l.name} has ${l.units} units: the grid shows the first ${GRID_MAX}.`;
        out = { layer: l.name, units: this.grid ? Array.from({ length: Math.min(GRID_MAX, l.units) }, (_, i) => i) : [unit] };
      }
    }
    if (!out) {
      let c = 0;
      if (this.targetClass !== '' && this.targetClass != null) {
        const n = Number(this.targetClass);
        if (Number.isInteger(n) && n >= 0 && n < m.numClasses) c = n;
        else classNote = `target-class="${this.targetClass}" is not a class of this model (0 to ${m.numClasses - 1}): using 0.`;
      }
      if (this.grid && m.numClasses > GRID_MAX) gridNote = `The model has ${m.numClasses} classes: the grid shows the first ${GRID_MAX}.`;
      out = { classes: this.grid ? Array.from({ length: Math.min(GRID_MAX, m.numClasses) }, (_, i) => i) : [c] };
    }
    s.set('layer', layerNote);
    s.set('unitRange', unitNote);
    s.set('targetClass', classNote);
    s.set('grid', gridNote);
    return out;
  }

  /** Starts a new run from the starting image with the current settings (running it when `go`). */
  reset(go = false): void {
    const m = this.loaded;
    if (!m) return;
    this.stop();
    this.run?.dispose();
    this.run = undefined;
    try {
      const t = this.targets(m);
      const start = this.start === 'sample' ? this.startImage ?? 'zeros' : this.start;
      this.run = classVisualisation(m, {
        class: t.classes,
        layer: t.layer,
        unit: t.units,
        position: 'mean',
        lambda: this.lambda,
        lr: this.learningRate,
        steps: this.steps,
        jitter: this.jitter,
        blur: this.blurSigma,
        start,
        seed: this.seed,
      });
      this.labels = t.classes ? t.classes.map((c) => m.meta.labels[c]) : t.units!.map((u) => `${t.layer} unit ${u}`);
      this.plot = [];
      this.last = undefined;
      this.showImages();
      this.source.set({ status: 'ready', message: '' });
      if (go) this.resume();
    } catch (e) {
      this.source.fail(e);
    }
  }

  /** Runs (or continues) the steps, a few per animation frame. */
  resume(): void {
    if (!this.run || this.running) return;
    if (this.run.done) return;
    this.running = true;
    const gen = this.generation;
    const tick = async () => {
      const run = this.run;
      if (!this.running || !run || gen !== this.generation) return;
      try {
        stepFor(run, FRAME_BUDGET_MS, 25);
        const steps = await run.readSteps();
        if (!this.running || run !== this.run || gen !== this.generation) return;
        this.record(steps);
        this.showImages();
        if (run.done) {
          this.running = false;
          this.emit('done', this.doneDetail());
          return;
        }
      } catch (e) {
        this.running = false;
        if (!isAbortError(e)) this.source.fail(e);
        return;
      }
      this.frame = requestAnimationFrame(() => void tick());
    };
    this.frame = requestAnimationFrame(() => void tick());
  }

  /** Stops after the current step; `resume()` continues the same run. */
  stop(): void {
    cancelAnimationFrame(this.frame);
    this.running = false;
  }

  private record(steps: { step: number; scores: number[]; norms: number[] }[]): void {
    if (!steps.length) return;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    this.plot = [...this.plot, ...steps.map((s) => ({ step: s.step, score: mean(s.scores), norm: mean(s.norms) }))];
    const s = steps[steps.length - 1];
    this.last = { step: s.step, steps: this.run!.steps, scores: s.scores, norms: s.norms };
    this.emit('step', this.last);
  }

  private doneDetail(): DoneDetail {
    const t = this.run!.targets;
    const base = this.last ?? { step: 0, steps: this.run!.steps, scores: [], norms: [] };
    return t[0].layer === undefined
      ? { ...base, classes: t.map((x) => x.class as number) }
      : { ...base, layer: t[0].layer, units: t.map((x) => x.unit as number) };
  }

  /** Hands the canvases one clone per image (the run's own tensor changes every step). */
  private showImages(): void {
    const run = this.run;
    if (!run) return;
    const old = this.shownImages;
    this.shownImages = tf.tidy(() => tf.split(run.image, run.image.shape[0], 0) as Tensor4D[]);
    void this.updateComplete.then(async () => {
      const canvases = [...this.renderRoot.querySelectorAll<HTMLElement & { painted?: Promise<unknown> }>('convlab-tensor-canvas.image')];
      await Promise.all(canvases.map((c) => c.painted));
      tf.dispose(old);
    });
  }

  /** Saves the image (or the grid, in a row) as a PNG. */
  async savePng(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const row = tf.tidy(() => {
      const parts = tf.split(run.image, run.image.shape[0], 0).map((t) => tf.squeeze(t, [0]));
      return tf.concat(parts, 1);
    });
    const canvas = document.createElement('canvas');
    try {
      await toCanvas(row, canvas, { range: [0, 1], colormap: 'grey', scale: Math.max(1, Math.round(224 / run.image.shape[1])) });
    } finally {
      row.dispose();
    }
    const name = this.layer ? `${this.layer}-unit${this.grid ? 's' : `-${this.unit}`}` : this.grid ? 'all-classes' : `class-${this.labels[0]}`;
    try {
      await savePng(canvas, `class-viz-${name.replace(/[^\w-]+/g, '_')}.png`);
      this.saveError = '';
    } catch (e) {
      this.saveError = e instanceof Error ? e.message : String(e);
    }
  }

  protected override render() {
    const m = this.loaded;
    return html`${this.source.renderStatus()} ${m ? this.renderBody(m) : nothing}`;
  }

  private renderBody(m: LoadedModel) {
    const last = this.last;
    const steps = this.run?.steps ?? this.steps;
    const what = this.run && this.run.targets[0].layer !== undefined ? `the mean of a unit of ${this.run.targets[0].layer}` : 'the class score S_c (before the softmax)';
    return html`
      <p class="caption">
        argmax<sub>I</sub> S(I) − λ‖I‖², S = ${what}: gradient ascent from ${this.start === 'sample' ? 'the sample' : this.start}
      </p>
      <div class="layout">
        <div class="images ${this.shownImages.length > 1 ? 'grid' : ''}" part="images">
          ${this.shownImages.map(
            (t, i) =>
              html`<figure>
                <convlab-tensor-canvas
                  class="image"
                  .tensor=${t}
                  colormap="grey"
                  .range=${[0, 1]}
                  label=${`Image that maximises ${this.labels[i] ?? ''}, after ${last?.step ?? 0} steps`}
                ></convlab-tensor-canvas>
                <figcaption>${this.labels[i]}${last ? html` <span class="muted">S = ${last.scores[i]?.toFixed(2)}</span>` : nothing}</figcaption>
              </figure>`,
          )}
        </div>
        ${this.shown('plot') ? this.renderPlot(steps) : nothing}
      </div>
      <p class="readout" aria-live="polite">
        Step ${last?.step ?? 0} of ${steps}${last ? html`: S = ${this.plot[this.plot.length - 1].score.toFixed(2)}, ‖I‖ = ${this.plot[this.plot.length - 1].norm.toFixed(2)}${this.shownImages.length > 1 ? ' (means over the images)' : ''}` : nothing}
      </p>
      ${this.renderControls(m)}
    `;
  }

  /** Score and norm against the step, each scaled to its own range. */
  private renderPlot(steps: number) {
    const W = 240,
      H = 110,
      P = 6;
    const pts = this.plot;
    const line = (key: 'score' | 'norm') => {
      if (pts.length < 2) return '';
      let lo = Infinity,
        hi = -Infinity;
      for (const p of pts) {
        lo = Math.min(lo, p[key]);
        hi = Math.max(hi, p[key]);
      }
      const span = hi - lo || 1;
      return pts.map((p) => `${(P + ((p.step - 1) / Math.max(1, steps - 1)) * (W - 2 * P)).toFixed(1)},${(H - P - ((p[key] - lo) / span) * (H - 2 * P)).toFixed(1)}`).join(' ');
    };
    const first = pts[0];
    const lastPt = pts[pts.length - 1];
    return html`<figure class="plot" part="plot">
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${lastPt ? `Plot over ${lastPt.step} steps: the score went from ${first.score.toFixed(2)} to ${lastPt.score.toFixed(2)}, the norm of the image from ${first.norm.toFixed(2)} to ${lastPt.norm.toFixed(2)}` : 'Plot of the score and the norm of the image: no steps yet'}>
        <rect x="0.5" y="0.5" width=${W - 1} height=${H - 1} class="frame"></rect>
        ${svg`<polyline class="score" points=${line('score')}></polyline><polyline class="norm" points=${line('norm')}></polyline>`}
      </svg>
      <figcaption><span class="key score"></span> score S <span class="key norm"></span> ‖I‖ (each on its own scale)</figcaption>
    </figure>`;
  }

  private renderControls(m: LoadedModel) {
    const layers = visualisableLayers(m);
    const layer = layers.find((l) => l.name === this.layer);
    const num = (prop: 'lambda' | 'learningRate' | 'steps' | 'jitter' | 'blurSigma', label: string, min: number, max: number, step: number) =>
      html`<convlab-slider
        label=${label}
        min=${min}
        max=${max}
        step=${step}
        .value=${this[prop]}
        @input=${(e: CustomEvent<{ value: number }>) => (this[prop] = e.detail.value)}
      ></convlab-slider>`;
    const onTarget = (e: Event) => {
      const v = (e.target as HTMLSelectElement).value;
      if (v.startsWith('class:')) {
        this.layer = '';
        this.targetClass = v.slice(6);
      } else {
        this.layer = v.slice(6);
        this.unit = 0;
      }
    };
    const done = this.run?.done ?? false;
    return html`<div class="controls" part="controls">
      ${this.shown('run')
        ? html`<div class="buttons">
            ${this.running
              ? html`<button type="button" class="primary" @click=${() => this.stop()}>Stop</button>`
              : html`<button type="button" class="primary" ?disabled=${done} @click=${() => (this.last ? this.resume() : this.reset(true))}>
                  ${this.last ? (done ? 'Done' : `Resume (step ${this.last.step})`) : `Run ${this.steps} steps`}
                </button>`}
            <button type="button" @click=${() => this.reset(true)}>Start again</button>
            <button type="button" @click=${() => this.savePng()}>Save PNG</button>
            ${this.saveError ? html`<span class="error" role="alert">${this.saveError}</span>` : nothing}
          </div>`
        : nothing}
      ${this.shown('target')
        ? html`<label class="field"
              >Maximise
              <select @change=${onTarget}>
                <optgroup label="A class score">
                  ${m.meta.labels.map((l, i) => html`<option value=${`class:${i}`} ?selected=${!layer && String(i) === String(this.targetClass || 0)}>class ${l}</option>`)}
                </optgroup>
                <optgroup label="A unit of a layer (neuron mode)">
                  ${layers.map((l) => html`<option value=${`layer:${l.name}`} ?selected=${layer?.name === l.name}>${l.name} (${l.units} ${l.spatial ? 'channels' : 'units'})</option>`)}
                </optgroup>
              </select></label
            >
            ${layer && !this.grid
              ? html`<convlab-slider label=${`Unit of ${layer.name}`} min="0" max=${layer.units - 1} step="1" digits="0" .value=${Math.min(this.unit, layer.units - 1)} @change=${(e: CustomEvent<{ value: number }>) => (this.unit = e.detail.value)}></convlab-slider>`
              : nothing}
            <label class="check"><input type="checkbox" .checked=${this.grid} @change=${(e: Event) => (this.grid = (e.target as HTMLInputElement).checked)} /> ${layer ? 'All units (first 16)' : 'All classes'}</label>`
        : nothing}
      ${this.shown('lambda') ? num('lambda', 'L2 weight λ (0: off)', 0, 0.2, 0.001) : nothing}
      ${this.shown('learning-rate') ? num('learningRate', 'Learning rate', 0.001, 0.5, 0.001) : nothing}
      ${this.shown('steps') ? num('steps', 'Steps', 10, 1000, 10) : nothing}
      ${this.shown('jitter') ? num('jitter', 'Jitter (px, 0: off)', 0, 4, 1) : nothing}
      ${this.shown('blur') ? num('blurSigma', 'Blur σ every 4 steps (0: off)', 0, 2, 0.1) : nothing}
      ${this.shown('start')
        ? html`<label class="field"
            >Start from
            <select @change=${(e: Event) => (this.start = (e.target as HTMLSelectElement).value as ClassVizStart)}>
              ${CLASS_VIZ_STARTS.map((s) => html`<option value=${s} ?selected=${s === this.start}>${s === 'sample' ? 'a sample image' : s === 'grey' ? 'flat grey' : s}</option>`)}
            </select></label
          >`
        : nothing}
      ${this.start === 'sample' ? this.source.renderSource() : nothing}
    </div>`;
  }
}
