/** @convlab/gram-style: defines <gram-style> (the only side effect of the package). */
import { GramStyle } from './gram-style.js';

export { GramStyle, GRAM_CONTROLS, DEFAULT_STYLE_LAYERS } from './gram-style.js';
export type { GramStepDetail, GramDoneDetail, GramOptimizer, GramStart, GramStyleEventMap } from './gram-style.js';
export { CONTENT_SAMPLES, STYLE_SAMPLES, SAMPLES, mosaic, waves } from './samples.js';
export type { Sample } from './samples.js';

if (!customElements.get('gram-style')) customElements.define('gram-style', GramStyle);

declare global {
  interface HTMLElementTagNameMap {
    'gram-style': GramStyle;
  }
}
