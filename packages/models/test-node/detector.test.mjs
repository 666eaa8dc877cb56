// The TF.js detector pipeline (@convlab/tensor detect(): anchors, decoding, NMS, RoI pooling, box
// head decoding, per-class NMS, RoI Align, mask paste) against torchvision's MaskRCNN on the same
// scenes. fixtures/detector-tiny is an untrained, seeded detector of the same architecture with few
// channels (train/py/make_detector_fixture.py); models/shapes-detector is the trained one, checked
// when it has been exported.   Run: node --test packages/models/test-node/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../train/lib/tf.mjs';
import { loadDetectorFromDir, sceneInput, readParity, compareWithTorch } from '../train/lib/detector.mjs';
import { detect } from '@convlab/tensor';
import { scene } from '@convlab/scenes';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const TINY = join(pkg, 'fixtures', 'detector-tiny');
const TRAINED = join(pkg, 'models', 'shapes-detector');

async function checkParity(dir, { config } = {}) {
  const parts = await loadDetectorFromDir(dir);
  if (config) parts.config = config(parts.config);
  const parity = readParity(dir);
  const results = [];
  const before = tf.memory().numTensors;
  for (const exp of parity.scenes) {
    const x = sceneInput(scene(exp.seed));
    const r = await detect(parts, x);
    const c = compareWithTorch(r, exp, 1e-3);
    const obj = await r.objectness.data();
    c.objectnessMaxDiff = Math.max(...exp.objectness.map((v, i) => Math.abs(v - obj[i])));
    c.maskAreas = r.detections.map((d) => d.mask.reduce((a, b) => a + b, 0));
    c.torchMaskAreas = exp.detections.map((d) => d.maskArea);
    results.push(c);
    r.dispose();
    x.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'detect() results dispose every tensor');
  return { parity, results };
}

test('tiny detector: TF.js proposals, detections and masks match torchvision', async () => {
  const { parity, results } = await checkParity(TINY);
  assert.equal(parity.scenes.length, 4);
  results.forEach((c, i) => {
    assert.ok(c.ok, `scene ${parity.scenes[i].seed}: ${c.problems.join('; ')}`);
    assert.equal(c.proposals.count, 100);
    assert.ok(c.detections.count > 0);
    assert.ok(c.objectnessMaxDiff < 1e-5, `objectness differs by ${c.objectnessMaxDiff}`);
    assert.deepEqual(c.maskAreas, c.torchMaskAreas, 'pasted mask areas (pixels > 0.5)');
  });
  // The fixture must exercise the masks: some pasted masks are non-empty.
  assert.ok(results.some((c) => c.maskAreas.some((a) => a > 0)));
});

test('tiny detector: a wrong anchor order or box-coder weights would be caught', async () => {
  const reversed = await checkParity(TINY, { config: (c) => ({ ...c, anchorRatios: [...c.anchorRatios].reverse() }) });
  assert.ok(reversed.results.some((c) => !c.ok), 'anchors in the wrong order must break parity');
  const weights = await checkParity(TINY, { config: (c) => ({ ...c, box: { ...c.box, boxWeights: [1, 1, 1, 1] } }) });
  assert.ok(weights.results.some((c) => !c.ok), 'the box head without its (10, 10, 5, 5) weights must break parity');
});

test('trained shapes-detector: TF.js matches torchvision', { skip: existsSync(join(TRAINED, 'parity.json')) ? false : 'models/shapes-detector is not exported yet' }, async () => {
  const { parity, results } = await checkParity(TRAINED);
  results.forEach((c, i) => {
    assert.ok(c.ok, `scene ${parity.scenes[i].seed}: ${c.problems.join('; ')}`);
    assert.deepEqual(c.maskAreas, c.torchMaskAreas);
  });
});
