/** @convlab/occlusion-map: defines <occlusion-map> (the only side effect of the package). */
import { OcclusionMap } from './occlusion-map.js';

export { OcclusionMap, OCCLUSION_CONTROLS } from './occlusion-map.js';
export type { MapCompleteDetail, OcclusionFillName } from './occlusion-map.js';

if (!customElements.get('occlusion-map')) customElements.define('occlusion-map', OcclusionMap);

declare global {
  interface HTMLElementTagNameMap {
    'occlusion-map': OcclusionMap;
  }
  interface GlobalEventHandlersEventMap {
    'map-complete': CustomEvent<import('./occlusion-map.js').MapCompleteDetail>;
    'map-progress': CustomEvent<{ done: number; total: number }>;
  }
}
