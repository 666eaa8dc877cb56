#!/usr/bin/env node
// Measure the shapes detector with the TF.js pipeline of @convlab/tensor (detect(): backbone, RPN,
// anchors, decoding, NMS, RoI pooling, box head, per-class NMS, masks) on the cpu backend in Node.
//   node packages/models/train/evaluate-detector.mjs [--dir DIR] [--count 500] [--parity] [--card]
// --count N   mAP@0.5 (averagePrecision per class, meanAveragePrecision) on test scenes 0..N-1
//             (seeds 2,000,000 + i, the test split of @convlab/scenes: never seen in training)
// --parity    compare proposals and detections with torchvision's (DIR/parity.json)
// --card      write the measured figures into DIR/metrics.json and DIR/card.md
import { writeFileSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from './lib/tf.mjs';
import { loadDetectorFromDir, sceneInput, readParity, compareWithTorch, TEST_SEED_START } from './lib/detector.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dir = opt('--dir', join(HERE, '..', 'models', 'shapes-detector'));
const count = Number(opt('--count', args.includes('--parity') && !args.includes('--count') ? 0 : 500));
const { detect, meanAveragePrecision, averagePrecision } = await import('@convlab/tensor');
const { scene } = await import('@convlab/scenes');

const parts = await loadDetectorFromDir(dir);
const cfg = parts.config;
const out = {};

if (args.includes('--parity')) {
  const parity = readParity(dir);
  if (!parity) throw new Error(`${dir}/parity.json is missing (written by export_detector.py --parity N)`);
  out.parity = [];
  for (const exp of parity.scenes) {
    const x = sceneInput(scene(exp.seed));
    const r = await detect(parts, x);
    const c = compareWithTorch(r, exp);
    // Objectness of every anchor, against torchvision's (rounded to 1e-6 in the fixture).
    const obj = await r.objectness.data();
    let oMax = 0;
    exp.objectness.forEach((v, i) => (oMax = Math.max(oMax, Math.abs(v - obj[i]))));
    c.objectnessMaxDiff = oMax;
    c.maskAreas = r.detections.map((d) => d.mask.reduce((a, b) => a + b, 0));
    c.torchMaskAreas = exp.detections.map((d) => d.maskArea);
    out.parity.push({ seed: exp.seed, ...c });
    console.log(`parity seed ${exp.seed}: ${c.ok ? 'ok' : 'MISMATCH'}; proposals ${c.proposals.count}/${c.proposals.expected} max diff ${c.proposals.maxDiff.toExponential(2)} px; detections ${c.detections.count}/${c.detections.expected} max diff ${c.detections.maxDiff.toExponential(2)} px, score ${c.detections.maxScoreDiff.toExponential(2)}; objectness ${oMax.toExponential(2)}; mask areas ${c.maskAreas.join(',')} vs ${c.torchMaskAreas.join(',')}${c.problems.length ? '\n  ' + c.problems.join('\n  ') : ''}`);
    r.dispose();
    x.dispose();
  }
}

if (count > 0) {
  const detections = [];
  const truth = [];
  const t0 = Date.now();
  const base = tf.memory().numTensors;
  for (let i = 0; i < count; i++) {
    const s = scene(TEST_SEED_START + i);
    for (const o of s.objects) truth.push({ image: i, box: o.box, label: o.label });
    const x = sceneInput(s);
    const r = await detect(parts, x, { masks: false });
    for (const d of r.detections) detections.push({ image: i, box: d.box, score: d.score, label: d.label });
    r.dispose();
    x.dispose();
    if ((i + 1) % 50 === 0) console.log(`${i + 1}/${count} scenes, ${((Date.now() - t0) / (i + 1)).toFixed(0)} ms per scene`);
  }
  if (tf.memory().numTensors !== base) throw new Error(`leaked ${tf.memory().numTensors - base} tensors`);
  const { map, perClass } = meanAveragePrecision(detections, truth, { iouThreshold: 0.5 });
  const ap = Object.fromEntries(Object.entries(perClass).map(([k, v]) => [cfg.classes[k], v]));
  // Recall at the default score threshold, for the card.
  const all = averagePrecision(detections.map((d) => ({ ...d, image: `${d.image}:${d.label}` })), truth.map((g) => ({ ...g, image: `${g.image}:${g.label}` })));
  out.evaluation = {
    scenes: count, seeds: [TEST_SEED_START, TEST_SEED_START + count - 1], objects: truth.length, detections: detections.length,
    map50: map, ap50: ap, recall: all.recall.at(-1) ?? 0, msPerScene: (Date.now() - t0) / count, backend: tf.getBackend(),
  };
  console.log(`mAP@0.5 on ${count} test scenes: ${map.toFixed(4)} (${Object.entries(ap).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}); ${detections.length} detections of ${truth.length} objects`);
}

if (args.includes('--card')) {
  const bytes = Object.fromEntries(['backbone', 'rpn', 'box', 'mask'].map((p) => [p, statSync(join(dir, p, 'weights.bin')).size]));
  const metricsPath = join(dir, 'metrics.json');
  const prev = existsSync(metricsPath) ? JSON.parse(readFileSync(metricsPath, 'utf8')) : {};
  const metrics = { ...prev, ...out, weightBytes: bytes, measuredAt: new Date().toISOString() };
  writeFileSync(metricsPath, JSON.stringify(metrics, null, 1) + '\n');
  console.log(`wrote ${metricsPath}`);
}
