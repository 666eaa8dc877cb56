// Parity of the shipped TF.js models with the PyTorch models they were exported from.
// Run: node --test packages/models/test-node/   (from the repo root)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLayersModelFromDir, tf } from '../train/lib/tf.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = process.env.CONVLAB_MODELS_ROOT ?? join(pkg, 'models');
// The 28x28 classifiers trained by train/train.mjs (train/models.json); shapes-crops and
// shapes-detector have their own tests (shapes-crops.test.mjs, detector.test.mjs).
const classifiers = Object.keys(JSON.parse(readFileSync(join(pkg, 'train', 'models.json'), 'utf8')));
const ids = readdirSync(root).filter((d) => existsSync(join(root, d, 'model.json')) && classifiers.includes(d)).sort();
const TOLERANCE = 1e-4;

test('every bundled model is present', () => {
  if (process.env.CONVLAB_MODELS_ROOT) return;
  assert.deepEqual(ids, ['digits', 'digits-robust', 'fashion']);
});

/** Max |a-b| between the TF.js logits for the parity batch and the stored PyTorch logits. */
function parityDiff(model, parity) {
  const [n, h, w, c] = parity.shape;
  const pixels = Float32Array.from(parity.images.flat(), (v) => v / 255);
  const logits = tf.tidy(() => model.predict(tf.tensor4d(pixels, [n, h, w, c]))).arraySync();
  let max = 0;
  logits.forEach((row, i) => row.forEach((v, j) => { max = Math.max(max, Math.abs(v - parity.logits[i][j])); }));
  return { max, logits };
}

function argmax(row) {
  return row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
}

/** Return a copy of weightData with one weight's bytes rewritten by fn(Float32Array copy, shape). */
function rewriteWeight(weightSpecs, weightData, name, fn) {
  const out = weightData.slice(0);
  let offset = 0;
  for (const spec of weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.name === name) {
      const view = new Float32Array(out, offset, size);
      view.set(fn(Float32Array.from(view), spec.shape));
      return out;
    }
    offset += size * 4;
  }
  throw new Error(`no weight ${name}`);
}

for (const id of ids) {
  const dir = join(root, id);
  const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));

  test(`${id}: layer names, input and logits output`, async () => {
    const { model, modelJson } = await loadLayersModelFromDir(dir);
    assert.equal(modelJson.format, 'layers-model');
    assert.equal(modelJson.weightsManifest.length, 1);
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    assert.ok(modelJson.weightsManifest[0].weights.every((w) => w.dtype === 'float32'));
    assert.deepEqual(model.inputs[0].shape, [null, 28, 28, 1]);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    const denses = model.layers.filter((l) => l.getClassName() === 'Dense');
    assert.equal(convs[0].name, 'conv1');
    assert.equal(denses.at(-1).name, 'logits');
    assert.equal(denses.at(-2).name, 'features');
    assert.equal(model.layers.at(-1).name, 'logits');
    assert.equal(model.getLayer('logits').getConfig().activation, 'linear');
    assert.ok(!model.layers.some((l) => ['Softmax', 'Activation'].includes(l.getClassName())), 'no softmax layer');
    // The names are in model.json itself, not only after loading.
    const names = modelJson.modelTopology.model_config.config.layers.map((l) => l.config.name);
    assert.ok(names.includes('conv1') && names.includes('features') && names.at(-1) === 'logits');
    model.dispose();
  });

  test(`${id}: TF.js logits match PyTorch to ${TOLERANCE}`, async (t) => {
    const { model } = await loadLayersModelFromDir(dir);
    const { max, logits } = parityDiff(model, parity);
    t.diagnostic(`${id}: parity max abs diff ${max.toExponential(3)} over ${parity.logits.length}x10 logits`);
    assert.ok(max < TOLERANCE, `max abs diff ${max}`);
    assert.deepEqual(logits.map(argmax), parity.logits.map(argmax));
    model.dispose();
  });

  test(`${id}: the parity check catches a wrong flatten order or kernel layout`, async (t) => {
    const { model: good, weightSpecs, weightData } = await loadLayersModelFromDir(dir);
    const flatten = good.layers.find((l) => l.getClassName() === 'Flatten');
    const [, fh, fw, fc] = flatten.input.shape;
    good.dispose();
    // Flatten rows left in PyTorch's (c, h, w) order instead of Keras' (h, w, c).
    const chw = rewriteWeight(weightSpecs, weightData, 'features/kernel', (k, [rows, units]) => {
      assert.equal(rows, fh * fw * fc);
      const o = new Float32Array(k.length);
      for (let h = 0; h < fh; h++) for (let w = 0; w < fw; w++) for (let c = 0; c < fc; c++) {
        const src = (h * fw + w) * fc + c;
        const dst = (c * fh + h) * fw + w;
        o.set(k.subarray(src * units, (src + 1) * units), dst * units);
      }
      return o;
    });
    // conv1 kernel with H and W swapped (as if OIHW had been permuted to WHIO).
    const swapped = rewriteWeight(weightSpecs, weightData, 'conv1/kernel', (k, [kh, kw, ci, co]) => {
      const o = new Float32Array(k.length);
      const inner = ci * co;
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
        o.set(k.subarray((y * kw + x) * inner, (y * kw + x + 1) * inner), (x * kh + y) * inner);
      }
      return o;
    });
    for (const [what, data] of [['c,h,w flatten order', chw], ['transposed conv kernel', swapped]]) {
      const { model } = await loadLayersModelFromDir(dir, { weightData: data });
      const { max } = parityDiff(model, parity);
      t.diagnostic(`${id}: with a ${what} the diff would be ${max.toExponential(3)}`);
      assert.ok(max > 100 * TOLERANCE, `${what} went unnoticed (diff ${max})`);
      model.dispose();
    }
  });

  test(`${id}: metadata, labels and samples`, () => {
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
    const meta = modelJson.userDefinedMetadata.convlab;
    assert.equal(labels.length, 10);
    assert.deepEqual(meta.labels, labels);
    assert.equal(meta.name, id);
    assert.deepEqual(meta.inputRange, [0, 1]);
    assert.equal(meta.channels, 1);
    assert.deepEqual(meta.inputSize, [28, 28]);
    assert.equal(meta.output, 'logits');
    if (id.startsWith('digits')) assert.deepEqual(labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    if (meta.training?.adversarial) {
      // An adversarially trained model says how, and how robust it measured in PyTorch.
      const adv = meta.training.adversarial;
      assert.equal(adv.eps, 0.3);
      assert.ok(adv.evaluation.steps >= 10 && adv.evaluation.pytorchRobustAccuracy > 0.5, JSON.stringify(adv.evaluation));
      assert.ok(meta.training.pytorchTestAccuracy >= 0.98, `clean accuracy ${meta.training.pytorchTestAccuracy}`);
    }
    const bytes = statSync(join(dir, 'weights.bin')).size;
    const expected = modelJson.weightsManifest[0].weights.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(bytes, expected);
    assert.ok(bytes <= 400 * 1024, `weights.bin is ${bytes} bytes`);
    const samples = JSON.parse(readFileSync(join(dir, 'samples.json'), 'utf8'));
    assert.equal(samples.tile, 28);
    assert.equal(samples.columns, 10);
    assert.equal(samples.count, 100);
    assert.deepEqual(samples.labels, Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)));
    assert.equal(new Set(samples.sourceIndices).size, 100);
    const png = readFileSync(join(dir, 'samples.png'));
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    assert.equal(png.readUInt32BE(16), 280); // IHDR width
    assert.equal(png.readUInt32BE(20), 280); // IHDR height
    assert.equal(png[25], 0); // colour type 0: greyscale
    assert.ok(existsSync(join(dir, 'card.md')));
    assert.equal(parity.images.length, 8);
    assert.ok(parity.images.every((im) => im.length === 784 && im.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)));
  });
}
