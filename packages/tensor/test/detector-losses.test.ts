// The four detection losses in the browser: torchvision parity of the formulas (the fixture of
// scripts/make-loss-fixture.py), and detectorLosses() on @convlab/models' tiny untrained detector,
// the same on the cpu and wasm backends, with every tensor released.
import { expect } from '@open-wc/testing';
import { tf, detect, loadDetector, detectorLosses, rpnLoss, headLoss, type DetectorParts, type DetectorLosses, type Tensor3D } from '../src/index.js';
import { scene } from '@convlab/scenes';
import { describeOnEachBackend } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let fx: any;
let parts: DetectorParts;
const byBackend: Record<string, DetectorLosses> = {};

before(async () => {
  fx = await (await fetch(new URL('./fixtures/detector-losses.json', import.meta.url))).json();
});

describe('detection losses: torchvision parity of the formulas', () => {
  it('rpnLoss and headLoss equal compute_loss and fastrcnn_loss on fixed sampled sets', () => {
    for (const c of fx.cases) {
      const r = rpnLoss(c.objectness, c.deltas, c.labels, c.targets, { pos: c.pos, neg: c.neg });
      const h = headLoss(c.logits, c.boxRegression, c.roiLabels, c.roiTargets);
      expect(r.objectness).to.be.closeTo(c.rpnObjectness, 1e-5);
      expect(r.box).to.be.closeTo(c.rpnBox, 1e-5);
      expect(h.classifier).to.be.closeTo(c.headClassifier, 1e-5);
      expect(h.box).to.be.closeTo(c.headBox, 1e-5);
    }
  });
});

describeOnEachBackend(
  'detectorLosses on the tiny detector',
  () => {
    it('gives the same four losses and samples on every backend, tensors released', async () => {
      parts ??= await loadDetector(new URL('../../models/fixtures/detector-tiny/detector.json', import.meta.url).href);
      const s = scene(5);
      const base = tf.memory().numTensors;
      const x = tf.tidy(() => tf.div(tf.tensor3d(Int32Array.from(s.image), [s.height, s.width, 3], 'float32'), 255) as Tensor3D);
      const r = await detect(parts, x, { masks: false });
      const L = await detectorLosses(parts, r, { boxes: s.objects.map((o) => o.box), labels: s.objects.map((o) => o.label) }, { seed: 3 });
      r.dispose();
      x.dispose();
      expect(tf.memory().numTensors).to.equal(base);
      for (const k of ['rpnObjectness', 'rpnBox', 'headClassifier', 'headBox'] as const) expect(Number.isFinite(L[k]), k).to.equal(true);
      const other = Object.values(byBackend)[0];
      if (other) {
        expect(L.rpnSample).to.deep.equal(other.rpnSample);
        expect(L.headSample).to.deep.equal(other.headSample);
        for (const k of ['rpnObjectness', 'rpnBox', 'headClassifier', 'headBox'] as const) expect(L[k], k).to.be.closeTo(other[k], 1e-3 * Math.max(1, other[k]));
      }
      byBackend[tf.getBackend()] = L;
    });
  },
  ['cpu', 'wasm'],
);
