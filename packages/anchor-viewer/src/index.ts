/** @convlab/anchor-viewer: defines <anchor-viewer> (the only side effect of the package). */
import { AnchorViewer } from './anchor-viewer.js';

export { AnchorViewer, ANCHOR_VIEWS, ANCHOR_CONTROLS } from './anchor-viewer.js';
export type { AnchorView, SceneChangeDetail, DetectionsChangeDetail } from './anchor-viewer.js';

if (!customElements.get('anchor-viewer')) customElements.define('anchor-viewer', AnchorViewer);

declare global {
  interface HTMLElementTagNameMap {
    'anchor-viewer': AnchorViewer;
  }
  interface GlobalEventHandlersEventMap {
    'scene-change': CustomEvent<import('./anchor-viewer.js').SceneChangeDetail>;
    'detections-change': CustomEvent<import('./anchor-viewer.js').DetectionsChangeDetail>;
  }
}
