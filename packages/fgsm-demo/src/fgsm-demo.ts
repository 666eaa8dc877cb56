import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  gradientSign,
  fgsmStep,
  iterativeFgsm,
  minimumFlipEpsilon,
  perturbationSummary,
  type LoadedModel,
  type Tensor4D,
  type ImageSource,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { ConvLabElement, ModelSource, widgetControlStyles, sampleConverter } from '@convlab/kit';
import type { ConvLabTensorCanvas } from '@convlab/kit';
import '@convlab/kit/define.js';
import { fgsmDemoStyles } from './fgsm-demo.styles.js';

export type FgsmMode = 'untargeted' | 'targeted' | 'iterative';
export const FGSM_CONTROLS = ['source', 'epsilon', 'mode', 'target', 'steps', 'find'] as const;
export type FgsmControl = (typeof FGSM_CONTROLS)[number];

export interface Top1 {
  index: number;
  label: string;
  confidence: number;
}

export interface PredictionChangeDetail {
  clean: Top1;
  adversarial: Top1;
  epsilon: number;
  mode: FgsmMode;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function top1(probs: ArrayLike<number>, labels: string[]): Top1 {
  let k = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[k]) k = i;
  return { index: k, label: labels[k] ?? String(k), confidence: probs[k] };
}

/**
 * Adversarial examples with the Fast Gradient Sign Method, live: the input `x`, the perturbation
 * `eps * sign(grad_x L(x, y))` and the adversarial `x'` side by side, each with its top predictions,
 * as on the course's panda -> gibbon slide. The gradient sign is computed once per image; moving the
 * epsilon slider only recomputes `x' = clip(x + eps * sign)` and one forward pass.
 *
 * @summary FGSM adversarial examples on a live classifier.
 * @tagname fgsm-demo
 * @fires prediction-change - After x' is recomputed and x', the perturbation and the bars are painted (in the same task as the change on WASM and CPU): `{clean, adversarial, epsilon, mode}`, each side's top-1 `{index, label, confidence}`.
 * @csspart panel - Each of the three panels (x, perturbation, x').
 * @csspart controls - The row of controls.
 * @cssprop --convlab-canvas-size - Display size of the image canvases (default 168px).
 */
export class FgsmDemo extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, fgsmDemoStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js model.json. */
  @property({ reflect: true }) model = 'digits';

  /** URL of a JSON file with metadata for a hosted model (labels, inputRange, …). */
  @property({ attribute: 'model-meta' }) modelMeta = '';

  /**
   * The bundled sample to start from: its index (0-99, ten per class in class order: 30-39 are
   * threes) or `label:<class>` for the first sample of a class, by index or name (`label:3`,
   * `label:sneaker`). Out of range or unknown: clamped or sample 0, with a notice.
   */
  @property({ reflect: true, converter: sampleConverter }) sample: number | string = 0;

  /** URL of an image to start from instead of a bundled sample. */
  @property() src = '';

  /** Size of the step, 0..1 (outside or not a number: clamped or 0.1, with a notice in the widget). */
  @property({ type: Number, reflect: true }) epsilon = 0.1;

  /** 'untargeted' (move away from the true class), 'targeted' (toward `target`) or 'iterative' (PGD). */
  @property({ reflect: true }) mode: FgsmMode = 'untargeted';

  /** Target class index for the targeted mode (0 to classes - 1; outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) target = 0;

  /** Number of steps in the iterative mode, 1..100 (outside: clamped, with a notice). */
  @property({ type: Number, reflect: true }) steps = 10;

  /** Which controls show: a comma-separated list of source, epsilon, mode, target, steps, find; or 'all' / 'none'. */
  @property() controls = 'all';

  /** How many gradients this element has computed (for tests and the curious). */
  gradientCalls = 0;

  /** Model, samples, starting input, status line and input source. */
  private readonly source = new ModelSource(this, {
    samplesFor,
    onModel: (m) => {
      this.directionKey = '';
      this.target = this.source.settings.number('target', { min: 0, max: m.numClasses - 1, default: 0, integer: true });
    },
  });

  private get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  @state() private x?: Tensor4D;
  @state() private xAdv?: Tensor4D;
  @state() private perturbation?: Tensor4D;
  @state() private clean?: { probs: number[]; top: Top1 };
  /** x' of `epsilon`: its prediction and read-outs (the perturbation's colour scale follows this epsilon, not a newer one still computing). */
  @state() private adv?: { probs: number[]; top: Top1; linf: number; changed: number; epsilon: number };
  @state() private trueClass?: number;
  @state() private flipNote = '';

  private direction?: Tensor4D;
  private directionKey = '';
  private pending = false;
  private busy = false;
  private lastFired = '';
  private inputToken = 0;

  private shown(c: FgsmControl): boolean {
    return this.source.shown(c);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.release();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Bad settings are clamped or defaulted, with a notice in the widget (the kit's rule).
    const settings = this.source.settings;
    if (changed.has('epsilon')) this.epsilon = settings.number('epsilon', { min: 0, max: 1, default: 0.1 });
    if (changed.has('steps')) this.steps = settings.number('steps', { min: 1, max: 100, default: 10, integer: true });
    if (changed.has('mode')) this.mode = settings.choice('mode', ['untargeted', 'targeted', 'iterative'] as const, 'untargeted');
    if (changed.has('target') && this.loaded) {
      this.target = settings.number('target', { min: 0, max: this.loaded.numClasses - 1, default: 0, integer: true });
    }
    // A found epsilon belongs to the mode and target it was found for.
    if (this.hasUpdated && (changed.has('mode') || changed.has('target') || changed.has('steps'))) this.flipNote = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.source.reload(changed)) return;
    if (changed.has('mode') || changed.has('target') || changed.has('steps') || changed.has('epsilon')) {
      this.schedule();
    }
  }

  /** Sets a new input image; its true class when known (else the clean prediction is used). */
  async setInput(source: ImageSource | Blob, trueClass?: number): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    const token = ++this.inputToken;
    this.source.set({ status: 'running', message: '' });
    try {
      const { x, inverted } = await prepareInput(m, source);
      if (token !== this.inputToken) {
        x.dispose();
        return;
      }
      // The inverted remark, or for a reader's own image how the model sees it and what it was trained on.
      await this.source.describeInput(x, inverted);
      const probs = tf.tidy(() => tf.softmax(m.logits(x)));
      const p = Array.from(await probs.data());
      probs.dispose();
      if (token !== this.inputToken || !this.isConnected) {
        // A newer input, or the element left the page while this one was read.
        x.dispose();
        return;
      }
      const old = this.x;
      this.x = x;
      old?.dispose();
      this.clean = { probs: p, top: top1(p, m.meta.labels) };
      this.trueClass = trueClass;
      this.directionKey = '';
      this.flipNote = '';
      this.source.set({ status: 'ready', message: '' });
      this.schedule();
    } catch (e) {
      if (token === this.inputToken) this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.source.fail(e);
  }

  /** The class the attack moves away from: the true class when known, else the clean prediction. */
  private get sourceClass(): number {
    return this.trueClass ?? this.clean?.top.index ?? 0;
  }

  /**
   * Runs the update now when idle; while one is running, later requests collapse into one more run
   * with the newest settings. Never two computations at once, never a queue of stale ones.
   */
  private schedule(): void {
    this.pending = true;
    if (!this.busy) void this.run();
  }

  private async run(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Let the property changes of this task settle first (several attributes may change together).
      await Promise.resolve();
      while (this.pending) {
        this.pending = false;
        await this.computeAdversarial();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  /** sign of the gradient, computed once per (image, mode, target) and kept. */
  private ensureDirection(m: LoadedModel, x: Tensor4D): Tensor4D {
    const targeted = this.mode === 'targeted';
    const label = targeted ? this.target : this.sourceClass;
    const key = `${targeted}:${label}`;
    if (!this.direction || this.directionKey !== key) {
      this.direction?.dispose();
      this.direction = gradientSign((t) => m.logits(t), x, label, { targeted });
      this.gradientCalls++;
      this.directionKey = key;
    }
    return this.direction;
  }

  private async computeAdversarial(): Promise<void> {
    const m = this.loaded;
    const x = this.x;
    if (!m || !x) return;
    const eps = this.epsilon;
    let xAdv: Tensor4D;
    if (this.mode === 'iterative') {
      xAdv = iterativeFgsm((t) => m.logits(t), x, this.sourceClass, { epsilon: eps, steps: this.steps });
      this.gradientCalls += this.steps;
    } else {
      xAdv = fgsmStep(x, this.ensureDirection(m, x), eps);
    }
    const { delta, linf, changed } = perturbationSummary(x, xAdv);
    // One download for everything the screen needs: the probabilities, both read-outs, and the
    // pixels of x' and of the perturbation. The canvases then paint tensors whose values are already
    // on the CPU side, so on WebGL no second GPU read-back stands between this one and the paint.
    const n = m.numClasses;
    const size = x.size;
    const summary = tf.tidy(() =>
      tf.concat([tf.reshape(tf.softmax(m.logits(xAdv)), [-1]), tf.reshape(linf, [1]), tf.reshape(changed, [1]), tf.reshape(xAdv, [-1]), tf.reshape(delta, [-1])]),
    );
    tf.dispose([linf, changed, xAdv, delta]);
    const v = (await summary.data()) as Float32Array;
    summary.dispose();
    if (this.x !== x || this.loaded !== m) return;
    const probs = Array.from(v.subarray(0, n));
    const [oldAdv, oldPert] = [this.xAdv, this.perturbation];
    this.xAdv = tf.tensor(v.slice(n + 2, n + 2 + size), x.shape) as Tensor4D;
    this.perturbation = tf.tensor(v.slice(n + 2 + size, n + 2 + 2 * size), x.shape) as Tensor4D;
    this.adv = { probs, top: top1(probs, m.meta.labels), linf: v[m.numClasses], changed: v[m.numClasses + 1], epsilon: eps };
    // x', the perturbation and the bars reach the screen together, in the frame of the input that
    // asked for them: the canvases paint within this task (their read-back is a microtask on WASM and
    // CPU; nothing here waits for a frame or a timer), and prediction-change says they are painted.
    // The old tensors go once nothing paints them any more.
    await this.updateComplete;
    await Promise.all([...this.renderRoot.querySelectorAll<ConvLabTensorCanvas>('convlab-tensor-canvas')].map((c) => c.painted));
    tf.dispose([oldAdv, oldPert].filter((t): t is Tensor4D => !!t));
    this.firePrediction();
  }

  private firePrediction(): void {
    if (!this.clean || !this.adv) return;
    const detail: PredictionChangeDetail = {
      clean: this.clean.top,
      adversarial: this.adv.top,
      epsilon: this.epsilon,
      mode: this.mode,
    };
    const key = JSON.stringify(detail);
    if (key === this.lastFired) return;
    this.lastFired = key;
    this.emit('prediction-change', detail);
  }

  /**
   * Searches the smallest epsilon, along the direction shown, that changes the model's prediction of x
   * (untargeted) or makes it the target (targeted), and moves the slider there. "Changes" is measured
   * against the clean prediction, not the true class: on a sample the model already gets wrong, the
   * search looks for a change of that wrong answer, and the note says it was wrong to begin with.
   */
  async findSmallestEpsilon(): Promise<number | null> {
    const m = this.loaded;
    const x = this.x;
    const clean = this.clean?.top;
    if (!m || !x || !clean) return null;
    const labels = m.meta.labels;
    const targeted = this.mode === 'targeted';
    const wrong = this.misclassified ? `Already misclassified: with no perturbation the model reads this ${labels[this.trueClass!]} as ${clean.label}. ` : '';
    if (targeted && clean.index === this.target) {
      this.epsilon = 0;
      this.flipNote = `${wrong}The model already predicts the target ${clean.label} with no perturbation: epsilon 0.`;
      return 0;
    }
    const direction = this.ensureDirection(m, x);
    const label = targeted ? this.target : clean.index;
    const r = await minimumFlipEpsilon((t) => m.logits(t), x, direction, label, { targeted, tolerance: 1e-3 });
    if (this.x !== x) return null; // a new input came while searching
    if (!r) {
      this.flipNote = `${wrong}No epsilon up to 1 ${targeted ? `reaches class ${labels[label]}` : wrong ? `changes that prediction` : 'changes the prediction'} in this direction.`;
      return null;
    }
    // Rounded up, so that the slider sits on the flipping side of the search's bracket.
    this.epsilon = Math.min(1, Math.ceil(r.epsilon * 1000 - 1e-9) / 1000);
    this.flipNote = targeted
      ? `${wrong}Smallest epsilon that reaches class ${labels[label]}: ${this.epsilon.toFixed(3)}.`
      : `${wrong}Smallest epsilon that changes ${wrong ? `that prediction (${clean.label})` : 'the prediction'}: ${this.epsilon.toFixed(3)} (it becomes ${labels[r.label]}).`;
    return this.epsilon;
  }

  /** The true class is known and the model gets x wrong with no perturbation. */
  private get misclassified(): boolean {
    return this.trueClass !== undefined && !!this.clean && this.clean.top.index !== this.trueClass;
  }

  private release(): void {
    this.inputToken++;
    tf.dispose([this.x, this.xAdv, this.perturbation, this.direction].filter((t): t is Tensor4D => !!t));
    this.x = this.xAdv = this.perturbation = this.direction = undefined;
    this.directionKey = '';
  }

  private onEpsilon(e: Event): void {
    const v = Number((e as CustomEvent<{ value: number }>).detail?.value ?? (e.target as HTMLInputElement).value);
    if (Number.isFinite(v)) this.epsilon = clamp(v, 0, 1);
  }

  protected override render() {
    const m = this.loaded;
    const labels = m?.meta.labels ?? [];
    return html`
      ${this.source.renderStatus()}
      ${m ? this.renderBody(labels) : nothing}
    `;
  }

  private renderBody(labels: string[]) {
    // The perturbation shown is that of the last computed epsilon: its colour scale goes with it, so
    // an epsilon change repaints the canvas once, with the new picture and its scale together.
    const eps = this.adv?.epsilon ?? this.epsilon;
    const trueLabel = this.trueClass !== undefined ? labels[this.trueClass] : undefined;
    // x + perturbation = x' stays one line of three images at any width (the images shrink on a phone);
    // the two predictions sit in a row below, under x and under x'.
    return html`
      <div class="equation">
      <div class="panels">
        <figure part="panel" class="panel">
          <figcaption><span class="sym">x</span> ${trueLabel !== undefined ? html`<span class="muted">(true: ${trueLabel})</span>` : nothing}</figcaption>
          <convlab-tensor-canvas .tensor=${this.x} colormap="grey" .range=${[0, 1]} label="Input image x"></convlab-tensor-canvas>
        </figure>
        <div class="op" aria-hidden="true">+</div>
        <figure part="panel" class="panel">
          <figcaption>
            ${this.mode === 'iterative'
              ? html`x′ − x <span class="muted">(${this.steps} steps, ‖x′ − x‖<sub>∞</sub> ≤ ε)</span>`
              : this.mode === 'targeted'
                ? html`x′ − x = −ε · sign(∇<sub>x</sub> L(x, t)) <span class="muted">(clipped)</span>`
                : html`x′ − x = ε · sign(∇<sub>x</sub> L(x, y)) <span class="muted">(clipped)</span>`}
          </figcaption>
          <convlab-tensor-canvas
            .tensor=${this.perturbation}
            colormap="diverging"
            .range=${[-Math.max(eps, 1e-6), Math.max(eps, 1e-6)]}
            label="The perturbation x′ − x, magnified: blue lowers a pixel, red raises it"
          ></convlab-tensor-canvas>
          <p class="scale">Perturbation shown magnified: full blue = −${eps.toFixed(3)}, full red = +${eps.toFixed(3)}</p>
        </figure>
        <div class="op" aria-hidden="true">=</div>
        <figure part="panel" class="panel">
          <figcaption>
            <span class="sym">x′</span>
            <span class="muted"
              >${this.mode === 'iterative'
                ? html`after ${this.steps} steps, each projected back into ‖x′ − x‖<sub>∞</sub> ≤ ε`
                : this.mode === 'targeted'
                  ? html`= clip(x − ε · sign(∇<sub>x</sub> L(x, t))), t = ${labels[this.target] ?? this.target}`
                  : html`= clip(x + ε · sign(∇<sub>x</sub> L(x, y)))`}</span
            >
          </figcaption>
          <convlab-tensor-canvas .tensor=${this.xAdv} colormap="grey" .range=${[0, 1]} label="Adversarial image x′"></convlab-tensor-canvas>
        </figure>
      </div>
      <div class="bars">
        ${this.clean
          ? html`<convlab-prob-bars heading="Prediction for x" .labels=${labels} .probabilities=${this.clean.probs} top="3" .highlight=${this.trueClass ?? -1}></convlab-prob-bars>`
          : nothing}
        ${this.adv
          ? html`<convlab-prob-bars heading="Prediction for x′" .labels=${labels} .probabilities=${this.adv.probs} top="3" .highlight=${this.mode === 'targeted' ? this.target : (this.trueClass ?? -1)}></convlab-prob-bars>`
          : nothing}
      </div>
      </div>
      ${this.adv
        ? html`<p class="readout" aria-live="polite">
            ‖x′ − x‖<sub>∞</sub> = <strong>${this.adv.linf.toFixed(3)}</strong>; pixels changed:
            <strong>${Math.round(this.adv.changed)}</strong> of ${this.x ? this.x.size : 0}.
            ${this.renderOutcome()}
          </p>`
        : nothing}
      ${this.renderControls(labels)}
    `;
  }

  /** The attack's outcome in words: the flip, and in the targeted mode whether the target was reached. */
  private renderOutcome() {
    const clean = this.clean?.top;
    const adv = this.adv?.top;
    if (!clean || !adv) return nothing;
    const labels = this.loaded?.meta.labels ?? [];
    const wrong = this.misclassified
      ? html`<span class="already">Already misclassified with no perturbation: this ${labels[this.trueClass!] ?? this.trueClass} reads as ${clean.label}.</span> `
      : nothing;
    return html`${wrong}${this.renderFlip(clean, adv)}`;
  }

  private renderFlip(clean: Top1, adv: Top1) {
    if (this.mode === 'targeted') {
      const target = this.loaded?.meta.labels[this.target] ?? String(this.target);
      if (adv.index === this.target) return html`<span class="flipped">Target reached: ${clean.label} → ${adv.label}.</span>`;
      if (adv.index !== clean.index) return html`<span class="flipped">The prediction flipped: ${clean.label} → ${adv.label} (target ${target} not reached).</span>`;
      return html`<span>Target ${target} not reached yet.</span>`;
    }
    return adv.index !== clean.index ? html`<span class="flipped">The prediction flipped: ${clean.label} → ${adv.label}.</span>` : nothing;
  }

  private renderControls(labels: string[]) {
    return html`<div class="controls" part="controls">
      ${this.shown('epsilon')
        ? html`<convlab-slider
            label="Epsilon (ε)"
            min="0"
            max=${this.epsilon > 0.5 ? 1 : 0.5}
            step="0.005"
            digits="3"
            .value=${this.epsilon}
            @input=${this.onEpsilon}
            @change=${this.onEpsilon}
            ?presenter=${this.presenter}
          ></convlab-slider>`
        : nothing}
      ${this.shown('mode')
        ? html`<label class="field"
            >Mode
            <select .value=${this.mode} @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as FgsmMode)}>
              <option value="untargeted" ?selected=${this.mode === 'untargeted'}>Untargeted (one step)</option>
              <option value="targeted" ?selected=${this.mode === 'targeted'}>Targeted (one step)</option>
              <option value="iterative" ?selected=${this.mode === 'iterative'}>Iterative (PGD)</option>
            </select></label
          >`
        : nothing}
      ${this.shown('target') && this.mode === 'targeted'
        ? html`<label class="field"
            >Target class
            <select @change=${(e: Event) => (this.target = Number((e.target as HTMLSelectElement).value))}>
              ${labels.map((l, i) => html`<option value=${i} ?selected=${i === this.target}>${l}</option>`)}
            </select></label
          >`
        : nothing}
      ${this.shown('steps') && this.mode === 'iterative'
        ? html`<convlab-slider
            label="Steps"
            min="1"
            max="40"
            step="1"
            digits="0"
            .value=${this.steps}
            @change=${(e: CustomEvent<{ value: number }>) => (this.steps = e.detail.value)}
          ></convlab-slider>`
        : nothing}
      ${this.shown('find') && this.mode !== 'iterative'
        ? html`<button type="button" @click=${() => this.findSmallestEpsilon()}>Find the smallest ε that flips it</button>`
        : nothing}
      ${this.flipNote ? html`<p class="note" role="status">${this.flipNote}</p>` : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
