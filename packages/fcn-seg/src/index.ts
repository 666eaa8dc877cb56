/** @convlab/fcn-seg: defines <fcn-seg> (the only side effect of the package). */
import { FcnSeg } from './fcn-seg.js';

export { FcnSeg, FCN_VIEWS, FCN_MODELS, FCN_CONTROLS } from './fcn-seg.js';
export type { FcnView, FcnModel, SegmentationChangeDetail, PixelSelectDetail } from './fcn-seg.js';

if (!customElements.get('fcn-seg')) customElements.define('fcn-seg', FcnSeg);

declare global {
  interface HTMLElementTagNameMap {
    'fcn-seg': FcnSeg;
  }
  interface GlobalEventHandlersEventMap {
    'segmentation-change': CustomEvent<import('./fcn-seg.js').SegmentationChangeDetail>;
    'pixel-select': CustomEvent<import('./fcn-seg.js').PixelSelectDetail>;
  }
}
