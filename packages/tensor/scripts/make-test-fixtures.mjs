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

// The same network as a TF.js graph model (the format the converter writes for TF Hub models such
// as MobileNet): a GraphDef in JSON, written by hand here because the Python converter is not
// available. Same weights, so its logits must equal the layers model's.
{
  const b64 = (s) => Buffer.from(s).toString('base64');
  const shape = (dims) => ({ dim: dims.map((d) => ({ size: String(d) })) });
  const f32 = { type: 'DT_FLOAT' };
  const ints = (xs) => ({ list: { i: xs.map(String) } });
  const names = ['conv1/kernel', 'conv1/bias', 'logits/kernel', 'logits/bias'];
  const consts = m.weights.map((v, i) => ({
    name: names[i],
    op: 'Const',
    attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape(v.shape) } } },
  }));
  const flatShape = { name: 'flatten/shape', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: shape([2]) } } } };
  const node = [
    { name: 'image', op: 'Placeholder', attr: { dtype: f32, shape: { shape: shape([-1, 8, 8, 1]) } } },
    ...consts,
    flatShape,
    { name: 'conv1/Conv2D', op: 'Conv2D', input: ['image', 'conv1/kernel'], attr: { T: f32, strides: ints([1, 1, 1, 1]), dilations: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } } },
    { name: 'conv1/BiasAdd', op: 'BiasAdd', input: ['conv1/Conv2D', 'conv1/bias'], attr: { T: f32, data_format: { s: b64('NHWC') } } },
    { name: 'conv1/Relu', op: 'Relu', input: ['conv1/BiasAdd'], attr: { T: f32 } },
    { name: 'pool/MaxPool', op: 'MaxPool', input: ['conv1/Relu'], attr: { T: f32, ksize: ints([1, 2, 2, 1]), strides: ints([1, 2, 2, 1]), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } } },
    { name: 'flatten/Reshape', op: 'Reshape', input: ['pool/MaxPool', 'flatten/shape'], attr: { T: f32 } },
    { name: 'logits/MatMul', op: 'MatMul', input: ['flatten/Reshape', 'logits/kernel'], attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'logits/BiasAdd', op: 'BiasAdd', input: ['logits/MatMul', 'logits/bias'], attr: { T: f32, data_format: { s: b64('NHWC') } } },
  ];
  const weights = [
    ...m.weights.map((v, i) => ({ name: names[i], shape: v.shape, dtype: 'float32' })),
    { name: 'flatten/shape', shape: [2], dtype: 'int32' },
  ];
  const data = Buffer.concat([
    ...m.weights.map((v) => Buffer.from(v.read().dataSync().buffer)),
    Buffer.from(Int32Array.from([-1, 32]).buffer),
  ]);
  const dir = join(out, 'tiny-graph');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      format: 'graph-model',
      generatedBy: 'convlab make-test-fixtures',
      convertedBy: null,
      modelTopology: { node, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
      userDefinedMetadata: { convlab: { labels: ['zero', 'one', 'two'] } },
    }),
  );
  writeFileSync(join(dir, 'group1-shard1of1.bin'), data);
}

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
