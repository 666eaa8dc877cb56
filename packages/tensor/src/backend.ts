/**
 * Backend choice, made once per page and shared by every widget (and every bundle) on it.
 *
 * Order: WebGL when the GPU is hardware-accelerated; WASM (SIMD; threads only when a page asks
 * with `ready({ wasmThreads: true })` and is cross-origin isolated) when WebGL would run on a
 * software renderer such as SwiftShader or llvmpipe, or there is no WebGL; CPU last.
 *
 * Why threads are opt-in: TF.js starts its WASM worker threads from the source text of a function
 * (`factory.toString()`), and a minifying bundler rewrites that function so that it refers to names
 * that exist only outside it (`typeof _scriptDir` is folded away). The workers then fail and the
 * backend never finishes starting: a minified page that is cross-origin isolated hung. Measured with
 * the course site's own build (e2e/coi.test.mjs); unminified, threads work. A page can force one with `ready({prefer})` or
 * `<meta name="convlab-backend" content="wasm">`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
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
  /** WASM features, when the backend is wasm. */
  wasm?: { simd: boolean; threads: boolean };
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
   * Let WASM use threads when the page is cross-origin isolated. Off by default: only for pages whose
   * build leaves TF.js's WASM backend unminified (see the note at the top of this module).
   */
  wasmThreads?: boolean;
  /** With wasmThreads: how many threads XNNPACK uses (default: the browser's hardwareConcurrency). */
  wasmThreadCount?: number;
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
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', Boolean(opts.wasmThreads) && isolated);
  if (opts.wasmThreads && opts.wasmThreadCount && opts.wasmThreadCount > 0) setThreadsCount(Math.round(opts.wasmThreadCount));
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
  for (const step of plan) {
    if (await trySet(step.name)) {
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
        if (isolated && !info.wasm.threads) info.reason += '; one thread (WASM threads are opt-in: ready({ wasmThreads: true }))';
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

/** Threads the WASM backend computes with: 1 unless it runs its threaded build (see ready's wasmThreads). */
export function wasmThreadCount(): number {
  const info = shared().info as BackendInfo | undefined;
  if (info?.name !== 'wasm' || !info.wasm?.threads) return 1;
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
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
