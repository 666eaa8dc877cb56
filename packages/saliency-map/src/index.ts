/** @convlab/saliency-map: defines <saliency-map> (the only side effect of the package). */
import { SaliencyMap } from './saliency-map.js';

export { SaliencyMap, SALIENCY_METHODS, SALIENCY_CONTROLS, RULE_TITLES, RULE_EXPLANATIONS } from './saliency-map.js';
export type { SaliencyChangeDetail, SaliencyMethod } from './saliency-map.js';

if (!customElements.get('saliency-map')) customElements.define('saliency-map', SaliencyMap);

declare global {
  interface HTMLElementTagNameMap {
    'saliency-map': SaliencyMap;
  }
  interface GlobalEventHandlersEventMap {
    'saliency-change': CustomEvent<import('./saliency-map.js').SaliencyChangeDetail>;
  }
}
