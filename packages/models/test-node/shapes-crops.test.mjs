// The shapes crop classifier (models/shapes-crops): the TF.js export computes what PyTorch computed
// (parity.json), its Dense layers run as convolutions with the same scores as one pass per window on a
// real scene, and it recognises the objects of test-split scenes from their ground-truth boxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scene, splitSeed } from '@convlab/scenes';
import { CROPS_MODEL_URL, cropsFetch } from '@convlab/models/crops.js';
import { tf, classifierSpec, toConvolutional, disposeConvolutional, scoreWindows, scoreWindowsOneByOne, warpCrops } from '@convlab/tensor';
import { loadLayersModelFromDir } from '../train/lib/tf.mjs';

const dir = fileURLToPath(new URL('.', CROPS_MODEL_URL));
const { model } = await loadLayersModelFromDir(dir);
const sceneTensor = (s) => tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(s.image), [s.height, s.width, 3]), 255));

test('the TF.js export gives PyTorch outputs (parity.json) to 1e-4', () => {
  const p = JSON.parse(readFileSync(`${dir}/parity.json`, 'utf8'));
  const y = tf.tidy(() => model.predict(tf.div(tf.tensor4d(p.inputs.flat(), [p.inputs.length, 32, 32, 3]), 255)).arraySync());
  y.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - p.outputs[i][j]) < 1e-4, `crop ${i} output ${j}: ${v} vs ${p.outputs[i][j]}`)));
});

test('cropsFetch sends weights.bin to the bundled file and other URLs through', async () => {
  const seen = [];
  const f = cropsFetch(async (u) => (seen.push(String(u)), new Response('')));
  await f('http://x.test/some/where/weights.bin');
  await f('http://x.test/other.json');
  assert.equal(seen[0], new URL('weights.bin', CROPS_MODEL_URL).href);
  assert.equal(seen[1], 'http://x.test/other.json');
});

test('on a test scene, one convolutional pass = 169 passes of 32x32 windows (trained weights)', async () => {
  const spec = classifierSpec(model);
  assert.equal(spec.stride, 8);
  const conv = toConvolutional(spec);
  const img = sceneTensor(scene(splitSeed('test', 0)));
  const before = tf.memory().numTensors;
  const a = scoreWindows(conv, img);
  const b = await scoreWindowsOneByOne(model, spec, img);
  assert.equal(b.passes, 169);
  assert.deepEqual(a.shape, [13, 13, 8]);
  const [x, y] = [await a.data(), await b.scores.data()];
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  assert.ok(d < 1e-3, `largest difference ${d}`);
  a.dispose();
  b.scores.dispose();
  assert.equal(tf.memory().numTensors, before);
  img.dispose();
  disposeConvolutional(conv);
});

test('classifies well above chance (0.25) the ground-truth objects of 20 test scenes from their boxes', async () => {
  let right = 0, n = 0;
  for (let i = 0; i < 20; i++) {
    const s = scene(splitSeed('test', i));
    const img = sceneTensor(s);
    const out = tf.tidy(() => model.predict(warpCrops(img, s.objects.map((o) => o.box), 32)));
    const o = await out.data();
    tf.dispose([img, out]);
    s.objects.forEach((ob, k) => {
      const row = o.subarray(k * 8, k * 8 + 4);
      const best = row.indexOf(Math.max(...row));
      n++;
      if (best === ob.label) right++;
    });
  }
  assert.ok(right / n > 0.6, `${right} of ${n}`);
  console.log(`# ground-truth boxes of test scenes 0-19: ${right} of ${n} classified correctly`);
});
