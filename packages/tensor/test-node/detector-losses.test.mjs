// The four detection losses (detector-losses.ts): hand-worked cases, torchvision parity on fixed
// inputs (test/fixtures/detector-losses.json, written by scripts/make-loss-fixture.py with
// torchvision's own RegionProposalNetwork.compute_loss and fastrcnn_loss), the seeded sampler, and
// detectorLosses() on the tiny untrained detector of @convlab/models (tensors back at baseline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smoothL1, bceWithLogits, crossEntropyLogits, sampleFgBg, rpnLoss, headLoss, detectorLosses, detect, tf } from '@convlab/tensor';

const here = dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'detector-losses.json'), 'utf8'));
const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('smoothL1 (beta 1/9), BCE with logits and cross-entropy: hand-worked values', () => {
  // |d| < 1/9: 0.5 d^2 / beta = 4.5 d^2; else |d| - 1/18.
  close(smoothL1(0.1), 4.5 * 0.01, 1e-12, 'smoothL1(0.1)');
  close(smoothL1(-1), 1 - 1 / 18, 1e-12, 'smoothL1(-1)');
  close(smoothL1(1 / 9), 1 / 9 - 1 / 18, 1e-12, 'smoothL1 at beta: both branches meet');
  // BCE(x, 1) = log(1 + e^-x): at x = 0, log 2; sigmoid(-2) = 0.1192 (the slides' number) so BCE(-2, 1) = -log 0.1192.
  close(bceWithLogits(0, 1), Math.log(2), 1e-12, 'BCE(0, 1)');
  close(bceWithLogits(-2, 1), -Math.log(0.11920292202211755), 1e-12, 'BCE(-2, 1)');
  close(bceWithLogits(-2, 0), -Math.log(1 - 0.11920292202211755), 1e-12, 'BCE(-2, 0)');
  assert.ok(Number.isFinite(bceWithLogits(1000, 0)) && Math.abs(bceWithLogits(1000, 0) - 1000) < 1e-9, 'no overflow at large logits');
  // Cross-entropy of equal logits over 4 classes: log 4; a dominant true class: near 0.
  close(crossEntropyLogits([1, 1, 1, 1], 2), Math.log(4), 1e-12, 'CE uniform');
  close(crossEntropyLogits([0, Math.log(3)], 1), -Math.log(3 / 4), 1e-12, 'CE [0, log 3]');
});

test('rpnLoss and headLoss on a hand-worked case', () => {
  // Anchors 0 (pos), 1 (neg), 2 (ignored, not sampled).
  const obj = [2, -1, 5];
  const deltas = [0.1, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9];
  const targets = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  const r = rpnLoss(obj, deltas, [1, 0, -1], targets, { pos: [0], neg: [1] });
  close(r.objectness, (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2, 1e-12, 'L_obj');
  // Positive 0: smoothL1(0.1) + smoothL1(-1) = 0.045 + 17/18, over 2 sampled anchors.
  close(r.box, (0.045 + 17 / 18) / 2, 1e-12, 'L_rpn_box');
  // Head: RoI 0 of class 2 (its class-2 deltas count), RoI 1 background (no box term).
  const h = headLoss([[0, 0, Math.log(2)], [1, 0, 0]], [[9, 9, 9, 9, 9, 9, 9, 9, 0.5, 0, 0, 0], [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]], [2, 0], [[0, 0, 0, 0], [0, 0, 0, 0]]);
  close(h.classifier, (-Math.log(2 / 4) + -Math.log(Math.E / (Math.E + 2))) / 2, 1e-12, 'L_cls');
  close(h.box, (0.5 - 1 / 18) / 2, 1e-12, 'L_box');
  assert.ok(Number.isNaN(rpnLoss([], [], [], [], { pos: [], neg: [] }).objectness), 'nothing sampled: NaN, not 0');
});

test("torchvision parity: RegionProposalNetwork.compute_loss and fastrcnn_loss on fixed sampled sets", () => {
  assert.equal(fx.cases.length, 3);
  for (const [i, c] of fx.cases.entries()) {
    const r = rpnLoss(c.objectness, c.deltas, c.labels, c.targets, { pos: c.pos, neg: c.neg });
    close(r.objectness, c.rpnObjectness, 1e-5, `case ${i} objectness`);
    close(r.box, c.rpnBox, 1e-5, `case ${i} rpn box`);
    const h = headLoss(c.logits, c.boxRegression, c.roiLabels, c.roiTargets);
    close(h.classifier, c.headClassifier, 1e-5, `case ${i} classifier`);
    close(h.box, c.headBox, 1e-5, `case ${i} head box`);
  }
});

test('sampleFgBg: seeded, balanced as torchvision, never samples ignored indices', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : i % 10 === 1 ? -1 : i % 10 === 2 ? 3 : 0));
  const a = sampleFgBg(labels, { batchSize: 256, positiveFraction: 0.5, seed: 7 });
  const b = sampleFgBg(labels, { batchSize: 256, positiveFraction: 0.5, seed: 7 });
  const c = sampleFgBg(labels, { batchSize: 256, positiveFraction: 0.5, seed: 8 });
  assert.deepEqual(a, b, 'same seed, same sample');
  assert.notDeepEqual(a.neg, c.neg, 'another seed, another sample');
  assert.equal(a.pos.length, 128, '200 positives available: floor(256 * 0.5) taken');
  assert.equal(a.neg.length, 128);
  assert.ok(a.pos.every((i) => labels[i] >= 1) && a.neg.every((i) => labels[i] === 0));
  assert.equal(new Set(a.neg).size, a.neg.length, 'no repeats');
  assert.deepEqual(a.pos, [...a.pos].sort((x, y) => x - y), 'ascending');
  // Few positives: all of them, the rest of the batch negatives.
  const few = sampleFgBg([1, 0, 0, 0, -1, 1, 0], { batchSize: 4, positiveFraction: 0.5, seed: 1 });
  assert.deepEqual(few.pos, [0, 5]);
  assert.equal(few.neg.length, 2);
  const none = sampleFgBg([0, 0, 0], { batchSize: 64, positiveFraction: 0.25, seed: 1 });
  assert.deepEqual(none, { pos: [], neg: [0, 1, 2] });
});

test('detectorLosses on the tiny detector: four finite losses, sampled sets as labelled, tensors disposed', async () => {
  const { loadDetectorFromDir, sceneInput } = await import('../../models/train/lib/detector.mjs');
  const { scene } = await import('@convlab/scenes');
  const parts = await loadDetectorFromDir(join(here, '..', '..', 'models', 'fixtures', 'detector-tiny'));
  const s = scene(5);
  const x = sceneInput(s);
  const before = tf.memory().numTensors;
  const r = await detect(parts, x, { masks: false });
  const gt = { boxes: s.objects.map((o) => o.box), labels: s.objects.map((o) => o.label) };
  const L = await detectorLosses(parts, r, gt, { seed: 3 });
  for (const k of ['rpnObjectness', 'rpnBox', 'headClassifier', 'headBox']) assert.ok(Number.isFinite(L[k]) && L[k] >= 0, `${k} = ${L[k]}`);
  // An untrained RPN's objectness is near 0.5 everywhere: its BCE is near log 2.
  assert.ok(Math.abs(L.rpnObjectness - Math.log(2)) < 0.2, `L_obj ${L.rpnObjectness}`);
  assert.ok(L.rpnSample.pos.length >= s.objects.length, 'at least one positive anchor per object (best-anchor rule)');
  assert.ok(L.rpnSample.pos.every((i) => L.anchorLabels[i] === 1) && L.rpnSample.neg.every((i) => L.anchorLabels[i] === 0));
  assert.ok(L.rpnSample.pos.length + L.rpnSample.neg.length <= 256);
  // The ground-truth boxes are appended to the RoIs, so each object gives a positive RoI of its class.
  assert.equal(L.rois.length, r.proposals.boxes.length + s.objects.length);
  s.objects.forEach((o, i) => assert.equal(L.roiLabels[r.proposals.boxes.length + i], o.label));
  assert.ok(L.headSample.pos.length >= 1 && L.headSample.pos.length <= 16, `${L.headSample.pos.length} positive RoIs (at most 64 / 4)`);
  const again = await detectorLosses(parts, r, gt, { seed: 3 });
  assert.equal(again.rpnObjectness, L.rpnObjectness, 'same seed, same losses');
  // Higher fg threshold: fewer positive anchors.
  const strict = await detectorLosses(parts, r, gt, { seed: 3, fgIou: 0.95 });
  assert.ok(strict.anchorLabels.filter((v) => v === 1).length <= L.anchorLabels.filter((v) => v === 1).length);
  r.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors back at baseline');
  x.dispose();
});

test("detectorLosses equals torchvision's four training losses on the tiny detector, given torchvision's sampled sets", async () => {
  // test/fixtures/detector-losses-tiny.json: scripts/make-detector-loss-fixture.py (torchvision's
  // assign_targets_to_anchors, compute_loss, select_training_samples, roi_pool, fastrcnn_loss).
  const tv = JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', 'detector-losses-tiny.json'), 'utf8'));
  const { loadDetectorFromDir, sceneInput } = await import('../../models/train/lib/detector.mjs');
  const { scene } = await import('@convlab/scenes');
  const parts = await loadDetectorFromDir(join(here, '..', '..', 'models', 'fixtures', 'detector-tiny'));
  const s = scene(tv.seed);
  const x = sceneInput(s);
  const r = await detect(parts, x, { masks: false });
  // The same proposals (the detector's own parity), so the RoI indices mean the same boxes.
  assert.equal(r.proposals.boxes.length, tv.proposals.length);
  r.proposals.boxes.forEach((b, i) => b.forEach((v, k) => assert.ok(Math.abs(v - tv.proposals[i][k]) < 1e-3, `proposal ${i}`)));
  const L = await detectorLosses(parts, r, { boxes: s.objects.map((o) => o.box), labels: s.objects.map((o) => o.label) }, { samples: { rpn: tv.rpnSample, head: tv.headSample } });
  assert.deepEqual(Array.from(L.anchorLabels), tv.anchorLabels, "anchor labels as torchvision's Matcher(0.7, 0.3, allow_low_quality_matches)");
  assert.deepEqual(L.roiLabels, tv.roiLabels, "RoI labels as torchvision's Matcher(0.5, 0.5), ground truth appended");
  for (const k of ['rpnObjectness', 'rpnBox', 'headClassifier', 'headBox']) close(L[k], tv.losses[k], 1e-4, k);
  // Control: another sampled set gives other losses.
  const own = await detectorLosses(parts, r, { boxes: s.objects.map((o) => o.box), labels: s.objects.map((o) => o.label) }, { seed: 1 });
  assert.notEqual(own.headClassifier, L.headClassifier);
  r.dispose();
  x.dispose();
});
