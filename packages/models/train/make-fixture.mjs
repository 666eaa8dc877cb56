#!/usr/bin/env node
// Writes the model fixtures that hosted-model and error tests load (deterministic; commit-sized):
//   fixtures/hosted-224/          a random-weight TF.js layers model: [null,224,224,3] -> 1000 logits,
//                                 plus labels.json ("synthetic 000".."synthetic 999") and meta.json (a sidecar meta naming it)
//   fixtures/broken/malformed/    model.json that is not valid JSON
//   fixtures/broken/short-weights/ a valid model.json whose weights.bin is truncated
//   fixtures/broken/bad-input/    a valid layers model whose input is rank 2 ([null, 10])
// Run: node packages/models/train/make-fixture.mjs
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PKG_DIR } from './lib/data.mjs';
import { tf, tfl, useCpu, saveLayersModelToDir } from './lib/tf.mjs';

const OUT = join(PKG_DIR, 'fixtures');
const SEED = 1234;

/** mulberry32: a small seeded PRNG, so the fixture's weights do not depend on TF.js' RNG. */
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

/** Replace every weight with uniform values in [-scale, scale] from the seeded PRNG. */
function seedWeights(model, seed, scale) {
  const next = rng(seed);
  model.setWeights(model.getWeights().map((w) =>
    tf.tensor(Float32Array.from({ length: w.size }, () => (next() * 2 - 1) * scale), w.shape)));
}

await useCpu();
rmSync(OUT, { recursive: true, force: true });

// hosted-224: conv 3x3 stride 4 (4 filters) -> global average pooling -> dense 1000 logits.
const hosted = tfl.sequential({ name: 'hosted_224' });
hosted.add(tfl.layers.conv2d({
  name: 'conv1', inputShape: [224, 224, 3], filters: 4, kernelSize: 3, strides: 4, padding: 'same', activation: 'relu',
}));
hosted.add(tfl.layers.globalAveragePooling2d({ name: 'pool' }));
hosted.add(tfl.layers.dense({ name: 'logits', units: 1000 }));
seedWeights(hosted, SEED, 0.5);
const hostedDir = join(OUT, 'hosted-224');
await saveLayersModelToDir(hosted, hostedDir);
// Names unlike the loader's fallback ("class 0", …), so tests can tell that the file was read.
const labels = Array.from({ length: 1000 }, (_, i) => `synthetic ${String(i).padStart(3, '0')}`);
writeFileSync(join(hostedDir, 'labels.json'), JSON.stringify(labels) + '\n');
// The sidecar names the labels file (relative to itself), as a page author would for ImageNet names.
writeFileSync(join(hostedDir, 'meta.json'), JSON.stringify({
  name: 'hosted-224', labels: 'labels.json', inputRange: [0, 1], channels: 3, inputSize: [224, 224], output: 'logits',
}) + '\n');

// broken/malformed: not JSON at all (cut off in the middle).
const malformed = join(OUT, 'broken', 'malformed');
mkdirSync(malformed, { recursive: true });
writeFileSync(join(malformed, 'model.json'), '{"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {\n');

// broken/short-weights: hosted-224's model.json with half of its weights.bin.
const short = join(OUT, 'broken', 'short-weights');
mkdirSync(short, { recursive: true });
writeFileSync(join(short, 'model.json'), readFileSync(join(hostedDir, 'model.json')));
const weights = readFileSync(join(hostedDir, 'weights.bin'));
writeFileSync(join(short, 'weights.bin'), weights.subarray(0, Math.floor(weights.length / 2)));

// broken/bad-input: a valid model, but its input is [null, 10] instead of an image.
const flat = tfl.sequential({ name: 'bad_input' });
flat.add(tfl.layers.dense({ name: 'logits', inputShape: [10], units: 3 }));
seedWeights(flat, SEED + 1, 0.5);
await saveLayersModelToDir(flat, join(OUT, 'broken', 'bad-input'));

// Check: the hosted fixture loads back and gives finite, input-dependent logits.
const x = tf.randomUniform([2, 224, 224, 3], 0, 1, 'float32', SEED);
const y = hosted.predict(x);
const [a, b] = await y.array();
if (y.shape.join() !== '2,1000' || !a.every(Number.isFinite) || a.every((v, i) => v === b[i])) {
  throw new Error(`unexpected fixture output ${y.shape}`);
}
console.log(`wrote ${OUT}: hosted-224 (${hosted.countParams()} params, ${weights.length} bytes of weights) and broken/{malformed,short-weights,bad-input}`);
