// Parity with torchvision: test/fixtures/detection-parity.json holds torchvision's own outputs
// (written by scripts/make-detection-fixtures.py with Debian's python3-torchvision) for anchors,
// BoxCoder, box_iou, nms, batched_nms, roi_pool, roi_align and the RPN's anchor labels.
import { expect } from '@open-wc/testing';
import { tf, anchorGrid, encodeBoxes, decodeBoxes, boxIou, nms, batchedNms, roiPool, roiAlign, labelAnchors, type Tensor2D, type Tensor4D } from '../src/index.js';
import { describeOnEachBackend } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let fx: any;
before(async () => {
  fx = await (await fetch(new URL('./fixtures/detection-parity.json', import.meta.url))).json();
});

function near(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error at ${at}: ${actual[at]} vs ${expected[at]}`).to.be.at.most(tol);
}

describeOnEachBackend('torchvision parity', () => {
  let baseline = 0;
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors leaked').to.equal(baseline);
  });

  it('anchorGrid equals AnchorGenerator.grid_anchors exactly', async () => {
    for (const c of fx.anchors) {
      const g = anchorGrid({ sizes: c.sizes, ratios: c.ratios, stride: c.stride, featureSize: c.featureSize });
      expect(await g.array(), JSON.stringify(c.sizes)).to.deep.equal(c.anchors);
      g.dispose();
    }
  });

  it('encodeBoxes / decodeBoxes match BoxCoder.encode_single / decode_single (both weightings, past the clamp)', async () => {
    for (const c of fx.coder) {
      const a = tf.tensor2d(c.anchors) as Tensor2D;
      const g = tf.tensor2d(c.gt) as Tensor2D;
      const d = tf.tensor2d(c.deltas) as Tensor2D;
      const e = encodeBoxes(g, a, c.weights);
      const b = decodeBoxes(d, a, c.weights);
      near(await e.data(), c.encoded.flat(), 1e-4, `encode ${c.weights}`);
      near(await b.data(), c.decoded.flat(), 1e-4, `decode ${c.weights}`);
      tf.dispose([a, g, d, e, b]);
    }
  });

  it('boxIou matches box_iou', async () => {
    const a = tf.tensor2d(fx.iou.a) as Tensor2D;
    const b = tf.tensor2d(fx.iou.b) as Tensor2D;
    const v = boxIou(a, b);
    near(await v.data(), fx.iou.iou.flat(), 1e-5, 'iou');
    tf.dispose([a, b, v]);
  });

  it('nms and batchedNms keep the same boxes in the same order as torchvision', async () => {
    const boxes = tf.tensor2d(fx.nms.boxes) as Tensor2D;
    const scores = tf.tensor1d(fx.nms.scores);
    for (const r of fx.nms.results) {
      expect(await nms(boxes, scores, r.threshold), `nms ${r.threshold}`).to.deep.equal(r.keep);
      expect(await batchedNms(boxes, scores, fx.nms.classes, r.threshold), `batched ${r.threshold}`).to.deep.equal(r.batched);
    }
    tf.dispose([boxes, scores]);
  });

  it('roiPool and roiAlign match roi_pool and roi_align (scales, sampling ratios, aligned, boxes outside the map)', async () => {
    const f = tf.tensor4d(fx.roi.features) as Tensor4D;
    for (const c of fx.roi.pool) {
      const p = roiPool(f, fx.roi.rois, c.outputSize, c.spatialScale);
      near(await p.data(), c.out.flat(3), 1e-5, `roi_pool ${c.outputSize} ${c.spatialScale}`);
      p.dispose();
    }
    for (const c of fx.roi.align) {
      const p = roiAlign(f, fx.roi.rois, c.outputSize, { spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned });
      near(await p.data(), c.out.flat(3), 2e-5, `roi_align ${JSON.stringify(c)}`.slice(0, 90));
      p.dispose();
    }
    f.dispose();
  });

  it('labelAnchors matches the RPN Matcher(0.7, 0.3, allow_low_quality_matches=True)', async () => {
    const a = tf.tensor2d(fx.match.anchors) as Tensor2D;
    const g = tf.tensor2d(fx.match.gt) as Tensor2D;
    const r = labelAnchors(a, g);
    expect(Array.from(await r.matches.data())).to.deep.equal(fx.match.matches);
    expect(Array.from(await r.labels.data())).to.deep.equal(fx.match.labels);
    tf.dispose([a, g, r.labels, r.matches, r.maxIou]);
  });
});
