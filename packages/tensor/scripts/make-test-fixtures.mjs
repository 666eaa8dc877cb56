// Writes the small TF.js layers models that the tensor package's browser tests load over HTTP:
// a tiny conv net (8x8x1 -> 3 classes) with deterministic weights, and broken variants for the
// error paths. Run: node packages/tensor/scripts/make-test-fixtures.mjs (output is committed).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

await tf.setBackend('cpu');
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');

function deterministic(model) {
  // weights w_i = 0.3 sin(1.7 i + k): the same on every machine, no RNG involved.
  model.weights.forEach((v, k) => {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const vals = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(1.7 * i + k));
    v.write(tf.tensor(vals, v.shape));
  });
}

async function save(model, dir, extraJson = {}) {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        format: 'layers-model',
        generatedBy: 'convlab make-test-fixtures',
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        ...extraJson,
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(a.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

function tinyConv() {
  const m = tfl.sequential({ name: 'tiny_conv' });
  m.add(tfl.layers.conv2d({ name: 'conv1', inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ name: 'logits', units: 3 }));
  deterministic(m);
  return m;
}

const m = tinyConv();
await save(m, join(out, 'tiny-conv'), {
  userDefinedMetadata: { convlab: { name: 'tiny', labels: ['zero', 'one', 'two'] } },
});
// The same model that says its input is in [-1, 1].
await save(m, join(out, 'tiny-conv-pm1'), { userDefinedMetadata: { convlab: { inputRange: [-1, 1] } } });

// A model that ends in a softmax, and says so.
const soft = tinyConv();
soft.add(tfl.layers.softmax());
await save(soft, join(out, 'tiny-conv-softmax'), { userDefinedMetadata: { convlab: { output: 'probabilities' } } });

// Broken variants.
mkdirSync(join(out, 'malformed'), { recursive: true });
writeFileSync(join(out, 'malformed', 'model.json'), '{"modelTopology": {"class_name": "Sequential", ');
mkdirSync(join(out, 'not-a-model'), { recursive: true });
writeFileSync(join(out, 'not-a-model', 'model.json'), JSON.stringify({ hello: 'world' }));
await save(m, join(out, 'short-weights'));
const { readFileSync } = await import('node:fs');
const w = readFileSync(join(out, 'short-weights', 'weights.bin'));
writeFileSync(join(out, 'short-weights', 'weights.bin'), w.subarray(0, w.length - 8));
const flat = tfl.sequential();
flat.add(tfl.layers.dense({ inputShape: [10], units: 3 }));
deterministic(flat);
await save(flat, join(out, 'rank2-input'));
console.log('fixtures written to', out);
