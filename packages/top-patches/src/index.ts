/** @convlab/top-patches: defines <top-patches> (the only side effect of the package). */
import { TopPatches } from './top-patches.js';

export { TopPatches, PATCH_CONTROLS } from './top-patches.js';
export type { PatchesCompleteDetail, RankedPatch, PatchMode, UnitSelectDetail } from './top-patches.js';
export { loadPool } from './pool.js';
export type { ImagePool } from './pool.js';

if (!customElements.get('top-patches')) customElements.define('top-patches', TopPatches);

declare global {
  interface HTMLElementTagNameMap {
    'top-patches': TopPatches;
  }
  interface GlobalEventHandlersEventMap {
    'unit-select': CustomEvent<import('@convlab/tensor').UnitSelectDetail>;
    'patches-complete': CustomEvent<import('./top-patches.js').PatchesCompleteDetail>;
    'patches-progress': CustomEvent<{ done: number; total: number }>;
  }
}
