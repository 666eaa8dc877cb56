/**
 * @convlab/fgsm-demo: defines <fgsm-demo> and <fgsm-linear> (the only side effects of the package).
 */
import { FgsmDemo } from './fgsm-demo.js';
import { FgsmLinear } from './fgsm-linear.js';

export { FgsmDemo, FGSM_CONTROLS } from './fgsm-demo.js';
export type { FgsmMode, FgsmControl, PredictionChangeDetail, Top1 } from './fgsm-demo.js';
export { FgsmLinear } from './fgsm-linear.js';
export type { LinearChangeDetail } from './fgsm-linear.js';

if (!customElements.get('fgsm-demo')) customElements.define('fgsm-demo', FgsmDemo);
if (!customElements.get('fgsm-linear')) customElements.define('fgsm-linear', FgsmLinear);

declare global {
  interface HTMLElementTagNameMap {
    'fgsm-demo': FgsmDemo;
    'fgsm-linear': FgsmLinear;
  }
  interface GlobalEventHandlersEventMap {
    'prediction-change': CustomEvent<import('./fgsm-demo.js').PredictionChangeDetail>;
    'linear-change': CustomEvent<import('./fgsm-linear.js').LinearChangeDetail>;
  }
}
