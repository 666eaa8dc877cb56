import { Tsne, affinities, type TsneOptions } from '@convlab/tensor';

export interface TsneFrame {
  iteration: number;
  kl: number;
  embedding: Float32Array;
}

export interface TsneRunOptions {
  options: TsneOptions;
  iterations: number;
  onFrame: (f: TsneFrame) => void;
  onProgress?: (fraction: number) => void;
}

export interface TsneResult extends TsneFrame {
  ms: number;
  /** Where it ran: a Web Worker, or the main thread in slices of a few ms (when workers are unavailable). */
  where: 'worker' | 'main';
}

/**
 * Runs one t-SNE at a time in a module Web Worker (the page stays responsive), with pause, resume
 * and stop. When a worker cannot be started, it runs on the main thread in slices of about 8 ms per
 * frame instead, and says so in `where`.
 */
export class TsneRunner {
  private worker?: Worker;
  private workerFailed = false;
  private nextId = 0;
  private current?: { id: number; reject: (e: unknown) => void };
  private mainRun?: { t: Tsne; paused: boolean; stopped: boolean; resume?: () => void };

  private getWorker(): Worker | undefined {
    if (this.workerFailed) return undefined;
    if (!this.worker) {
      try {
        this.worker = new Worker(new URL('./tsne-worker.js', import.meta.url), { type: 'module', name: 'convlab-tsne' });
      } catch {
        this.workerFailed = true;
      }
    }
    return this.worker;
  }

  run(data: Float32Array, n: number, d: number, o: TsneRunOptions): Promise<TsneResult> {
    this.stop();
    const w = this.getWorker();
    if (!w) return this.runMain(data, n, d, o);
    const id = ++this.nextId;
    return new Promise<TsneResult>((resolve, reject) => {
      this.current = { id, reject };
      let started = false;
      w.onmessage = (e: MessageEvent) => {
        const m = e.data as { type: string; id: number; fraction?: number } & TsneFrame & { ms: number };
        if (m.id !== id) return;
        started = true;
        if (m.type === 'progress') o.onProgress?.(m.fraction ?? 0);
        else if (m.type === 'frame') o.onFrame(m);
        else if (m.type === 'done') {
          this.current = undefined;
          resolve({ iteration: m.iteration, kl: m.kl, embedding: m.embedding, ms: m.ms, where: 'worker' });
        }
      };
      w.onerror = (e) => {
        // The worker script did not load (a bundler or server that cannot serve it): run here instead.
        e.preventDefault();
        if (started || this.current?.id !== id) return;
        this.workerFailed = true;
        this.worker?.terminate();
        this.worker = undefined;
        this.current = undefined;
        this.runMain(data, n, d, o).then(resolve, reject);
      };
      // The data is copied (not transferred): the caller keeps it for nearest-neighbour placement.
      w.postMessage({ type: 'start', id, data, n, d, options: o.options, iterations: o.iterations });
    });
  }

  private async runMain(data: Float32Array, n: number, d: number, o: TsneRunOptions): Promise<TsneResult> {
    const t0 = performance.now();
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const P = affinities(data, n, d, o.options.perplexity ?? 30, o.onProgress);
    const run = { t: new Tsne(P, o.options), paused: false, stopped: false } as NonNullable<TsneRunner['mainRun']>;
    run.t.klAt = o.iterations;
    this.mainRun = run;
    while (run.t.iteration < o.iterations) {
      if (run.stopped) throw new DOMException('The t-SNE run was stopped.', 'AbortError');
      if (run.paused) await new Promise<void>((r) => (run.resume = r));
      const until = performance.now() + 8;
      while (run.t.iteration < o.iterations && performance.now() < until) run.t.step();
      o.onFrame({ iteration: run.t.iteration, kl: run.t.kl, embedding: run.t.embedding() });
      await frame();
    }
    if (this.mainRun === run) this.mainRun = undefined;
    return { iteration: run.t.iteration, kl: run.t.kl, embedding: run.t.embedding(), ms: performance.now() - t0, where: 'main' };
  }

  pause(): void {
    this.worker?.postMessage({ type: 'pause' });
    if (this.mainRun) this.mainRun.paused = true;
  }

  resume(): void {
    this.worker?.postMessage({ type: 'resume' });
    if (this.mainRun) {
      this.mainRun.paused = false;
      this.mainRun.resume?.();
    }
  }

  /** Stops the run in progress (its promise rejects with an AbortError). */
  stop(): void {
    if (this.current) {
      this.worker?.postMessage({ type: 'stop' });
      this.current.reject(new DOMException('The t-SNE run was stopped.', 'AbortError'));
      this.current = undefined;
    }
    if (this.mainRun) {
      this.mainRun.stopped = true;
      this.mainRun.resume?.();
      this.mainRun = undefined;
    }
  }

  dispose(): void {
    this.stop();
    this.worker?.terminate();
    this.worker = undefined;
  }
}
