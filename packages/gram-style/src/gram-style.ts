import { html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import {
  ready,
  backendInfo,
  tf,
  fromImage,
  randomVgg,
  RANDOM_VGG,
  loadEncoder,
  disposeEncoder,
  encoderLayerNames,
  encoderChannels,
  StyleTransfer,
  ENCODER_PREPROCESS,
  type BackendInfo,
  type StyleEncoder,
  type EncoderPreprocess,
  type Tensor2D,
  type Tensor4D,
  type ImageSource,
  type StyleStepResult,
} from '@convlab/tensor';
import { ConvLabElement, SettingsNotices, widgetControlStyles, type ConvLabTensorCanvas, type ImageSelectDetail, type CellActivateDetail, controlShown } from '@convlab/kit';
import '@convlab/kit/define.js';
import { gramStyleStyles } from './gram-style.styles.js';
import { CONTENT_SAMPLES, STYLE_SAMPLES, SAMPLES, type Sample } from './samples.js';
import { drawLossPlot, LOSS_COLOURS } from './loss-plot.js';
import { StyleSession, StyleSessionLost, macrotask, layerPause } from './session.js';

export type GramOptimizer = 'adam' | 'lbfgs';
export type GramStart = 'content' | 'style' | 'noise';
export const GRAM_CONTROLS = ['images', 'run', 'weights', 'layers', 'optimizer', 'size'] as const;
export const DEFAULT_STYLE_LAYERS = ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1'];
const SIZES = [128, 192, 256, 384, 512];
/** The random VGG's config (seed, widths, depths, pool): built from it in the page, and sent to the worker to build the same there. */
const RANDOM_ENCODER = { ...RANDOM_VGG };

export interface GramStepDetail extends StyleStepResult {
  /** Wall time of the step as the page saw it, ms (from sending it to the worker, or starting it here, to its image). */
  ms: number;
  optimizer: GramOptimizer;
  /** Where the step ran: 'worker' (a Web Worker) or 'main' (the page, one encoder layer per task, when no worker could start). */
  where: 'worker' | 'main';
  /** The TF.js backend it ran on. */
  backend: string;
  /** Threads that backend computed with (1 unless WASM's threaded build runs). */
  threads: number;
}
export interface GramDoneDetail {
  steps: number;
  total: number;
  content: number;
  style: number[];
}

/**
 * The element's own events. `step` and `done` are also <class-viz>'s event names, with other details,
 * so they are typed here, on the element's addEventListener, not in the global GlobalEventHandlersEventMap
 * (two packages declaring one name with two types there would not compile together).
 */
export interface GramStyleEventMap extends HTMLElementEventMap {
  step: CustomEvent<GramStepDetail>;
  done: CustomEvent<GramDoneDetail>;
}

const fmt = (v: number) => (!Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toPrecision(3));

/**
 * Neural style transfer by optimisation (Gatys, Ecker & Bethge 2016), live: the image's pixels are
 * changed step by step until its Gram matrices match the style image's and its deep features match
 * the photo's. Shows the image at every step, the losses as they fall, the Gram matrices Ĝ (style),
 * G (current) and their difference per layer, how one position's outer product adds to G, and a
 * reconstruction of the photo from an early and from a deep layer side by side.
 *
 * The features come from a VGG-shaped network with seeded random weights built in the page (no
 * download), or from any TF.js layers model with named convolutions (`encoder-url`).
 *
 * @summary Style transfer by optimisation, with its Gram matrices and losses on show.
 * @tagname gram-style
 * @fires step - After every optimisation step: `{step, total, content, style, evaluations, ms, optimizer}`.
 * @fires done - When the run reaches `steps`: `{steps, total, content, style}`.
 * @csspart result - The image being optimised.
 * @csspart controls - The controls.
 * @csspart plot - The loss plot.
 * @cssprop --convlab-canvas-size - Display size of the images (default 200px).
 */
export class GramStyle extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, widgetControlStyles, gramStyleStyles];

  override addEventListener<K extends keyof GramStyleEventMap>(type: K, listener: (this: GramStyle, ev: GramStyleEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  /** Content image: a sample name (chelsea, coffee, astronaut, or a style sample) or an image URL. */
  @property() content = 'chelsea';
  /**
   * Style image: a sample name (mosaic, waves, brick, grass, gravel, or a photo) or an image URL.
   * (`style` itself is HTML's attribute for inline CSS on every element, so it cannot be used.)
   */
  @property({ attribute: 'style-image' }) styleImage = 'mosaic';
  /** Side of the (square) image being optimised, 128 to 512 px. */
  @property({ type: Number, reflect: true }) size = 128;
  /** Comma-separated style layers (default block1_conv1 … block5_conv1, equal weights); `name:weight` sets w_l. */
  @property({ attribute: 'style-layers' }) styleLayers = DEFAULT_STYLE_LAYERS.join(',');
  /** The content layer (default block4_conv2). */
  @property({ attribute: 'content-layer' }) contentLayer = 'block4_conv2';
  /** beta, the weight of the style loss. */
  @property({ type: Number, attribute: 'style-weight' }) styleWeight = 1e6;
  /** alpha, the weight of the content loss. */
  @property({ type: Number, attribute: 'content-weight' }) contentWeight = 1;
  /** 'adam' or 'lbfgs' (ours: two-loop recursion with a backtracking line search). */
  @property({ reflect: true }) optimizer: GramOptimizer = 'adam';
  /** Steps a run stops after (1 to 2000). */
  @property({ type: Number }) steps = 200;
  /** The starting image: 'content', 'style' or 'noise'. */
  @property({ reflect: true }) start: GramStart = 'content';
  /** 'random' (a seeded random VGG built in the page) or 'url' (the model at encoder-url). 'trained' is not available yet. */
  @property() encoder = 'random';
  /** URL of a TF.js layers model (model.json) whose convolutions give the features; implies encoder="url". */
  @property({ attribute: 'encoder-url' }) encoderUrl = '';
  /** How pixels are fed to an encoder-url model: caffe (Keras VGG19), imagenet (PyTorch), unit, centered, symmetric. */
  @property({ attribute: 'encoder-preprocess' }) encoderPreprocess: EncoderPreprocess = 'caffe';
  /** Start running as soon as the images and the encoder are ready. */
  @property({ type: Boolean }) autorun = false;
  /** Which controls to show: 'all', 'none', or a comma list of images, run, weights, layers, optimizer, size. */
  @property() controls = 'all';

  @state() private status: 'loading' | 'ready' | 'running' | 'error' = 'loading';
  @state() private message = 'Building the encoder…';
  @state() private backend?: BackendInfo;
  @state() private running = false;
  @state() private stepInfo?: GramStepDetail;
  @state() private imageError: { content?: string; style?: string } = {};
  @state() private notes: string[] = [];
  @state() private gramLayer = '';
  @state() private picked?: { row: number; col: number };
  @state() private channel = 0;
  @state() private compare: { running: boolean; early?: string; deep?: string; step: number; of: number } = { running: false, step: 0, of: 0 };

  @query('.plot') private plotCanvas?: HTMLCanvasElement;

  private readonly settings = new SettingsNotices(this);
  private enc?: StyleEncoder;
  private encKey = '';
  private contentT?: Tensor4D;
  private styleT?: Tensor4D;
  /** The optimisation (in a Web Worker where possible); set once a run is built for the current settings. */
  private st?: StyleSession;
  private session?: StyleSession;
  /** Counts builds: a step that comes back from an earlier build is dropped. */
  private buildToken = 0;
  private history: { total: number[]; content: number[]; style: number[][] } = { total: [], content: [], style: [] };
  private runToken = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private loadToken = 0;
  private disposed = false;
  /** Tensors on show (owned here; replaced and disposed as new ones arrive). */
  @state() private view: Record<string, tf.Tensor | undefined> = {};

  // ----------------------------------------------------------------------------- settings

  private checked() {
    const s = this.settings;
    const size = s.number('size', { min: 128, max: 512, default: 128, integer: true });
    const steps = s.number('steps', { min: 1, max: 2000, default: 200, integer: true });
    const beta = s.number('styleWeight', { min: 0, max: 1e12, default: 1e6 });
    const alpha = s.number('contentWeight', { min: 0, max: 1e12, default: 1 });
    const optimizer = s.choice('optimizer', ['adam', 'lbfgs'] as const, 'adam');
    const start = s.choice('start', ['content', 'style', 'noise'] as const, 'content');
    const preprocess = s.choice('encoderPreprocess', ENCODER_PREPROCESS, 'caffe');
    return { size, steps, beta, alpha, optimizer, start, preprocess };
  }

  /** Style layers and weights from the attribute, checked against the encoder (unknown names dropped with a notice). */
  private layers(): { names: string[]; weights: number[]; content: string } {
    const known = this.enc ? encoderLayerNames(this.enc) : [];
    const names: string[] = [];
    const weights: number[] = [];
    const bad: string[] = [];
    for (const part of String(this.styleLayers ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const [n, w] = part.split(':');
      if (!known.includes(n) || names.includes(n)) bad.push(n);
      else {
        names.push(n);
        const wv = w === undefined ? NaN : Number(w);
        weights.push(Number.isFinite(wv) && wv >= 0 ? wv : NaN);
      }
    }
    const fallback = DEFAULT_STYLE_LAYERS.filter((n) => known.includes(n));
    const useNames = names.length ? names : fallback.length ? fallback : known.slice(0, 1);
    let note = bad.length ? `style-layers: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are not layers' : 'is not a layer'} of this encoder: ${names.length ? 'left out' : `using ${useNames.join(', ')}`}.` : undefined;
    const ws = names.length ? weights : useNames.map(() => NaN);
    const given = ws.filter(Number.isFinite);
    const w = ws.map((v) => (Number.isFinite(v) ? v : given.length ? 0 : 1 / useNames.length));
    let content = String(this.contentLayer ?? '');
    if (!known.includes(content)) {
      const fb = known.includes('block4_conv2') ? 'block4_conv2' : known[Math.floor(known.length / 2)];
      note = (note ? note + ' ' : '') + `content-layer="${content}" is not a layer of this encoder: using ${fb}.`;
      content = fb;
    }
    this.settings.set('layers', note);
    return { names: useNames, weights: w, content };
  }

  private shown(group: (typeof GRAM_CONTROLS)[number]): boolean {
    return controlShown(this.controls, group);
  }

  // ----------------------------------------------------------------------------- lifecycle

  override connectedCallback(): void {
    super.connectedCallback();
    this.disposed = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.disposed = true;
    this.runToken++;
    this.loadToken++;
    this.running = false;
    // Steps in flight use these tensors: free them once those steps have ended.
    const { session, enc, contentT, styleT } = this;
    this.st = this.session = undefined;
    this.buildToken++;
    this.enc = undefined;
    this.encKey = '';
    this.contentT = this.styleT = undefined;
    void Promise.allSettled([...this.inflight]).then(() => {
      session?.dispose();
      disposeEncoder(enc);
      tf.dispose([contentT, styleT].filter((t): t is Tensor4D => !!t));
    });
    tf.dispose(Object.values(this.view).filter((t): t is tf.Tensor => !!t));
    this.view = {};
  }

  protected override updated(changed: PropertyValues): void {
    if (this.disposed) return;
    if (changed.has('content')) delete this.uploaded.content;
    if (changed.has('styleImage')) delete this.uploaded.style;
    const reload = ['content', 'styleImage', 'size', 'encoder', 'encoderUrl', 'encoderPreprocess'].some((k) => changed.has(k));
    const rebuild = ['styleLayers', 'contentLayer'].some((k) => changed.has(k));
    if (reload) void this.load();
    else if (rebuild && this.enc && this.contentT && this.styleT) void this.rebuild(true);
    else if (changed.has('start') && changed.get('start') !== undefined) this.reset();
    else if (['styleWeight', 'contentWeight', 'optimizer'].some((k) => changed.has(k)) && this.st) {
      // (During a rebuild this.st is unset: rebuild() sends what the settings are when its build is done.)
      const c = this.checked();
      const st = this.st;
      const token = this.buildToken;
      void this.track(st.update({ alpha: c.alpha, beta: c.beta, optimizer: c.optimizer })).catch((e) => this.failed('The new setting', e, token));
    }
    if (changed.has('steps')) this.checked();
    if (changed.has('autorun') && this.autorun && this.st && !this.running) this.run();
    if (changed.has('gramLayer') || changed.has('channel') || changed.has('picked')) void this.refreshGrams();
  }

  // ----------------------------------------------------------------------------- loading

  private async encoderFor(key: string, url: string, preprocess: EncoderPreprocess): Promise<StyleEncoder> {
    if (this.enc && this.encKey === key) return this.enc;
    const enc = url ? await loadEncoder(url, { preprocess, pool: 'avg', onProgress: (f) => (this.message = `Loading the encoder… ${Math.round(f * 100)}%`) }) : randomVgg(RANDOM_ENCODER);
    if (this.disposed) {
      // Removed while it loaded: nothing will free it later.
      disposeEncoder(enc);
      throw new DOMException('The element was removed.', 'AbortError');
    }
    disposeEncoder(this.enc);
    this.enc = enc;
    this.encKey = key;
    return enc;
  }

  private async picture(which: 'content' | 'style', spec: string, size: number, origin?: Blob | ImageSource): Promise<{ t: Tensor4D; note?: string }> {
    let src: ImageSource | Blob;
    let label = spec;
    if (origin) src = origin;
    else {
      const sample: Sample | undefined = SAMPLES[spec.trim().toLowerCase()];
      if (sample) src = typeof sample.src === 'string' ? sample.src : sample.src();
      else if (/^(https?:|data:|blob:|\.{0,2}\/)/i.test(spec.trim()) || /\.(png|jpe?g|gif|webp|bmp|avif)(\?|$)/i.test(spec.trim())) src = spec.trim();
      else throw new Error(`${which}="${spec}" is neither a sample (${(which === 'content' ? CONTENT_SAMPLES : STYLE_SAMPLES).map((s) => s.name).join(', ')}) nor an image URL.`);
    }
    let note: string | undefined;
    if (src instanceof Blob) {
      const bmp = await createImageBitmap(src).catch((e) => {
        throw new Error(`That file could not be read as an image (${(e as Error).message}).`);
      });
      if (Math.max(bmp.width, bmp.height) > size) note = `Your ${which} image (${bmp.width}×${bmp.height}) was scaled down to ${size}×${size} (centre crop) before it reached the GPU.`;
      src = bmp;
      label = 'upload';
    }
    const t = await fromImage(src, { size, channels: 3, fit: 'cover' });
    void label;
    return { t, note };
  }

  private async load(uploads = this.uploaded): Promise<void> {
    const token = ++this.loadToken;
    this.pause();
    const c = this.checked();
    const url = String(this.encoderUrl ?? '').trim();
    let enc = String(this.encoder ?? 'random').trim().toLowerCase();
    if (enc === 'trained') {
      this.settings.set('encoder', 'encoder="trained": no trained RGB encoder ships with ConvLab yet (the bundled digit and fashion models see 28×28 grey images): using the random VGG.', 'random');
      enc = 'random';
    } else if (enc !== 'random' && enc !== 'url') {
      this.settings.set('encoder', `encoder="${this.encoder}" is not one of random, url, trained: using ${url ? 'url' : 'random'}.`);
      enc = url ? 'url' : 'random';
    } else if (enc === 'url' && !url) {
      this.settings.set('encoder', 'encoder="url" needs encoder-url: using the random VGG.');
      enc = 'random';
    } else this.settings.set('encoder', undefined);
    // encoder-url implies the url encoder, unless the page wrote encoder="random" to switch back to it.
    const useUrl = url && !(enc === 'random' && this.getAttribute('encoder') === 'random') ? url : '';
    this.status = 'loading';
    this.message = useUrl ? 'Loading the encoder…' : 'Building the random encoder…';
    try {
      this.backend ??= await ready();
      const encoder = await this.encoderFor(useUrl ? `url:${useUrl}:${c.preprocess}` : 'random', useUrl, c.preprocess);
      if (token !== this.loadToken) return;
      this.message = 'Loading the images…';
      const errors: { content?: string; style?: string } = {};
      const notes: string[] = [];
      const got: Partial<Record<'content' | 'style', Tensor4D>> = {};
      for (const which of ['content', 'style'] as const) {
        try {
          const r = await this.picture(which, which === 'content' ? this.content : this.styleImage, c.size, uploads[which]);
          got[which] = r.t;
          if (r.note) notes.push(r.note);
        } catch (e) {
          errors[which] = (e as Error).message;
        }
      }
      if (token !== this.loadToken || this.disposed) {
        tf.dispose(Object.values(got));
        return;
      }
      this.imageError = errors;
      this.notes = notes;
      if (got.content) {
        this.contentT?.dispose();
        this.contentT = got.content;
      }
      if (got.style) {
        this.styleT?.dispose();
        this.styleT = got.style;
      }
      if (!this.contentT || !this.styleT || (errors.content && !uploads.content && !got.content) || (errors.style && !uploads.style && !got.style)) {
        this.status = 'error';
        this.message = errors.content ?? errors.style ?? 'No image.';
        return;
      }
      void encoder;
      await this.rebuild(false);
    } catch (e) {
      if (token !== this.loadToken) return;
      this.status = 'error';
      this.message = (e as Error).message;
    }
  }

  /** A new run for the current settings (in the worker); keepImage: start from the image as it is now. */
  private async rebuild(keepImage: boolean): Promise<void> {
    if (!this.enc || !this.contentT || !this.styleT) return;
    const token = ++this.buildToken;
    const wasRunning = this.running;
    this.pause();
    const c = this.checked();
    const L = this.layers();
    const keep = keepImage && !!this.st;
    this.st = undefined;
    this.status = 'loading';
    this.message = 'Setting up the optimisation…';
    // The worker follows the page: its backend, and WASM threads only where the page runs them. On
    // WebGL the steps run in the page instead, on the page's one WebGL context (which every ConvLab
    // widget shares): the GPU does the arithmetic, and a worker would open a second context.
    const onGpu = tf.getBackend() === 'webgl';
    this.session ??= new StyleSession(tf.getBackend(), { worker: !onGpu, wasmThreads: !!backendInfo()?.wasm?.threads, threadCount: navigator.hardwareConcurrency || undefined });
    const session = this.session;
    const url = this.enc.source.startsWith('random') ? '' : new URL(this.enc.source, document.baseURI).href;
    try {
      await this.track(
        session.build(
          { url, preprocess: this.enc.preprocess, ...(url ? {} : { random: RANDOM_ENCODER }) },
          this.contentT,
          this.styleT,
          { styleLayers: L.names, layerWeights: L.weights, contentLayer: L.content, alpha: c.alpha, beta: c.beta, optimizer: c.optimizer, start: c.start },
          keep,
        ),
      );
      // Settings changed while the run was being built (this.st was unset, so updated() sent nothing): send them now.
      if (token === this.buildToken && !this.disposed) {
        const now = this.checked();
        if (now.alpha !== c.alpha || now.beta !== c.beta || now.optimizer !== c.optimizer) await this.track(session.update({ alpha: now.alpha, beta: now.beta, optimizer: now.optimizer }));
        if (token === this.buildToken && !this.disposed && now.start !== c.start) await this.track(session.reset(now.start));
      }
    } catch (e) {
      if (token !== this.buildToken || this.disposed) return;
      this.status = 'error';
      this.message = (e as Error).message;
      return;
    }
    if (token !== this.buildToken || this.disposed || !this.contentT || !this.styleT) return;
    this.st = session;
    this.history = { total: [], content: [], style: L.names.map(() => []) };
    this.stepInfo = undefined;
    if (!L.names.includes(this.gramLayer)) this.gramLayer = L.names[0];
    this.status = 'ready';
    this.message = session.where === 'main' && !(session.backend === 'webgl' && !session.fallbackReason) ? `Running in the page, one layer per task: ${session.fallbackReason || 'Web Workers are not available'}.` : '';
    this.show('content', this.contentT.clone());
    this.show('style', this.styleT.clone());
    this.show('result', session.image!.clone());
    this.drawPlot();
    void this.refreshGrams();
    if (wasRunning || (this.autorun && !keepImage)) this.run();
  }

  private show(key: string, t: tf.Tensor | undefined): void {
    const old = this.view[key];
    this.view = { ...this.view, [key]: t };
    // Dispose the old tensor once the canvas has painted the new one.
    if (old) void this.updateComplete.then(() => requestAnimationFrame(() => setTimeout(() => old.dispose(), 0)));
  }

  // ----------------------------------------------------------------------------- running

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  /** Starts (or resumes) the optimisation. */
  run(): void {
    if (!this.st || this.running) return;
    const { steps } = this.checked();
    if (this.st.stepCount >= steps) return;
    this.running = true;
    this.status = 'running';
    void this.loop(++this.runToken);
  }

  /** Pauses after the step in flight. */
  pause(): void {
    if (!this.running) return;
    this.running = false;
    this.runToken++;
    if (this.status === 'running') this.status = 'ready';
  }

  /** Back to the starting image, step 0 (after the step in flight, if any). */
  reset(): void {
    this.pause();
    const st = this.st;
    if (!st) return;
    const token = this.buildToken;
    this.history = { total: [], content: [], style: st.options.styleLayers.map(() => []) };
    this.stepInfo = undefined;
    void this.track(st.reset(this.checked().start)).then(
      () => {
        if (token !== this.buildToken || this.disposed || !st.image) return;
        this.history = { total: [], content: [], style: st.options.styleLayers.map(() => []) };
        this.stepInfo = undefined;
        this.show('result', st.image.clone());
        this.drawPlot();
        void this.refreshGrams();
      },
      (e) => this.failed('Reset', e, token),
    );
  }

  /**
   * A request to the run failed (what: 'The step', 'Reset', …): the status line says why, with Retry
   * (which rebuilds, in the page if the worker has stopped). Nothing when the run was rebuilt or removed meanwhile.
   */
  private failed(what: string, e: unknown, token: number): void {
    if (token !== this.buildToken || this.disposed || (e instanceof DOMException && e.name === 'AbortError')) return;
    this.pause();
    this.running = false;
    this.status = 'error';
    this.message = e instanceof StyleSessionLost ? e.message : `${what} failed: ${(e as Error).message}`;
  }

  /** The current image (for Save PNG). */
  get result(): Tensor4D | undefined {
    return this.st?.image;
  }

  private async loop(token: number): Promise<void> {
    const st = this.st!;
    const build = this.buildToken;
    const current = () => this.st === st && this.buildToken === build && !this.disposed;
    while (token === this.runToken && current()) {
      const { steps } = this.checked();
      if (st.stepCount >= steps) break;
      const optimizer = st.options.optimizer;
      let r: StyleStepResult & { ms: number };
      try {
        r = await this.track(st.step());
      } catch (e) {
        if (!current()) return;
        this.failed('The step', e, build);
        return;
      }
      if (!current()) return;
      this.history.total.push(r.total);
      this.history.content.push(r.content);
      r.style.forEach((v, i) => this.history.style[i]?.push(v));
      const { step, total, content, style, evaluations, ms } = r;
      this.stepInfo = { step, total, content, style, evaluations, ms, optimizer, where: st.where, backend: st.backend, threads: st.threads };
      this.show('result', st.image!.clone());
      this.drawPlot();
      if (r.step % 5 === 0) void this.refreshGrams();
      this.emit('step', this.stepInfo);
      await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
    }
    if (token !== this.runToken || !current()) return;
    this.running = false;
    this.status = 'ready';
    void this.refreshGrams();
    const last = this.stepInfo;
    if (last) this.emit('done', { steps: st.stepCount, total: last.total, content: last.content, style: last.style } satisfies GramDoneDetail);
  }

  // ----------------------------------------------------------------------------- views

  private drawPlot(): void {
    const c = this.plotCanvas;
    if (!c || !this.st) return;
    drawLossPlot(c, this.history, this.st.options.styleLayers, getComputedStyle(this));
  }

  private refreshing = false;
  private async refreshGrams(): Promise<void> {
    const st = this.st;
    if (!st || !this.gramLayer || this.refreshing) return;
    this.refreshing = true;
    const build = this.buildToken;
    try {
      await macrotask();
      if (this.st !== st || this.disposed || !st.options.styleLayers.includes(this.gramLayer)) return;
      const v = await this.track(st.views(this.gramLayer, this.channel, this.picked));
      if (this.st !== st || this.buildToken !== build || this.disposed) {
        tf.dispose(Object.values(v));
        return;
      }
      for (const k of ['gTarget', 'gCurrent', 'gDiff', 'fmap', 'outer', 'partial']) this.show(k, v[k]);
    } catch {
      // The run was rebuilt or removed meanwhile: nothing to show.
    } finally {
      this.refreshing = false;
    }
  }

  /** Reconstructs the photo from noise with the content loss alone, at an early and at a deep layer. */
  async compareContentLayers(steps = 25): Promise<void> {
    if (!this.enc || !this.contentT || this.compare.running) return;
    this.pause();
    const names = encoderLayerNames(this.enc, ['conv']);
    const early = names.includes('block1_conv2') ? 'block1_conv2' : names[1] ?? names[0];
    const deep = names.includes('block4_conv2') ? 'block4_conv2' : names[Math.max(0, names.length - 2)];
    this.compare = { running: true, early, deep, step: 0, of: 2 * steps };
    const size = Math.min(64, this.contentT.shape[1]); // small: 2 x 25 L-BFGS steps within a minute on WASM
    const photo = tf.image.resizeBilinear(this.contentT, [size, size], true) as Tensor4D;
    try {
      for (const [key, layer] of [['early', early], ['deep', deep]] as const) {
        const st = new StyleTransfer(this.enc, photo, photo, { styleLayers: [layer], contentLayer: layer, alpha: 1, beta: 0, optimizer: 'lbfgs', start: 'noise', seed: 3, pause: layerPause });
        try {
          for (let i = 0; i < steps && !this.disposed; i++) {
            await this.track(st.step());
            this.show(`compare-${key}`, st.image.clone());
            this.compare = { ...this.compare, step: this.compare.step + 1 };
          }
        } finally {
          st.dispose();
        }
        if (this.disposed) return;
      }
    } finally {
      photo.dispose();
      if (!this.disposed) this.compare = { ...this.compare, running: false };
    }
  }

  // ----------------------------------------------------------------------------- render

  private onPick(which: 'content' | 'style', e: CustomEvent<ImageSelectDetail>): void {
    const d = e.detail;
    if (d.origin === 'sample' && d.index !== undefined) {
      const name = (which === 'content' ? CONTENT_SAMPLES : STYLE_SAMPLES)[d.index]?.name;
      if (name) {
        const same = (which === 'content' ? this.content : this.styleImage) === name;
        delete this.uploaded[which];
        if (which === 'content') this.content = name;
        else this.styleImage = name;
        if (same) void this.load();
      }
      return;
    }
    this.uploaded[which] = d.source;
    void this.load();
  }

  /** Uploaded or pasted images, kept for reloads (a new size) until the attribute names another image. */
  private uploaded: { content?: Blob | ImageSource; style?: Blob | ImageSource } = {};

  private canvas(key: string, label: string, opts: { colormap?: string; range?: string; part?: string; saveable?: boolean; interactive?: boolean } = {}) {
    return html`<convlab-tensor-canvas
      part=${opts.part ?? nothing}
      .tensor=${this.view[key]}
      colormap=${opts.colormap ?? 'viridis'}
      range=${opts.range ?? 'auto'}
      label=${label}
      ?saveable=${opts.saveable}
      ?interactive=${opts.interactive}
      filename="gram-style.png"
      @cell-activate=${opts.interactive ? (e: CustomEvent<CellActivateDetail>) => (this.picked = { row: e.detail.row, col: e.detail.col }) : nothing}
    ></convlab-tensor-canvas>`;
  }

  protected override render() {
    const c = this.checked();
    const info = this.stepInfo;
    const L = this.st?.options.styleLayers ?? [];
    const convs = this.enc ? encoderLayerNames(this.enc, ['conv']) : [];
    const channels = this.enc ? encoderChannels(this.enc) : {};
    const started = (this.st?.stepCount ?? 0) > 0;
    const runLabel = this.running ? 'Pause' : started ? 'Resume' : 'Run';
    const pickerIndex = (which: 'content' | 'style') => (which === 'content' ? CONTENT_SAMPLES : STYLE_SAMPLES).findIndex((s) => s.name === (which === 'content' ? this.content : this.styleImage));
    const samples = (list: readonly Sample[]) => list.map((s) => ({ label: s.label, src: typeof s.src === 'string' ? s.src : s.src() }));
    return html`
      <convlab-status state=${this.status === 'running' ? 'ready' : this.status} message=${this.message} .backend=${this.backend} ?retryable=${this.status === 'error'} @retry=${() => this.load()}></convlab-status>
      ${this.settings.render()}
      ${this.notes.length ? html`<convlab-notice .messages=${this.notes}></convlab-notice>` : nothing}
      <div class="images">
        ${(['content', 'style'] as const).map(
          (which) => html`<figure>
            <figcaption>${which === 'content' ? 'Content photo p' : 'Style image a'}</figcaption>
            ${this.canvas(which, which === 'content' ? 'The content photo' : 'The style image')}
            ${this.shown('images')
              ? html`<convlab-image-picker
                  label=${which === 'content' ? 'Content samples' : 'Style samples'}
                  upload-label=${which === 'content' ? 'Upload a photo…' : 'Upload a style image…'}
                  .samples=${which === 'content' ? this.contentSamples ?? (this.contentSamples = samples(CONTENT_SAMPLES)) : this.styleSamples ?? (this.styleSamples = samples(STYLE_SAMPLES))}
                  selected=${pickerIndex(which)}
                  @image-select=${(e: CustomEvent<ImageSelectDetail>) => this.onPick(which, e)}
                ></convlab-image-picker>`
              : nothing}
            ${this.imageError[which] ? html`<p class="error" role="alert">${this.imageError[which]}</p>` : nothing}
          </figure>`,
        )}
        <figure>
          <figcaption>Image x being optimised</figcaption>
          ${this.canvas('result', 'The image being optimised', { part: 'result', saveable: true })}
          <div class="readout" aria-live="off">
            Step ${info?.step ?? 0} of ${c.steps}${info ? html` · ${Math.round(info.ms)} ms per step · loss ${fmt(info.total)}` : nothing}
          </div>
        </figure>
      </div>
      <div class="controls" part="controls" role="group" aria-label="Style transfer controls">
        ${this.shown('run')
          ? html`<button class="primary" ?disabled=${!this.st || this.status === 'loading'} @click=${() => (this.running ? this.pause() : this.run())}>${runLabel}</button>
              <button ?disabled=${!this.st} @click=${() => this.reset()}>Reset</button>
              <label class="field">Start from
                <select .value=${c.start} @change=${(e: Event) => (this.start = (e.target as HTMLSelectElement).value as GramStart)}>
                  ${['content', 'style', 'noise'].map((s) => html`<option value=${s} ?selected=${c.start === s}>${s}</option>`)}
                </select></label>`
          : nothing}
        ${this.shown('optimizer')
          ? html`<label class="field">Optimiser
              <select @change=${(e: Event) => (this.optimizer = (e.target as HTMLSelectElement).value as GramOptimizer)}>
                <option value="adam" ?selected=${c.optimizer === 'adam'}>Adam</option>
                <option value="lbfgs" ?selected=${c.optimizer === 'lbfgs'}>L-BFGS</option>
              </select></label>`
          : nothing}
        ${this.shown('size')
          ? html`<label class="field">Size
              <select @change=${(e: Event) => (this.size = Number((e.target as HTMLSelectElement).value))}>
                ${[...new Set([...SIZES, c.size])].sort((a, b) => a - b).map((s) => html`<option value=${s} ?selected=${c.size === s}>${s} px</option>`)}
              </select></label>`
          : nothing}
        ${this.shown('weights')
          ? html`<convlab-slider label="Content weight α (log10)" min="-3" max="6" step="0.5" .value=${Math.log10(Math.max(c.alpha, 1e-3))} @change=${(e: CustomEvent<{ value: number }>) => (this.contentWeight = 10 ** e.detail.value)}></convlab-slider>
              <convlab-slider label="Style weight β (log10)" min="0" max="12" step="0.5" .value=${Math.log10(Math.max(c.beta, 1))} @change=${(e: CustomEvent<{ value: number }>) => (this.styleWeight = 10 ** e.detail.value)}></convlab-slider>`
          : nothing}
      </div>
      ${this.shown('layers') && convs.length
        ? html`<div class="controls">
            <fieldset>
              <legend>Style layers (equal weights w_l)</legend>
              <div class="layers">
                ${convs.map(
                  (n) => html`<label class="check"><input type="checkbox" .checked=${L.includes(n)} @change=${(e: Event) => this.toggleLayer(n, (e.target as HTMLInputElement).checked)} />${n}</label>`,
                )}
              </div>
            </fieldset>
            <label class="field">Content layer
              <select @change=${(e: Event) => (this.contentLayer = (e.target as HTMLSelectElement).value)}>
                ${convs.map((n) => html`<option value=${n} ?selected=${this.st?.options.contentLayer === n}>${n}</option>`)}
              </select></label>
          </div>`
        : nothing}
      <section>
        <h3>Losses (log scale)</h3>
        <canvas class="plot" part="plot" width="640" height="180" role="img" aria-label=${`Loss plot: total ${fmt(info?.total ?? NaN)}, content ${fmt(info?.content ?? NaN)} after ${info?.step ?? 0} steps`}></canvas>
        <ul class="legend-list">
          <li><span class="swatch" style="background:${LOSS_COLOURS.total}"></span>total L</li>
          <li><span class="swatch" style="background:${LOSS_COLOURS.content}"></span>content (α L<sub>content</sub>)</li>
          ${L.map((n, i) => html`<li><span class="swatch" style="background:${LOSS_COLOURS.style[i % LOSS_COLOURS.style.length]}"></span>β w<sub>l</sub> E<sub>l</sub> ${n}: ${fmt(info?.style[i] ?? NaN)}</li>`)}
        </ul>
      </section>
      <section>
        <h3>Gram matrices at
          <select aria-label="Layer of the Gram matrices" @change=${(e: Event) => (this.gramLayer = (e.target as HTMLSelectElement).value)}>
            ${L.map((n) => html`<option value=${n} ?selected=${this.gramLayer === n}>${n} (N = ${channels[n]})</option>`)}
          </select>
        </h3>
        <div class="grams">
          <figure><figcaption>Ĝ (style)</figcaption>${this.canvas('gTarget', 'Gram matrix of the style image')}</figure>
          <figure><figcaption>G (current)</figcaption>${this.canvas('gCurrent', 'Gram matrix of the current image')}</figure>
          <figure><figcaption>G − Ĝ</figcaption>${this.canvas('gDiff', 'Difference of the Gram matrices', { colormap: 'diverging', range: 'symmetric' })}</figure>
        </div>
      </section>
      <section>
        <h3>How G is built: one outer product per position</h3>
        <p class="hint">Click a position of the feature map (or focus it and press Enter): its N features f form f fᵀ (N×1 times 1×N); G is the sum of these over all positions.</p>
        <div class="grams">
          <figure>
            <figcaption>Channel <input type="number" min="0" max=${(channels[this.gramLayer] ?? 1) - 1} .value=${String(this.channel)} aria-label="Channel of the feature map" @change=${(e: Event) => (this.channel = Math.max(0, Math.min((channels[this.gramLayer] ?? 1) - 1, Math.round(Number((e.target as HTMLInputElement).value) || 0))))} /> of ${this.gramLayer}</figcaption>
            ${this.canvas('fmap', `Feature map of channel ${this.channel} at ${this.gramLayer}`, { interactive: true })}
          </figure>
          <figure><figcaption>f fᵀ at ${this.picked ? `(${this.picked.row}, ${this.picked.col})` : '(pick a position)'}</figcaption>${this.canvas('outer', 'Outer product of the picked position')}</figure>
          <figure><figcaption>Sum up to that position</figcaption>${this.canvas('partial', 'Gram matrix summed over the positions up to the picked one')}</figure>
        </div>
      </section>
      <section>
        <h3>Content from an early or a deep layer?</h3>
        <p class="hint">Reconstruct the photo from noise with the content loss alone (β = 0): at an early layer the pixels come back almost exactly; at a deep layer only the layout and shapes are kept, which leaves the style free to change textures and colours. That is why the content loss sits deep.</p>
        <button ?disabled=${!this.enc || this.compare.running} @click=${() => this.compareContentLayers()}>Reconstruct from ${this.compare.early ?? 'block1_conv2'} and ${this.compare.deep ?? 'block4_conv2'}</button>
        ${this.compare.of ? html`<span class="readout">${this.compare.running ? `step ${this.compare.step} of ${this.compare.of}` : 'done'}</span>` : nothing}
        <div class="grams">
          <figure><figcaption>From ${this.compare.early ?? 'an early layer'}</figcaption>${this.canvas('compare-early', 'Reconstruction from an early layer')}</figure>
          <figure><figcaption>From ${this.compare.deep ?? 'a deep layer'}</figcaption>${this.canvas('compare-deep', 'Reconstruction from a deep layer')}</figure>
        </div>
      </section>
    `;
  }

  private contentSamples?: { label: string; src: string | ImageData }[];
  private styleSamples?: { label: string; src: string | ImageData }[];

  private toggleLayer(name: string, on: boolean): void {
    const cur = this.st?.options.styleLayers ?? [];
    const next = on ? [...cur, name] : cur.filter((n) => n !== name);
    const order = this.enc ? encoderLayerNames(this.enc) : next;
    this.styleLayers = order.filter((n) => next.includes(n)).join(',') || name;
  }
}

export type { Tensor2D };
