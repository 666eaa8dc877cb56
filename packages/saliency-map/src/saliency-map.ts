import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  prepareInput,
  tf,
  saliencyMaps,
  saliencyDisplay,
  visualisableLayers,
  reluRuleBackward,
  paintOverlay,
  colormapGradient,
  RELU_RULES,
  type LoadedModel,
  type Tensor2D,
  type Tensor4D,
  type ImageSource,
  type NeuronTarget,
  type ReluRule,
} from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { ConvLabElement, ModelSource, widgetControlStyles, INVERTED_NOTE, sampleConverter } from '@convlab/kit';
import '@convlab/kit/define.js';
import { saliencyMapStyles } from './saliency-map.styles.js';

export type SaliencyMethod = 'all' | ReluRule;
export const SALIENCY_METHODS: readonly SaliencyMethod[] = ['all', 'gradient', 'deconvnet', 'guided'];
export const SALIENCY_CONTROLS = ['source', 'target', 'method', 'diagram'] as const;

export const RULE_TITLES: Record<ReluRule, string> = {
  gradient: 'Gradient (vanilla backprop)',
  deconvnet: 'Deconvnet',
  guided: 'Guided backprop',
};

/** Column titles over the maps. */
const SHORT_TITLES: Record<ReluRule, string> = { gradient: 'Gradient', deconvnet: 'Deconvnet', guided: 'Guided backprop' };

/** What each rule keeps at a ReLU, in words (the diagram's explanation). */
export const RULE_EXPLANATIONS: Record<ReluRule, string> = {
  gradient:
    'Plain backpropagation keeps the gradient, positive or negative, wherever the ReLU was on in the forward pass (its input was positive) and sets it to zero where it was off.',
  deconvnet:
    'The deconvnet ignores the forward pass: it keeps only positive gradient, wherever it arrives, and sets every negative gradient to zero, even where the ReLU was on.',
  guided:
    'Guided backpropagation applies both conditions: it keeps a gradient only where the ReLU was on AND the gradient is positive, cancelling every negative path of influence. Its maps are the sharpest.',
};

/** The slide's example (Springenberg et al. 2015, Fig. 1): a ReLU's forward input and the gradient from above. */
const DIAGRAM_FORWARD = [1, -1, 5, 2, -5, -7, -3, 2, 4];
const DIAGRAM_GRADIENT = [-2, 3, -1, 6, -3, 1, 2, -1, 3];

export interface SaliencyChangeDetail {
  /** 'class': a class score before the softmax; 'unit': one unit of a layer. */
  target: 'class' | 'unit';
  classIndex?: number;
  label?: string;
  layer?: string;
  unit?: number;
  /** The model's predicted class for the image. */
  predicted: number;
  /** Which maps are shown. */
  method: SaliencyMethod;
  /** max |gradient| of each map. */
  maxAbs: Record<ReluRule, number>;
}

interface RuleMaps {
  signed: Tensor2D;
  magnitude: Tensor2D;
}

/**
 * Gradient-based saliency: how much each input pixel changes one class score (before the softmax)
 * or one unit of a chosen layer, under the three rules for the ReLUs on the way back: plain
 * gradient (Simonyan et al.), deconvnet (Zeiler & Fergus) and guided backpropagation (Springenberg
 * et al.), side by side. Each is shown as a signed map (blue negative, red positive, summed over channels) and as
 * |gradient| laid over the image. A diagram of one ReLU explains which paths each rule keeps.
 *
 * @summary Gradient, deconvnet and guided-backprop saliency maps, side by side.
 * @tagname saliency-map
 * @fires saliency-change - After the maps are computed for a new image or target: `{target, classIndex, label, layer, unit, predicted, method, maxAbs}`.
 * @csspart maps - The row of maps.
 * @csspart diagram - The ReLU-rule diagram.
 * @csspart controls - The controls.
 * @cssprop --convlab-canvas-size - Display size of each map (default 160px).
 */
export class SaliencyMap extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, saliencyMapStyles];

  /** A bundled model id ('digits', 'fashion') or the URL of a TF.js layers model.json. */
  @property({ reflect: true }) model = 'digits';

  /** The URL of a hosted TF.js layers model.json (the same as giving the URL in `model`; wins when set). */
  @property({ attribute: 'model-url' }) modelUrl = '';

  /** URL of a JSON file with metadata for a hosted model (labels, inputRange, …). */
  @property({ attribute: 'model-meta' }) modelMeta = '';

  /** The bundled sample to start from: an index (0-99, ten per class) or `label:<class>`. Out of range: clamped, with a notice. */
  @property({ reflect: true, converter: sampleConverter }) sample: number | string = 0;

  /** URL of an image to start from instead of a bundled sample. */
  @property() src = '';

  /** The class whose score is explained; empty = the predicted class (no such class: the predicted one, with a notice). */
  @property({ attribute: 'target-class', reflect: true }) targetClass = '';

  /** A layer name: explain a unit of this layer instead of a class (no such layer: the class, with a notice). */
  @property({ reflect: true }) layer = '';

  /** The unit (channel) of `layer`, from 0 (out of range: clamped, with a notice). Its most active position on the image is used. */
  @property({ type: Number, reflect: true }) unit = 0;

  /** Which maps show: all three side by side, or one of gradient, deconvnet, guided (another word: all, with a notice). */
  @property({ reflect: true }) method: SaliencyMethod = 'all';

  /** Which controls show: comma-separated from source, target, method, diagram; or 'all' / 'none'. */
  @property() controls = 'all';

  private readonly source = new ModelSource(this, { samplesFor });

  @state() private x?: Tensor4D;
  @state() private predicted = 0;
  @state() private maps?: Record<ReluRule, RuleMaps>;
  @state() private maxAbs?: Record<ReluRule, number>;
  /** The rule the diagram explains. */
  @state() private explained: ReluRule = 'guided';
  /** The target actually used (after checking the settings). */
  @state() private used?: NeuronTarget;

  private run = 0;

  get loaded(): LoadedModel | undefined {
    return this.source.loaded;
  }

  private shown(c: (typeof SALIENCY_CONTROLS)[number]): boolean {
    return this.source.shown(c);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('modelUrl') && this.modelUrl) this.model = this.modelUrl;
    const s = this.source.settings;
    if (changed.has('method')) this.method = s.choice('method', SALIENCY_METHODS, 'all');
    if (changed.has('unit')) this.unit = s.number('unit', { min: 0, default: 0, integer: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.run++;
    this.disposeMaps();
    this.x?.dispose();
    this.x = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    if (this.source.reload(changed)) return;
    if (['targetClass', 'layer', 'unit'].some((k) => changed.has(k))) this.compute();
    if (changed.has('maps') || changed.has('method')) void this.paintOverlays();
  }

  /** Sets a new input image and computes its maps. */
  async setInput(image: ImageSource | Blob): Promise<void> {
    const m = this.loaded;
    if (!m) return;
    const run = ++this.run;
    this.source.set({ status: 'running', message: 'Reading the image…' });
    try {
      const { x, inverted } = await prepareInput(m, image);
      if (run !== this.run || !this.isConnected) {
        x.dispose();
        return;
      }
      this.source.notice = inverted ? INVERTED_NOTE : '';
      const logits = m.logits(x);
      const p = (await logits.data()) as Float32Array;
      logits.dispose();
      if (run !== this.run || !this.isConnected) {
        x.dispose();
        return;
      }
      this.x?.dispose();
      this.x = x;
      this.predicted = p.indexOf(Math.max(...p));
      this.compute();
    } catch (e) {
      if (run === this.run) this.source.fail(e);
    }
  }

  /** The target the settings name, checked against the model; a notice for each setting that could not be used. */
  private target(m: LoadedModel): NeuronTarget {
    const s = this.source.settings;
    let layerNote: string | undefined;
    let unitNote: string | undefined;
    let classNote: string | undefined;
    let t: NeuronTarget | undefined;
    if (this.layer) {
      const layers = visualisableLayers(m);
      const l = layers.find((x) => x.name === this.layer);
      if (!l) {
        layerNote = `layer="${this.layer}" is not a layer of this model (${layers.map((x) => x.name).join(', ')}): explaining the predicted class.`;
      } else {
        let unit = this.unit;
        if (unit > l.units - 1) {
          unitNote = `unit=${unit} is above the last unit of ${l.name}, ${l.units - 1}: using ${l.units - 1}.`;
          unit = l.units - 1;
        }
        t = { layer: l.name, unit, position: 'max' };
      }
    }
    if (!t) {
      let c = this.predicted;
      if (this.targetClass !== '' && this.targetClass != null) {
        const n = Number(this.targetClass);
        if (Number.isInteger(n) && n >= 0 && n < m.numClasses) c = n;
        else classNote = `target-class="${this.targetClass}" is not a class of this model (0 to ${m.numClasses - 1}): explaining the predicted class.`;
      }
      t = { class: c };
    }
    s.set('layer', layerNote);
    s.set('unitRange', unitNote);
    s.set('targetClass', classNote);
    return t;
  }

  /** Computes the three maps (one batched pass) and fires saliency-change. */
  compute(): void {
    const m = this.loaded;
    const x = this.x;
    if (!m || !x) return;
    try {
      const target = this.target(m);
      const maps = saliencyMaps(m, x, target);
      const out = {} as Record<ReluRule, RuleMaps>;
      for (const r of RELU_RULES) out[r] = saliencyDisplay(maps[r]);
      tf.dispose([maps.gradient, maps.deconvnet, maps.guided]);
      this.disposeMaps();
      this.maps = out;
      this.used = target;
      this.source.set({ status: 'ready', message: '' });
      void this.announce(target, out);
    } catch (e) {
      this.source.fail(e);
    }
  }

  private async announce(target: NeuronTarget, maps: Record<ReluRule, RuleMaps>): Promise<void> {
    const run = this.run;
    const m = this.loaded!;
    const mx = tf.tidy(() => tf.stack(RELU_RULES.map((r) => tf.max(tf.abs(maps[r].magnitude)))));
    const v = await mx.data();
    mx.dispose();
    if (run !== this.run || this.maps !== maps) return;
    const maxAbs = { gradient: v[0], deconvnet: v[1], guided: v[2] };
    this.maxAbs = maxAbs;
    const detail: SaliencyChangeDetail =
      target.layer === undefined
        ? { target: 'class', classIndex: target.class, label: m.meta.labels[target.class], predicted: this.predicted, method: this.method, maxAbs }
        : { target: 'unit', layer: target.layer, unit: target.unit, predicted: this.predicted, method: this.method, maxAbs };
    this.emit('saliency-change', detail);
  }

  private disposeMaps(): void {
    if (!this.maps) return;
    for (const r of RELU_RULES) tf.dispose([this.maps[r].signed, this.maps[r].magnitude]);
    this.maps = undefined;
  }

  private get rules(): ReluRule[] {
    return this.method === 'all' ? [...RELU_RULES] : [this.method];
  }

  /** |gradient| laid over the image, one canvas per shown rule. */
  private async paintOverlays(): Promise<void> {
    await this.updateComplete;
    const maps = this.maps;
    const m = this.loaded;
    if (!maps || !this.x || !m) return;
    const [h, w] = m.inputShape;
    const scale = Math.max(1, Math.ceil(160 / Math.max(h, w)));
    // Clones share the data: they stay readable if new maps replace (and dispose) these mid-paint.
    const rules = this.rules;
    const x = tf.clone(this.x);
    const mags = rules.map((r) => tf.clone(maps[r].magnitude));
    try {
      for (const [i, r] of rules.entries()) {
        const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`canvas.overlay[data-rule="${r}"]`);
        if (!canvas || this.maps !== maps) return;
        await paintOverlay(canvas, x, mags[i], { colormap: 'viridis', alpha: 0.7, scale });
      }
    } finally {
      tf.dispose([x, ...mags]);
    }
  }

  protected override render() {
    const m = this.loaded;
    return html`${this.source.renderStatus()} ${m ? this.renderBody(m) : nothing}`;
  }

  private targetText(m: LoadedModel): string {
    const t = this.used;
    if (!t) return '';
    return t.layer === undefined ? `the score of class ${m.meta.labels[t.class]} (before the softmax)` : `unit ${t.unit} of layer ${t.layer} (its most active position)`;
  }

  private renderBody(m: LoadedModel) {
    const what = this.targetText(m);
    return html`
      <p class="caption">
        d(${what || '…'}) / d(image pixels), predicted: <strong>${m.meta.labels[this.predicted]}</strong>
      </p>
      <div class="maps" part="maps">
        ${this.rules.map((r) => this.renderRule(r, what))}
      </div>
      <div class="legend">
        <span>negative</span><span class="bar" style="background: ${colormapGradient('diverging')}"></span><span>positive</span>
        <span class="gap"></span>
        <span>|gradient| 0</span><span class="bar" style="background: ${colormapGradient('viridis')}"></span><span>max</span>
      </div>
      ${this.shown('diagram') ? this.renderDiagram() : nothing} ${this.renderControls(m)}
    `;
  }

  private renderRule(r: ReluRule, what: string) {
    const maps = this.maps;
    const max = this.maxAbs?.[r];
    return html`<figure class="rule ${this.explained === r && this.shown('diagram') ? 'explained' : ''}">
      <figcaption>${SHORT_TITLES[r]}<span class="muted">${max !== undefined ? `max |g| ${max.toPrecision(2)}` : ' '}</span></figcaption>
      <convlab-tensor-canvas
        class="signed"
        data-rule=${r}
        .tensor=${maps?.[r].signed}
        colormap="diverging"
        range="symmetric"
        saveable
        filename=${`saliency-${r}.png`}
        label=${`${RULE_TITLES[r]}: signed gradient of ${what}, blue negative, red positive`}
      ></convlab-tensor-canvas>
      <canvas class="overlay" data-rule=${r} role="img" aria-label=${`${RULE_TITLES[r]}: size of the gradient laid over the image; bright where a pixel changes ${what} most`}></canvas>
    </figure>`;
  }

  /** One ReLU of the slide's figure: forward input, gradient from above, and what the chosen rule passes back. */
  private renderDiagram() {
    const r = this.explained;
    const back = reluRuleBackward(r, DIAGRAM_FORWARD, DIAGRAM_GRADIENT);
    const grid = (values: number[], label: string, kind: 'forward' | 'gradient') =>
      html`<div class="grid-wrap">
        <div class="grid-title">${label}</div>
        <table class="grid" aria-label=${label}>
          ${[0, 1, 2].map(
            (i) =>
              html`<tr>
                ${[0, 1, 2].map((j) => {
                  const v = values[i * 3 + j];
                  const sign = v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero';
                  const off = kind === 'forward' && v <= 0;
                  return html`<td class="${sign} ${off ? 'off' : ''}">${v}</td>`;
                })}
              </tr>`,
          )}
        </table>
      </div>`;
    return html`<section class="diagram" part="diagram" aria-labelledby="diagram-title">
      <h3 id="diagram-title">What one ReLU passes back</h3>
      <div class="rules" role="group" aria-label="Rule to explain">
        ${RELU_RULES.map((x) => html`<button type="button" aria-pressed=${String(x === r)} @click=${() => (this.explained = x)}>${RULE_TITLES[x]}</button>`)}
      </div>
      <div class="grids">
        ${grid(DIAGRAM_FORWARD, 'Forward: ReLU input (grey: the ReLU is off)', 'forward')}
        ${grid(DIAGRAM_GRADIENT, 'Gradient arriving from above', 'gradient')}
        ${grid(back, `${RULE_TITLES[r]}: passed back`, 'gradient')}
      </div>
      <p class="explain" aria-live="polite">${RULE_EXPLANATIONS[r]}</p>
    </section>`;
  }

  private renderControls(m: LoadedModel) {
    const layers = visualisableLayers(m).filter((l) => l.className !== 'InputLayer');
    const layer = layers.find((l) => l.name === this.layer);
    const mode = layer ? 'unit' : this.targetClass === '' ? 'predicted' : 'class';
    const onTarget = (e: Event) => {
      const v = (e.target as HTMLSelectElement).value;
      if (v === 'predicted') {
        this.layer = '';
        this.targetClass = '';
      } else if (v.startsWith('class:')) {
        this.layer = '';
        this.targetClass = v.slice(6);
      } else {
        this.layer = v.slice(6);
        this.unit = 0;
      }
    };
    return html`<div class="controls" part="controls">
      ${this.shown('target')
        ? html`<label class="field"
              >Explain
              <select @change=${onTarget}>
                <option value="predicted" ?selected=${mode === 'predicted'}>the predicted class (${m.meta.labels[this.predicted]})</option>
                <optgroup label="Another class">
                  ${m.meta.labels.map((l, i) => html`<option value=${`class:${i}`} ?selected=${mode === 'class' && String(i) === String(this.targetClass)}>class ${l}</option>`)}
                </optgroup>
                <optgroup label="A unit of a layer">
                  ${layers.map((l) => html`<option value=${`layer:${l.name}`} ?selected=${layer?.name === l.name}>${l.name} (${l.units} ${l.spatial ? 'channels' : 'units'})</option>`)}
                </optgroup>
              </select></label
            >
            ${layer
              ? html`<convlab-slider
                  label=${`Unit of ${layer.name}`}
                  min="0"
                  max=${layer.units - 1}
                  step="1"
                  digits="0"
                  .value=${Math.min(this.unit, layer.units - 1)}
                  @change=${(e: CustomEvent<{ value: number }>) => (this.unit = e.detail.value)}
                ></convlab-slider>`
              : nothing}`
        : nothing}
      ${this.shown('method')
        ? html`<label class="field"
            >Maps
            <select @change=${(e: Event) => (this.method = (e.target as HTMLSelectElement).value as SaliencyMethod)}>
              ${SALIENCY_METHODS.map((x) => html`<option value=${x} ?selected=${x === this.method}>${x === 'all' ? 'all three side by side' : RULE_TITLES[x]}</option>`)}
            </select></label
          >`
        : nothing}
      ${this.source.renderSource()}
    </div>`;
  }
}
