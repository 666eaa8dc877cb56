// Fully convolutional segmentation (issue 14): layers as data, multiply-adds, the exact receptive
// region through skips, the receptive-field formula with transposed convolutions, the effective
// receptive field as a gradient, and sliding-window segmentation against the one-pass map.
// Numbers below are worked by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, receptiveField, fcnLayers, multiplyAdds, fcnRegion, fcnRfPath, semanticMap, effectiveReceptiveField, erfSummary, slidingWindowSegment, countRegions, labelRegions, mergedObjects, fcnInput, fcnInputNorm, fcnLogits } from "@convlab/tensor";

await ready();
const tfl = await import('@tensorflow/tfjs-layers');
const init = (seed) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.4, seed });

/** L 'same' 3x3 convs on 16x16x3, the last giving 4 classes. */
function flat(L, { size = 16, kernel = init, bias = init } = {}) {
  return tfl.sequential({
    layers: Array.from({ length: L }, (_, i) => tfl.layers.conv2d({
      ...(i === 0 ? { inputShape: [size, size, 3] } : {}), filters: i === L - 1 ? 4 : 5, kernelSize: 3, padding: 'same',
      activation: i === L - 1 ? 'linear' : 'relu', kernelInitializer: kernel(10 + i), biasInitializer: bias(50 + i),
    })),
  });
}

/** A small encoder-decoder on 16x16x3: conv3, down 2x2/2, conv3, up 2x2/2, concat with the first conv, conv3 -> 4. */
function encdec() {
  const input = tfl.input({ shape: [16, 16, 3] });
  const c1 = tfl.layers.conv2d({ name: 'c1', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(input);
  const d1 = tfl.layers.conv2d({ name: 'd1', filters: 6, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: init(2) }).apply(c1);
  const c2 = tfl.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) }).apply(d1);
  const u1 = tfl.layers.conv2dTranspose({ name: 'u1', filters: 4, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: init(4) }).apply(c2);
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([u1, c1]);
  const out = tfl.layers.conv2d({ name: 'out', filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(5) }).apply(cat);
  return tfl.model({ inputs: input, outputs: out });
}

const image = (seed = 3, size = 16) => tf.randomUniform([size, size, 3], 0, 1, 'float32', seed);

test('fcnLayers reads a functional encoder-decoder; multiplyAdds counts each layer by hand', () => {
  const m = encdec();
  const layers = fcnLayers(m);
  assert.deepEqual(layers.map((l) => [l.name, l.kind, l.inputs.join('+'), l.kernel, l.stride, l.padding]), [
    ['c1', 'conv', 'input', 3, 1, 1], ['d1', 'conv', 'c1', 2, 2, 0], ['c2', 'conv', 'd1', 3, 1, 1],
    ['u1', 'up', 'c2', 2, 2, 0], ['cat', 'concat', 'u1+c1', 1, 1, 0], ['out', 'conv', 'cat', 3, 1, 1],
  ]);
  const { total, perLayer } = multiplyAdds(layers);
  // c1: 16*16*9*3*4 = 27648; d1: 8*8*4*4*6 = 6144; c2: 8*8*9*6*6 = 20736; u1 (per input pixel): 8*8*4*6*4 = 6144;
  // cat: 0; out: 16*16*9*8*4 = 73728
  assert.deepEqual(perLayer.map((l) => l.macs), [27648, 6144, 20736, 6144, 0, 73728]);
  assert.equal(total, 27648 + 6144 + 20736 + 6144 + 73728);
  m.dispose();
});

test('receptiveField: 1 + 2L for L 3x3 convs; a transposed layer keeps r and divides the jump (worked by hand)', () => {
  for (let L = 1; L <= 8; L++) assert.equal(receptiveField(Array.from({ length: L }, () => ({ kernel: 3, padding: 1 }))).at(-1).size, 1 + 2 * L);
  // conv3 p1: r 3, j 1, start 0; down 2/2: r 4, j 2, start 0.5; conv3 p1: r 8, j 2, start 0.5;
  // up 2/2: r 8, j 1, start 0.5 - (1 * 2) / 4 = 0; conv3 p1: r 10, j 1, start 0.
  const rf = receptiveField([{ kernel: 3, padding: 1 }, { kernel: 2, stride: 2 }, { kernel: 3, padding: 1 }, { kernel: 2, stride: 2, transposed: true }, { kernel: 3, padding: 1 }], 16);
  assert.deepEqual(rf.map((r) => [r.size, r.jump, r.start, r.outputSize]), [[3, 1, 0, 16], [4, 2, 0.5, 8], [8, 2, 0.5, 8], [8, 1, 0, 16], [10, 1, 0, 16]]);
  assert.throws(() => receptiveField([{ kernel: 3, stride: 2, transposed: true }]), /kernel == stride/);
});

test('fcnRegion: exact regions through a skip; fcnRfPath gives the same width by the formula', () => {
  const m = encdec();
  const layers = fcnLayers(m);
  // Output pixel (7, 7): out sees cat rows 6..8; u1 row 6..8 <- c2 rows 3..4 <- d1 rows 2..5 <- c1 rows 4..11
  // <- input rows 3..12; the skip: c1 rows 6..8 <- input rows 5..9 (inside). So rows (and columns) 3..12.
  assert.deepEqual(fcnRegion(layers, 7, 7).full, { y0: 3, y1: 12, x0: 3, x1: 12 });
  // Pixel (6, 6): u1 rows 5..7 <- c2 rows 2..3 <- d1 1..4 <- c1 2..9 <- input 1..10.
  assert.deepEqual(fcnRegion(layers, 6, 6).full, { y0: 1, y1: 10, x0: 1, x1: 10 });
  // A corner pixel: rows: out sees cat rows -1..1, of which 0..1 exist (row -1 is padding); u1 0..1 <- c2 0
  // <- d1 -1..1, i.e. 0..1 <- c1 0..3 <- input -1..4 (row -1: c1's own padding). Columns: cat 14..16 -> 14..15
  // <- c2 7 <- d1 6..8 -> 6..7 <- c1 12..15 <- input 11..16.
  const corner = fcnRegion(layers, 0, 15);
  assert.deepEqual(corner.full, { y0: -1, y1: 4, x0: 11, x1: 16 });
  assert.deepEqual(corner.clipped, { y0: 0, y1: 4, x0: 11, x1: 15 });
  const path = fcnRfPath(layers);
  assert.deepEqual(path.map((l) => l.name), ['c1', 'd1', 'c2', 'u1', 'out']);
  assert.equal(receptiveField(path).at(-1).size, 10); // = 12 - 3 + 1
  assert.throws(() => fcnRegion(layers, 16, 0), /outside/);
  m.dispose();
});

test('effective receptive field of two all-ones 3x3 convs is the binomial [1 2 3 2 1] outer [1 2 3 2 1], x 3 channels', () => {
  const ones = () => tfl.initializers.ones();
  const zeros = () => tfl.initializers.zeros();
  const m = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [9, 9, 3], filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: ones(), biasInitializer: zeros() }),
    tfl.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: ones(), biasInitializer: zeros() }),
  ] });
  const x = image(1, 9);
  const before = tf.memory().numTensors;
  const { map, classIndex } = effectiveReceptiveField(m, x, 4, 4);
  assert.equal(classIndex, 0);
  const v = map.arraySync();
  const b = [0, 0, 1, 2, 3, 2, 1, 0, 0];
  for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) assert.equal(v[i][j], 3 * b[i] * b[j], `(${i}, ${j})`);
  const s = erfSummary(map.dataSync(), 9, 9);
  assert.equal(s.mass, 3 * 81);
  assert.equal(s.cy, 4);
  assert.deepEqual(s.box, { y0: 2, y1: 6, x0: 2, x1: 6 });
  // rms: E[(i-4)^2 + (j-4)^2] = 2 * (2*(1*4 + 2*1))/9 = 2 * 12/9 -> sqrt(8/3)
  assert.ok(Math.abs(s.rms - Math.sqrt(8 / 3)) < 1e-9);
  // 95% of the mass: the 3x3 centre holds (2+3+2)^2 = 49 of 81, the 5x5 all of it
  assert.equal(s.side, 5);
  map.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  m.dispose();
});

test('effective receptive field of a trained-like random flat net is zero outside the 1 + 2L field and smaller inside', () => {
  const L = 5;
  const m = flat(L, { size: 24 });
  const x = image(4, 24);
  const { map } = effectiveReceptiveField(m, x, 12, 12);
  const v = map.arraySync();
  const r = fcnRegion(fcnLayers(m), 12, 12).full; // rows 7..17
  assert.deepEqual(r, { y0: 7, y1: 17, x0: 7, x1: 17 });
  for (let i = 0; i < 24; i++) for (let j = 0; j < 24; j++) if (i < r.y0 || i > r.y1 || j < r.x0 || j > r.x1) assert.equal(v[i][j], 0);
  const s = erfSummary(map.dataSync(), 24, 24);
  assert.ok(s.rms < (1 + 2 * L) / 2, `rms ${s.rms}`);
  assert.ok(s.mass > 0);
  tf.dispose([map, x]);
  m.dispose();
});

test('sliding window with window = 1 + 2L on a flat net gives the one-pass labels, one pass per pixel', async () => {
  const L = 3;
  const m = flat(L);
  const x = image(5);
  const one = semanticMap(m, x);
  const full = await one.array();
  const before = tf.memory().numTensors;
  const r = await slidingWindowSegment(m, x, 1 + 2 * L, { region: [2, 3, 6, 5] });
  assert.equal(r.passes, 30);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) assert.equal(r.labels[i * 5 + j], full[2 + i][3 + j], `(${i}, ${j})`);
  // a window smaller than the field sees less and need not agree: with window 1, each pixel alone
  const small = await slidingWindowSegment(m, x, 1, { region: [0, 0, 16, 16] });
  let differ = 0;
  for (let i = 0; i < 256; i++) if (small.labels[i] !== full[Math.floor(i / 16)][i % 16]) differ++;
  assert.ok(differ > 0, 'a 1-pixel window agreed everywhere');
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(slidingWindowSegment(m, x, 7, { region: [10, 10, 10, 10] }), /not inside/);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(slidingWindowSegment(m, x, 7, { signal: ac.signal }));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([one, x]);
  m.dispose();
});

test('countRegions: 4-connected regions per label, background not counted (worked by hand)', () => {
  // 1 1 0 2    regions: the three 1s at top left; the two 2s; the 1 at (2, 0); the 1s at (2, 3) and
  // 0 1 0 2    (3, 3); the two 3s: 5
  // 1 0 0 1
  // 3 3 0 1
  const L = [1, 1, 0, 2, 0, 1, 0, 2, 1, 0, 0, 1, 3, 3, 0, 1];
  assert.equal(countRegions(L, 4, 4), 5);
  assert.equal(countRegions(new Int32Array(16), 4, 4), 0);
  // diagonal neighbours are not joined
  assert.equal(countRegions([1, 0, 0, 1], 2, 2), 2);
});

test("a model whose metadata says inputNorm 'subtract-mean' sees each image minus its mean colour: in the one pass, the sliding window and the effective field alike", async () => {
  const L = 3;
  const m = flat(L);
  const x = image(7);
  const before = tf.memory().numTensors;
  // no metadata: the image as it is (a copy)
  assert.equal(fcnInputNorm(m), undefined);
  const same = fcnInput(m, x);
  assert.deepEqual(await same.array(), await x.array());
  same.dispose();
  const plainMap = semanticMap(m, x);
  const plain = await plainMap.array();
  m.setUserDefinedMetadata({ convlab: { inputNorm: 'subtract-mean' } });
  assert.equal(fcnInputNorm(m), 'subtract-mean');
  // the mean colour by hand, per channel, over the 256 pixels
  const px = await x.array();
  const mean = [0, 1, 2].map((c) => px.flat().reduce((a, p) => a + p[c], 0) / 256);
  const seenT = fcnInput(m, x);
  const seen = await seenT.array();
  for (const [i, j, c] of [[0, 0, 0], [5, 9, 1], [15, 15, 2]]) assert.ok(Math.abs(seen[i][j][c] - (px[i][j][c] - mean[c])) < 1e-6, `(${i}, ${j}, ${c})`);
  // a batch: each image its own mean
  const batch = tf.tidy(() => tf.stack([x, tf.add(x, 0.5)]));
  const nbT = fcnInput(m, batch);
  const nb = await nbT.array();
  assert.ok(Math.abs(nb[1][3][4][0] - seen[3][4][0]) < 1e-5, 'adding a constant colour changes nothing after the subtraction');
  // the one pass: predict on the subtracted image by hand
  const byHand = tf.tidy(() => tf.squeeze(m.predict(tf.expandDims(tf.sub(x, tf.tensor1d(mean)), 0)), [0]));
  const logits = fcnLogits(m, x);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(logits, byHand))).dataSync()[0]) < 1e-5);
  const normedMap = semanticMap(m, x);
  const normed = await normedMap.array();
  assert.notDeepEqual(normed, plain, 'the subtraction changed no label: the test shows nothing');
  // the sliding window subtracts the whole image's mean, then cuts its windows: the one-pass labels
  const r = await slidingWindowSegment(m, x, 1 + 2 * L, { region: [4, 4, 5, 6] });
  for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) assert.equal(r.labels[i * 6 + j], normed[4 + i][4 + j], `(${i}, ${j})`);
  // the effective field is the gradient after the subtraction: exactly 0 outside the 1 + 2L window
  const { map } = effectiveReceptiveField(m, x, 8, 8);
  const e = await map.array();
  let outside = 0, inside = 0;
  for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) (Math.abs(i - 8) <= L && Math.abs(j - 8) <= L ? (inside += e[i][j]) : (outside += e[i][j]));
  assert.equal(outside, 0);
  assert.ok(inside > 0);
  tf.dispose([plainMap, seenT, batch, nbT, byHand, logits, normedMap, map]);
  assert.equal(tf.memory().numTensors, before);
  m.setUserDefinedMetadata({ convlab: { inputNorm: 'per-pixel-magic' } });
  assert.throws(() => semanticMap(m, x), /'per-pixel-magic'.*ConvLab does not know/);
  x.dispose();
  m.dispose();
});

test('mergedObjects: objects of one class that touch are one region; a shape cut in two is two regions, not a merge (worked by hand)', () => {
  // 5 x 6 class map and objects: objects 1 and 2 (class 1) touch; object 3 (class 2) is cut in two by
  // object 4 (class 1, column 3) into three pieces; object 5 (class 1) stands alone
  const labels = [
    1, 1, 1, 0, 2, 2,
    0, 0, 0, 1, 0, 0,
    2, 2, 0, 1, 2, 2,
    0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0,
  ];
  const instances = [
    1, 1, 2, 0, 3, 3,
    0, 0, 0, 4, 0, 0,
    3, 3, 0, 4, 3, 3,
    0, 0, 0, 0, 0, 0,
    5, 0, 0, 0, 0, 0,
  ];
  // regions in raster order: {1, 2} (class 1, row 0), 3's top-right piece, {4}, 3's bottom-left and
  // bottom-right pieces, {5}
  const { ids, count } = labelRegions(labels, 5, 6);
  assert.equal(count, 6);
  assert.equal(ids[0], 1);
  assert.equal(ids[2], 1, 'objects 1 and 2 share region 1');
  assert.equal(ids[4], 2);
  assert.equal(ids[9], 3);
  assert.equal(ids[3], 0, 'background has no region');
  assert.deepEqual(mergedObjects(labels, instances, 5, 6), { regions: 6, merged: 1 });
  // objects - regions would say 5 - 6 = -1: no merge seen, which is why mergedObjects counts them directly
  assert.equal(countRegions(labels, 5, 6), 6);
  // nothing merges when every object is apart
  assert.deepEqual(mergedObjects([1, 0, 1], [1, 0, 2], 1, 3), { regions: 2, merged: 0 });
});
