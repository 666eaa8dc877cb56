/**
 * Every ConvLab widget in one file: `<script type="module" src="…/convlab.js"></script>`, then any
 * element of widgets.json (`<fgsm-demo>`, `<occlusion-map>`, …) anywhere on the page. TF.js is
 * inside, once; the bundled models, samples and WASM binaries sit beside it in assets/.
 * The widget packages imported (and re-exported) here come from widgets.json, through
 * `virtual:convlab/all-exports` (scripts/widgets.mjs).
 */
import '@convlab/models';

export * from 'virtual:convlab/all-exports';
export { ready, backendInfo, loadModel, registerModel } from '@convlab/tensor';
