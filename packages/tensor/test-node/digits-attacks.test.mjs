// The digits models under attack, in Node on cpu and wasm: fastGradientClassifier's input gradient by
// hand against a float64 PyTorch reference (fixtures/make-digits-gradients.py) and against tf.grad, and
// pgdRobustnessCurve (all eps as one batch, rows leave at their first
// misclassified iterate) against a plain per-eps, per-iterate reference; FGSM curves with and without
// the hand gradient. Images: the 8 MNIST test images stored in each model's parity.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
