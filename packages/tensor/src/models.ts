/**
 * Loading classifiers: TF.js layers and graph models from a URL, or from an id that a package
 * (such as @convlab/models) registered. One load per URL per page, shared by every widget.
 *
 * Every loaded model is exposed as a classifier in ConvLab's convention:
 * `logits(x)` takes NHWC float32 images in [0, 1] and returns [batch, classes] logits, whatever
 * range the model was trained on (meta.inputRange) and whether it ends in a softmax
 * (meta.output === 'probabilities' is turned into log-probabilities, which softmax maps back).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfconv from '@tensorflow/tfjs-converter';
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import { ModelLoadError, abortError, isHtmlResponse } from './errors.js';
import { shared } from './global.js';

export interface ModelMeta {
  /** Short name shown in widgets. */
  name?: string;
  /**
   * Class names, index = class id; or the URL of a labels file (a JSON array of strings, or plain
   * text with one name per line, as ImageNet label files are), relative to the JSON that names it.
   */
  labels?: string[] | string;
  /** The value range the model expects its input pixels in (ConvLab images are [0, 1]). Default [0, 1]. */
  inputRange?: [number, number];
  /**
   * 'light-on-dark' for models trained on light strokes on a dark background (MNIST, Fashion-MNIST):
   * `prepareInput` then inverts a photo or scan with a light background.
   */
  polarity?: 'light-on-dark';
  /**
   * What the model was trained on, in a sentence for students ("MNIST: handwritten digits, white
   * on black, centred in 28×28"). Widgets say it when a reader gives the model their own image.
   */
  trainedOn?: string;
  /** Channels the model expects (from its input shape when it has one). */
  channels?: number;
  /** [height, width] when the model's input shape leaves them open. */
  inputSize?: [number, number];
  /**
   * Preprocessing a segmenter expects after the [0, 1] scaling: 'subtract-mean', each image minus its
   * own mean colour (shapes-fcn-flat). Read from model.json's `userDefinedMetadata.convlab` by
   * `fcnInput` (so `fcnLogits`, `semanticMap`, ...) only: a classifier's `LoadedModel` does not apply
   * it, and a value given to `registerModel` or in a meta file is not read. Default: none.
   */
  inputNorm?: 'subtract-mean';
  /** What the model outputs. Default 'logits'. */
  output?: 'logits' | 'probabilities';
}

export interface ModelEntry {
  /** URL of model.json. */
  url: string;
  meta?: ModelMeta;
  /**
   * URLs of the files model.json names (weightsManifest paths), when they are not beside it:
   * bundlers rename assets (weights.bin -> assets/weights-3f2a.bin), so a package that ships a model
   * writes `new URL('./weights.bin', import.meta.url)` for each file and registers the result here.
   */
  files?: Record<string, string>;
}

export interface LoadModelOptions {
  /** Called with the loaded fraction, 0..1, as model.json and the weights arrive. */
  onProgress?: (fraction: number) => void;
  /** Aborts this caller's wait (and the download, when no other caller waits for it). */
  signal?: AbortSignal;
  /** Metadata for a hosted model: an object, or the URL of a JSON file with it. Overrides model.json's. */
  meta?: ModelMeta | string;
  /** Channel counts the caller can feed. Default [1, 3]. */
  channels?: readonly number[];
}

export interface LoadedModel {
  /** The id it was registered under, or its URL. */
  id: string;
  url: string;
  kind: 'layers' | 'graph';
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  numClasses: number;
  meta: Omit<ModelMeta, 'labels'> & { labels: string[]; inputRange: [number, number]; output: 'logits' | 'probabilities' };
  layers?: tfl.LayersModel;
  graph?: tfconv.GraphModel;
  /** Logits for a batch of [0, 1] images. Call inside tf.tidy or dispose the result. */
  logits(x: Tensor4D): Tensor2D;
  /** Names of the layers (layers models) in order, for filter and feature views. */
  layerNames(): string[];
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, string: 0 };

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Registers a bundled model under an id, so that `loadModel(id)` finds it. */
export function registerModel(id: string, entry: ModelEntry): void {
  shared().registry.set(id, entry);
}

/** The ids registered so far. */
export function registeredModels(): string[] {
  return [...shared().registry.keys()];
}

function resolveUrl(url: string): string {
  try {
    const base = typeof document !== 'undefined' ? document.baseURI : undefined;
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

function looksLikeUrl(s: string): boolean {
  return /[/.]/.test(s) || /^[a-z]+:/i.test(s);
}

async function fetchOrThrow(url: string, signal: AbortSignal, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal.aborted) throw abortError(signal);
    throw new ModelLoadError('network', `Could not reach ${what} at ${url}: the network request failed (the host may be offline, not allow cross-origin requests, or be blocked by this page's Content-Security-Policy).`, url, { cause: e });
  }
  if (!res.ok) {
    throw new ModelLoadError('http', `Could not load ${what} from ${url}: the server answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`, url);
  }
  if (isHtmlResponse(res)) {
    // A missing file that the server answered with a page (often its home page), not with 404.
    void res.body?.cancel();
    throw new ModelLoadError('not-found', `Could not load ${what} from ${url}: not found (the server returned an HTML page instead).`, url);
  }
  return res;
}

/** Reads a response body, reporting bytes as they arrive. */
async function readBytes(res: Response, onBytes: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onBytes(buf.byteLength);
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    onBytes(value.byteLength);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function expectedBytes(groups: ManifestGroup[]): number {
  let n = 0;
  for (const g of groups) {
    for (const w of g.weights) {
      const dtype = w.quantization?.dtype ?? w.dtype;
      const per = DTYPE_BYTES[dtype];
      if (per === undefined) throw new ModelLoadError('malformed', `Weight ${w.name} has an unknown dtype '${dtype}'.`);
      n += w.shape.reduce((a, b) => a * b, 1) * per;
    }
  }
  return n;
}

function validateManifest(json: unknown, url: string): asserts json is {
  modelTopology: Record<string, unknown>;
  weightsManifest: ManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  userDefinedMetadata?: { convlab?: ModelMeta } & Record<string, unknown>;
  signature?: unknown;
  modelInitializer?: unknown;
} {
  const j = json as Record<string, unknown> | null;
  const bad = (why: string) => new ModelLoadError('malformed', `${url} is not a TF.js model.json: ${why}.`, url);
  if (!j || typeof j !== 'object') throw bad('it is not a JSON object');
  if (!j.modelTopology || typeof j.modelTopology !== 'object') throw bad('it has no modelTopology');
  if (!Array.isArray(j.weightsManifest)) throw bad('it has no weightsManifest');
  for (const g of j.weightsManifest as ManifestGroup[]) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) throw bad('a weightsManifest group lacks paths or weights');
  }
}

async function fetchMeta(meta: LoadModelOptions['meta'], signal: AbortSignal): Promise<ModelMeta | undefined> {
  if (meta === undefined || typeof meta === 'object') return meta;
  const url = resolveUrl(meta);
  const res = await fetchOrThrow(url, signal, 'the model metadata');
  let json: ModelMeta;
  try {
    json = (await res.json()) as ModelMeta;
  } catch (e) {
    throw new ModelLoadError('malformed', `The model metadata at ${url} is not valid JSON.`, url, { cause: e });
  }
  // A labels URL in a sidecar is relative to the sidecar.
  return typeof json.labels === 'string' ? { ...json, labels: new URL(json.labels, url).href } : json;
}

/** Reads a labels file: a JSON array of strings, or text with one name per line. */
async function fetchLabels(url: string, signal: AbortSignal): Promise<string[]> {
  const res = await fetchOrThrow(url, signal, 'the class names');
  const text = await res.text();
  if (text.trimStart().startsWith('[')) {
    try {
      const list = JSON.parse(text) as unknown;
      if (Array.isArray(list)) return list.map(String);
    } catch (e) {
      throw new ModelLoadError('malformed', `The labels file at ${url} is not valid JSON.`, url, { cause: e });
    }
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

async function load(
  id: string,
  url: string,
  registered: ModelMeta | undefined,
  files: Record<string, string> | undefined,
  opts: LoadModelOptions,
  signal: AbortSignal,
  progress: (f: number) => void,
): Promise<LoadedModel> {
  progress(0);
  const res = await fetchOrThrow(url, signal, 'the model');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await readBytes(res, () => {})));
  } catch (e) {
    if (signal.aborted) throw abortError(signal);
    throw new ModelLoadError('malformed', `${url} is not valid JSON, so it is not a TF.js model.json.`, url, { cause: e });
  }
  validateManifest(json, url);
  const groups = json.weightsManifest;
  const expected = expectedBytes(groups);
  progress(0.05);

  let received = 0;
  const parts: Uint8Array[] = [];
  for (const g of groups) {
    for (const p of g.paths) {
      const wurl = files?.[p] ?? new URL(p, url).href;
      const wres = await fetchOrThrow(wurl, signal, 'the model weights');
      parts.push(
        await readBytes(wres, (n) => {
          received += n;
          progress(0.05 + 0.85 * Math.min(1, received / Math.max(1, expected)));
        }),
      );
    }
  }
  if (received !== expected) {
    throw new ModelLoadError(
      'weights-size',
      `The weights of ${url} are ${received} bytes, but its model.json describes ${expected} bytes: the files do not belong together or a download was cut short.`,
      url,
    );
  }
  const weightData = new Uint8Array(received);
  let o = 0;
  for (const p of parts) {
    weightData.set(p, o);
    o += p.byteLength;
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: groups.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    signature: json.signature as tf.io.ModelArtifacts['signature'],
    modelInitializer: json.modelInitializer as tf.io.ModelArtifacts['modelInitializer'],
  };
  const isGraph = json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown }).node);
  const extra = await fetchMeta(opts.meta, signal);
  if (signal.aborted) throw abortError(signal);
  // A page may ask for a model while ready() is still starting a backend (a story or a page script
  // that calls loadModel before the widget's ready()): build on the backend ready() settles on, not
  // on one that is half initialised. Without a pending decision, the current backend is used.
  const deciding = shared().ready as Promise<unknown> | undefined;
  if (deciding) await deciding.catch(() => {});
  await tf.ready();
  if (signal.aborted) throw abortError(signal);

  let layers: tfl.LayersModel | undefined;
  let graph: tfconv.GraphModel | undefined;
  let inShape: (number | null)[];
  let outShape: (number | null)[];
  try {
    if (isGraph) {
      graph = await tfconv.loadGraphModel(tf.io.fromMemory(artifacts));
      inShape = (graph.inputs[0]?.shape ?? []).map((d) => (d < 0 ? null : d));
      outShape = (graph.outputs[0]?.shape ?? []).map((d) => (d < 0 ? null : d));
    } else {
      layers = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      inShape = layers.inputs[0].shape;
      outShape = layers.outputs[0].shape;
    }
  } catch (e) {
    throw new ModelLoadError('malformed', `TF.js could not build the model at ${url}: ${(e as Error).message}`, url, { cause: e });
  }

  const meta: ModelMeta = { ...registered, ...json.userDefinedMetadata?.convlab, ...extra };
  if (typeof meta.labels === 'string') {
    // A labels URL from model.json's own metadata is relative to model.json.
    try {
      meta.labels = await fetchLabels(new URL(meta.labels, url).href, signal);
    } catch (e) {
      layers?.dispose();
      graph?.dispose();
      throw e;
    }
  }
  const fail = (why: string) => {
    layers?.dispose();
    graph?.dispose();
    return new ModelLoadError('input-shape', `The model at ${url} cannot be fed images: ${why}.`, url);
  };
  if (inShape.length !== 4) throw fail(`its input has shape [${inShape.map((d) => d ?? 'null').join(', ')}], not [batch, height, width, channels]`);
  const channels = inShape[3] ?? meta.channels;
  const allowed = opts.channels ?? [1, 3];
  if (channels == null || !allowed.includes(channels)) {
    throw fail(`it takes ${channels ?? 'an unknown number of'} channels; this widget can feed ${allowed.join(' or ')}`);
  }
  const h = inShape[1] ?? meta.inputSize?.[0];
  const w = inShape[2] ?? meta.inputSize?.[1];
  if (!h || !w) throw fail('its input size is open and no inputSize was given in its metadata');
  if (graph && (outShape.length === 0 || outShape[outShape.length - 1] == null)) {
    // Converted graph models often carry no output shape: find it with one forward pass.
    try {
      outShape = tf.tidy(() => {
        const y = graph!.predict(tf.zeros([1, h, w, channels])) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(y) ? y[0] : y).shape;
      });
    } catch (e) {
      graph.dispose();
      throw new ModelLoadError('input-shape', `The model at ${url} failed on a ${h}x${w}x${channels} input: ${(e as Error).message}`, url, { cause: e });
    }
  }
  const numClasses = outShape[outShape.length - 1];
  if (outShape.length !== 2 || !numClasses) {
    throw fail(`its output has shape [${outShape.map((d) => d ?? 'null').join(', ')}], not [batch, classes]`);
  }
  if (meta.labels && meta.labels.length !== numClasses) {
    console.warn(`ConvLab: ${meta.labels.length} class names for a model with ${numClasses} classes (${url}); using "class 0", "class 1", …`);
  }
  const labels = Array.isArray(meta.labels) && meta.labels.length === numClasses ? meta.labels : Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  const inputRange = meta.inputRange ?? [0, 1];
  const output = meta.output ?? 'logits';
  const run = (x: Tensor4D) => (layers ? layers.predict(x) : graph!.predict(x)) as tf.Tensor | tf.Tensor[];

  const model: LoadedModel = {
    id,
    url,
    kind: isGraph ? 'graph' : 'layers',
    inputShape: [h, w, channels],
    numClasses,
    meta: { ...meta, labels, inputRange, output },
    layers,
    graph,
    logits(x: Tensor4D): Tensor2D {
      return tf.tidy(() => {
        const [lo, hi] = inputRange;
        const scaled = lo === 0 && hi === 1 ? x : tf.add(tf.mul(x, hi - lo), lo);
        const y = run(scaled as Tensor4D);
        const out = (Array.isArray(y) ? y[0] : y) as Tensor2D;
        return output === 'probabilities' ? (tf.log(tf.add(out, 1e-12)) as Tensor2D) : out;
      });
    },
    layerNames: () => (layers ? layers.layers.map((l) => l.name) : []),
  };
  // Warm-up: the first run compiles kernels (shaders on WebGL); do it now, not on a student's first drag.
  const warm = tf.tidy(() => model.logits(tf.zeros([1, h, w, channels]) as Tensor4D));
  await warm.data();
  warm.dispose();
  progress(1);
  return model;
}

interface CacheEntry {
  promise: Promise<LoadedModel>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
  listeners: Set<(f: number) => void>;
  last: number;
}

/**
 * Loads a classifier by bundled id (`'digits'`, once @convlab/models is imported) or by the URL of
 * a TF.js model.json (layers or graph format). Loads once per URL per page: later callers share the
 * same model. Rejects with ModelLoadError ('network', 'http', 'not-found' (an HTML page came back), 'malformed', 'weights-size',
 * 'input-shape', 'unknown-id') or an AbortError.
 */
export function loadModel(idOrUrl: string | URL, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const state = shared();
  const key0 = String(idOrUrl);
  const entry = state.registry.get(key0) as ModelEntry | undefined;
  if (!entry && !looksLikeUrl(key0)) {
    const known = registeredModels();
    return Promise.reject(
      new ModelLoadError(
        'unknown-id',
        `No bundled model is called '${key0}'. ${known.length ? `Use one of ${known.join(', ')}` : "Import '@convlab/models' to register the bundled ones"}, or give the URL of a model.json.`,
      ),
    );
  }
  const url = resolveUrl(entry ? entry.url : key0);
  const cacheKey = opts.meta ? `${url}#${typeof opts.meta === 'string' ? opts.meta : JSON.stringify(opts.meta)}` : url;
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));

  let c = state.models.get(cacheKey) as CacheEntry | undefined;
  if (!c) {
    const controller = new AbortController();
    const fresh: CacheEntry = {
      controller,
      waiters: 0,
      settled: false,
      listeners: new Set(),
      last: 0,
      promise: undefined as unknown as Promise<LoadedModel>,
    };
    fresh.promise = load(entry ? key0 : url, url, entry?.meta, entry?.files, opts, controller.signal, (f) => {
      fresh.last = f;
      for (const l of fresh.listeners) l(f);
    }).then(
      (m) => {
        fresh.settled = true;
        return m;
      },
      (e) => {
        fresh.settled = true;
        // Failed loads are not cached: a retry fetches again.
        if (state.models.get(cacheKey) === fresh) state.models.delete(cacheKey);
        throw e;
      },
    );
    fresh.promise.catch(() => {});
    state.models.set(cacheKey, fresh);
    c = fresh;
  }
  const e = c;
  e.waiters++;
  if (opts.onProgress) {
    e.listeners.add(opts.onProgress);
    opts.onProgress(e.settled ? 1 : e.last);
  }
  return new Promise<LoadedModel>((resolve, reject) => {
    let finished = false;
    const done = () => {
      if (finished) return false;
      finished = true;
      e.waiters--;
      if (opts.onProgress) e.listeners.delete(opts.onProgress);
      opts.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = () => {
      if (!done()) return;
      if (!e.settled && e.waiters === 0) {
        e.controller.abort();
        if (state.models.get(cacheKey) === e) state.models.delete(cacheKey);
      }
      reject(abortError(opts.signal));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    e.promise.then(
      (m) => {
        if (done()) resolve(m);
      },
      (err) => {
        if (done()) reject(err);
      },
    );
  });
}

/** Forgets every cached model (disposing them). For tests; widgets never call it. */
export function clearModelCacheForTesting(): void {
  const state = shared();
  for (const c of state.models.values()) {
    const e = c as CacheEntry;
    e.promise.then(
      (m) => {
        m.layers?.dispose();
        m.graph?.dispose();
      },
      () => {},
    );
  }
  state.models.clear();
}
