// Node helpers for the shapes detector: load its four TF.js parts from a folder, turn a generated
// scene into the detector's input, and compare TF.js with torchvision's parity fixture.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadLayersModelFromDir, tf, useCpu } from './tf.mjs';

export const TEST_SEED_START = 2_000_000; // @convlab/scenes SPLITS.test.start

/** { config, backbone, rpn, box, mask } from a folder holding detector.json and the parts' folders. */
export async function loadDetectorFromDir(dir) {
  await useCpu();
  const config = JSON.parse(readFileSync(join(dir, 'detector.json'), 'utf8'));
  const parts = { config };
  for (const name of ['backbone', 'rpn', 'box', 'mask']) {
    const rel = config.parts?.[name] ?? `${name}/model.json`;
    parts[name] = (await loadLayersModelFromDir(join(dir, rel, '..'))).model;
  }
  return parts;
}

/** A scene of @convlab/scenes as the detector's input: [H, W, 3] float32 RGB in [0, 1]. */
export function sceneInput(s) {
  return tf.tidy(() => tf.div(tf.cast(tf.tensor3d(Uint8Array.from(s.image), [s.height, s.width, 3], 'int32'), 'float32'), 255));
}

export function readParity(dir) {
  const p = join(dir, 'parity.json');
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
}

/**
 * Compare one scene's TF.js result with torchvision's: the proposals (same boxes, in the same order)
 * and the detections (same labels, in the same order, boxes within `tol` px, scores within 1e-4).
 * Returns { ok, proposals: {count, expected, maxDiff}, detections: {...}, problems: [] }.
 */
export function compareWithTorch(result, expected, tol = 1e-3) {
  const problems = [];
  const diffRows = (a, b) => {
    let m = 0;
    for (let i = 0; i < Math.min(a.length, b.length); i++) for (let k = 0; k < 4; k++) m = Math.max(m, Math.abs(a[i][k] - b[i][k]));
    return m;
  };
  const props = result.proposals.boxes;
  const pMax = diffRows(props, expected.proposals);
  if (props.length !== expected.proposals.length) problems.push(`proposals: ${props.length} kept, torchvision kept ${expected.proposals.length}`);
  if (pMax > tol) problems.push(`proposals: largest coordinate difference ${pMax.toExponential(2)} px > ${tol}`);
  const dets = result.detections;
  const exp = expected.detections;
  if (dets.length !== exp.length) problems.push(`detections: ${dets.length}, torchvision ${exp.length}`);
  let dMax = 0;
  let sMax = 0;
  for (let i = 0; i < Math.min(dets.length, exp.length); i++) {
    if (dets[i].label !== exp[i].label) problems.push(`detection ${i}: label ${dets[i].label}, torchvision ${exp[i].label}`);
    for (let k = 0; k < 4; k++) dMax = Math.max(dMax, Math.abs(dets[i].box[k] - exp[i].box[k]));
    sMax = Math.max(sMax, Math.abs(dets[i].score - exp[i].score));
  }
  if (dMax > tol) problems.push(`detections: largest coordinate difference ${dMax.toExponential(2)} px > ${tol}`);
  if (sMax > 1e-4) problems.push(`detections: largest score difference ${sMax.toExponential(2)} > 1e-4`);
  return {
    ok: problems.length === 0,
    proposals: { count: props.length, expected: expected.proposals.length, maxDiff: pMax },
    detections: { count: dets.length, expected: exp.length, maxDiff: dMax, maxScoreDiff: sMax },
    problems,
  };
}
