/**
 * The optimisation of <gram-style> behind a message interface, so that it runs the same in a Web
 * Worker (style-worker.ts) or, where workers are unavailable, in the page. Requests and replies are
 * plain data (typed arrays and numbers), nothing that needs the DOM. The math is @convlab/tensor's
 * (StyleTransfer, gram, positionOuterProduct, partialGram); this file only keeps its state.
 *
 * Requests run one after another: a settings change or a view request that arrives while a step runs
 * waits for it, so settings apply from the next step and no tensor is freed under a running step.
 */
import {
  ready,
  wasmThreadCount,
  tf,
  randomVgg,
  loadEncoder,
  disposeEncoder,
  StyleTransfer,
  positionOuterProduct,
  partialGram,
  type BackendName,
  type EncoderPreprocess,
  type RandomVggConfig,
  type StyleEncoder,
  type StyleOptimizer,
  type StyleStart,
  type StyleStepResult,
  type Tensor4D,
} from '@convlab/tensor';

/** A tensor as data: float32 values and a shape. */
export interface Pixels {
  data: Float32Array;
  shape: number[];
}

/** The encoder: url '' for the seeded random VGG built from `random` (randomVgg's config), else a layers model URL (absolute). */
export interface EncoderSpec {
  url: string;
  preprocess: EncoderPreprocess;
  random?: Partial<RandomVggConfig>;
}

export interface RunSettings {
  styleLayers: string[];
  layerWeights: number[];
  contentLayer: string;
  alpha: number;
  beta: number;
  optimizer: StyleOptimizer;
  start: StyleStart;
}

export type EngineRequest =
  | { op: 'init'; backend?: BackendName; wasmThreads?: boolean; threadCount?: number }
  | { op: 'build'; encoder: EncoderSpec; content: Pixels; style: Pixels; settings: RunSettings; keepImage: boolean }
  | { op: 'step' }
  | { op: 'update'; alpha: number; beta: number; optimizer: StyleOptimizer }
  | { op: 'reset'; start: StyleStart }
  | { op: 'views'; layer: string; channel: number; picked?: { row: number; col: number } }
  | { op: 'dispose' };

export interface InitReply {
  backend: string;
  /** Threads the backend computes with (WASM's threaded build; 1 otherwise). */
  threads: number;
  /** Why that backend (ready()'s reason, in the worker). */
  reason: string;
  /** WASM's threaded build runs (ready()'s wasm.threads; threads may still be 1: TF.js computes on hardwareConcurrency / 2). */
  wasmThreads: boolean;
}
export interface ImageReply {
  image: Pixels;
}
export interface StepReply extends ImageReply {
  result: StyleStepResult;
  /** Time of the step's math where it ran, ms. */
  computeMs: number;
  /** tf.memory().numTensors where it ran, after the step (flat over a run when nothing leaks). */
  tensors: number;
}
export interface ViewsReply {
  views: Partial<Record<'gTarget' | 'gCurrent' | 'gDiff' | 'fmap' | 'outer' | 'partial', Pixels>>;
}

/** A copy of a tensor's values (a copy, so that it can be transferred without touching the backend's storage). */
export async function pixels(t: tf.Tensor): Promise<Pixels> {
  return { data: new Float32Array(await t.data()), shape: [...t.shape] };
}

/** The typed arrays' buffers of a reply, to transfer instead of copy. */
export function transferables(value: unknown): Transferable[] {
  const out: Transferable[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Float32Array) out.push(v.buffer);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

const tensorOf = (p: Pixels) => tf.tensor4d(p.data, p.shape as [number, number, number, number]);

export class StyleEngine {
  private enc?: StyleEncoder;
  private encKey = '';
  private st?: StyleTransfer;
  private images: Tensor4D[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  /** pause: awaited between encoder layers (the in-page fallback yields there; a worker need not). */
  constructor(private readonly pause?: () => Promise<void>) {}

  /** Runs a request after the ones before it have finished. */
  handle(req: EngineRequest): Promise<unknown> {
    const p = this.queue.then(() => this.run(req));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async run(req: EngineRequest): Promise<unknown> {
    switch (req.op) {
      case 'init': {
        const info = await ready({ ...(req.backend ? { prefer: req.backend } : {}), wasmThreads: req.wasmThreads, wasmThreadCount: req.threadCount });
        return { backend: tf.getBackend() ?? info.name, threads: wasmThreadCount(), reason: info.reason, wasmThreads: !!info.wasm?.threads } satisfies InitReply;
      }
      case 'build':
        return this.build(req);
      case 'step': {
        const st = this.need();
        const t0 = performance.now();
        const result = await st.step();
        return { result, computeMs: performance.now() - t0, image: await pixels(st.image), tensors: tf.memory().numTensors } satisfies StepReply;
      }
      case 'update':
        this.need().update({ alpha: req.alpha, beta: req.beta, optimizer: req.optimizer });
        return {};
      case 'reset': {
        const st = this.need();
        st.reset(req.start);
        return { image: await pixels(st.image) } satisfies ImageReply;
      }
      case 'views':
        return this.views(req.layer, req.channel, req.picked);
      case 'dispose':
        this.dispose();
        return {};
    }
  }

  private need(): StyleTransfer {
    if (!this.st) throw new Error('The style transfer is not set up yet.');
    return this.st;
  }

  private async build(req: Extract<EngineRequest, { op: 'build' }>): Promise<ImageReply> {
    const key = `${req.encoder.url}|${req.encoder.preprocess}|${JSON.stringify(req.encoder.random ?? {})}`;
    if (!this.enc || this.encKey !== key) {
      const enc = req.encoder.url ? await loadEncoder(req.encoder.url, { preprocess: req.encoder.preprocess, pool: 'avg' }) : randomVgg(req.encoder.random);
      disposeEncoder(this.enc);
      this.enc = enc;
      this.encKey = key;
    }
    const keep = req.keepImage && this.st ? this.st.image.clone() : undefined;
    this.st?.dispose();
    this.st = undefined;
    tf.dispose(this.images);
    this.images = [tensorOf(req.content), tensorOf(req.style)];
    const s = req.settings;
    try {
      this.st = new StyleTransfer(this.enc, this.images[0], this.images[1], {
        styleLayers: s.styleLayers,
        layerWeights: s.layerWeights,
        contentLayer: s.contentLayer,
        alpha: s.alpha,
        beta: s.beta,
        optimizer: s.optimizer,
        start: keep ?? s.start,
        pause: this.pause,
      });
    } finally {
      keep?.dispose();
    }
    return { image: await pixels(this.st.image) };
  }

  /** The Gram matrices Ĝ, G and G − Ĝ at a layer, one channel's feature map, and a position's outer product and partial sum. */
  private async views(layer: string, channel: number, picked?: { row: number; col: number }): Promise<ViewsReply> {
    const st = this.need();
    if (!st.options.styleLayers.includes(layer)) return { views: {} };
    const made = tf.tidy(() => {
      const { current, target } = st.grams(layer);
      const F = st.features(layer);
      const ch = Math.min(channel, F.shape[3] - 1);
      const p = picked && picked.row < F.shape[1] && picked.col < F.shape[2] ? picked : undefined;
      const out: Record<string, tf.Tensor> = {
        gTarget: target,
        gCurrent: current,
        gDiff: tf.sub(current, target),
        fmap: tf.squeeze(tf.slice(F, [0, 0, 0, ch], [1, -1, -1, 1]), [0, 3]),
      };
      if (p) {
        out.outer = positionOuterProduct(F, p.row, p.col);
        out.partial = partialGram(F, p.row * F.shape[2] + p.col + 1);
      }
      return out;
    });
    const views: ViewsReply['views'] = {};
    try {
      for (const [k, t] of Object.entries(made)) views[k as keyof ViewsReply['views']] = await pixels(t);
    } finally {
      tf.dispose(Object.values(made));
    }
    return { views };
  }

  dispose(): void {
    this.st?.dispose();
    this.st = undefined;
    disposeEncoder(this.enc);
    this.enc = undefined;
    this.encKey = '';
    tf.dispose(this.images);
    this.images = [];
  }
}
