#!/usr/bin/env node
// Writes the <gram-style> encoder fixture (deterministic; commit-sized): a TF.js layers model with
// exactly the layer names of Keras' VGG19 without its top (input_1, block1_conv1, block1_conv2,
// block1_pool, ..., block5_conv4, block5_pool), 3x3 'same' convolutions with ReLU and 2x2 max pooling,
// on an open input size [null, null, null, 3], but a few channels per layer instead of 64..512, so
// that `encoder-url` can be tested against VGG19's names without a 80 MB download.
//   packages/gram-style/test/fixtures/vgg19-names/model.json + weights.bin
// Run: node packages/models/train/make-style-fixture.mjs
import { rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, tfl, useCpu, saveLayersModelToDir } from './lib/tf.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'gram-style', 'test', 'fixtures', 'vgg19-names');
const SEED = 1919;
const WIDTHS = [4, 6, 8, 8, 8];
const DEPTHS = [2, 2, 4, 4, 4]; // VGG19's convolutions per block

/** mulberry32, then Box-Muller: He-initialised weights that do not depend on TF.js' RNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

await useCpu();
rmSync(OUT, { recursive: true, force: true });
const input = tfl.input({ shape: [null, null, 3], name: 'input_1' });
let h = input;
let cin = 3;
WIDTHS.forEach((w, b) => {
  for (let i = 0; i < DEPTHS[b]; i++) {
    h = tfl.layers.conv2d({ name: `block${b + 1}_conv${i + 1}`, filters: w, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
    cin = w;
  }
  h = tfl.layers.maxPooling2d({ name: `block${b + 1}_pool`, poolSize: 2, strides: 2 }).apply(h);
});
const model = tfl.model({ inputs: input, outputs: h, name: 'vgg19' });
const next = rng(SEED);
model.setWeights(model.getWeights().map((w) => {
  if (w.shape.length === 1) return tf.tensor(Float32Array.from({ length: w.size }, () => 0.01 * (next() - 0.5)), w.shape);
  const fanIn = w.shape[0] * w.shape[1] * w.shape[2];
  const s = Math.sqrt(2 / fanIn);
  return tf.tensor(Float32Array.from({ length: w.size }, () => Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next()) * s), w.shape);
}));
await saveLayersModelToDir(model, OUT);

// Check: the names are VGG19's, and a 32x32 image gives a 1x1x8 output.
const names = model.layers.map((l) => l.name);
if (names.length !== 22 || names[1] !== 'block1_conv1' || names[21] !== 'block5_pool' || !names.includes('block4_conv4')) throw new Error(`unexpected names ${names}`);
const y = model.predict(tf.ones([1, 32, 32, 3]));
if (y.shape.join() !== '1,1,1,8') throw new Error(`unexpected output ${y.shape}`);
console.log(`wrote ${OUT}: ${names.join(', ')}`);
