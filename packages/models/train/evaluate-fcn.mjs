#!/usr/bin/env node
// Measure a segmenter (shapes-fcn, shapes-fcn-flat) with TF.js (WASM backend in Node, through
// @convlab/tensor) on TEST-split scenes of @convlab/scenes (seeds 2,000,000 + i: never trained on):
// per-class IoU and mean IoU with @convlab/tensor's meanIoU over all pixels of the N scenes, the
// fraction of each object's pixels given its class by object size, the receptive field (formula on
// the model's own layer list) and multiply-adds; checks the export against PyTorch (parity.json).
//   node packages/models/train/evaluate-fcn.mjs --id shapes-fcn [--dir DIR] [--count 500] [--card LOGFILE]
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scene, splitSeed, CLASSES } from '@convlab/scenes';
import { ready, backendInfo, tf, meanIoU, fcnLayers, multiplyAdds, fcnRfPath, receptiveField, semanticMap, fcnLogits, fcnInputNorm } from '@convlab/tensor';
import { tfl, readLayersArtifacts } from './lib/tf.mjs';
import { sizeTallies, tallyObjects, sizeFractions, blindPixels, blindTally, tallyBlind, classBalanced } from './lib/fcn-eval.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const id = opt('--id', 'shapes-fcn');
const dir = opt('--dir', join(HERE, '..', 'models', id));
const count = Number(opt('--count', 500));
await ready({ prefer: 'wasm' });
const backend = backendInfo().name;
const art = readLayersArtifacts(dir);
// with model.json's metadata: fcnLogits and semanticMap apply the preprocessing it names (inputNorm)
const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, weightSpecs: art.weightSpecs, weightData: art.weightData, userDefinedMetadata: art.modelJson.userDefinedMetadata }));
const sceneInput = (s) => tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(s.image), [s.height, s.width, 3]), 255));

// 1. parity with PyTorch: logits at 64 pixels of the first test scenes
const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));
let parityMax = 0;
parity.seeds.forEach((seed, i) => {
  const x = sceneInput(scene(seed));
  const y = tf.tidy(() => fcnLogits(model, x).arraySync());
  x.dispose();
  parity.pixels.forEach(([py, px], k) => y[py][px].forEach((v, c) => (parityMax = Math.max(parityMax, Math.abs(v - parity.logits[i][k][c])))));
});
console.log(`parity with PyTorch: largest difference ${parityMax.toExponential(2)} over ${parity.seeds.length} scenes x ${parity.pixels.length} pixels`);
if (!(parityMax < 1e-3)) throw new Error('the TF.js export does not match PyTorch');

// 2. test scenes
const bins = sizeTallies();
// the pixels whose whole field lies inside their own object
const layers = fcnLayers(model);
const rf = receptiveField(fcnRfPath(layers)).at(-1).size;
const blind = blindTally();
// only a field narrower than the largest objects (sides up to 60 px) leaves pixels that see no outline
const hasBlind = rf < 60;
const N = 128 * 128;
const targets = new Int32Array(count * N);
const preds = new Int32Array(count * N);
let ms = 0;
for (let i = 0; i < count; i++) {
  const s = scene(splitSeed('test', i));
  const x = sceneInput(s);
  const t0 = performance.now();
  const m = semanticMap(model, x);
  const p = await m.data();
  ms += performance.now() - t0;
  tf.dispose([x, m]);
  targets.set(s.semantic, i * N);
  preds.set(p, i * N);
  tallyObjects(bins, s, p);
  if (hasBlind) tallyBlind(blind, blindPixels(s, (rf - 1) / 2), p);
}
const [tT, pT] = [tf.tensor1d(targets, 'int32'), tf.tensor1d(preds, 'int32')];
const iou = await meanIoU(tT, pT, CLASSES.length);
tf.dispose([tT, pT]);
const macs = multiplyAdds(layers).total;
const metrics = {
  split: 'test', scenes: count, firstSeed: splitSeed('test', 0), backend,
  meanIoU: +iou.mean.toFixed(4), pixelAccuracy: +iou.pixelAccuracy.toFixed(4),
  perClassIoU: Object.fromEntries(CLASSES.map((c, k) => [c, +iou.perClass[k].toFixed(4)])),
  confusion: iou.confusion,
  objectPixelsRight: sizeFractions(bins),
  ...(hasBlind ? { blindPixelsRight: { pixels: blind.pixels, fraction: +(blind.right / blind.pixels).toFixed(4), balanced: +classBalanced(blind, 100).toFixed(4), perClass: Object.fromEntries([1, 2, 3].map((c) => [CLASSES[c], { pixels: blind.classPixels[c], fraction: +(blind.classRight[c] / blind.classPixels[c]).toFixed(4) }])) } } : {}),
  receptiveField: rf, multiplyAdds: macs, msPerScene: +(ms / count).toFixed(1),
  parityMaxAbsDiff: parityMax,
};
console.log(JSON.stringify({ ...metrics, confusion: undefined }, null, 1));
writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');

// 3. the card (every figure from the training log or the measurements above)
const logFile = opt('--card', null);
if (logFile) {
  const log = JSON.parse(readFileSync(logFile, 'utf8'));
  const bytes = statSync(join(dir, 'weights.bin')).size;
  const fmt = (n) => n.toLocaleString('en-US');
  const rows = log.export.layers.map((l) => `| ${l.name} | ${l.type} | ${(l.inputs ?? []).join(', ') || '–'} | ${l.output.slice(1).join(' x ')} | ${fmt(l.params)} | ${l.activation ?? ''} |`).join('\n');
  const flat = id === 'shapes-fcn-flat';
  const norm = fcnInputNorm(model);
  const L = layers.filter((l) => l.kind === 'conv').length;
  const last = log.history.at(-1);
  const done = log.stepsDone ?? log.steps;
  const about = flat
    ? `The slide's first design of a fully convolutional segmenter: L = ${L} 3x3 convolutions at full resolution
(padding 1, stride 1, no downsampling), the last giving the 4 class scores of every pixel. Its receptive
field is 1 + 2L = **${rf} px**, ${rf >= 20 ? 'wide enough for a small shape (side under 24 px) and its outline but narrower than a large one (40 to 60 px)' : 'smaller than most objects (sides 10 to 60 px)'}: in the middle of a large
square, circle or triangle it sees one flat colour and must guess the class. It is the failure case of
\`<fcn-seg>\` (L chosen so that it shows), and it also shows the cost of full resolution.`
    : `An encoder-decoder fully convolutional segmenter: four strided 2x2 convolutions take 128 x 128 down
to 8 x 8 (a 3x3 convolution after each), four 2x2 transposed convolutions (stride 2) bring it back, each
joined to the encoder's map of the same size by a skip connection (concatenation at 16, 32 and 64,
addition at 128) and followed by a 3x3 convolution. Receptive field (longest path, formula):
**${rf} px**, larger than any object, at a fraction of the flat network's multiply-adds.`;
  const card = `# ${id}: ${flat ? 'a flat stack of 3x3 convolutions' : 'an encoder-decoder'} for semantic segmentation

${about}
Per pixel it outputs 4 logits: ${CLASSES.join(', ')}. Used by \`<fcn-seg>\`.

## Data
Our own generated data (the project's licence, MIT; no external data set): the semantic maps of the
first ${fmt(log.scenes)} **training-split** scenes of @convlab/scenes (seeds 0 to ${log.scenes - 1}, 128 x 128 RGB,
2 to 6 circles, squares and triangles with sides 10 to 60 px on flat, gradient, noise and texture
backgrounds; touching objects of one class merge), written by \`npm run scenes -w @convlab/scenes\`.

## Architecture (${fmt(log.export.params)} parameters, ${(bytes / 1024).toFixed(1)} KiB of float32 weights)
Input 128 x 128 x 3 RGB in [0, 1]${norm ? `, minus the image's own mean colour (one constant per channel and image: model.json says
\`inputNorm: '${norm}'\`, which \`fcnInput\` of @convlab/tensor applies before the first convolution; so besides its ${rf} px window
every output is also given the image's mean colour, one number per channel)` : ''}; output 128 x 128 x 4 logits.

| layer | type | inputs | output | params | activation |
| --- | --- | --- | --- | --- | --- |
${rows}

- receptive field (\`receptiveField(fcnRfPath(fcnLayers(model)))\` of @convlab/tensor): **${rf} x ${rf} px**;
- multiply-adds per 128 x 128 image (\`multiplyAdds\`): **${fmt(macs)}**.

## Training
\`npm run train -w @convlab/models -- ${id}\` (PyTorch ${log.torch}, \`train/py/train_fcn.py\`): seed ${log.seed},
${log.threads} thread, ${done < log.steps ? `${fmt(done)} of ${fmt(log.steps)} planned steps (these weights are the export at step ${fmt(done)}; the run went on or was stopped after it)` : `${fmt(log.steps)} steps`} of batch ${log.batch} (${fmt(done * log.batch)} scenes drawn at random, with repetition, from the ${fmt(log.scenes)}),
${log.optimizer}, ${log.batchnorm === false ? `no batch norm (He initialisation: with batch norm and 4 scenes a batch, an L = 10 run leaned on
the batch statistics, which the exported running averages do not give: loss 0.37 in training, 0.77 on its training scenes once folded${log.inputNorm === 'mean' ? `;
without batch norm the plain stack stayed all background until each image had its mean colour subtracted, the hint
the batch statistics had given` : ''})` : `batch norm after every conv but the last (folded into the convs for export: outputs change by
${log.foldMaxAbsDiff.toExponential(1)})`}, pixel-wise cross-entropy, ${log.augmentation}. Training took **${fmt(Math.round(log.train_seconds))} s** on the
shared 2-core machine (${log.history.every((h) => h.load1 != null) ? `1-minute load average ${Math.min(...log.history.map((h) => h.load1))} to ${Math.max(...log.history.map((h) => h.load1))} at the progress points` : 'other work running'}). Last: loss ${last.loss} over the last ${log.history.length > 1 ? last.step - log.history.at(-2).step : last.step} steps; mean IoU
on 100 test scenes in PyTorch ${last.pytorchTestMeanIoU100} (a progress figure; the card's figure is below).

## Measured (TF.js, ${backend} backend in Node: \`node packages/models/train/evaluate-fcn.mjs --id ${id}\`)
On all ${fmt(128 * 128 * count)} pixels of ${count} **test-split** scenes (seeds ${metrics.firstSeed} to ${metrics.firstSeed + count - 1}, never trained on),
with @convlab/tensor's \`meanIoU\`:
- **mean IoU ${metrics.meanIoU}**; per class ${CLASSES.map((c) => `${c} ${metrics.perClassIoU[c]}`).join(', ')}; pixel accuracy ${metrics.pixelAccuracy};
- object pixels given their object's class, by object size: ${metrics.objectPixelsRight.map((b) => `${b.size} ${b.fraction} (class-balanced ${b.balanced}; ${b.objects} objects)`).join('; ')}
  (class-balanced: the mean of the circle, square and triangle fractions);${metrics.blindPixelsRight ? `
- **blind pixels**, whose whole ${rf} x ${rf} field lies inside their own object (it sees one flat colour there): ${metrics.blindPixelsRight.fraction} right
  (${fmt(metrics.blindPixelsRight.pixels)} pixels; ${Object.entries(metrics.blindPixelsRight.perClass).map(([c, v]) => `${c} ${v.fraction} of ${fmt(v.pixels)}`).join(', ')}; class-balanced over the classes with 100 or more, ${metrics.blindPixelsRight.balanced}):
  there the shape cannot be told, and the class is a guess;` : ''}
- confusion (rows true, columns predicted; ${CLASSES.join(', ')}): ${JSON.stringify(metrics.confusion)};
- ${metrics.msPerScene} ms per scene for the map alone in this Node process (WASM, one thread; the browser figure is in the bench);
- the TF.js export matches PyTorch to ${parityMax.toExponential(1)} (logits at 64 pixels of 2 test scenes, parity.json).

## Limits
Trained only on the generated scenes (flat shapes, 128 x 128): it knows nothing of photographs.${flat ? '' : ' The\ninput side must be a multiple of 16 (four halvings).'}
`;
  writeFileSync(join(dir, 'card.md'), card);
  writeFileSync(join(dir, 'train-log.json'), JSON.stringify({ ...log, export: undefined }, null, 1) + '\n');
  console.log(`card written: ${join(dir, 'card.md')}`);
}
model.dispose();
