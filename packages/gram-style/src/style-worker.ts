/**
 * <gram-style>'s optimisation off the main thread (a module Web Worker). Messages in:
 * `{id, req}` with `req` an EngineRequest (engine.ts); out: `{id, ok: true, value}` or
 * `{id, ok: false, error}`. The step's image comes back as a transferred Float32Array.
 */
import { StyleEngine, transferables, type EngineRequest } from './engine.js';

const scope = self as unknown as {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<{ id: number; req: EngineRequest }>) => void) | null;
};

// No pause between layers: in a worker a step may be one task.
const engine = new StyleEngine();

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

scope.onmessage = (e) => {
  const { id, req } = e.data;
  const fail = (err: unknown) => scope.postMessage({ id, ok: false, error: message(err) });
  engine.handle(req).then((value) => {
    // A reply that cannot be posted (not cloneable, out of memory) is answered with an error, so the page never waits for ever.
    try {
      scope.postMessage({ id, ok: true, value }, transferables(value));
    } catch (err) {
      fail(new Error(`The worker could not send its reply to ${req.op} (${message(err)}).`));
    }
  }, fail);
};
