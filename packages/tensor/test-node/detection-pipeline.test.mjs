// The detection pipelines' decoding and the sliding window's two modes (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, decodeDetections, decodeBox, slidingWindowDetect, classifierSpec, toConvolutional, disposeConvolutional, rcnnDetect } from '@convlab/tensor';

await ready();
const tfl = await import('@tensorflow/tfjs-layers');

test('decodeBox is BoxCoder.decode: zero deltas keep the box, dx = 10 moves it one width right', () => {
  assert.deepEqual(decodeBox([0, 0, 0, 0], 0, [10, 20, 30, 60], [10, 10, 5, 5]), [10, 20, 30, 60]);
  assert.deepEqual(decodeBox([10, 0, 0, 0], 0, [10, 20, 30, 60], [10, 10, 5, 5]), [30, 20, 50, 60]);
  const [x1, , x2] = decodeBox([0, 0, 5 * Math.log(2), 0], 0, [10, 20, 30, 60], [10, 10, 5, 5]);
  assert.ok(Math.abs(x1 - 0) < 1e-9 && Math.abs(x2 - 40) < 1e-9);
});

test('decodeDetections: softmax, best class, threshold, per-class NMS, clipping', () => {
  const L = Math.log;
  // 4 boxes, K = 4, 4 class-agnostic deltas each. Box 0: circle 0.7; box 1: circle 0.6 overlapping 0;
  // box 2: square 0.8 at the same place (another class: not suppressed); box 3: background.
  const row = (p, d = [0, 0, 0, 0]) => [...p.map(L), ...d];
  const out = [
    ...row([0.1, 0.7, 0.1, 0.1]),
    ...row([0.2, 0.6, 0.1, 0.1]),
    ...row([0.1, 0.05, 0.8, 0.05], [10, 0, 0, 0]),
    ...row([0.9, 0.05, 0.03, 0.02]),
  ];
  const boxes = [[0, 0, 20, 20], [2, 0, 22, 20], [0, 0, 20, 20], [40, 40, 60, 60]];
  const d = decodeDetections(out, boxes, { imageSize: [30, 30], scoreThreshold: 0.5, nmsThreshold: 0.3 });
  assert.equal(d.length, 2);
  assert.deepEqual(d.map((x) => [x.label, x.source]), [[2, 2], [1, 0]]);
  assert.ok(Math.abs(d[0].score - 0.8) < 1e-9);
  // The square moved one width right (20..40), clipped at the image's 30.
  assert.deepEqual(d[0].box, [20, 0, 30, 20]);
  // With a looser NMS both circles stay; without regression the square stays at its box.
  assert.equal(decodeDetections(out, boxes, { imageSize: [30, 30], nmsThreshold: 0.9 }).length, 3);
  assert.deepEqual(decodeDetections(out, boxes, { imageSize: [30, 30], regress: false })[0].box, [0, 0, 20, 20]);
  assert.throws(() => decodeDetections(out.slice(1), boxes, { imageSize: [30, 30] }), /outputs for 4 boxes/);
});

function net() {
  const init = (s) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.4, seed: s });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 5, activation: 'relu', kernelInitializer: init(1), biasInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(5) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(7) }),
      tfl.layers.dense({ units: 8, kernelInitializer: init(9), biasInitializer: tfl.initializers.constant({ value: 0 }) }),
    ],
  });
}

test('slidingWindowDetect: the convolutional mode finds the same detections with one pass per window size', async () => {
  const model = net();
  const spec = classifierSpec(model);
  const conv = toConvolutional(spec);
  const img = tf.randomUniform([96, 96, 3], 0, 1, 'float32', 11);
  const before = tf.memory().numTensors;
  const opts = { scoreThreshold: 0.3, nmsThreshold: 0.3 };
  const a = await slidingWindowDetect(model, spec, conv, img, [32, 48, 64], 'convolutional', opts);
  const seen = [];
  const b = await slidingWindowDetect(model, spec, conv, img, [32, 48, 64], 'one-by-one', { ...opts, onPass: (d, t) => seen.push(t) });
  assert.equal(a.passes, 3);
  // 96 px: 9 x 9 windows of 32; 48 px -> image 64: 5 x 5; 64 px -> image 48: 3 x 3.
  assert.deepEqual(b.scales.map((s) => [s.rows, s.cols, s.passes]), [[9, 9, 81], [5, 5, 25], [3, 3, 9]]);
  assert.equal(b.passes, 115);
  assert.equal(seen.length, 115);
  assert.ok(seen.every((t) => t === 115));
  assert.deepEqual(b.scales[1].boxes[1], [12, 0, 60, 48], 'window 1 of the 48 px size is at x = 8 px of the 64 px image, 12 px of the image');
  for (let s = 0; s < 3; s++) for (let i = 0; i < a.scales[s].outputs.length; i++) assert.ok(Math.abs(a.scales[s].outputs[i] - b.scales[s].outputs[i]) < 1e-4);
  assert.deepEqual(a.detections.map((d) => [d.label, d.source]), b.detections.map((d) => [d.label, d.source]));
  assert.equal(tf.memory().numTensors, before);
  const r = await rcnnDetect(model, spec, img, [[0, 0, 40, 30], [10, 10, 90, 90]], opts);
  assert.equal(r.passes, 2);
  assert.equal(r.outputs.length, 16);
  assert.equal(tf.memory().numTensors, before);
  img.dispose();
  disposeConvolutional(conv);
});

test('binMaxima is roiPool on one channel, and strongestChannel picks the channel with the most mass in the bins', async () => {
  const { roiPool, roiPoolBins, binMaxima, strongestChannel } = await import('@convlab/tensor');
  const [H, W, C] = [16, 16, 5];
  let seed = 3;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const data = Float32Array.from({ length: H * W * C }, rand);
  const features = tf.tensor4d(data, [1, H, W, C]);
  for (const [box, pool] of [[[10, 20, 70, 90], 7], [[0, 0, 127, 127], 4], [[40, 40, 44, 47], 3], [[100, 110, 160, 170], 2]]) {
    const bins = roiPoolBins(box, pool, 1 / 8, [H, W]);
    const ref = roiPool(features, [box], pool, 1 / 8);
    const all = await ref.data();
    ref.dispose();
    for (let c = 0; c < C; c++) {
      const mine = binMaxima(bins, data, [H, W, C], c);
      const theirs = Array.from({ length: pool * pool }, (_, i) => all[i * C + c]);
      assert.deepEqual(Array.from(mine), theirs.map((v) => Math.fround(v)), `box ${box}, pool ${pool}, channel ${c}`);
    }
  }
  features.dispose();
  const boost = Float32Array.from(data);
  const bins = roiPoolBins([16, 16, 48, 48], 2, 1 / 8, [H, W]);
  for (let y = 2; y <= 6; y++) for (let x = 2; x <= 6; x++) boost[(y * W + x) * C + 3] += 2;
  assert.equal(strongestChannel(bins, boost, [H, W, C]), 3);
});

test('windowClassProbabilities: softmax of the first 4 of every 8 numbers, one class or the likeliest shape', async () => {
  const { windowClassProbabilities } = await import('@convlab/tensor');
  const out = Float32Array.from([0, 1, 2, 3, 9, 9, 9, 9, 5, -1, 0.5, 0, 9, 9, 9, 9]);
  const sm = tf.tidy(() => tf.softmax(tf.tensor2d([[0, 1, 2, 3], [5, -1, 0.5, 0]]))).arraySync();
  const near = (a, b) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));
  near(Array.from(windowClassProbabilities(out, 2)), [sm[0][2], sm[1][2]]);
  near(Array.from(windowClassProbabilities(out, 0)), [sm[0][3], sm[1][2]]);
});
