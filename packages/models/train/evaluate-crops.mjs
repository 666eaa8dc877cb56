#!/usr/bin/env node
// Measure the shapes crop classifier with TF.js (cpu backend, Node) on crops of TEST-split scenes
// (seeds 2,000,000 + i: never seen in training), cut by lib/crops.mjs with @convlab/tensor's warpCrops:
// accuracy, per-class accuracy, confusion matrix, and the box regression's mean IoU with the object
// before and after it (foreground crops). Also checks the export against PyTorch (parity.json).
//   node packages/models/train/evaluate-crops.mjs [--dir DIR] [--count 300] [--card LOGFILE]
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitSeed, CLASSES } from '@convlab/scenes';
import { iouOf } from '@convlab/tensor';
import { tf, loadLayersModelFromDir } from './lib/tf.mjs';
import { sceneCrops, decode, CROP } from './lib/crops.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dir = opt('--dir', join(HERE, '..', 'models', 'shapes-crops'));
const count = Number(opt('--count', 300));
const { model } = await loadLayersModelFromDir(dir);

// 1. parity with PyTorch
const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));
let parityMax = 0;
tf.tidy(() => {
  const x = tf.div(tf.tensor4d(parity.inputs.flat(), [parity.inputs.length, CROP, CROP, 3]), 255);
  const y = model.predict(x).arraySync();
  y.forEach((row, i) => row.forEach((v, j) => (parityMax = Math.max(parityMax, Math.abs(v - parity.outputs[i][j])))));
});
console.log(`parity with PyTorch: largest difference ${parityMax.toExponential(2)} over ${parity.inputs.length} crops`);
if (!(parityMax < 1e-3)) throw new Error('the TF.js export does not match PyTorch');

// 2. test-split crops
const K = CLASSES.length;
const confusion = Array.from({ length: K }, () => new Array(K).fill(0));
let n = 0, correct = 0, fg = 0, iouBefore = 0, iouAfter = 0;
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  const { pixels, samples } = await sceneCrops(splitSeed('test', i));
  const out = tf.tidy(() => model.predict(tf.tensor4d(pixels, [samples.length, CROP, CROP, 3])));
  const o = await out.data();
  out.dispose();
  samples.forEach((s, k) => {
    const row = o.subarray(k * 8, k * 8 + 8);
    let best = 0;
    for (let c = 1; c < K; c++) if (row[c] > row[best]) best = c;
    confusion[s.label][best]++;
    n++;
    if (best === s.label) correct++;
    if (s.label > 0) {
      fg++;
      iouBefore += iouOf(s.box, s.gt);
      iouAfter += iouOf(decode(Array.from(row.subarray(4, 8)), s.box), s.gt);
    }
  });
}
const perClass = Object.fromEntries(CLASSES.map((c, k) => [c, +(confusion[k][k] / confusion[k].reduce((a, b) => a + b, 0)).toFixed(4)]));
const metrics = {
  split: 'test', scenes: count, firstSeed: splitSeed('test', 0), crops: n,
  accuracy: +(correct / n).toFixed(4), perClass, confusion,
  boxRegression: { foregroundCrops: fg, meanIoUBefore: +(iouBefore / fg).toFixed(4), meanIoUAfter: +(iouAfter / fg).toFixed(4) },
  parityMaxAbsDiff: parityMax, evalSeconds: (Date.now() - t0) / 1000,
};
console.log(JSON.stringify(metrics, null, 1));
writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');

// 3. the card
const logFile = opt('--card', null);
if (logFile) {
  const log = JSON.parse(readFileSync(logFile, 'utf8'));
  const bytes = statSync(join(dir, 'weights.bin')).size;
  const layers = log.export.layers.map((l) => `| ${l.name} | ${l.type} | ${l.output.slice(1).join(' x ')} | ${l.params} | ${l.activation ?? ''} |`).join('\n');
  const last = log.history[log.history.length - 1];
  const card = `# shapes-crops: a crop classifier for detection by classification

A small ConvNet that says whether a 32x32 RGB crop shows a **circle, square or triangle** of
\`@convlab/scenes\` or only **background**, and regresses the object's box from the crop's box. It is
the classifier of \`<detection-pipeline>\`'s sliding window and R-CNN steps. No layer pads, so the two
Dense layers also run as a 2x2 and a 1x1 convolution on a whole image: every 32-pixel window at stride 8
gets the same scores from one fully convolutional pass as from one pass per window
(\`scoreWindows\` / \`scoreWindowsOneByOne\` in @convlab/tensor).

## Data
Our own generated data (licence: the project's, MIT; no external data set): ${log.train.crops} crops of
${log.train.scenes} **training-split** scenes (seeds ${log.train.firstSeed} to ${log.train.firstSeed + log.train.scenes - 1}),
written by \`packages/models/train/make-crops.mjs\` with @convlab/scenes and @convlab/tensor's \`warpCrops\`
(bilinear, pixel centres). Per scene: around each object two jittered proposal-like boxes, two
window-like squares and one near miss, plus random boxes. Label: the class of the object with the
highest IoU if it is >= 0.5, background if below 0.4, else the crop is skipped. Counts:
${CLASSES.map((c, k) => `${c} ${log.train.counts[k]}`).join(', ')}.
Box target: torchvision's BoxCoder with weights (10, 10, 5, 5), object box relative to the crop's.

## Architecture (${log.export.params} parameters, ${(bytes / 1024).toFixed(1)} KiB of float32 weights)
| layer | type | output | params | activation |
| --- | --- | --- | --- | --- |
${layers}

Output: 8 numbers: 4 class logits (background, circle, square, triangle) then 4 box deltas.

## Training
\`node packages/models/train/train-crops.mjs\` (PyTorch ${log.torch}, \`train/py/train_crops.py\`): seed ${log.seed}, ${log.threads} thread,
${log.epochs} epochs, batch ${log.batch}, Adam with a one-cycle learning rate (max ${log.lr}), cross-entropy +
smooth L1 (beta 1/9, foreground crops only), horizontal flips. Training took **${log.train_seconds} s** on
the shared 2-core machine. Last epoch: training accuracy ${last.train_acc.toFixed(4)}.

## Measured (TF.js cpu backend, \`node packages/models/train/evaluate-crops.mjs\`)
On ${metrics.crops} crops of ${metrics.scenes} **test-split** scenes (seeds ${metrics.firstSeed} to ${metrics.firstSeed + metrics.scenes - 1}, never trained on):
- accuracy **${metrics.accuracy}**; per class ${Object.entries(perClass).map(([c, v]) => `${c} ${v}`).join(', ')};
- confusion (rows true, columns predicted; ${CLASSES.join(', ')}): ${JSON.stringify(confusion)};
- box regression on foreground crops: mean IoU with the object ${metrics.boxRegression.meanIoUBefore} before, **${metrics.boxRegression.meanIoUAfter}** after;
- the TF.js export matches PyTorch to ${parityMax.toExponential(1)} (parity.json).

## Limits
Trained only on the generated scenes (flat shapes on plain, gradient or textured backgrounds, 128x128):
it knows nothing of photographs. A window much larger than the object is background by design
(IoU < 0.4), so the sliding window needs several window sizes.
`;
  writeFileSync(join(dir, 'card.md'), card);
  writeFileSync(join(dir, 'train-log.json'), JSON.stringify({ ...log, export: undefined }, null, 1) + '\n');
  console.log(`card written: ${join(dir, 'card.md')}`);
}
