/** @convlab/class-viz: defines <class-viz> (the only side effect of the package). */
import { ClassViz } from './class-viz.js';

export { ClassViz, CLASS_VIZ_STARTS, CLASS_VIZ_CONTROLS, GRID_MAX } from './class-viz.js';
export type { ClassVizStart, StepDetail, DoneDetail } from './class-viz.js';

if (!customElements.get('class-viz')) customElements.define('class-viz', ClassViz);

declare global {
  interface HTMLElementTagNameMap {
    'class-viz': ClassViz;
  }
  interface GlobalEventHandlersEventMap {
    step: CustomEvent<import('./class-viz.js').StepDetail>;
    done: CustomEvent<import('./class-viz.js').DoneDetail>;
  }
}
