import { html, nothing, type PropertyValues } from 'lit';
import { property, state, queryAll } from 'lit/decorators.js';
import { ready, isAbortError, prepareInput, TOY_DATASETS, ATTACKS, type BackendInfo, type ToyDatasetName, type AttackName } from '@convlab/tensor';
import { ConvLabElement, SettingsNotices, type ImageSelectDetail, widgetControlStyles, clientToCellClamped, resolveSample, sampleConverter, controlShown } from '@convlab/kit';
import '@convlab/kit/define.js';
import { ToyRun, VIEW, EVAL_STEPS, type EpochRecord } from './toy-run.js';
import { DigitsRun, MODEL_IDS, CURVE_EPSILONS, PGD_EPSILONS, PGD_STEPS, type Curves, type DigitsModelId } from './digits-run.js';
import { paintPlane, fromFraction, CLASS_COLOURS } from './plane.js';
import { lineChart, type Series } from './chart.js';
import { advTrainingStyles } from './adv-training.styles.js';

export type AdvMode = 'toy' | 'digits';
export type AdvNetwork = 'mlp' | 'logistic';
export const ADV_CONTROLS = ['mode', 'run', 'dataset', 'network', 'eps', 'attack', 'mix', 'learning-rate', 'points', 'sample'] as const;

/** Detail of `epoch`: the epoch just trained and both networks' loss, clean and robust accuracy. */
export type EpochDetail = EpochRecord;

/** Detail of `curve-complete`. Toy: the per-epoch history when training reached `epochs`. Digits: robust accuracy against eps. */
export type CurveCompleteDetail =
  | { mode: 'toy'; epochs: number; history: EpochRecord[] }
  | { mode: 'digits'; epsilons: number[]; pgdEpsilons: number[]; steps: number; curves: Curves; samples: number };

const MODEL_COLOURS = ['#0f766e', '#9333ea'] as const;
const MODES: readonly AdvMode[] = ['toy', 'digits'];
const NETWORKS: readonly AdvNetwork[] = ['mlp', 'logistic'];
const MODEL_NAMES: Record<DigitsModelId, string> = { digits: 'digits (clean training)', 'digits-robust': 'digits-robust (adversarial training)' };
const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

/**
 * Adversarial training, live. Toy mode trains two small networks on a 2-D two-class data set in the
 * page, from the same starting weights: one on clean points, one with each batch's FGSM or PGD
 * points mixed in. Every point is drawn with its L-inf ball of radius eps; watch the adversarially
 * trained boundary move away from the points, and the clean and robust accuracy per epoch. Digits
 * mode attacks the clean `digits` model and the adversarially trained `digits-robust` model live on
 * the shipped test images: robust accuracy against eps (FGSM and PGD) and one sample's adversarial
 * example and perturbation for both.
 *
 * @summary Adversarial training: a toy problem trained live, and a clean vs a robust digits model.
 * @tagname adv-training
 * @fires epoch - Toy mode, after each epoch: `{epoch, clean, adversarial}`, each `{loss, clean, robust}`.
 * @fires curve-complete - Toy: when training reaches `epochs` (`{mode, epochs, history}`). Digits: when the robust-accuracy curves are measured (`{mode, epsilons, pgdEpsilons, steps, curves, samples}`).
 * @csspart plane - Each toy plane (clean, adversarial).
 * @csspart chart - The accuracy chart.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Display size of the toy planes and digit images (default 260px).
 */
export class AdvTraining extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, advTrainingStyles];

  /** 'toy' (train live on 2-D points) or 'digits' (compare the clean and the robust digits model). */
  @property({ reflect: true }) mode: AdvMode = 'toy';
  /** Toy data set: moons, circles, blobs, or custom (empty: click points in). */
  @property({ attribute: 'dataset', reflect: true }) toyDataset: ToyDatasetName = 'moons';
  /** Radius of the L-inf ball (0..0.5). Default 0.15 in toy mode (plane units), 0.3 in digits mode ([0, 1] pixels). */
  @property({ type: Number, reflect: true }) eps?: number;
  /** 'fgsm' or 'pgd': the attack adversarial training uses (toy), or that makes the shown example (digits). */
  @property({ reflect: true }) attack: AttackName = 'fgsm';
  /** Share m of the adversarial loss, 0..1: (1 - m) L(x) + m L(x_adv). */
  @property({ type: Number, reflect: true }) mix = 0.5;
  /** Toy: epochs to train (1-2000), one per frame. */
  @property({ type: Number, reflect: true }) epochs = 150;
  /** Toy: Adam's learning rate (0.0001-1). */
  @property({ type: Number, attribute: 'learning-rate', reflect: true }) learningRate = 0.02;
  /** Seed of the data, the starting weights and the batch order: the same seed gives the same run. */
  @property({ type: Number, reflect: true }) seed = 1;
  /** Toy: number of training points (10-1000); as many held-out points measure the accuracy. */
  @property({ type: Number, reflect: true }) points = 200;
  /** Toy: 'mlp' (2-16-16-2, ReLU) or 'logistic' (logistic regression, the slide's linear model). */
  @property({ reflect: true }) network: AdvNetwork = 'mlp';
  /** Digits: the shipped test image shown: 0-99 (ten per class, in class order) or `label:<class>`; a bad one is clamped or defaulted with a notice. */
  @property({ reflect: true, converter: sampleConverter }) sample: number | string = 0;
  /** Which controls show: comma-separated from mode, run, dataset, network, eps, attack, mix, learning-rate, points, sample; or 'all' / 'none'. */
  @property() controls = 'all';
  /** Toy: start paused (the reader presses Train). */
  @property({ type: Boolean, reflect: true }) paused = false;

  @state() private status: 'loading' | 'ready' | 'running' | 'error' = 'loading';
  @state() private progress = -1;
  @state() private message = '';
  @state() private backend?: BackendInfo;
  @state() private running = false;
  @state() private newClass = 0;
  @state() private cursor?: { x: number; y: number };
  @state() private said = '';
  @state() private curveProgress = 0;

  /** The settings notices (clamped or defaulted attributes). */
  private readonly settings = new SettingsNotices(this);
  private toy?: ToyRun;
  private digits?: DigitsRun;
  private abort?: AbortController;
  private loopToken = 0;
  private startToken = 0;
  private attackBusy = false;
  private attackAgain = false;

  @queryAll('canvas.plane') private planes?: NodeListOf<HTMLCanvasElement>;

  /** The shipped sample shown in digits mode, resolved from `sample`. */
  private sampleIndex = 0;

  private resolveSampleIndex(): void {
    const run = this.digits;
    if (!run?.models || !run.samples.length) return;
    const r = resolveSample(this.settings.raw('sample'), run.samples, run.models.digits.meta.labels);
    this.settings.set('sample', r.notice);
    this.sampleIndex = r.value;
  }

  /** The radius in use: the attribute, or the mode's default. */
  get epsilon(): number {
    return this.eps ?? (this.mode === 'digits' ? 0.3 : 0.15);
  }

  /** The toy run (for tests and the bench): epoch count and history. */
  get toyRun(): ToyRun | undefined {
    return this.toy;
  }

  private shown(c: (typeof ADV_CONTROLS)[number]): boolean {
    return controlShown(this.controls, c);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  /** Stops the loop and any measurement and frees every tensor. */
  private stop(): void {
    this.loopToken++;
    this.startToken++;
    this.running = false;
    this.abort?.abort();
    this.toy?.dispose();
    this.toy = undefined;
    this.digits?.dispose();
    this.digits = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const s = this.settings;
    if (changed.has('mode')) this.mode = s.choice('mode', MODES, 'toy');
    if (changed.has('toyDataset')) this.toyDataset = s.choice('toyDataset', TOY_DATASETS, 'moons');
    if (changed.has('attack')) this.attack = s.choice('attack', ATTACKS, 'fgsm');
    if (changed.has('network')) this.network = s.choice('network', NETWORKS, 'mlp');
    if (changed.has('eps') && this.eps !== undefined && this.eps !== null) {
      this.eps = s.number('eps', { min: 0, max: 0.5, default: this.mode === 'digits' ? 0.3 : 0.15 });
    }
    if (changed.has('mix')) this.mix = s.number('mix', { min: 0, max: 1, default: 0.5 });
    if (changed.has('epochs')) this.epochs = s.number('epochs', { min: 1, max: 2000, default: 150, integer: true });
    if (changed.has('learningRate')) this.learningRate = s.number('learningRate', { min: 0.0001, max: 1, default: 0.02 });
    if (changed.has('seed')) this.seed = s.number('seed', { min: 0, max: 2 ** 31 - 1, default: 1, integer: true });
    if (changed.has('points')) this.points = s.number('points', { min: 10, max: 1000, default: 200, integer: true });
    if (changed.has('sample')) this.resolveSampleIndex();
  }

  protected override firstUpdated(): void {
    void this.start();
  }

  protected override updated(changed: PropertyValues<AdvTraining>): void {
    const was = (k: keyof AdvTraining) => changed.has(k) && changed.get(k) !== undefined;
    if (was('mode')) {
      void this.start();
      return;
    }
    if (this.mode === 'toy') {
      if ((['toyDataset', 'points', 'seed', 'network', 'learningRate'] as const).some((k) => was(k))) this.reset();
      else if (this.toy && (['eps', 'attack', 'mix'] as const).some((k) => changed.has(k))) {
        Object.assign(this.toy.settings, { eps: this.epsilon, attack: this.attack, mix: this.mix });
        if (!this.running) void this.refresh();
      }
      if (changed.has('epochs') && this.toy && this.toy.epoch < this.epochs && !this.paused && !this.running && this.hasUpdated) this.resume();
      if (changed.has('paused') && this.toy) {
        if (this.paused) this.pause();
        else this.resume();
      }
      this.paint();
    } else if (this.digits && (['eps', 'attack', 'sample'] as const).some((k) => changed.has(k))) {
      void this.attackSample();
    }
  }

  /** Sets up the mode: the backend, then the toy run or the digits models. */
  private async start(): Promise<void> {
    this.stop();
    const token = ++this.startToken;
    this.said = '';
    this.status = 'loading';
    this.message = this.mode === 'digits' ? 'Loading the two digits models…' : 'Starting TF.js…';
    this.progress = -1;
    try {
      this.backend = await ready();
      if (token !== this.startToken) return;
      if (this.mode === 'toy') {
        this.toy = this.newToy();
        await this.toy.step(false);
        if (token !== this.startToken) return;
        this.status = 'ready';
        this.message = '';
        await this.updateComplete;
        this.paint();
        if (!this.paused) this.resume();
      } else {
        await this.startDigits(token);
      }
    } catch (e) {
      if (token !== this.startToken || isAbortError(e)) return;
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.running = false;
    this.status = 'error';
    this.message = e instanceof Error ? e.message : String(e);
  }

  private newToy(): ToyRun {
    return new ToyRun({
      dataset: this.toyDataset,
      points: this.points,
      eps: this.epsilon,
      attack: this.attack,
      mix: this.mix,
      learningRate: this.learningRate,
      seed: this.seed,
      network: this.network,
    });
  }

  // ----- toy mode: the training loop -----

  /** Trains one epoch per frame until `epochs`, or until paused. */
  resume(): void {
    if (this.mode !== 'toy' || !this.toy || this.running) return;
    if (this.toy.epoch >= this.epochs) return;
    this.paused = false;
    this.running = true;
    const token = ++this.loopToken;
    const loop = async () => {
      try {
        while (token === this.loopToken && this.toy && this.toy.epoch < this.epochs) {
          const rec = await this.toy.step();
          if (token !== this.loopToken) return;
          if (rec) this.emit<EpochDetail>('epoch', rec);
          else {
            // Nothing to train on (custom data with one class or none): wait for clicks.
            this.said = 'Add points of both classes to train.';
            this.running = false;
            return;
          }
          this.requestUpdate();
          await nextFrame();
        }
        if (token === this.loopToken && this.toy) {
          this.running = false;
          this.emit<CurveCompleteDetail>('curve-complete', { mode: 'toy', epochs: this.toy.epoch, history: [...this.toy.history] });
        }
      } catch (e) {
        if (token === this.loopToken) this.fail(e);
      }
    };
    void loop();
  }

  /** Stops after the epoch in progress. */
  pause(): void {
    this.loopToken++;
    this.running = false;
    this.paused = true;
  }

  /** Trains exactly one epoch (when paused). */
  async stepOnce(): Promise<void> {
    if (!this.toy || this.running) return;
    const rec = await this.toy.step();
    if (rec) this.emit<EpochDetail>('epoch', rec);
    this.requestUpdate();
  }

  /** Starts again from epoch 0 with the same seed (the same run again). */
  reset(): void {
    if (this.mode !== 'toy' || this.status === 'loading') return;
    const wasRunning = this.running || !this.paused;
    this.loopToken++;
    this.running = false;
    this.toy?.dispose();
    this.toy = this.newToy();
    this.said = '';
    void this.refresh().then(() => {
      if (wasRunning) this.resume();
    });
  }

  /** Re-measures and repaints without training (after a click or a new eps). */
  private async refresh(): Promise<void> {
    const t = this.toy;
    if (!t) return;
    await t.step(false);
    if (t === this.toy) {
      this.requestUpdate();
      await this.updateComplete;
      this.paint();
    }
  }

  private paint(): void {
    const t = this.toy;
    if (!t || this.mode !== 'toy') return;
    const dark = getComputedStyle(this).colorScheme?.includes('dark') ?? false;
    this.planes?.forEach((c, i) => {
      paintPlane(c, t.frame?.grids[i], t.data, t.frame?.survives[i], { eps: this.epsilon, dark, cursor: this.cursor });
    });
  }

  private addAt(x: number, y: number): void {
    const t = this.toy;
    if (!t) return;
    t.add(x, y, this.newClass);
    this.said = `Added a class ${this.newClass === 0 ? 'A' : 'B'} point at (${x.toFixed(2)}, ${y.toFixed(2)}).`;
    if (!this.running) {
      void this.refresh().then(() => {
        if (!this.paused && t.epoch < this.epochs) this.resume();
      });
    }
  }

  private onPlaneDown(e: PointerEvent): void {
    const c = e.currentTarget as HTMLCanvasElement;
    const hit = clientToCellClamped(c.getBoundingClientRect(), e.clientX, e.clientY, 1000, 1000);
    if (!hit) return;
    const p = fromFraction(hit.x, hit.y);
    this.addAt(p.x, p.y);
  }

  private onPlaneKey(e: KeyboardEvent): void {
    const d = e.shiftKey ? 0.2 : 0.05;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
    const cur = this.cursor ?? { x: 0, y: 0 };
    if (moves[e.key]) {
      e.preventDefault();
      const clamp = (v: number) => Math.max(-VIEW, Math.min(VIEW, v));
      this.cursor = { x: clamp(cur.x + moves[e.key][0]), y: clamp(cur.y + moves[e.key][1]) };
      this.said = `Cursor at (${this.cursor.x.toFixed(2)}, ${this.cursor.y.toFixed(2)}).`;
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.cursor = cur;
      this.addAt(cur.x, cur.y);
    } else if (e.key === 'Escape') {
      this.cursor = undefined;
    }
  }

  // ----- digits mode -----

  private async startDigits(token: number): Promise<void> {
    const run = new DigitsRun();
    this.digits = run;
    const ac = new AbortController();
    this.abort = ac;
    await run.load((f) => (this.progress = f), ac.signal);
    if (token !== this.startToken) return;
    this.resolveSampleIndex();
    this.status = 'running';
    this.progress = -1;
    this.message = 'Measuring robust accuracy on the 100 shipped test images…';
    await this.attackSample();
    this.curveProgress = 0;
    const curves = await run.computeCurves((f) => {
      this.curveProgress = f;
      this.requestUpdate();
    }, ac.signal);
    if (token !== this.startToken) return;
    this.status = 'ready';
    this.message = '';
    this.emit<CurveCompleteDetail>('curve-complete', {
      mode: 'digits',
      epsilons: [...CURVE_EPSILONS],
      pgdEpsilons: [...PGD_EPSILONS],
      steps: PGD_STEPS,
      curves: JSON.parse(JSON.stringify(curves)) as Curves,
      samples: run.labels.length,
    });
  }

  /** Attacks the current sample on both models; calls made while one runs collapse into one more. */
  private async attackSample(): Promise<void> {
    if (this.attackBusy) {
      this.attackAgain = true;
      return;
    }
    this.attackBusy = true;
    try {
      do {
        this.attackAgain = false;
        const run = this.digits;
        if (!run) return;
        await run.attackSample(this.sampleIndex, this.epsilon, this.attack);
        this.requestUpdate();
        await this.updateComplete;
        // The canvases hold the new tensors now: free the ones they held before.
        await nextFrame();
        run.releaseOld();
      } while (this.attackAgain);
    } catch (e) {
      this.fail(e);
    } finally {
      this.attackBusy = false;
    }
  }

  private onPick = async (e: CustomEvent<ImageSelectDetail>): Promise<void> => {
    const run = this.digits;
    if (!run?.models) return;
    const { index, source } = e.detail;
    if (index !== undefined && e.detail.origin === 'sample') {
      run.clearCustom();
      const k = Math.floor(index / 2) * 10 + (index % 2);
      if (k === this.sampleIndex) void this.attackSample();
      this.sample = k;
      return;
    }
    const picker = e.target as HTMLElement & { showError?: (m: string) => void };
    try {
      const { x, inverted } = await prepareInput(run.models.digits, source);
      if (run !== this.digits) {
        x.dispose();
        return;
      }
      const label = await run.setCustom(x);
      this.said = `Your image${inverted ? ' (inverted: the models read light strokes on dark)' : ''} reads as ${label} for the clean model; both models are attacked away from ${label}.`;
      void this.attackSample();
    } catch (err) {
      picker.showError?.(err instanceof Error ? err.message : String(err));
    }
  };

  // ----- rendering -----

  protected override render() {
    return html`
      <convlab-status
        .state=${this.status}
        .progress=${this.progress}
        .message=${this.message}
        .backend=${this.backend}
        ?retryable=${this.status === 'error'}
        @retry=${() => this.start()}
      ></convlab-status>
      ${this.settings.render()}
      ${this.shown('mode')
        ? html`<div class="tabs" role="group" aria-label="What to show">
            <button type="button" aria-pressed=${String(this.mode === 'toy')} @click=${() => (this.mode = 'toy')}>Toy problem, trained live</button>
            <button type="button" aria-pressed=${String(this.mode === 'digits')} @click=${() => (this.mode = 'digits')}>Digits: clean vs robust model</button>
          </div>`
        : nothing}
      ${this.mode === 'toy' ? this.renderToy() : this.renderDigits()}
    `;
  }

  private renderToy() {
    const t = this.toy;
    const last = t?.history.at(-1);
    const eps = this.epsilon;
    const evalWhat = this.toyDataset === 'custom' ? 'the training points' : `${t?.evalData.labels.length ?? this.points} held-out points`;
    const plane = (i: 0 | 1) => {
      const stats = i === 0 ? last?.clean : last?.adversarial;
      const title = i === 0 ? 'Clean training' : 'Adversarial training';
      const sub = i === 0 ? html`m = 0` : html`m = ${this.mix.toFixed(2)}, ${this.attack === 'pgd' ? 'PGD' : 'FGSM'} points, ε = ${eps.toFixed(2)}`;
      return html`<figure class="plane-fig" part="plane">
        <figcaption><span class="swatch" style="background:${MODEL_COLOURS[i]}"></span>${title} <span class="muted">(${sub})</span></figcaption>
        <canvas
          class="plane"
          width="320"
          height="320"
          tabindex="0"
          role="img"
          aria-label=${`${title}: decision boundary and ${t?.data.labels.length ?? 0} training points, each with its square of radius ${eps.toFixed(2)}. ${stats ? `Clean accuracy ${pct(stats.clean)}, robust accuracy ${pct(stats.robust)}.` : ''} Click, or use the arrow keys and Enter, to add a point of class ${this.newClass === 0 ? 'A' : 'B'}.`}
          @pointerdown=${this.onPlaneDown}
          @keydown=${this.onPlaneKey}
        ></canvas>
        <p class="stats">clean <strong>${pct(stats?.clean)}</strong> · robust <strong>${pct(stats?.robust)}</strong></p>
      </figure>`;
    };
    const h = t?.history ?? [];
    const xs = h.map((r) => r.epoch);
    const series: Series[] = [
      { label: 'clean training: clean accuracy', values: h.map((r) => r.clean.clean), xs, colour: MODEL_COLOURS[0] },
      { label: 'clean training: robust accuracy', values: h.map((r) => r.clean.robust), xs, colour: MODEL_COLOURS[0], dashed: true },
      { label: 'adversarial training: clean accuracy', values: h.map((r) => r.adversarial.clean), xs, colour: MODEL_COLOURS[1] },
      { label: 'adversarial training: robust accuracy', values: h.map((r) => r.adversarial.robust), xs, colour: MODEL_COLOURS[1], dashed: true },
    ];
    return html`
      <div class="planes">${plane(0)}${plane(1)}</div>
      <p class="legend">
        <span class="dot a"></span> class A <span class="dot b"></span> class B ·
        squares: each point's ε-ball (L∞), <span class="broken">red</span> when PGD-${EVAL_STEPS} at ε pushes it across that network's boundary
      </p>
      <div part="chart">
        ${lineChart(series, {
          title: `Accuracy per epoch on ${evalWhat} (robust: PGD-${EVAL_STEPS} at ε = ${eps.toFixed(2)})`,
          xLabel: 'epoch',
          xRange: [0, Math.max(10, this.epochs)],
          description: last
            ? `After epoch ${last.epoch}: clean training ${pct(last.clean.clean)} clean, ${pct(last.clean.robust)} robust; adversarial training ${pct(last.adversarial.clean)} clean, ${pct(last.adversarial.robust)} robust.`
            : 'No epoch trained yet.',
        })}
      </div>
      <p class="readout" aria-live="polite">
        Epoch <strong>${t?.epoch ?? 0}</strong> of ${this.epochs}${this.running ? '' : t && t.epoch >= this.epochs ? ' (done)' : ' (paused)'}. ${this.said}
      </p>
      ${this.renderToyControls()}
    `;
  }

  private renderToyControls() {
    const t = this.toy;
    const done = !!t && t.epoch >= this.epochs;
    const num = (f: (v: number) => void) => (e: CustomEvent<{ value: number }>) => f(e.detail.value);
    return html`<div class="controls" part="controls">
      ${this.shown('run')
        ? html`<div class="buttons" role="group" aria-label="Training">
            ${this.running
              ? html`<button type="button" class="primary" @click=${() => this.pause()}>Pause training</button>`
              : html`<button type="button" class="primary" ?disabled=${!t || done} @click=${() => this.resume()}>${t && t.epoch > 0 ? 'Resume training' : 'Train'}</button>`}
            <button type="button" ?disabled=${!t || this.running || done} @click=${() => this.stepOnce()}>Train one epoch</button>
            <button type="button" ?disabled=${!t} @click=${() => this.reset()}>Reset (same seed)</button>
          </div>
          <div class="buttons" role="group" aria-label="Class of a new point">
            ${[0, 1].map(
              (c) => html`<button type="button" aria-pressed=${String(this.newClass === c)} @click=${() => (this.newClass = c)}>
                <span class="dot ${c === 0 ? 'a' : 'b'}"></span> Add class ${c === 0 ? 'A' : 'B'}
              </button>`,
            )}
          </div>`
        : nothing}
      ${this.shown('dataset')
        ? html`<label class="field">Data set
            <select @change=${(e: Event) => (this.toyDataset = (e.target as HTMLSelectElement).value as ToyDatasetName)}>
              ${TOY_DATASETS.map((d) => html`<option value=${d} ?selected=${d === this.toyDataset}>${d === 'custom' ? 'custom (click to add)' : d}</option>`)}
            </select></label>`
        : nothing}
      ${this.shown('network')
        ? html`<label class="field">Network
            <select @change=${(e: Event) => (this.network = (e.target as HTMLSelectElement).value as AdvNetwork)}>
              <option value="mlp" ?selected=${this.network === 'mlp'}>MLP 2-16-16-2</option>
              <option value="logistic" ?selected=${this.network === 'logistic'}>logistic regression</option>
            </select></label>`
        : nothing}
      ${this.shown('attack') ? this.renderAttackSelect('Training attack') : nothing}
      ${this.shown('eps')
        ? html`<convlab-slider label="ε (radius)" min="0" max="0.5" step="0.01" digits="2" .value=${this.epsilon} @change=${num((v) => (this.eps = v))}></convlab-slider>`
        : nothing}
      ${this.shown('mix')
        ? html`<convlab-slider label="Adversarial share m" min="0" max="1" step="0.05" digits="2" .value=${this.mix} @change=${num((v) => (this.mix = v))}></convlab-slider>`
        : nothing}
      ${this.shown('learning-rate')
        ? html`<convlab-slider label="Learning rate" min="0.001" max="0.1" step="0.001" digits="3" .value=${this.learningRate} @change=${num((v) => (this.learningRate = v))}></convlab-slider>`
        : nothing}
      ${this.shown('points')
        ? html`<convlab-slider label="Points" min="20" max="1000" step="10" digits="0" .value=${this.points} @change=${num((v) => (this.points = v))}></convlab-slider>`
        : nothing}
    </div>`;
  }

  private renderAttackSelect(label: string) {
    return html`<label class="field">${label}
      <select @change=${(e: Event) => (this.attack = (e.target as HTMLSelectElement).value as AttackName)}>
        <option value="fgsm" ?selected=${this.attack === 'fgsm'}>FGSM (one step)</option>
        <option value="pgd" ?selected=${this.attack === 'pgd'}>PGD (iterative)</option>
      </select></label>`;
  }

  private renderDigits() {
    const run = this.digits;
    if (!run?.models) return nothing;
    const eps = this.epsilon;
    const c = run.curves;
    const series: Series[] = MODEL_IDS.flatMap((id, i) => [
      { label: `${id}: PGD-${PGD_STEPS}`, values: c[id].pgd, xs: PGD_EPSILONS, colour: MODEL_COLOURS[i] },
      { label: `${id}: FGSM`, values: c[id].fgsm, xs: CURVE_EPSILONS, colour: MODEL_COLOURS[i], dashed: true },
    ]);
    const clean = MODEL_IDS.map((id) => c[id].fgsm[0]);
    const at = (id: DigitsModelId, k: 'fgsm' | 'pgd') => c[id][k][(k === 'pgd' ? PGD_EPSILONS : CURVE_EPSILONS).indexOf(0.3)];
    const labels = run.models.digits.meta.labels;
    const trueLabel = run.custom ? labels[run.custom.label] : labels[run.labels[this.sampleIndex]];
    return html`
      <div class="digits-top">
        <div part="chart">
          ${lineChart(series, {
            title: `Accuracy on the ${run.labels.length} shipped test images under attack`,
            xLabel: 'ε (L∞, pixels in [0, 1])',
            xRange: [0, 0.5],
            marker: eps,
            description: `Robust accuracy against epsilon. At ε = 0.3: digits ${pct(at('digits', 'pgd'))} under PGD and ${pct(at('digits', 'fgsm'))} under FGSM; digits-robust ${pct(at('digits-robust', 'pgd'))} under PGD and ${pct(at('digits-robust', 'fgsm'))} under FGSM.`,
          })}
          ${this.curveProgress < 1 ? html`<p class="muted">Measuring… ${Math.round(this.curveProgress * 100)}%</p>` : nothing}
        </div>
        <div class="cost">
          <p>
            <strong>Clean accuracy</strong> on these images: digits <strong>${pct(clean[0])}</strong>, digits-robust
            <strong>${pct(clean[1])}</strong>${clean[0] !== undefined && clean[1] !== undefined
              ? html` — robustness costs <strong>${((clean[0] - clean[1]) * 100).toFixed(0)}</strong> point${Math.abs(clean[0] - clean[1]) === 0.01 ? '' : 's'} here.`
              : nothing}
          </p>
          <p>
            <strong>At ε = 0.3</strong> (the training radius), PGD-${PGD_STEPS}: digits <strong>${pct(at('digits', 'pgd'))}</strong>,
            digits-robust <strong>${pct(at('digits-robust', 'pgd'))}</strong>.
          </p>
        </div>
      </div>
      <div class="compare">
        ${MODEL_IDS.map((id, i) => {
          const a = run.attacks?.[id];
          const top = a ? a.adversarial.indexOf(Math.max(...a.adversarial)) : -1;
          return html`<figure class="model" part="plane">
            <figcaption><span class="swatch" style="background:${MODEL_COLOURS[i]}"></span>${MODEL_NAMES[id]}</figcaption>
            <div class="pair">
              <div>
                <convlab-tensor-canvas .tensor=${a?.xAdv} colormap="grey" .range=${[0, 1]} label=${`Adversarial image x′ for ${id}`}></convlab-tensor-canvas>
                <p class="muted">x′ (${this.attack === 'pgd' ? `PGD-${PGD_STEPS}` : 'FGSM'}, ε = ${eps.toFixed(2)})</p>
              </div>
              <div>
                <convlab-tensor-canvas .tensor=${a?.delta} colormap="diverging" .range=${[-Math.max(eps, 1e-6), Math.max(eps, 1e-6)]} label=${`Perturbation x′ − x for ${id}: blue lowers a pixel, red raises it`}></convlab-tensor-canvas>
                <p class="muted">x′ − x (±${eps.toFixed(2)})</p>
              </div>
            </div>
            <p class="stats" aria-live="polite">
              ${a
                ? html`${run.custom ? 'clean model reads' : 'true'} ${trueLabel}: x → <strong>${labels[a.clean.indexOf(Math.max(...a.clean))]}</strong>, x′ →
                    <strong class=${labels[top] === trueLabel ? '' : 'flipped'}>${labels[top]}</strong> (${pct(a.adversarial[top])})`
                : nothing}
            </p>
          </figure>`;
        })}
      </div>
      <p class="readout" aria-live="polite">${this.said}</p>
      <div class="controls" part="controls">
        ${this.shown('eps')
          ? html`<convlab-slider label="ε (radius)" min="0" max="0.5" step="0.01" digits="2" .value=${eps} @input=${(e: CustomEvent<{ value: number }>) => (this.eps = e.detail.value)}></convlab-slider>`
          : nothing}
        ${this.shown('attack') ? this.renderAttackSelect('Attack shown') : nothing}
        ${this.shown('sample')
          ? html`<convlab-image-picker
              label="Test images"
              upload-label="Attack your own digit…"
              .samples=${run.samples.filter((_, k) => k % 10 < 2).map((s) => ({ label: s.label, src: s.src }))}
              .selected=${run.custom ? -1 : this.sampleIndex % 10 < 2 ? Math.floor(this.sampleIndex / 10) * 2 + (this.sampleIndex % 10) : -1}
              @image-select=${this.onPick}
            ></convlab-image-picker>`
          : nothing}
      </div>
    `;
  }
}

export { CLASS_COLOURS };
