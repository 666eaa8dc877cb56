// The detection and segmentation formulas, against numbers worked by hand, on every backend.
import { expect } from '@open-wc/testing';
import {
  tf,
  boxIou,
  boxArea,
  encodeBoxes,
  decodeBoxes,
  clipBoxes,
  xyxyToYxyx,
  anchorGrid,
  cellAnchors,
  labelAnchors,
  nms,
  batchedNms,
  roiPool,
  roiAlign,
  roiPoolBins,
  receptiveField,
  receptiveRegion,
  averagePrecision,
  meanAveragePrecision,
  confusionMatrix,
  meanIoU,
  BBOX_XFORM_CLIP,
  type Tensor4D,
} from '../src/index.js';
import { describeOnEachBackend } from './helpers.js';
// @ts-expect-error: plain ESM shared with the Node test
import { AP_GROUND_TRUTH, AP_DETECTIONS } from './ap-example.mjs';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length, 'length').to.equal(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).to.be.at.most(tol);
};
const flat = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};
/** The 4 x 4 ramp f(y, x) = 4y + x as an NHWC map [1, 4, 4, 1]. */
const ramp = () => tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]) as Tensor4D;

describeOnEachBackend('detection formulas', () => {
  let baseline = 0;
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors leaked').to.equal(baseline);
  });

  it('boxIou: [0,0,2,2] and [1,1,3,3] overlap in 1 of 7 pixels; areas are (x2-x1)(y2-y1)', async () => {
    const a = tf.tensor2d([[0, 0, 2, 2], [0, 0, 4, 4]]);
    const b = tf.tensor2d([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]]);
    close(await flat(boxIou(a, b)), [1 / 7, 1, 0, 4 / 16, 4 / 16, 0]);
    close(await flat(boxArea(b)), [4, 4, 1]);
    tf.dispose([a, b]);
  });

  it('encode / decode: anchor [0,0,10,10], box [5,5,25,15] -> (1, 0.5, log 2, 0); weights (10,10,5,5) scale them; decode inverts', async () => {
    const anchor = tf.tensor2d([[0, 0, 10, 10]]);
    const gt = tf.tensor2d([[5, 5, 25, 15]]);
    close(await flat(encodeBoxes(gt, anchor)), [1, 0.5, Math.LN2, 0]);
    const d = encodeBoxes(gt, anchor, [10, 10, 5, 5]);
    close(Array.from(await d.data()), [10, 5, 5 * Math.LN2, 0], 1e-4);
    close(await flat(decodeBoxes(d, anchor, [10, 10, 5, 5])), [5, 5, 25, 15], 1e-3);
    tf.dispose([anchor, gt, d]);
  });

  it('decode clamps dw, dh at log(1000/16): a delta of 10 gives a 625-pixel box, not 220,000', async () => {
    const anchor = tf.tensor2d([[0, 0, 10, 10]]);
    const delta = tf.tensor2d([[0, 0, 10, -1]]);
    expect(BBOX_XFORM_CLIP).to.be.closeTo(Math.log(62.5), 1e-12);
    close(await flat(decodeBoxes(delta, anchor)), [5 - 312.5, 5 - 5 * Math.exp(-1), 5 + 312.5, 5 + 5 * Math.exp(-1)], 2e-3);
    close(await flat(decodeBoxes(delta, anchor, [1, 1, 1, 1], Infinity)), [5 - 5 * Math.exp(10), 5 - 5 * Math.exp(-1), 5 + 5 * Math.exp(10), 5 + 5 * Math.exp(-1)], 5);
    tf.dispose([anchor, delta]);
  });

  it('clipBoxes and xyxyToYxyx convert at the edge', async () => {
    const b = tf.tensor2d([[-5, 2, 30, 40]]);
    close(await flat(clipBoxes(b, [32, 20])), [0, 2, 20, 32]);
    close(await flat(xyxyToYxyx(b)), [2, -5, 40, 30]);
    b.dispose();
  });

  it('anchors: size 32, ratios h/w 0.5, 1, 2 -> [-23,-11,23,11], [-16,-16,16,16], [-11,-23,11,23]; halves round to even', async () => {
    expect(cellAnchors([32], [0.5, 1, 2])).to.deep.equal([[-23, -11, 23, 11], [-16, -16, 16, 16], [-11, -23, 11, 23]]);
    // 13 / 2 = 6.5 -> 6 and 27 / 2 = 13.5 -> 14 (half to even), as torch.round.
    expect(cellAnchors([13, 27], [1])).to.deep.equal([[-6, -6, 6, 6], [-14, -14, 14, 14]]);
    const g = anchorGrid({ sizes: [32], ratios: [0.5, 1, 2], stride: 16, featureSize: [2, 3] });
    expect(g.shape).to.deep.equal([2 * 3 * 3, 4]);
    const v = await g.array();
    g.dispose();
    // Order: location (y outer, x inner), then ratio. Anchor 3 is the ratio-0.5 anchor at x = 1 (centre 16, 0).
    expect(v[3]).to.deep.equal([16 - 23, -11, 16 + 23, 11]);
    // Anchor 9 starts the second row (y = 1, centre 0, 16).
    expect(v[9]).to.deep.equal([-23, 16 - 11, 23, 16 + 11]);
    // Two sizes: ratio outer, size inner.
    const g2 = anchorGrid({ sizes: [16, 32], ratios: [1, 2], stride: [8, 4], featureSize: 1 });
    expect(await g2.array()).to.deep.equal([[-8, -8, 8, 8], [-16, -16, 16, 16], [-6, -11, 6, 11], [-11, -23, 11, 23]]);
    g2.dispose();
  });

  it('nms keeps a box whose IoU equals the threshold; tf.image.nonMaxSuppression drops it', async () => {
    // A = [0,0,4,4] (0.9), B = [0,0,4,2] (0.8): IoU(A, B) = 8 / 16 = 0.5 exactly.
    // C = [0,0,4,3] (0.7): IoU(A, C) = 12 / 16 = 0.75 > 0.5, dropped by both.
    const boxes = tf.tensor2d([[0, 0, 4, 4], [0, 0, 4, 2], [0, 0, 4, 3]]);
    const scores = tf.tensor1d([0.9, 0.8, 0.7]);
    close(await flat(boxIou(boxes, boxes)), [1, 0.5, 0.75, 0.5, 1, 2 / 3, 0.75, 2 / 3, 1]);
    expect(await nms(boxes, scores, 0.5)).to.deep.equal([0, 1]);
    const yxyx = xyxyToYxyx(boxes);
    const theirs = await tf.image.nonMaxSuppressionAsync(yxyx, scores, 10, 0.5);
    expect(Array.from(await theirs.data())).to.deep.equal([0]);
    // Just above 0.5, ours drops B too.
    expect(await nms(boxes, scores, 0.4999)).to.deep.equal([0]);
    // Per class: boxes of other classes never suppress.
    expect(await batchedNms(boxes, scores, [0, 0, 1], 0.5)).to.deep.equal([0, 1, 2]);
    expect(await batchedNms(boxes, scores, [0, 1, 0], 0.5)).to.deep.equal([0, 1]);
    // Order is by decreasing score, not by index.
    expect(await nms([[0, 0, 1, 1], [5, 5, 6, 6]], [0.2, 0.6], 0.5)).to.deep.equal([1, 0]);
    tf.dispose([boxes, scores, yxyx, theirs]);
  });

  it('roiPool on a 4x4 ramp: box [0,0,3,3] into 2x2 -> 5 7 13 15 (end pixel included)', async () => {
    const x = ramp();
    close(await flat(roiPool(x, [[0, 0, 3, 3]], 2)), [5, 7, 13, 15]);
    // Box [0,0,2,2]: 3 pixels per side, bins of 1.5 -> rows/cols [0,2) and [1,3) overlap at 1.
    expect(roiPoolBins([0, 0, 2, 2], 2, 1, [4, 4])[0]).to.deep.equal([{ y0: 0, y1: 2, x0: 0, x1: 2 }, { y0: 0, y1: 2, x0: 1, x1: 3 }]);
    close(await flat(roiPool(x, [[0, 0, 2, 2]], 2)), [5, 6, 9, 10]);
    // Corners rounded: [0.4, 0.6, 2.5, 2.4] -> columns 0..3, rows 1..2 (2.5 rounds away from zero).
    close(await flat(roiPool(x, [[0.4, 0.6, 2.5, 2.4]], 2)), [5, 7, 9, 11]);
    // Outside the map: every bin empty -> 0. Spatial scale 0.5: [0,0,6,6] is [0,0,3,3] on the map.
    close(await flat(roiPool(x, [[10, 10, 12, 12]], 2)), [0, 0, 0, 0]);
    close(await flat(roiPool(x, [[0, 0, 6, 6]], 2, 0.5)), [5, 7, 13, 15]);
    // Batch index and channels: [2, 4, 4, 2] maps, the second map is -ramp in channel 0 and 10 x ramp in 1.
    const two = tf.tidy(() => tf.concat([tf.concat([x, x], 3), tf.concat([tf.neg(x), tf.mul(x, 10)], 3)], 0));
    const p = roiPool(two, [[1, 0, 0, 3, 3]], [1, 1]);
    expect(p.shape).to.deep.equal([1, 1, 1, 2]);
    close(await flat(p), [0, 150]);
    tf.dispose([x, two]);
  });

  it('roiAlign on the ramp: bilinear samples average exactly on a linear map (3.75 5.25 9.75 11.25; aligned 1.5625 ...)', async () => {
    const x = ramp();
    close(await flat(roiAlign(x, [[0, 0, 3, 3]], 2, { samplingRatio: 2 })), [3.75, 5.25, 9.75, 11.25]);
    // aligned: the box moves by -0.5, samples at -0.125 clamp to 0: x = y = (0 + 0.625) / 2.
    close(await flat(roiAlign(x, [[0, 0, 3, 3]], 2, { samplingRatio: 2, aligned: true })), [1.5625, 3, 7.3125, 8.75]);
    // Adaptive sampling ratio (ceil(3 / 2) = 2) is the same here.
    close(await flat(roiAlign(x, [[0, 0, 3, 3]], 2)), [3.75, 5.25, 9.75, 11.25]);
    // One sample in the middle of a 1x1 box: f(1.5, 1.5) = 7.5; beyond a pixel outside the map: 0.
    close(await flat(roiAlign(x, [[1, 1, 2, 2], [10, 10, 12, 12]], 1, { samplingRatio: 1 })), [7.5, 0]);
    x.dispose();
  });

  it('labelAnchors: >= 0.7 positive, < 0.3 negative, between ignored, and each box gets its best anchor', async () => {
    const gt = tf.tensor2d([[0, 0, 10, 10], [40, 40, 50, 50]]);
    // IoU with gt 0: 1, 0.5, 0, 0.8, 0; A4's IoU with gt 1 is 60 / 140 = 0.43 (between), but it is gt 1's best.
    const anchors = tf.tensor2d([[0, 0, 10, 10], [0, 0, 10, 5], [20, 20, 30, 30], [0, 0, 10, 8], [44, 40, 54, 50]]);
    const r = labelAnchors(anchors, gt, { fg: 0.7, bg: 0.3 });
    expect(Array.from(await r.labels.data())).to.deep.equal([1, -1, 0, 1, 1]);
    expect(Array.from(await r.matches.data())).to.deep.equal([0, -2, -1, 0, 1]);
    close(Array.from(await r.maxIou.data()), [1, 0.5, 0, 0.8, 60 / 140]);
    const strict = labelAnchors(anchors, gt, { allowLowQuality: false });
    expect(Array.from(await strict.labels.data())).to.deep.equal([1, -1, 0, 1, -1]);
    const empty = tf.zeros([0, 4]) as tf.Tensor2D;
    const none = labelAnchors(anchors, empty);
    expect(Array.from(await none.labels.data())).to.deep.equal([0, 0, 0, 0, 0]);
    tf.dispose([gt, anchors, r.labels, r.matches, r.maxIou, strict.labels, strict.matches, strict.maxIou, none.labels, none.matches, none.maxIou, empty]);
  });

  it('receptive field: L 3x3 convs see 1 + 2L pixels, and a gradient through real convs agrees', async () => {
    for (let L = 1; L <= 6; L++) {
      const rf = receptiveField(Array.from({ length: L }, () => ({ kernel: 3, padding: 1 })));
      expect(rf[L - 1]).to.include({ size: 1 + 2 * L, jump: 1, start: 0 });
    }
    const net = [{ kernel: 3, padding: 1 }, { kernel: 3, padding: 1 }, { kernel: 2, stride: 2 }, { kernel: 3, padding: 1 }];
    const rf = receptiveField(net, 16);
    expect(rf.map((l) => [l.size, l.jump, l.start, l.outputSize])).to.deep.equal([[3, 1, 0, 16], [5, 1, 0, 16], [6, 2, 0.5, 8], [10, 2, 0.5, 8]]);
    expect(receptiveRegion(rf[3], 3)).to.deep.equal([2, 11]);
    expect(receptiveRegion(rf[3], 0, 16)).to.deep.equal([0, 5]);
    expect(receptiveField([{ kernel: 3, dilation: 2 }])[0].size).to.equal(5);
    // The same stack in TF.js (ones kernels, average pooling): the input pixels with a non-zero
    // gradient for output unit (3, 3) are exactly rows and columns 2..11.
    const k = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    const g = tf.tidy(() => {
      const f = (x: tf.Tensor) => {
        let h = tf.conv2d(x as Tensor4D, k, 1, 'same');
        h = tf.conv2d(h, k, 1, 'same');
        h = tf.avgPool(h, 2, 2, 'valid');
        h = tf.conv2d(h, k, 1, 'same');
        return tf.sum(tf.slice(h, [0, 3, 3, 0], [1, 1, 1, 1]));
      };
      return tf.grad(f)(tf.ones([1, 16, 16, 1]));
    });
    const v = await g.data();
    g.dispose();
    k.dispose();
    const rows = new Set<number>();
    const cols = new Set<number>();
    v.forEach((val, i) => {
      if (Math.abs(val) > 1e-6) {
        rows.add(Math.floor(i / 16));
        cols.add(i % 16);
      }
    });
    expect([Math.min(...rows), Math.max(...rows), Math.min(...cols), Math.max(...cols)]).to.deep.equal([2, 11, 2, 11]);
  });

  it('meanIoU of two 2x3 label maps: per class 2/3, 1/2, 1/3, mean 1/2; ignored pixels do not count', async () => {
    const target = tf.tensor2d([[0, 1, 1], [2, 2, 0]], undefined, 'int32');
    const pred = tf.tensor2d([[0, 1, 2], [2, 0, 0]], undefined, 'int32');
    const r = await meanIoU(target, pred, 3);
    close(r.perClass, [2 / 3, 1 / 2, 1 / 3]);
    expect(r.mean).to.be.closeTo(0.5, 1e-9);
    expect(r.pixelAccuracy).to.be.closeTo(4 / 6, 1e-9);
    expect(r.confusion).to.deep.equal([[2, 0, 0], [0, 1, 1], [1, 0, 1]]);
    const t2 = tf.tensor2d([[0, 1, 1], [2, 255, 0]], undefined, 'int32');
    const r2 = await meanIoU(t2, pred, 3);
    close(r2.perClass, [1, 1 / 2, 1 / 2]);
    const cm = confusionMatrix(target, target, 4);
    close(await flat(cm), [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    const r3 = await meanIoU(target, target, 4);
    expect(Number.isNaN(r3.perClass[3])).to.equal(true);
    expect(r3.mean).to.equal(1);
    tf.dispose([target, pred, t2]);
  });
});

describe('average precision (plain numbers)', () => {
  const gt = AP_GROUND_TRUTH as { box: number[] }[];
  const dets = AP_DETECTIONS as { box: number[]; score: number }[];

  it('five detections, VOC all-point interpolation: AP = 34/45', () => {
    const r = averagePrecision(dets, gt);
    expect(r.order).to.deep.equal([1, 3, 4, 0, 2]);
    expect(r.tp).to.deep.equal([true, false, true, false, true]);
    close(r.precision, [1, 1 / 2, 2 / 3, 2 / 4, 3 / 5], 1e-12);
    close(r.recall, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 1], 1e-12);
    expect(r.ap).to.be.closeTo(34 / 45, 1e-12);
  });

  it('at IoU 0.9 the shifted hit (IoU 0.82) is a miss: AP = 1/3 + 1/3 * 0.4 = 7/15', () => {
    expect(averagePrecision(dets, gt, { iouThreshold: 0.9 }).ap).to.be.closeTo(7 / 15, 1e-12);
  });

  it('detections only match boxes of their own image; mAP averages classes with ground truth', () => {
    const other = dets.map((d) => ({ ...d, image: 'b' }));
    expect(averagePrecision(other, gt).ap).to.equal(0);
    const m = meanAveragePrecision(
      [...dets.map((d) => ({ ...d, label: 1 })), { box: [5, 5, 9, 9], score: 0.3, label: 2 }, { box: [0, 0, 1, 1], score: 0.9, label: 3 }],
      [...gt.map((g) => ({ ...g, label: 1 })), { box: [5, 5, 9, 9], label: 2 }],
    );
    expect(m.perClass[1]).to.be.closeTo(34 / 45, 1e-12);
    expect(m.perClass[2]).to.equal(1);
    expect(Number.isNaN(m.perClass[3])).to.equal(true);
    expect(m.map).to.be.closeTo((34 / 45 + 1) / 2, 1e-12);
  });
});
