// The effective receptive field on TF.js's WASM backend, which has no Conv2DBackpropFilter kernel:
// the input gradient of an encoder-decoder (convs, a strided conv, a transposed conv, a concatenation)
// must not ask for the filters' gradients, and must equal the cpu backend's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, effectiveReceptiveField } from '@convlab/tensor';

await ready({ prefer: 'wasm' });
const tfl = await import('@tensorflow/tfjs-layers');
const init = (seed) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.4, seed });

test('effectiveReceptiveField runs on wasm (no filter gradients) and matches cpu', async () => {
  assert.equal(tf.getBackend(), 'wasm');
  const input = tfl.input({ shape: [16, 16, 3] });
  const c1 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), biasInitializer: init(6) }).apply(input);
  const d1 = tfl.layers.conv2d({ filters: 6, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: init(2) }).apply(c1);
  const u1 = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: init(4), biasInitializer: init(7) }).apply(d1);
  const cat = tfl.layers.concatenate().apply([u1, c1]);
  const out = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(5) }).apply(cat);
  const m = tfl.model({ inputs: input, outputs: out });
  const x = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 9);
  const before = tf.memory().numTensors;
  const w = effectiveReceptiveField(m, x, 7, 8, 2);
  const onWasm = await w.map.data();
  w.map.dispose();
  assert.equal(tf.memory().numTensors, before);
  await tf.setBackend('cpu');
  const c = effectiveReceptiveField(m, x, 7, 8, 2);
  const onCpu = await c.map.data();
  c.map.dispose();
  let d = 0, mass = 0;
  for (let i = 0; i < onCpu.length; i++) {
    d = Math.max(d, Math.abs(onCpu[i] - onWasm[i]));
    mass += onCpu[i];
  }
  assert.ok(mass > 0);
  assert.ok(d < 1e-4, `wasm and cpu differ by ${d}`);
  x.dispose();
  m.dispose();
});
