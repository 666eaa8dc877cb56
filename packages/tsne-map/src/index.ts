/** @convlab/tsne-map: defines <tsne-map> (the only side effect of the package). */
import { TsneMap } from './tsne-map.js';

export { TsneMap, TSNE_CONTROLS, CLASS_COLOURS, neighbourAgreement } from './tsne-map.js';
export type { EmbeddingDoneDetail, PointSelectDetail, SpaceSummary, Space } from './tsne-map.js';
export { TsneRunner } from './runner.js';
export type { TsneFrame, TsneResult, TsneRunOptions } from './runner.js';

if (!customElements.get('tsne-map')) customElements.define('tsne-map', TsneMap);

declare global {
  interface HTMLElementTagNameMap {
    'tsne-map': TsneMap;
  }
  interface GlobalEventHandlersEventMap {
    'point-select': CustomEvent<import('./tsne-map.js').PointSelectDetail>;
    'embedding-done': CustomEvent<import('./tsne-map.js').EmbeddingDoneDetail>;
  }
}
