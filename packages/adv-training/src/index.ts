/** @convlab/adv-training: defines <adv-training> (the only side effect of the package). */
import { AdvTraining } from './adv-training.js';

export { AdvTraining, ADV_CONTROLS } from './adv-training.js';
export type { AdvMode, AdvNetwork, EpochDetail, CurveCompleteDetail } from './adv-training.js';
export type { EpochRecord, ModelStats, ToySettings } from './toy-run.js';
export type { Curves, DigitsModelId } from './digits-run.js';

if (!customElements.get('adv-training')) customElements.define('adv-training', AdvTraining);

declare global {
  interface HTMLElementTagNameMap {
    'adv-training': AdvTraining;
  }
  interface GlobalEventHandlersEventMap {
    epoch: CustomEvent<import('./adv-training.js').EpochDetail>;
    'curve-complete': CustomEvent<import('./adv-training.js').CurveCompleteDetail>;
  }
}
