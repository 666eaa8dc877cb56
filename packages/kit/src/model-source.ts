import { css, html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { Task } from '@lit/task';
import { ready, loadModel, isAbortError, toCanvas, type BackendInfo, type LoadedModel, type ImageSource, type Tensor4D } from '@convlab/tensor';
import { loadSpriteSamples, type SpriteSample } from './sprite-samples.js';
import type { ImageSelectDetail } from './image-picker.js';
import type { StatusState } from './status.js';
import { clampSetting, controlShown, SettingsNotices, type Setting } from './settings.js';

/** The element a ModelSource serves: a widget with the usual model and input attributes. */
export interface ModelSourceHost extends ReactiveControllerHost, HTMLElement {
  /** A bundled model id or the URL of a TF.js model.json. */
  model: string;
  /** URL of a metadata JSON for a hosted model ('' for none). */
  modelMeta: string;
  /** The bundled sample to start from: an index, or `label:<class>` (see `resolveSample`). */
  sample: number | string;
  /** URL of an image to start from instead of a sample ('' for none). */
  src: string;
  /** Which controls show: 'all', 'none' or a comma-separated list. */
  controls: string;
  presenter: boolean;
  readonly hasUpdated: boolean;
  /** Takes a new input image (its true class when known) and runs the widget's computation. */
  setInput(source: ImageSource | Blob, trueClass?: number): Promise<void>;
}

export interface ModelSourceOptions {
  /** The sprite of bundled samples for a model id: `samplesFor` of @convlab/models. */
  samplesFor?: (model: string) => { png: string; json: string } | undefined;
  /** Channel counts the widget can feed (default 1 or 3). */
  channels?: number[];
  /** Called when a model has loaded, before its first input is set. */
  onModel?: (model: LoadedModel) => void;
  /** How many samples per class the picker shows (default 2: twenty thumbnails for ten classes). */
  pickerPerClass?: number;
}

/**
 * What every model widget does around its own computation, as a Lit reactive controller: load the
 * backend, the model (a `@lit/task` Task: it reruns when `model` or `model-meta` changes and aborts
 * the run it replaces; with progress and retry) and its bundled samples; set the starting
 * input from `src` or `sample` and again when they change; keep the loading / running / error state;
 * render the status line and the input source (pick a sample, upload, drop or paste, or draw).
 *
 * The host keeps its attributes as its own documented properties; in `updated()` it calls
 * `source.reload(changed)` first and skips its own handling when that returns true.
 */
export class ModelSource implements ReactiveController {
  status: StatusState = 'loading';
  progress = 0;
  message = '';
  backend?: BackendInfo;
  loaded?: LoadedModel;
  samples: SpriteSample[] = [];
  /** The source tabs: drawing (true) or picking an image (false). */
  drawing = false;
  /** A remark about the current input, shown under the status line (for example that it was inverted). */
  notice = '';
  /**
   * The widget's settings notices (clamped or defaulted attributes), shown under the status line.
   * The widget checks its own settings with it (`source.settings.number('epsilon', {...})`); the
   * source checks `sample` and stray attributes.
   */
  readonly settings: SettingsNotices;

  /** Loads backend, model, samples and the starting input; reruns when model or model-meta change. */
  private readonly loadTask: Task<readonly [string, string], LoadedModel>;
  /** The element left the page: load again when it comes back. */
  private interrupted = false;
  /** A sample the picker has just set: the `sample` change it causes must not load it again. */
  private picked?: number;
  /** The picker whose file (upload, drop, paste) is being read: its errors go next to its upload button. */
  private filePicker?: { showError(message: string): void };
  /** An input has been shown (the widget reached 'ready' after one): a failed upload leaves it in place. */
  private hasInput = false;
  /** Where the input being set comes from: a reader's own image gets a word about what the model knows. */
  private origin: 'sample' | 'draw' | 'own' = 'sample';
  /** The reader's own image as the model sees it (a data URL), shown in the input notice. */
  private preview = '';

  constructor(
    private readonly host: ModelSourceHost,
    private readonly opts: ModelSourceOptions = {},
  ) {
    host.addController(this);
    this.settings = new SettingsNotices(host);
    this.loadTask = new Task(host, {
      args: () => [host.model, host.modelMeta] as const,
      task: ([model, meta], { signal }) => this.load(model, meta, signal),
      onError: (e) => {
        if (!isAbortError(e)) this.fail(e);
      },
    });
  }

  hostConnected(): void {
    // Back on the page after a removal.
    if (this.interrupted && this.host.hasUpdated) {
      this.interrupted = false;
      void this.start();
    }
  }

  hostDisconnected(): void {
    // Stop a load in flight; the host frees its tensors, so it starts afresh when it comes back.
    this.interrupted = true;
    this.loadTask.abort();
  }

  /** Changes state and re-renders the host. */
  set(patch: Partial<Pick<ModelSource, 'status' | 'progress' | 'message' | 'drawing'>>): void {
    Object.assign(this, patch);
    if (patch.status === 'ready' && this.loaded) this.hasInput = true;
    this.host.requestUpdate();
  }

  /**
   * Shows an error in the status line (role="alert"), with a retry that says what it does. While a
   * file the reader chose (upload, drop, paste) is being read, the error goes next to the picker's
   * upload button instead, and says that the previous image is still shown.
   */
  fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    const picker = this.filePicker;
    if (picker) {
      this.filePicker = undefined;
      picker.showError(this.hasInput ? `${message} The widget still shows the previous image.` : message);
      this.set({ status: this.hasInput ? 'ready' : 'error', message: this.hasInput ? '' : message });
      return;
    }
    this.set({ status: 'error', message });
  }

  /** What the status line's retry does, in words. */
  get retryLabel(): string {
    if (!this.loaded) return 'Load the model again';
    if (this.host.src) return 'Load the image again';
    if (!this.samples.length) return 'Try again';
    const r = resolveSample(this.settings.raw('sample'), this.samples, this.loaded.meta.labels);
    return `Start again from sample ${r.value}`;
  }

  /**
   * Call first in the host's `updated()`: a new model or metadata URL reloads everything, a new
   * `sample` or `src` loads that input. True when the host should do nothing more for this update
   * (a reload has started, or no model is there yet).
   */
  reload(changed: PropertyValues): boolean {
    const was = (k: string) => changed.has(k) && changed.get(k) !== undefined;
    // A new model: the Task has already started loading it.
    if (was('model') || was('modelMeta')) return true;
    if (!this.loaded) return true;
    if (was('sample') || was('src')) {
      if (changed.has('sample') && !was('src') && this.picked === this.host.sample) {
        this.picked = undefined;
        return true;
      }
      this.picked = undefined;
      void this.loadInitialInput();
      return true;
    }
    return false;
  }

  /** Loads the backend, the model, its samples and the starting input again (the retry). */
  start(): Promise<unknown> {
    return this.loadTask.run();
  }

  private async load(model: string, meta: string, signal: AbortSignal): Promise<LoadedModel> {
    this.set({ status: 'loading', progress: 0, message: 'Loading model…' });
    this.checkAttributes();
    this.backend = await ready();
    const m = await loadModel(model, {
      signal,
      onProgress: (f) => this.set({ progress: f }),
      meta: meta || undefined,
      channels: this.opts.channels ?? [1, 3],
    });
    signal.throwIfAborted();
    this.loaded = m;
    this.opts.onModel?.(m);
    this.samples = await loadSpriteSamples(this.opts.samplesFor?.(model), m.meta.labels);
    signal.throwIfAborted();
    this.host.requestUpdate();
    await this.loadInitialInput();
    return m;
  }

  /**
   * Sets the input the attributes name: `src` when set, else bundled sample `sample` (an index or
   * `label:<class>`; out of range or unknown: clamped or defaulted, with a settings notice).
   */
  async loadInitialInput(): Promise<void> {
    const { src } = this.host;
    if (src) {
      this.settings.set('sample');
      this.origin = 'own';
      return this.host.setInput(src);
    }
    this.origin = 'sample';
    if (this.samples.length) {
      const r = resolveSample(this.settings.raw('sample'), this.samples, this.loaded?.meta.labels ?? []);
      this.settings.set('sample', r.notice);
      const s = this.samples[r.value];
      return this.host.setInput(s.src, s.classIndex);
    }
    this.fail(new Error('No input image: set the src attribute, or use a bundled model that ships samples.'));
  }

  /**
   * Attributes on the host that it does not have. One that names a model (model-url, model-src…) is
   * an error: the model it names would not load, and the default must not run in its place. Any
   * other is a settings notice ("epsilom is not a setting of <fgsm-demo>: ignored.").
   */
  private checkAttributes(): void {
    const ctor = this.host.constructor as unknown as { observedAttributes?: string[] };
    const known = new Set(ctor.observedAttributes ?? []);
    const stray: string[] = [];
    for (const { name, value } of [...this.host.attributes]) {
      if (known.has(name) || isGlobalAttribute(name)) continue;
      if (/^model[-_]?(url|src|path|json|uri|href)$/i.test(name)) {
        throw new Error(
          `<${this.host.localName}> has no ${name} attribute: to load the model at ${value}, write model="${value}". The default model was not loaded in its place.`,
        );
      }
      stray.push(name);
    }
    this.settings.set(
      'unknown attributes',
      stray.length ? `${stray.join(', ')} ${stray.length === 1 ? 'is not a setting' : 'are not settings'} of <${this.host.localName}>: ignored.` : undefined,
    );
  }

  /** True when control `name` is listed in the host's `controls` attribute ('all' or empty: every one). */
  shown(name: string): boolean {
    return controlShown(this.host.controls, name);
  }

  /** The picker's thumbnails: the first `pickerPerClass` samples of each class; `index` addresses all samples. */
  get pickerSamples(): (SpriteSample & { index: number })[] {
    const per = this.opts.pickerPerClass ?? 2;
    return this.samples.map((s, index) => ({ ...s, index })).filter((s) => s.index % 10 < per);
  }

  private onPick = (e: CustomEvent<ImageSelectDetail>): void => {
    const { source, index, origin } = e.detail;
    const s = origin === 'sample' && index !== undefined ? this.pickerSamples[index] : undefined;
    // The reader chose: a notice about the sample attribute no longer describes the input.
    this.settings.set('sample');
    if (!s) {
      // A file: a decode error belongs next to the upload button that chose it.
      const picker = e.currentTarget as unknown as { showError(message: string): void } | null;
      this.filePicker = picker && 'showError' in picker ? picker : undefined;
      this.origin = 'own';
      void this.host.setInput(source).finally(() => {
        if (this.filePicker === picker) this.filePicker = undefined;
      });
      return;
    }
    this.filePicker = undefined;
    this.origin = 'sample';
    if (s.index !== this.host.sample) {
      this.picked = s.index;
      this.host.sample = s.index;
    }
    void this.host.setInput(s.src, s.classIndex);
  };

  private onDraw = (e: CustomEvent<{ pixels: ImageData }>): void => {
    this.origin = 'draw';
    void this.host.setInput(e.detail.pixels);
  };

  /**
   * Call from `setInput` once the input is prepared (`prepareInput`), before it replaces the old one:
   * sets the remark under the status line. A light-background image that was inverted says so; a
   * reader's own image (upload, drop, paste, or `src`) is shown as the model sees it (its size, grey
   * or colour) with what the model was trained on (`meta.trainedOn`), so "8: 39.9%" for a photo of a
   * cat reads as what it is. Bundled samples and drawings get no remark.
   */
  async describeInput(x: Tensor4D, inverted = false): Promise<void> {
    const m = this.loaded;
    const parts: string[] = [];
    if (inverted) parts.push(INVERTED_NOTE);
    let preview = '';
    if (m && this.origin === 'own') {
      const [h, w, c] = m.inputShape;
      const what = `${w}×${h} ${c === 1 ? 'grey' : 'colour'} pixels`;
      parts.push(
        m.meta.trainedOn
          ? `The model sees your image as ${what}, as shown here. It was trained on ${m.meta.trainedOn}; it reads any image as one of its ${m.numClasses} classes, so on another kind of picture its answer means little.`
          : `The model sees your image as ${what}, as shown here.`,
      );
      if (typeof document !== 'undefined') {
        const canvas = document.createElement('canvas');
        await toCanvas(x, canvas, { range: [0, 1], colormap: 'grey', scale: Math.max(1, Math.ceil(56 / Math.max(h, w))) });
        preview = canvas.toDataURL('image/png');
      }
    }
    this.notice = parts.join(' ');
    this.preview = preview;
    this.host.requestUpdate();
  }

  /**
   * The status line (progress while loading, busy while running, the error with "Try again"), then
   * the settings notices and the remark about the input, each a quiet `<convlab-notice>`.
   */
  renderStatus() {
    const [h, w] = this.loaded?.inputShape ?? [0, 0];
    return html`${this.renderStatusLine()}${this.settings.render()}${this.notice
      ? html`<convlab-notice class="input-notice" .messages=${[this.notice]}
          >${this.preview
            ? html`<img class="seen" src=${this.preview} alt=${`Your image as the model sees it: ${w} by ${h} pixels`} width="56" height="56" style="image-rendering: pixelated" />`
            : nothing}</convlab-notice
        >`
      : nothing}`;
  }

  private renderStatusLine() {
    return html`<convlab-status
      .state=${this.status}
      .progress=${this.progress}
      .message=${this.message}
      .backend=${this.backend}
      ?retryable=${this.status === 'error'}
      .retryLabel=${this.retryLabel}
      ?presenter=${this.host.presenter}
      @retry=${() => (this.loaded ? this.loadInitialInput() : this.start())}
    ></convlab-status>`;
  }

  /** The input source: tabs for picking an image (samples, upload, drop, paste) or drawing one. Nothing when the `source` control is hidden. */
  renderSource() {
    if (!this.shown('source')) return nothing;
    return html`<div class="source">
      <div class="tabs" role="group" aria-label="Input source">
        <button type="button" aria-pressed=${String(!this.drawing)} @click=${() => this.set({ drawing: false })}>Pick an image</button>
        <button type="button" aria-pressed=${String(this.drawing)} @click=${() => this.set({ drawing: true })}>Draw</button>
      </div>
      ${this.drawing
        ? html`<convlab-draw-pad @draw-end=${this.onDraw}></convlab-draw-pad>`
        : html`<convlab-image-picker .samples=${this.pickerSamples} @image-select=${this.onPick}></convlab-image-picker>`}
    </div>`;
  }
}

/** Attributes every HTML element may carry (never reported as unknown settings). */
const GLOBAL_ATTRIBUTES = new Set(
  'id class style slot part exportparts title lang dir hidden inert tabindex accesskey autofocus autocapitalize contenteditable draggable enterkeyhint inputmode is itemid itemprop itemref itemscope itemtype nonce popover role spellcheck translate theme presenter'.split(' '),
);
function isGlobalAttribute(name: string): boolean {
  return GLOBAL_ATTRIBUTES.has(name) || /^(aria-|data-|on)/.test(name) || name.includes(':');
}

/**
 * Which bundled sample the `sample` attribute names. `raw` is an index ("31") or
 * `label:<class>`, the class as its index or its name, case-insensitive ("label:3",
 * "label:sneaker"): the first sample of that class. Out of range, unparsable or an unknown class:
 * clamped or sample 0, with a notice saying so.
 */
export function resolveSample(raw: unknown, samples: readonly { classIndex?: number }[], labels: readonly string[]): Setting<number> {
  const last = samples.length - 1;
  const m = typeof raw === 'string' ? /^\s*(?:label|class)\s*:\s*(.*?)\s*$/i.exec(raw) : null;
  if (!m) {
    const r = clampSetting('sample', raw, { min: 0, max: last, default: 0, integer: true });
    if (r.notice && !Number.isFinite(Number(raw)) && raw !== '') {
      return { value: 0, notice: `sample="${String(raw)}" is neither a sample number (0-${last}) nor label:<class>: using sample 0.` };
    }
    return r;
  }
  const want = m[1];
  let cls = labels.findIndex((l) => l.toLowerCase() === want.toLowerCase());
  if (cls < 0 && /^\d+$/.test(want)) cls = Number(want);
  const i = cls >= 0 ? samples.findIndex((s) => s.classIndex === cls) : -1;
  if (i >= 0) return { value: i };
  const names = labels.length ? ` (classes: ${labels.join(', ')})` : '';
  return { value: 0, notice: `sample="${String(raw)}": no bundled sample has class ${want}${names}: using sample 0.` };
}

/**
 * Lit converter for a widget's `sample` attribute: a number stays a number ("31" -> 31), anything
 * else stays text ("label:3"), so that `label:3` -> `label:4` is a change. Use it as
 * `@property({ reflect: true, converter: sampleConverter }) sample: number | string = 0;`
 */
export const sampleConverter = {
  fromAttribute: (v: string | null): number | string => (v !== null && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : (v ?? 0)),
  toAttribute: (v: number | string): string => String(v),
};

/** Said when prepareInput inverted an image for a model that reads light strokes on dark. */
export const INVERTED_NOTE = 'Your image was inverted: this model reads light strokes on a dark background, as MNIST does.';

/** Styles for a model widget's controls row: fields, selects, checkboxes and the source tabs. */
export const widgetControlStyles = css`
  .notice {
    margin: 0.25em 0;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: calc(var(--_space) * 1.5);
  }
  .field {
    display: grid;
    gap: 0.25em;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.4em;
  }
  select {
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
    min-height: 2em;
  }
  .source {
    flex-basis: 100%;
    display: grid;
    gap: var(--_space);
  }
  .tabs {
    display: flex;
    gap: 0.25em;
  }
  .tabs button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
`;
