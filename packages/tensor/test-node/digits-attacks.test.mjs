// The digits models under attack, in Node on cpu and wasm: fastGradientClassifier's input gradient by
// hand against a float64 PyTorch reference (fixtures/make-digits-gradients.py) and against tf.grad, and
// pgdRobustnessCurve (all eps as one batch, rows leave at their first
// misclassified iterate) against a plain per-eps, per-iterate reference; FGSM curves with and without
// the hand gradient. Images: the 8 MNIST test images stored in each model's parity.json; the PGD
// curve's fast path (the max pools' gradient routed in JavaScript, the first step's gradient shared by
// every eps) also against the plain per-eps reference through the max pools' tensor routing on the
// first 64 images of the digits pool (pool.png, decoded here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { ready, tf, fastGradientClassifier, gradientSign, crossEntropy, correctMask, robustnessCurve, pgdRobustnessCurve } from '@convlab/tensor';

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
const modelsDir = join(dirname(require.resolve('@convlab/models/package.json')), 'models');
const reference = JSON.parse(readFileSync(new URL('./fixtures/digits-input-gradients.json', import.meta.url), 'utf8'));

/** A bundled layers model from its files, shaped like loadModel's result (what fastGradientClassifier reads). */
async function load(id) {
  const json = JSON.parse(readFileSync(join(modelsDir, id, 'model.json'), 'utf8'));
  const bin = readFileSync(join(modelsDir, id, 'weights.bin'));
  const layers = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((m) => m.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }),
  );
  const parity = JSON.parse(readFileSync(join(modelsDir, id, 'parity.json'), 'utf8'));
  const x = tf.tidy(() => tf.div(tf.tensor4d(parity.images.flat(), parity.shape), 255));
  const model = { layers, meta: { output: 'logits', inputRange: [0, 1] }, logits: (t) => tf.tidy(() => layers.predict(t)) };
  return { model, x, labels: parity.labels };
}

/** The first n images of models/digits/pool.png (8-bit greyscale PNG, 28x28 tiles, 50 a row) in [0, 1], and their labels. */
function poolImages(n) {
  const meta = JSON.parse(readFileSync(join(modelsDir, 'digits', 'pool.json'), 'utf8'));
  const buf = readFileSync(join(modelsDir, 'digits', 'pool.png'));
  let p = 8;
  let w = 0;
  let h = 0;
  const idat = [];
  while (p < buf.length) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('ascii', p + 4, p + 8);
    const d = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      [w, h] = [d.readUInt32BE(0), d.readUInt32BE(4)];
      assert.deepEqual([d[8], d[9], d[12]], [8, 0, 0], 'pool.png is 8-bit greyscale, not interlaced');
    }
    if (type === 'IDAT') idat.push(d);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const px = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (w + 1)];
    for (let x = 0; x < w; x++) {
      const a = x ? px[y * w + x - 1] : 0;
      const b = y ? px[(y - 1) * w + x] : 0;
      const c = x && y ? px[(y - 1) * w + x - 1] : 0;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      px[y * w + x] = (raw[y * (w + 1) + 1 + x] + pred) & 255;
    }
  }
  const { tile, columns } = meta;
  const v = new Float32Array(n * tile * tile);
  for (let i = 0; i < n; i++) {
    const [r, c] = [Math.floor(i / columns), i % columns];
    for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) v[(i * tile + y) * tile + x] = px[(r * tile + y) * w + c * tile + x] / 255;
  }
  return { x: tf.tensor4d(v, [n, tile, tile, 1]), labels: meta.labels.slice(0, n) };
}

/** The plain reading of the monotone PGD curve: each eps on its own from x, every iterate checked, then "and" over smaller eps. */
async function referenceCurve(f, x, labels, epsilons, steps) {
  const correct = async (t) => {
    const m = correctMask(f, t, labels);
    const v = Array.from(await m.data(), (c) => c > 0.5);
    m.dispose();
    return v;
  };
  const clean = await correct(x);
  const sorted = [...epsilons].sort((a, b) => a - b);
  let still = clean;
  const acc = new Map();
  for (const e of sorted) {
    let ok = [...clean];
    if (e > 0) {
      let xk = tf.clone(x);
      for (let k = 0; k < steps; k++) {
        const next = tf.tidy(() => {
          const d = gradientSign(f, xk, labels);
          return tf.clipByValue(tf.minimum(tf.maximum(tf.add(xk, tf.mul(d, (1.25 * e) / steps)), tf.sub(x, e)), tf.add(x, e)), 0, 1);
        });
        xk.dispose();
        xk = next;
        const c = await correct(xk);
        ok = ok.map((v, i) => v && c[i]);
      }
      xk.dispose();
    }
    still = still.map((v, i) => v && ok[i]);
    acc.set(e, still.filter(Boolean).length / labels.length);
  }
  return epsilons.map((e) => acc.get(e));
}

for (const backend of ['cpu', 'wasm']) {
  for (const id of ['digits', 'digits-robust']) {
    test(`${backend}, ${id}: the hand input gradient matches float64 and tf.grad; PGD and FGSM curves match their plain references`, async () => {
      await ready();
      assert.ok(await tf.setBackend(backend));
      const { model, x, labels } = await load(id);
      const fast = fastGradientClassifier(model);
      const plain = (t) => model.logits(t);
      assert.ok(fast.lossGradient && fast.lossGradientWithLogits, 'the digits models are differentiated by hand');
      // The first call inside a caller's tf.tidy (as a widget's attack does): nothing it prepares may
      // be freed under a later call (a cached transposed weight once was).
      tf.tidy(() => fast.lossGradient(x, labels));
      const base = tf.memory().numTensors;
      tf.dispose(fast.lossGradient(x, labels));
      assert.equal(tf.memory().numTensors, base, 'a gradient after one inside tf.tidy works and frees its tensors');
      // Against float64: every image's gradient to 1e-4 of its own largest entry, and every sign of an
      // entry above 1e-3 of it. (TF.js's own tf.grad misses this by up to 9% with sign flips on the
      // confident images, whose gradients are ~1e-6.)
      const k = reference.images;
      const ref = reference.gradients[id];
      const xk = tf.slice(x, 0, k);
      const gk = fast.lossGradient(xk, labels.slice(0, k));
      const mine = await gk.data();
      tf.dispose([xk, gk]);
      for (let i = 0; i < k; i++) {
        const r = ref.slice(i * 784, (i + 1) * 784);
        const scale = r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        r.forEach((v, j) => {
          const h = mine[i * 784 + j];
          assert.ok(Math.abs(h - v) <= 1e-4 * scale, `image ${i} pixel ${j}: ${h} vs float64 ${v} (scale ${scale})`);
          if (Math.abs(v) > 1e-3 * scale) assert.equal(Math.sign(h), Math.sign(v), `image ${i} pixel ${j}: sign`);
        });
      }
      // Gradients at the images and at a perturbed copy (other ReLU and max-pool patterns), against
      // tf.grad on cpu to 1e-3 of the batch's largest entry: WASM's MaxPoolGrad sends a tied window's gradient elsewhere than cpu's (first
      // maximum in scan order, as here); MNIST's background makes such ties common.
      const moved = tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(tf.randomUniform(x.shape, -1, 1, 'float32', 7), 0.2)), 0, 1));
      for (const t of [x, moved]) {
        const g1 = fast.lossGradient(t, labels);
        const a = await g1.data();
        const { gradient, logits } = fast.lossGradientWithLogits(t, labels);
        const want = plain(t);
        const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(logits, want))));
        assert.ok((await gap.data())[0] < 1e-4, "its logits are the model's");
        gap.dispose();
        assert.deepEqual(Array.from(await gradient.data()), Array.from(a), 'the same gradient either way');
        // The max pools' gradient routed in JavaScript (auto on cpu and wasm) and by tensor kernels: the same values (0 and -0 alike).
        const byTensor = fastGradientClassifier(model, { poolBackward: 'tensor' }).lossGradient(t, labels);
        const byJs = fastGradientClassifier(model, { poolBackward: 'js' }).lossGradient(t, labels);
        const [gt, gj] = [await byTensor.data(), await byJs.data()];
        tf.dispose([byTensor, byJs]);
        assert.deepEqual(Array.from(gj, (u) => u + 0), Array.from(gt, (u) => u + 0), 'max pool routed in JS == by tensor kernels');
        assert.deepEqual(Array.from(a, (u) => u + 0), Array.from(gt, (u) => u + 0), 'the default routing == the tensor kernels');
        tf.dispose([g1, gradient, logits, want]);
        await tf.setBackend('cpu');
        const g0 = tf.grad((xi) => tf.mul(crossEntropy(plain, xi, labels), labels.length))(t);
        const b = await g0.data();
        g0.dispose();
        await tf.setBackend(backend);
        const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
        assert.ok(scale > 0 && diff <= 1e-3 * scale, `max |hand - tf.grad| ${diff} against max |g| ${scale}`);
      }
      moved.dispose();
      const eps = [0.3, 0, 0.1, 0.2];
      assert.equal(tf.memory().numTensors, base, 'gradients free their tensors');
      const want = await referenceCurve(fast, x, labels, eps, 5);
      assert.deepEqual(await pgdRobustnessCurve(fast, x, labels, eps, { steps: 5 }), want);
      assert.equal(tf.memory().numTensors, base, 'pgdRobustnessCurve frees its tensors');
      assert.deepEqual(await pgdRobustnessCurve(fast, x, labels, eps, { steps: 5, batchSize: 3 }), want, 'batches of 3 images');
      // Stopped in the middle (after the second progress report): the error, and no tensor left.
      const ctl = new AbortController();
      let reports = 0;
      await assert.rejects(pgdRobustnessCurve(fast, x, labels, eps, { steps: 5, batchSize: 3, signal: ctl.signal, onProgress: () => ++reports === 2 && ctl.abort() }), { name: 'AbortError' });
      assert.equal(tf.memory().numTensors, base, 'an aborted pgdRobustnessCurve frees its tensors');
      assert.deepEqual(await pgdRobustnessCurve(plain, x, labels, eps, { steps: 5 }), await referenceCurve(plain, x, labels, eps, 5), 'through tf.grad');
      for (let j = 1; j < 4; j++) assert.ok(want[[1, 2, 3, 0][j]] <= want[[1, 2, 3, 0][j - 1]], 'monotone in eps');
      const fgsmEps = [0, 0.1, 0.2, 0.3];
      // FGSM through either gradient: tf.grad's signs on confident images are off (above); one image of 8 may differ.
      const [c1, c0] = [await robustnessCurve(fast, x, labels, fgsmEps), await robustnessCurve(plain, x, labels, fgsmEps)];
      c1.forEach((v, j) => assert.ok(Math.abs(v - c0[j]) <= 1 / 8, `FGSM at ${fgsmEps[j]}: ${v} vs ${c0[j]}`));
      assert.equal(tf.memory().numTensors, base);
      x.dispose();
    });
  }
}

for (const id of ['digits', 'digits-robust']) {
  test(`wasm, ${id}: PGD-10 curve over 64 pool images == the plain per-eps reference through the tensor max-pool routing`, async () => {
    await ready();
    assert.ok(await tf.setBackend('wasm'));
    const { model, x: parityX } = await load(id);
    parityX.dispose();
    const { x, labels } = poolImages(64);
    assert.deepEqual(labels.slice(0, 8), [7, 2, 1, 0, 4, 1, 4, 9], "MNIST's first test labels");
    const base = tf.memory().numTensors;
    const eps = [0, 0.1, 0.2, 0.3, 0.5];
    const want = await referenceCurve(fastGradientClassifier(model, { poolBackward: 'tensor' }), x, labels, eps, 10);
    const got = await pgdRobustnessCurve(fastGradientClassifier(model), x, labels, eps, { steps: 10 });
    console.log(`${id}: PGD-10 over 64 pool images at eps ${eps.join(', ')}: ${got.join(', ')}`);
    assert.deepEqual(got, want);
    assert.ok(want[0] > 0.9 && want[4] < want[0], 'clean accuracy high, PGD at 0.5 lower: the attack does something');
    assert.deepEqual(await pgdRobustnessCurve(fastGradientClassifier(model), x, labels, eps, { steps: 10, batchSize: 20 }), want, 'batches of 20');
    assert.equal(tf.memory().numTensors, base, 'no tensor left');
    x.dispose();
  });
}
