// Sliding window (issue 13 item 2): Dense layers as convolutions, and the fully convolutional pass
// against one forward pass per window, on seeded random classifiers shaped like shapes-crops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, classifierSpec, denseToConvKernel, toConvolutional, disposeConvolutional, scoreWindows, scoreWindowsOneByOne, windowGrid, warpBoxes, warpCrops } from '@convlab/tensor';

await ready();
const tfl = await import('@tensorflow/tfjs-layers');

/** A classifier with the layout of shapes-crops (valid convs, pools, flatten, two Dense), seeded weights. */
function net({ input = 32, seed = 1, padding = 'valid' } = {}) {
  const init = (s) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.3, seed: seed * 100 + s });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [input, input, 3], filters: 6, kernelSize: 5, activation: 'relu', padding, kernelInitializer: init(1), biasInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(3), biasInitializer: init(4) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(5), biasInitializer: init(6) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(7), biasInitializer: init(8) }),
      tfl.layers.dense({ units: 8, kernelInitializer: init(9), biasInitializer: init(10) }),
    ],
  });
}

function randomImage(h, w, seed) {
  return tf.randomUniform([h, w, 3], 0, 1, 'float32', seed);
}

test('denseToConvKernel: row (h kw + w) C + c of the Dense kernel is element [h, w, c] of the conv kernel', async () => {
  // 2x2x3 input, 2 units: row r holds (r, 100 + r).
  const rows = Array.from({ length: 12 }, (_, r) => [r, 100 + r]);
  const k = denseToConvKernel(tf.tensor2d(rows), [2, 2, 3]);
  assert.deepEqual(k.shape, [2, 2, 3, 2]);
  const a = await k.array();
  for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) for (let c = 0; c < 3; c++) assert.deepEqual(a[h][w][c], [(h * 2 + w) * 3 + c, 100 + (h * 2 + w) * 3 + c]);
  // A Dense on a flattened 2x2x3 input and the 2x2 'valid' convolution give the same numbers.
  const x = tf.randomUniform([1, 2, 2, 3], -1, 1, 'float32', 3);
  const dense = tf.matMul(tf.reshape(x, [1, 12]), tf.tensor2d(rows));
  const conv = tf.conv2d(x, k, 1, 'valid');
  assert.deepEqual(conv.shape, [1, 1, 1, 2]);
  const [d, c] = [await dense.data(), await conv.data()];
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(d[i] - c[i]) < 1e-3 * Math.max(1, Math.abs(d[i])), `${d[i]} vs ${c[i]}`);
  assert.throws(() => denseToConvKernel(tf.tensor2d(rows), [2, 3, 3]), /12 rows cannot be a 2x3x3 convolution/);
});

test('classifierSpec reads the layers and the network stride; padded convolutions are refused', () => {
  const spec = classifierSpec(net());
  assert.deepEqual(spec.inputSize, [32, 32]);
  assert.equal(spec.stride, 8);
  assert.equal(spec.outputs, 8);
  assert.deepEqual(spec.layers.map((l) => l.kind), ['conv', 'pool', 'conv', 'pool', 'conv', 'pool', 'flatten', 'dense', 'dense']);
  assert.throws(() => classifierSpec(net({ padding: 'same' })), /padding 'same' makes a window's score depend on its surroundings/);
});

test('windowGrid counts the windows: 13 x 13 of 32 px at stride 8 on 128 x 128', () => {
  const g = windowGrid([128, 128], [32, 32], 8);
  assert.equal(g.rows, 13);
  assert.equal(g.cols, 13);
  assert.equal(g.origins.length, 169);
  assert.deepEqual(g.origins[14], [8, 8]);
  assert.equal(windowGrid([20, 40], [32, 32], 8).origins.length, 0);
});

test('one fully convolutional pass gives the same scores as one forward pass per window', async () => {
  const model = net({ seed: 7 });
  const spec = classifierSpec(model);
  const conv = toConvolutional(spec);
  for (const [H, W] of [[128, 128], [72, 96], [32, 32]]) {
    const img = randomImage(H, W, H + W);
    const before = tf.memory().numTensors;
    const fcn = scoreWindows(conv, img);
    let calls = 0;
    const counting = { predict: (x) => { calls++; return model.predict(x); } };
    const naive = await scoreWindowsOneByOne(counting, spec, img);
    const g = windowGrid([H, W], [32, 32], 8);
    assert.deepEqual(fcn.shape, [g.rows, g.cols, 8]);
    assert.deepEqual(naive.scores.shape, fcn.shape);
    assert.equal(naive.passes, g.rows * g.cols);
    assert.equal(calls, g.rows * g.cols, 'one predict() call per window');
    const [a, b] = [await fcn.data(), await naive.scores.data()];
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxAbs = Math.max(maxAbs, Math.abs(b[i]));
    }
    assert.ok(maxAbs > 0.1, 'the scores are not all zero');
    assert.ok(maxDiff < 1e-4 * Math.max(1, maxAbs), `${H}x${W}: largest difference ${maxDiff}`);
    // A window's scores are the classifier's on that crop: check one window directly too.
    const [x0, y0] = g.origins[g.origins.length - 1];
    const directT = tf.tidy(() => model.predict(tf.expandDims(tf.slice(img, [y0, x0, 0], [32, 32, 3]), 0)));
    const direct = await directT.data();
    directT.dispose();
    const last = a.slice(a.length - 8);
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(last[i] - direct[i]) < 1e-4 * Math.max(1, maxAbs));
    fcn.dispose();
    naive.scores.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    img.dispose();
  }
  disposeConvolutional(conv);
  // A padded first layer would make border windows differ: the check above must be able to fail.
  const padded = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: 'ones' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2, kernelInitializer: 'ones' })] });
  const img = tf.ones([40, 40, 3]);
  const whole = tf.conv2d(tf.expandDims(img, 0), padded.layers[0].getWeights()[0], 1, 'same');
  const crop = tf.conv2d(tf.expandDims(tf.slice(img, [8, 8, 0], [32, 32, 3]), 0), padded.layers[0].getWeights()[0], 1, 'same');
  const w = await tf.slice(whole, [0, 8, 8, 0], [1, 1, 1, 1]).data();
  const c = await tf.slice(crop, [0, 0, 0, 0], [1, 1, 1, 1]).data();
  assert.notEqual(w[0], c[0], "with 'same' padding a crop's corner sees zeros the whole image does not");
});

test('scoreWindowsOneByOne reports each pass and stops when onPass throws; no tensor left', async () => {
  const model = net({ seed: 3 });
  const spec = classifierSpec(model);
  const img = randomImage(48, 48, 5);
  const before = tf.memory().numTensors;
  const seen = [];
  await assert.rejects(scoreWindowsOneByOne(model, spec, img, { onPass: (d, t) => { seen.push([d, t]); if (d === 2) throw new Error('stop'); } }), /stop/);
  assert.deepEqual(seen, [[1, 9], [2, 9]]);
  assert.equal(tf.memory().numTensors, before);
  img.dispose();
});

test('warpBoxes samples pixel centres: a box of exactly the crop size is copied, a larger one averaged', async () => {
  const img = tf.tensor3d(Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => i), [16, 16, 3]);
  const before = tf.memory().numTensors;
  const copy = warpCrops(img, [[3, 5, 11, 13]], 8);
  assert.equal(tf.memory().numTensors, before + 1, 'warpCrops keeps only its result');
  const exact = tf.tidy(() => tf.expandDims(tf.slice(img, [5, 3, 0], [8, 8, 3]), 0));
  assert.deepEqual(Array.from(await copy.data(), (v) => Math.round(v * 1000) / 1000), Array.from(await exact.data()));
  // A 16 px box into 8: each output pixel is the mean of a 2x2 block (bilinear at the block's centre).
  const halfT = warpCrops(img, [[0, 0, 16, 16]], 8);
  const half = await halfT.data();
  halfT.dispose();
  const v = (y, x, c) => (y * 16 + x) * 3 + c;
  const want = (v(0, 0, 0) + v(0, 1, 0) + v(1, 0, 0) + v(1, 1, 0)) / 4;
  assert.ok(Math.abs(half[0] - want) < 1e-3, `${half[0]} vs ${want}`);
  const n = warpBoxes([[0, 0, 16, 16]], [16, 16], 8)[0];
  assert.deepEqual(n.map((x) => Math.round(x * 1e6) / 1e6), [0.033333, 0.033333, 0.966667, 0.966667]);
  copy.dispose();
  exact.dispose();
  assert.equal(tf.memory().numTensors, before);
  img.dispose();
});
