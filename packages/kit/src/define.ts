/**
 * Registers every @convlab/kit element. The only module of the package with side effects; each
 * registration is guarded, so two copies of the kit on one page do not throw.
 */
import { ConvLabStatus } from './status.js';
import { ConvLabImagePicker } from './image-picker.js';
import { ConvLabTensorCanvas } from './tensor-canvas.js';
import { ConvLabDrawPad } from './draw-pad.js';
import { ConvLabProbBars } from './prob-bars.js';
import { ConvLabSlider } from './slider.js';
import { ConvLabNotice } from './notice.js';

if (!customElements.get('convlab-status')) customElements.define('convlab-status', ConvLabStatus);
if (!customElements.get('convlab-image-picker')) customElements.define('convlab-image-picker', ConvLabImagePicker);
if (!customElements.get('convlab-tensor-canvas')) customElements.define('convlab-tensor-canvas', ConvLabTensorCanvas);
if (!customElements.get('convlab-draw-pad')) customElements.define('convlab-draw-pad', ConvLabDrawPad);
if (!customElements.get('convlab-prob-bars')) customElements.define('convlab-prob-bars', ConvLabProbBars);
if (!customElements.get('convlab-slider')) customElements.define('convlab-slider', ConvLabSlider);
if (!customElements.get('convlab-notice')) customElements.define('convlab-notice', ConvLabNotice);

declare global {
  interface HTMLElementTagNameMap {
    'convlab-status': ConvLabStatus;
    'convlab-image-picker': ConvLabImagePicker;
    'convlab-tensor-canvas': ConvLabTensorCanvas;
    'convlab-draw-pad': ConvLabDrawPad;
    'convlab-prob-bars': ConvLabProbBars;
    'convlab-slider': ConvLabSlider;
    'convlab-notice': ConvLabNotice;
  }
}

export {};
