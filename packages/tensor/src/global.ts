/**
 * Page-wide state shared by every copy of @convlab/tensor on a page (two widgets, or two
 * separately built bundles): the backend decision and the model cache live on globalThis under a
 * registered symbol, so the first copy to decide decides for all.
 */
const KEY = Symbol.for('convlab.tensor.v1');

export interface SharedState {
  ready?: Promise<unknown>;
  info?: unknown;
  models: Map<string, unknown>;
  registry: Map<string, unknown>;
}

export function shared(): SharedState {
  const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
  let s = g[KEY];
  if (!s) {
    s = { models: new Map(), registry: new Map() };
    g[KEY] = s;
  }
  return s;
}
