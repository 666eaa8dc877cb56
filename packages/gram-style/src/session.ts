/**
 * The page's side of <gram-style>'s optimisation: one StyleSession per element. It starts a module Web
 * Worker (style-worker.ts) and sends it the images and settings; each step's image and losses come
 * back as data, and the main thread only paints them, so a slider or a click is handled at once while
 * a step runs. When a worker cannot start (no Worker, a script the server or bundler cannot provide,
 * a backend that fails in it), the same engine runs in the page instead, one encoder layer per task,
 * and `where` says 'main'.
 */
import { tf, wasmThreadCount, type BackendName, type StyleStart, type StyleOptimizer, type StyleStepResult, type Tensor4D } from '@convlab/tensor';
import { StyleEngine, pixels, type EngineRequest, type EncoderSpec, type ImageReply, type InitReply, type Pixels, type RunSettings, type StepReply, type ViewsReply } from './engine.js';

export type { RunSettings, EncoderSpec } from './engine.js';

/** Pauses until the next macrotask: input events and a frame can run in between. */
export const macrotask = () =>
  new Promise<void>((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });

/**
 * Awaited between encoder layers on the main thread: a macrotask, and a frame when none has been drawn
 * for 50 ms (a posted message alone can starve rendering; a hidden tab draws no frames, so 100 ms at most).
 */
let lastFrame = 0;
export const layerPause = async () => {
  if (performance.now() - lastFrame < 50) return macrotask();
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 100);
    requestAnimationFrame(() => {
      clearTimeout(t);
      setTimeout(resolve, 0);
    });
  });
  lastFrame = performance.now();
};

interface Pending {
  req: EngineRequest;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const tensorOf = (p: Pixels) => tf.tensor(p.data, p.shape);

/** A request that failed because the worker holding the run stopped; its message is a whole sentence for the status line. */
export class StyleSessionLost extends Error {
  override name = 'StyleSessionLost';
}

const disposedError = () => new DOMException('The style transfer was disposed.', 'AbortError');

/** How long the worker may take to start TF.js before the page runs the steps itself. */
export const INIT_TIMEOUT_MS = 60_000;

export class StyleSession {
  /** Where the steps run. */
  where: 'worker' | 'main' = 'worker';
  /** The TF.js backend the steps run on (there). */
  backend = '';
  /** Threads that backend computes with (WASM's threaded build, on a cross-origin isolated page). */
  threads = 1;
  /** WASM's threaded build runs there (threads may still be 1: TF.js computes on hardwareConcurrency / 2). */
  wasmThreads = false;
  /** Why that backend, as the worker's ready() said. */
  reason = '';
  stepCount = 0;
  /** The settings of the current run (an update applies from the next step). */
  options: RunSettings = { styleLayers: [], layerWeights: [], contentLayer: '', alpha: 1, beta: 1, optimizer: 'adam', start: 'content' };
  /** The current image, [1, H, W, 3] in [0, 1] (owned here; replaced at every step). */
  image?: Tensor4D;

  private worker?: Worker;
  private local?: StyleEngine;
  private answered = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly started: Promise<void>;
  private disposed = false;
  /** Set when a worker that held the run stopped: until the next build, requests fail with this. */
  private lost = '';

  /**
   * backend: the page's backend, for the worker to use too; wasmThreads: the page runs WASM's threaded
   * build (it opted in and is cross-origin isolated), so the worker may too, with threadCount threads.
   * initTimeoutMs: a worker that has not started TF.js by then is given up, and the page runs the steps.
   */
  constructor(backend: string, opts: { worker?: boolean; wasmThreads?: boolean; threadCount?: number; initTimeoutMs?: number } = {}) {
    if (opts.worker !== false && typeof Worker !== 'undefined') {
      try {
        this.worker = new Worker(new URL('./style-worker.js', import.meta.url), { type: 'module', name: 'convlab-gram-style' });
        this.worker.onmessage = (e: MessageEvent<{ id: number; ok: boolean; value?: unknown; error?: string }>) => this.answer(e.data);
        this.worker.onerror = (e) => {
          e.preventDefault();
          this.failOver(`the worker stopped (${e.message || 'its script could not be loaded'})`);
        };
      } catch {
        this.worker = undefined;
      }
    }
    if (!this.worker) this.toMain();
    const took = (r: InitReply) => {
      clearTimeout(timer);
      this.backend = r.backend;
      this.threads = r.threads;
      this.reason = r.reason;
      this.wasmThreads = r.wasmThreads;
    };
    const timeout = opts.initTimeoutMs ?? INIT_TIMEOUT_MS;
    // A worker that never answers (a script that hangs, a WASM fetch that never ends): the page takes over.
    const timer = this.worker ? setTimeout(() => this.failOver(`the worker did not start TF.js within ${timeout / 1000} s`), timeout) : undefined;
    this.started = this.request<InitReply>({ op: 'init', backend: backend as BackendName, wasmThreads: opts.wasmThreads, threadCount: opts.threadCount }).then(
      took,
      (e) => {
        clearTimeout(timer);
        // A backend that cannot start in the worker: run in the page.
        if (this.where === 'main') throw e;
        this.failOver(`TF.js did not start in the worker (${(e as Error).message})`);
        return this.request<InitReply>({ op: 'init' }).then(took);
      },
    );
  }

  /** Why the steps run on the main thread, if they do. */
  fallbackReason = '';

  private toMain(): void {
    this.where = 'main';
    this.local ??= new StyleEngine(layerPause);
  }

  /**
   * The worker failed. Before it had answered anything: run everything it had been sent in the page.
   * After (it held a run, now lost): the requests in flight fail, and the next build runs in the page.
   */
  private failOver(reason: string): void {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = undefined;
    this.fallbackReason = reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    if (this.answered) {
      this.lost = `The style transfer stopped because ${reason}; Retry runs it in the page.`;
      for (const p of waiting) p.reject(new StyleSessionLost(this.lost));
      this.toMain();
      this.backend = tf.getBackend() ?? '';
      this.threads = wasmThreadCount();
      this.wasmThreads = false;
      return;
    }
    this.toMain();
    for (const p of waiting) {
      // The page's engine has already chosen its backend.
      const req = p.req.op === 'init' ? { op: 'init' as const } : p.req;
      this.local!.handle(req).then(p.resolve, p.reject);
    }
  }

  private answer(m: { id: number; ok: boolean; value?: unknown; error?: string }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) {
      this.answered = true;
      p.resolve(m.value);
    } else p.reject(new Error(m.error));
  }

  private request<T>(req: EngineRequest): Promise<T> {
    if (this.disposed) return Promise.reject(disposedError());
    if (this.lost && req.op !== 'build' && req.op !== 'init') return Promise.reject(new StyleSessionLost(this.lost));
    if (!this.worker) return this.local!.handle(req.op === 'init' ? { op: 'init' } : req) as Promise<T>;
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { req, resolve: resolve as (v: unknown) => void, reject });
      // Copied, not transferred: if the worker fails, the request is run again in the page.
      this.worker!.postMessage({ id, req });
    });
  }

  /** Takes a reply's image; a reply that arrives after dispose() is dropped (and its caller told). */
  private setImage(p: Pixels): void {
    if (this.disposed) throw disposedError();
    this.image?.dispose();
    this.image = tensorOf(p) as Tensor4D;
  }

  /** A new run: the encoder, the images and the settings; keepImage starts from the current image. */
  async build(encoder: EncoderSpec, content: Tensor4D, style: Tensor4D, settings: RunSettings, keepImage: boolean): Promise<void> {
    await this.started;
    const [c, s] = await Promise.all([pixels(content), pixels(style)]);
    const r = await this.request<ImageReply>({ op: 'build', encoder, content: c, style: s, settings, keepImage });
    if (this.disposed) throw disposedError();
    this.lost = '';
    this.options = { ...settings };
    this.stepCount = 0;
    this.setImage(r.image);
  }

  /** One optimiser step; `ms` is the wall time as the page saw it. */
  async step(): Promise<StyleStepResult & { ms: number; computeMs: number; tensors: number }> {
    const t0 = performance.now();
    const r = await this.request<StepReply>({ op: 'step' });
    this.setImage(r.image);
    this.stepCount = r.result.step;
    return { ...r.result, ms: performance.now() - t0, computeMs: r.computeMs, tensors: r.tensors };
  }

  /** New weights or optimiser, from the next step. */
  update(o: { alpha: number; beta: number; optimizer: StyleOptimizer }): Promise<void> {
    Object.assign(this.options, o);
    return this.request<unknown>({ op: 'update', ...o }).then(() => undefined);
  }

  /** Back to the starting image, step 0. */
  async reset(start: StyleStart): Promise<void> {
    this.options.start = start;
    const r = await this.request<ImageReply>({ op: 'reset', start });
    this.setImage(r.image);
    this.stepCount = 0;
  }

  /** The Gram matrices and feature views at a layer, as new tensors (the caller disposes them). */
  async views(layer: string, channel: number, picked?: { row: number; col: number }): Promise<Record<string, tf.Tensor>> {
    const r = await this.request<ViewsReply>({ op: 'views', layer, channel, picked });
    if (this.disposed) throw disposedError();
    return Object.fromEntries(Object.entries(r.views).map(([k, p]) => [k, tensorOf(p!)]));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pending.values()) p.reject(disposedError());
    this.pending.clear();
    this.worker?.terminate();
    this.worker = undefined;
    void this.local?.handle({ op: 'dispose' });
    this.image?.dispose();
    this.image = undefined;
  }
}
