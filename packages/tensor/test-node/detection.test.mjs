// The detection and segmentation formulas in Node on the cpu backend (the training and evaluation
// scripts use them there), against the same hand-worked numbers as test/detection.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, boxIou, anchorGrid, nms, batchedNms, roiPool, roiAlign, labelAnchors, receptiveField, averagePrecision, meanIoU, encodeBoxes, decodeBoxes } from '@convlab/tensor';
import { AP_GROUND_TRUTH, AP_DETECTIONS } from '../test/ap-example.mjs';

const close = (a, b, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `element ${i}: ${v} vs ${b[i]}`));
};

test('on cpu, with no tensor left behind', async () => {
  await ready();
  assert.equal(tf.getBackend(), 'cpu');
  const before = tf.memory().numTensors;

  const a = tf.tensor2d([[0, 0, 2, 2]]);
  const b = tf.tensor2d([[1, 1, 3, 3]]);
  const iou = boxIou(a, b);
  close(Array.from(await iou.data()), [1 / 7]);

  const anchor = tf.tensor2d([[0, 0, 10, 10]]);
  const gt = tf.tensor2d([[5, 5, 25, 15]]);
  const enc = encodeBoxes(gt, anchor);
  close(Array.from(await enc.data()), [1, 0.5, Math.LN2, 0]);
  const dec = decodeBoxes(enc, anchor);
  close(Array.from(await dec.data()), [5, 5, 25, 15], 1e-4);

  const g = anchorGrid({ sizes: [32], ratios: [0.5, 1, 2], stride: 16, featureSize: 2 });
  assert.deepEqual((await g.array()).slice(0, 4), [[-23, -11, 23, 11], [-16, -16, 16, 16], [-11, -23, 11, 23], [-7, -11, 39, 11]]);

  const boxes = [[0, 0, 4, 4], [0, 0, 4, 2], [0, 0, 4, 3]];
  assert.deepEqual(await nms(boxes, [0.9, 0.8, 0.7], 0.5), [0, 1]);
  assert.deepEqual(await batchedNms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], 0.5), [0, 1, 2]);

  const ramp = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
  const p = roiPool(ramp, [[0, 0, 3, 3], [0, 0, 2, 2]], 2);
  close(Array.from(await p.data()), [5, 7, 13, 15, 5, 6, 9, 10]);
  const al = roiAlign(ramp, [[0, 0, 3, 3]], 2, { samplingRatio: 2 });
  close(Array.from(await al.data()), [3.75, 5.25, 9.75, 11.25]);

  const gts = tf.tensor2d([[0, 0, 10, 10], [40, 40, 50, 50]]);
  const anchors = tf.tensor2d([[0, 0, 10, 10], [0, 0, 10, 5], [20, 20, 30, 30], [0, 0, 10, 8], [44, 40, 54, 50]]);
  const lab = labelAnchors(anchors, gts);
  assert.deepEqual(Array.from(await lab.labels.data()), [1, -1, 0, 1, 1]);

  for (let L = 1; L <= 5; L++) assert.equal(receptiveField(Array.from({ length: L }, () => ({ kernel: 3, padding: 1 })))[L - 1].size, 1 + 2 * L);

  assert.ok(Math.abs(averagePrecision(AP_DETECTIONS, AP_GROUND_TRUTH).ap - 34 / 45) < 1e-12);

  const t = tf.tensor2d([[0, 1, 1], [2, 2, 0]], undefined, 'int32');
  const pr = tf.tensor2d([[0, 1, 2], [2, 0, 0]], undefined, 'int32');
  const m = await meanIoU(t, pr, 3);
  close(m.perClass, [2 / 3, 1 / 2, 1 / 3]);

  tf.dispose([a, b, iou, anchor, gt, enc, dec, g, ramp, p, al, gts, anchors, lab.labels, lab.matches, lab.maxIou, t, pr]);
  assert.equal(tf.memory().numTensors, before);
});
