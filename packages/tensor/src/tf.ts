/**
 * The one place @convlab/tensor imports TF.js core from. Importing core alone does not
 * register gradients, so this module does; every other module imports `tf` from here.
 *
 * Two separately built bundles on one page each carry a copy of this module, but TF.js keeps
 * its engine, kernel registry and backends on the global object (`_tfengine`, `_tfGlobals`),
 * so both copies drive the same engine and the same WebGL context.
 */
import * as tf from '@tensorflow/tfjs-core';
// Browser: tfjs-core's register_all_gradients; Node: the tfjs union (see package.json "imports").
import '#tf-gradients';

// Production mode: TF.js keeps quiet. Without it, a second bundle on the page logs one warning per
// kernel it re-registers (hundreds). The flag lives in the shared engine, so the first copy to load
// sets it for every copy after it.
tf.env().set('PROD', true);

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank } from '@tensorflow/tfjs-core';
