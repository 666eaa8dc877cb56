/**
 * Every ConvLab widget in one file: `<script type="module" src="…/convlab.js"></script>`, then
 * `<fgsm-demo>`, `<fgsm-linear>`, `<occlusion-map>` anywhere on the page. TF.js is inside, once;
 * the bundled models, samples and WASM binaries sit beside it in assets/.
 */
import '@convlab/models';
import '@convlab/fgsm-demo';
import '@convlab/occlusion-map';

export { ready, backendInfo, loadModel, registerModel } from '@convlab/tensor';
export { FgsmDemo, FgsmLinear } from '@convlab/fgsm-demo';
export { OcclusionMap } from '@convlab/occlusion-map';
