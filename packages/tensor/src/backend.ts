/**
 * Backend choice, made once per page and shared by every widget (and every bundle) on it.
 *
 * Order: WebGL when the GPU is hardware-accelerated; WASM (SIMD, and threads when the page is
 * cross-origin isolated) when WebGL would run on a software renderer such as SwiftShader or
 * llvmpipe, or there is no WebGL; CPU last.
 *
 * WASM threads and minifiers. TF.js's threaded WASM build starts its pthread workers by sending each
 * one a script made of the source text of its module factory (`'var WasmBackendModuleThreadedSimd = '
 * + factory.toString()`). Minified, that text breaks: the factory is an inner function of an IIFE
 * that declares `_scriptDir`, and the function guards its use with `typeof _scriptDir !== "undefined"`;
 * a minifier renames `_scriptDir` (to `e`, say) and, seeing it declared, folds the guard away, so in a
 * worker (where the IIFE never ran) the text reads an undeclared `e`: every pthread worker throws
 * "e is not defined" and the backend never finishes starting (the course site's own build, served
 * cross-origin isolated, hung there: e2e/coi.test.mjs). Other bundlers break it in other ways.
 *
 * The fix does not depend on what a bundler does to that code: before the threaded backend starts,
 * ready() gives the factory function its own `toString`, returning
 * `(importScripts("<url>"), WasmBackendModuleThreadedSimd)`, where <url> is TF.js's own prebuilt
 * factory script, copied unmodified into this package's wasm/ folder and referenced as
 * `new URL('../wasm/tfjs-backend-wasm-threaded-simd.js', import.meta.url)` (bundlers emit it as an
 * asset, as they do the .wasm files). Each worker then loads the exact file TF.js ships; only a string
 * and a URL pass through the minifier. A page with a Content-Security-Policy must allow `blob:` in
 * script-src (the workers importScripts TF.js's blob), as the course site's embed pages do.
 *
 * Threads are on by default wherever the page is cross-origin isolated and TF.js would use more than
 * one: TF.js gives XNNPACK min(8, hardwareConcurrency / 2) threads (its init_with_threads_count caps
 * setThreadsCount too), so a 2-core machine computes on one thread even in the threaded build, and
 * getThreadsCount() saying 1 there is true (not a misreport). `ready({ wasmThreads: true })` starts
 * the threaded build whenever isolated; `false` never; without the option a page may say the same
 * with `<meta name="convlab-wasm-threads" content="on|off">`. If the threaded start still fails (the script could not be loaded, a CSP blocks the
 * blob, a bundler dropped the asset), ready() does not hang: a worker error, or no start within
 * `wasmThreadsTimeoutMs` (default 20 s), makes it start WASM again on one thread, with a console
 * warning and the reason in BackendInfo.reason. A page can force a backend with `ready({prefer})` or
 * `<meta name="convlab-backend" content="wasm">`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
// The same module object tfjs-backend-wasm's backend_wasm.js imports: the threaded build's factory.
import threadedWasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import { tf } from './tf.js';
import { shared } from './global.js';

export type BackendName = 'webgl' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

export interface GpuProbe {
  /** A WebGL context could be made at all. */
  webgl: boolean;
  /** The renderer string (unmasked where the browser allows), '' when unknown. */
  renderer: string;
  /** True when the renderer is a software rasteriser (SwiftShader, llvmpipe, …). */
  software: boolean;
}

export interface BackendInfo {
  /** The backend TF.js runs on. */
  name: BackendName;
  /** Why this backend, in words a person can read. */
  reason: string;
  /** True when a page or caller asked for this backend. */
  forced: boolean;
  gpu: GpuProbe;
  /**
   * WASM features, when the backend is wasm: threads is true when TF.js's threaded build runs;
   * threadCount is how many threads its XNNPACK pool computes with (TF.js's getThreadsCount()).
   */
  wasm?: { simd: boolean; threads: boolean; threadCount?: number };
  /** Milliseconds that ready() took to set the backend up. */
  startupMs: number;
}

export interface ReadyOptions {
  /** Force a backend. Without it (and without a page-level meta tag) the choice is automatic. */
  prefer?: BackendName;
  /**
   * Where the WASM binaries are: a URL prefix ending in '/', or a map from file name to URL.
   * Default: the copies shipped in this package's wasm/ folder, resolved from this module.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Whether WASM runs TF.js's threaded build when the page is cross-origin isolated (without isolation
   * there are no threads). Default: yes when TF.js would compute on more than one thread there, i.e.
   * hardwareConcurrency >= 4 (TF.js uses half the logical cores, at most 8). true: whenever isolated;
   * false: never. Unset, `<meta name="convlab-wasm-threads" content="on|off">` decides if the page has
   * one. See the note at the top of this module.
   */
  wasmThreads?: boolean;
  /** With wasmThreads: how many threads XNNPACK uses (default: the browser's hardwareConcurrency). */
  wasmThreadCount?: number;
  /**
   * With wasmThreads: how long the threaded WASM backend may take to start before ready() gives up on
   * it and starts WASM on one thread (default 20000 ms).
   */
  wasmThreadsTimeoutMs?: number;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|lavapipe/i;

/** Asks a throw-away WebGL context which renderer this browser would give TF.js. */
export function probeGpu(): GpuProbe {
  const none: GpuProbe = { webgl: false, renderer: '', software: false };
  let canvas: HTMLCanvasElement | OffscreenCanvas;
  if (typeof OffscreenCanvas !== 'undefined') canvas = new OffscreenCanvas(1, 1);
  else if (typeof document !== 'undefined') canvas = document.createElement('canvas');
  else return none;
  let gl: WebGLRenderingContext | WebGL2RenderingContext | null = null;
  try {
    gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  } catch {
    gl = null;
  }
  if (!gl) return none;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String((ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { webgl: true, renderer, software: SOFTWARE_RENDERER.test(renderer) };
}

function defaultWasmPaths(): Record<string, string> {
  // Written out one by one so bundlers see each file and emit it as an asset.
  return {
    'tfjs-backend-wasm.wasm': new URL('../wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('../wasm/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('../wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url)
      .href,
  };
}

const THREADED_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';

/** Where the pthread workers load TF.js's own (unminified) threaded factory script from. */
function threadedScriptUrl(opts: ReadyOptions): string {
  const given = typeof opts.wasmPaths === 'object' ? opts.wasmPaths[THREADED_SCRIPT] : undefined;
  // Absolute: the workers run from blob: URLs, against which a relative path means nothing.
  if (given) return new URL(given, typeof location !== 'undefined' ? location.href : undefined).href;
  return new URL('../wasm/tfjs-backend-wasm-threaded-simd.js', import.meta.url).href;
}

/**
 * Makes the factory's source text, which TF.js sends to each pthread worker, load TF.js's own script
 * instead of relying on the (possibly minified) function text. See the note at the top.
 */
function pinThreadedWorkerSource(url: string): void {
  const text = `(importScripts(${JSON.stringify(url)}), WasmBackendModuleThreadedSimd)`;
  Object.defineProperty(threadedWasmFactory, 'toString', { value: () => text, configurable: true, writable: true });
}

/**
 * Starts the threaded WASM backend, or, when it fails or takes longer than timeoutMs, starts WASM
 * again on one thread. Resolves with whether WASM runs and, if it fell back, why.
 */
async function trySetThreadedWasm(timeoutMs: number): Promise<{ ok: boolean; fellBack?: string }> {
  const factory = tf.findBackendFactory('wasm');
  const entry = (tf.engine() as unknown as { registryFactory?: Record<string, { priority: number }> }).registryFactory?.wasm;
  let onError: ((ev: ErrorEvent) => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`it did not start within ${timeoutMs} ms`), timeoutMs);
    // Emscripten rethrows a pthread worker's error event on the page (importScripts blocked, or a
    // broken factory text): no need to wait for the timeout then.
    if (typeof addEventListener === 'function') {
      onError = (ev: ErrorEvent) => {
        const e = ev.error as unknown;
        const fromWorker = (typeof ErrorEvent !== 'undefined' && e instanceof ErrorEvent) || /^blob:/.test(ev.filename ?? '');
        if (fromWorker) resolve(`a worker failed: ${(e as ErrorEvent | undefined)?.message ?? ev.message}`);
      };
      addEventListener('error', onError);
    }
  });
  const outcome = await Promise.race([trySet('wasm').then((ok) => ({ ok })), failed.then((why) => ({ ok: false, why }))]);
  clearTimeout(timer);
  if (onError) removeEventListener('error', onError);
  if ('why' in outcome && factory) {
    // Forget the threaded start (TF.js ignores its promise if it ever settles) and start WASM anew
    // on one thread: the backend's init() reads the flag again.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    try {
      tf.removeBackend('wasm');
    } catch {
      /* not registered */
    }
    tf.registerBackend('wasm', factory, entry?.priority ?? 2);
    console.warn(`[convlab] WASM threads failed (${outcome.why}); using WASM on one thread.`);
    return { ok: await trySet('wasm'), fellBack: outcome.why };
  }
  return { ok: outcome.ok };
}

/** `<meta name="convlab-wasm-threads" content="on|off">`: a page's say on WASM threads (ready()'s wasmThreads wins). */
function pageWasmThreads(): boolean | undefined {
  if (typeof document === 'undefined') return undefined;
  const v = document.querySelector('meta[name="convlab-wasm-threads"]')?.getAttribute('content')?.trim().toLowerCase();
  return v === 'on' ? true : v === 'off' ? false : undefined;
}

function pageForcedBackend(): BackendName | undefined {
  if (typeof document === 'undefined') return undefined;
  const meta = document.querySelector('meta[name="convlab-backend"]')?.getAttribute('content')?.trim();
  return BACKENDS.includes(meta as BackendName) ? (meta as BackendName) : undefined;
}

/** Tells the WASM backend where its binaries are, whichever backend is chosen (a page may switch later). */
function configureWasm(opts: ReadyOptions): void {
  const paths = opts.wasmPaths ?? defaultWasmPaths();
  // setWasmPaths throws once the backend was initialised; then the paths are already set.
  try {
    if (typeof paths === 'string') setWasmPaths(paths);
    else setWasmPaths(paths);
  } catch {
    /* already initialised */
  }
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function decide(opts: ReadyOptions): Promise<BackendInfo> {
  const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  const gpu = probeGpu();
  configureWasm(opts);
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  // TF.js's XNNPACK pool gets min(8, hardwareConcurrency / 2) threads (and setThreadsCount cannot
  // raise it): below 4 logical cores it is one thread, and the threaded build's 8 workers only cost.
  const tfjsThreads = tfjsWasmThreadCap();
  const asked = opts.wasmThreads ?? pageWasmThreads();
  const threadsWanted = isolated && (asked ?? tfjsThreads >= 2);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threadsWanted);
  if (threadsWanted) {
    pinThreadedWorkerSource(threadedScriptUrl(opts));
    if (opts.wasmThreadCount && opts.wasmThreadCount > 0) setThreadsCount(Math.round(opts.wasmThreadCount));
  }
  const forcedName = opts.prefer ?? pageForcedBackend();
  const plan: { name: BackendName; reason: string }[] = [];
  if (forcedName) {
    plan.push({ name: forcedName, reason: `${forcedName} was requested by the page` });
  }
  if (gpu.webgl && !gpu.software) {
    plan.push({ name: 'webgl', reason: `hardware-accelerated WebGL (${gpu.renderer || 'renderer unknown'})` });
  }
  const inBrowser = typeof document !== 'undefined' || typeof OffscreenCanvas !== 'undefined';
  if (inBrowser) {
    const whyNotGpu = !gpu.webgl
      ? 'no WebGL in this browser'
      : `WebGL runs on a software renderer (${gpu.renderer}), which is slower than WASM`;
    plan.push({ name: 'wasm', reason: `WASM because ${whyNotGpu}` });
    plan.push({ name: 'cpu', reason: 'plain JavaScript (CPU): neither WebGL on a GPU nor WASM could start' });
  } else {
    plan.push({ name: 'cpu', reason: 'CPU: not running in a browser' });
  }

  const failed: string[] = [];
  let fellBack: string | undefined;
  for (const step of plan) {
    let ok: boolean;
    if (step.name === 'wasm' && threadsWanted && tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) {
      const r = await trySetThreadedWasm(opts.wasmThreadsTimeoutMs ?? 20000);
      ok = r.ok;
      fellBack = r.fellBack;
    } else {
      ok = await trySet(step.name);
    }
    if (ok) {
      const forced = step.name === forcedName && plan[0] === step;
      let reason = step.reason;
      if (failed.length) reason += `; ${failed.join(', ')} failed to start`;
      const info: BackendInfo = {
        name: step.name,
        reason,
        forced,
        gpu,
        startupMs: (typeof performance !== 'undefined' ? performance.now() : Date.now()) - t0,
      };
      if (step.name === 'wasm') {
        info.wasm = {
          simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
          threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
        };
        info.wasm.threadCount = info.wasm.threads ? wasmThreadsInUse() : 1;
        if (fellBack) info.reason += `; one thread (WASM threads failed: ${fellBack})`;
        else if (info.wasm.threads) info.reason += `; ${info.wasm.threadCount} thread${info.wasm.threadCount === 1 ? '' : 's'}`;
        else if (!isolated) info.reason += '; one thread (the page is not cross-origin isolated)';
        else if (asked === false) info.reason += `; one thread (${opts.wasmThreads === false ? 'ready({ wasmThreads: false })' : 'the page says <meta name="convlab-wasm-threads" content="off">'})`;
        else info.reason += `; one thread (TF.js would give its WASM thread pool hardwareConcurrency / 2 = ${tfjsThreads} thread)`;
      }
      return info;
    }
    failed.push(step.name);
  }
  throw new Error(`No TF.js backend could start (tried ${failed.join(', ')}).`);
}

/**
 * Sets up TF.js once per page and resolves with the chosen backend. Idempotent and shared: every
 * call on the page (from any widget or bundle) gets the same decision. A `prefer` that arrives after
 * the decision was made cannot change it; it is reported with a console warning.
 */
export function ready(opts: ReadyOptions = {}): Promise<BackendInfo> {
  const state = shared();
  if (!state.ready) {
    state.ready = decide(opts).then((info) => {
      state.info = info;
      return info;
    });
    // A failed start must not poison the page forever: the next call may try again.
    state.ready.catch(() => {
      state.ready = undefined;
    });
  } else if (opts.prefer) {
    void state.ready.then((info) => {
      const i = info as BackendInfo;
      if (i.name !== opts.prefer) {
        console.warn(`[convlab] backend already chosen (${i.name}); ignoring prefer: '${opts.prefer}'.`);
      }
    });
  }
  return state.ready as Promise<BackendInfo>;
}

/**
 * The size of TF.js's WASM thread pool on this browser: min(8, hardwareConcurrency / 2), at least 1
 * (tfjs-backend-wasm's init_with_threads_count caps any count at this).
 */
function tfjsWasmThreadCap(): number {
  const hc = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return Math.max(1, Math.min(8, Math.floor(hc / 2)));
}

function wasmThreadsInUse(): number {
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

/**
 * Threads the WASM backend computes with: 1 unless it runs its threaded build (see ready's
 * wasmThreads), else TF.js's getThreadsCount(), which is true: TF.js gives XNNPACK
 * min(8, hardwareConcurrency / 2) threads, so a 2-core machine computes on 1 even when threaded.
 */
export function wasmThreadCount(): number {
  const info = shared().info as BackendInfo | undefined;
  if (info?.name !== 'wasm' || !info.wasm?.threads) return 1;
  return wasmThreadsInUse();
}

/** What ready() decided, or undefined before it has finished. */
export function backendInfo(): BackendInfo | undefined {
  return shared().info as BackendInfo | undefined;
}

/**
 * Test and benchmark hook: forget the page's decision so that ready() decides again.
 * Widgets never call this.
 */
export function resetBackendForTesting(): void {
  const state = shared();
  state.ready = undefined;
  state.info = undefined;
}
