import { expect } from '@open-wc/testing';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  tf,
  loadModel,
  neuronGradient,
  saliencyMaps,
  saliencyDisplay,
  targetValue,
  countRuleRelus,
  visualisableLayers,
  type Tensor4D,
  type ReluRule,
  type NeuronTarget,
} from '../src/index.js';
import { describeOnEachBackend, maxAbsDiff } from './helpers.js';

const DIGITS = new URL('../../models/models/digits/model.json', import.meta.url).href;

/**
 * The hand-worked case: x = (1, 2) as a 1×1 image with 2 channels.
 *   conv 1×1, ReLU fused:  a = x1 - x2 = -1 (off),  b = x1 + x2 = 3 (on);   h1 = (0, 3)
 *   dense, ReLU fused:     p = a + b = 3 (on),       q = a - b = -3 (off);  h2 = (3, 0)
 *   logits:                S0 = -p + 2q = -3,        S1 = p + q = 3
 * Backward for S0, g = dS0/dh2 = (-1, 2):
 *   gradient:  (-1, 2)·[on, off] = (-1, 0) -> h1: (-1, -1)·[off, on] = (0, -1) -> x: -1·(1, 1) = (-1, -1)
 *   deconvnet: relu(-1, 2) = (0, 2) -> h1: (2, -2) -> relu (2, 0) -> x: 2·(1, -1) = (2, -2)
 *   guided:    (-1, 0) then g > 0: (0, 0) -> x: (0, 0)
 * For S1, g = (1, 1):
 *   gradient:  (1, 0) -> h1 (1, 1)·[off, on] = (0, 1) -> x: (1, 1)
 *   deconvnet: (1, 1) -> h1 (2, 0) -> (2, 0) -> x: (2, -2)
 *   guided:    (1, 0) -> (1, 1) -> (0, 1) -> x: (1, 1)
 * If the rule missed the dense layer's fused ReLU, deconvnet for S0 would give (0, 0), not (2, -2).
 */
const EXPECTED: Record<number, Record<ReluRule, number[]>> = {
  0: { gradient: [-1, -1], deconvnet: [2, -2], guided: [0, 0] },
  1: { gradient: [1, 1], deconvnet: [2, -2], guided: [1, 1] },
};

function handNet(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [1, 1, 2], filters: 2, kernelSize: 1, activation: 'relu', useBias: false, name: 'c1' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 2, activation: 'relu', useBias: false, name: 'd1' }),
      tfl.layers.dense({ units: 2, useBias: false, name: 'out' }),
    ],
  });
  // Kernel [in, out]: a = x1 - x2, b = x1 + x2; p = a + b, q = a - b; S0 = -p + 2q, S1 = p + q.
  m.getLayer('c1').setWeights([tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2])]);
  m.getLayer('d1').setWeights([tf.tensor2d([1, 1, 1, -1], [2, 2])]);
  m.getLayer('out').setWeights([tf.tensor2d([-1, 1, 2, 1], [2, 2])]);
  return m;
}

/** The same function with separate ReLU and Activation('relu') layers instead of fused ones. */
function handNetSeparate(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [1, 1, 2], filters: 2, kernelSize: 1, useBias: false, name: 'c1' }),
      tfl.layers.reLU({ name: 'r1' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, name: 'd1' }),
      tfl.layers.activation({ activation: 'relu', name: 'r2' }),
      tfl.layers.dense({ units: 2, useBias: false, name: 'out', activation: 'softmax' }),
    ],
  });
  m.getLayer('c1').setWeights([tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2])]);
  m.getLayer('d1').setWeights([tf.tensor2d([1, 1, 1, -1], [2, 2])]);
  m.getLayer('out').setWeights([tf.tensor2d([-1, 1, 2, 1], [2, 2])]);
  return m;
}

/** A small conv net with fixed weights (no RNG) and ReLUs fused into every conv and dense layer. */
function smallConvNet(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 6, activation: 'relu', name: 'fc' }),
      tfl.layers.dense({ units: 3, name: 'logits' }),
    ],
  });
  for (const [k, l] of m.layers.entries()) {
    const ws = l.getWeights();
    if (!ws.length) continue;
    // getWeights() hands out the variables' own tensors: not to be disposed.
    l.setWeights(ws.map((w, j) => tf.tensor(Float32Array.from({ length: w.size }, (_, i) => 0.5 * Math.sin(1.3 * i + 2 * k + j) + (j ? 0.05 : 0)), w.shape)));
  }
  return m;
}

function smoothImage(h = 8, w = 8): Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: h * w }, (_, i) => 0.5 + 0.4 * Math.sin(0.9 * i) * Math.cos(0.3 * i)),
    [1, h, w, 1],
  );
}

/**
 * Finite differences of a scalar function of the image at every pixel: the central difference where
 * the function is smooth within eps (the forward and backward differences agree), null at a kink
 * (a ReLU input or a max-pool tie within eps of switching), where no gradient is defined.
 */
async function finiteDifferences(f: (x: Tensor4D) => tf.Tensor, x: Tensor4D, eps = 1e-3): Promise<(number | null)[]> {
  const base = await x.data();
  const at = async (v: Float32Array) => {
    const y = tf.tidy(() => f(tf.tensor4d(v, x.shape)));
    const r = (await y.data())[0];
    y.dispose();
    return r;
  };
  const f0 = await at(Float32Array.from(base));
  const out: (number | null)[] = [];
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    const fp = await at(plus);
    const fm = await at(minus);
    const fwd = (fp - f0) / eps;
    const bwd = (f0 - fm) / eps;
    out.push(Math.abs(fwd - bwd) > 0.02 * Math.max(0.1, Math.abs(fwd) + Math.abs(bwd)) ? null : (fp - fm) / (2 * eps));
  }
  return out;
}

describeOnEachBackend('neuronGradient and saliencyMaps', () => {
  const x = () => tf.tensor4d([1, 2], [1, 1, 1, 2]);

  for (const cls of [0, 1]) {
    for (const rule of ['gradient', 'deconvnet', 'guided'] as const) {
      it(`gives the hand-worked ${rule} map of class ${cls}, through fused ReLUs`, async () => {
        const m = handNet();
        const xi = x();
        const before = tf.memory().numTensors;
        const g = neuronGradient(m, xi, { class: cls, rule });
        expect(Array.from(await g.data())).to.deep.equal(EXPECTED[cls][rule]);
        g.dispose();
        expect(tf.memory().numTensors).to.equal(before);
        xi.dispose();
        m.dispose();
      });
    }
  }

  it('reaches separate ReLU and Activation layers too, and scores before a final softmax', async () => {
    const m = handNetSeparate();
    expect(countRuleRelus(m)).to.equal(2);
    const xi = x();
    for (const cls of [0, 1]) {
      const s = saliencyMaps(m, xi, { class: cls });
      expect(Array.from(await s.gradient.data())).to.deep.equal(EXPECTED[cls].gradient);
      expect(Array.from(await s.deconvnet.data())).to.deep.equal(EXPECTED[cls].deconvnet);
      expect(Array.from(await s.guided.data())).to.deep.equal(EXPECTED[cls].guided);
      tf.dispose([s.gradient, s.deconvnet, s.guided]);
    }
    // S0 = -3 is the logit, not a softmax probability.
    const v = targetValue(m, xi, { class: 0 });
    expect(Array.from(await v.data())).to.deep.equal([-3]);
    tf.dispose([v, xi]);
    m.dispose();
  });

  it('computes all three maps in one batched pass, equal to one rule at a time', async () => {
    const m = handNet();
    expect(countRuleRelus(m)).to.equal(2);
    const xi = x();
    const before = tf.memory().numTensors;
    const s = saliencyMaps(m, xi, { class: 1 });
    for (const rule of ['gradient', 'deconvnet', 'guided'] as const) {
      const one = neuronGradient(m, xi, { class: 1, rule });
      expect(Array.from(await s[rule].data())).to.deep.equal(Array.from(await one.data()));
      one.dispose();
    }
    tf.dispose([s.gradient, s.deconvnet, s.guided]);
    expect(tf.memory().numTensors).to.equal(before);
    xi.dispose();
    m.dispose();
  });

  it('takes a hidden unit before its own ReLU (a unit that is off still has a gradient)', async () => {
    const m = handNet();
    const xi = x();
    // Unit a of c1: a = x1 - x2 = -1, d a / d x = (1, -1) whatever the rule (no ReLU below it).
    for (const rule of ['gradient', 'deconvnet', 'guided'] as const) {
      const g = neuronGradient(m, xi, { layer: 'c1', unit: 0, rule });
      expect(Array.from(await g.data())).to.deep.equal([1, -1]);
      g.dispose();
    }
    // Unit q of d1: q = a - b, below it the c1 ReLU: gradient: (0, -1)·W1 -> (-1, -1); deconvnet:
    // relu(1, -1) = (1, 0) -> (1, -1); guided: [on](1, -1) = (0, -1), then > 0: (0, 0).
    const want: Record<ReluRule, number[]> = { gradient: [-1, -1], deconvnet: [1, -1], guided: [0, 0] };
    for (const rule of ['gradient', 'deconvnet', 'guided'] as const) {
      const g = neuronGradient(m, xi, { layer: 'd1', unit: 1, rule });
      expect(Array.from(await g.data()), rule).to.deep.equal(want[rule]);
      g.dispose();
    }
    const v = targetValue(m, xi, { layer: 'd1', unit: 1 });
    expect(Array.from(await v.data())).to.deep.equal([-3]);
    tf.dispose([v, xi]);
    m.dispose();
  });

  it('matches finite differences for a class score and for spatial units (gradient rule)', async () => {
    const m = smallConvNet();
    const xi = smoothImage();
    const targets: NeuronTarget[] = [{ class: 2 }, { layer: 'conv2', unit: 1, position: [2, 1] }, { layer: 'conv2', unit: 3, position: 'mean' }, { layer: 'fc', unit: 4 }];
    for (const t of targets) {
      const g = neuronGradient(m, xi, { ...t, rule: 'gradient' } as NeuronTarget);
      const fd = await finiteDifferences((im) => targetValue(m, im, t), xi);
      const ga = Array.from(await g.data());
      const scale = Math.max(1e-3, ...ga.map(Math.abs));
      const smooth = fd.map((v, i) => [v, ga[i]] as const).filter(([v]) => v !== null) as [number, number][];
      expect(smooth.length, `${JSON.stringify(t)}: pixels away from a kink`).to.be.at.least(0.85 * fd.length);
      const err = Math.max(...smooth.map(([v, a]) => Math.abs(v - a)));
      expect(err / scale, JSON.stringify(t)).to.be.below(0.02);
      g.dispose();
    }
    xi.dispose();
    m.dispose();
  });

  it("takes the unit's most active position by default ('max')", async () => {
    const m = smallConvNet();
    const xi = smoothImage();
    // conv2's channel 0 before its ReLU, at every position of its 4×4 map.
    const vals: number[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) vals.push((await targetValue(m, xi, { layer: 'conv2', unit: 0, position: [r, c] }).data())[0]);
    const best = vals.indexOf(Math.max(...vals));
    const gMax = neuronGradient(m, xi, { layer: 'conv2', unit: 0 });
    const gAt = neuronGradient(m, xi, { layer: 'conv2', unit: 0, position: [Math.floor(best / 4), best % 4] });
    expect(maxAbsDiff(await gMax.data(), await gAt.data())).to.be.below(1e-6);
    tf.dispose([gMax, gAt, xi]);
    m.dispose();
  });

  it('says which layer, unit or class is wrong', () => {
    const m = handNet();
    const xi = x();
    expect(() => neuronGradient(m, xi, { layer: 'conv9', unit: 0 })).to.throw(/no layer 'conv9'.*c1, d1, out/);
    expect(() => neuronGradient(m, xi, { layer: 'd1', unit: 2 })).to.throw(RangeError, /d1 has 2 units, 0 to 1; there is no unit 2/);
    expect(() => neuronGradient(m, xi, { class: 5 })).to.throw(RangeError, /no class 5: the model has classes 0 to 1/);
    expect(() => neuronGradient(m, xi, { class: 0, rule: 'magic' as ReluRule })).to.throw(/Unknown rule 'magic'/);
    expect(visualisableLayers(m).map((l) => [l.name, l.units, l.spatial])).to.deep.equal([
      ['c1', 2, true],
      ['d1', 2, false],
      ['out', 2, false],
    ]);
    xi.dispose();
    m.dispose();
  });

  it('shows a signed map (sum over channels) and a magnitude map (max |g| over channels)', async () => {
    const g = tf.tensor4d([1, -3, 2, 2, -0.5, 0.25, 0, 0], [1, 2, 2, 2]);
    const d = saliencyDisplay(g);
    expect(Array.from(await d.signed.data())).to.deep.equal([-2, 4, -0.25, 0]);
    expect(Array.from(await d.magnitude.data())).to.deep.equal([3, 2, 0.5, 0]);
    tf.dispose([g, d.signed, d.magnitude]);
  });

  it('reaches every ReLU of the bundled digits model (4: three convs and the dense layer), and restores it', async () => {
    const m = await loadModel(DIGITS);
    expect(countRuleRelus(m)).to.equal(4);
    const xi = tf.tidy(() => tf.pad(tf.ones([1, 12, 4, 1]), [[0, 0], [8, 8], [12, 12], [0, 0]]) as Tensor4D);
    const before = tf.memory().numTensors;
    const s = saliencyMaps(m, xi, { class: 1 });
    const [a, b, c] = await Promise.all([s.gradient.data(), s.deconvnet.data(), s.guided.data()]);
    expect(maxAbsDiff(a, b), 'deconvnet differs from the gradient').to.be.above(1e-3);
    expect(maxAbsDiff(a, c), 'guided differs from the gradient').to.be.above(1e-3);
    // The model runs as before afterwards: the fused kernels are back (logits equal the plain run).
    const l1 = m.logits(xi);
    const l2 = m.layers!.predict(xi) as tf.Tensor;
    expect(maxAbsDiff(await l1.data(), await l2.data())).to.be.below(1e-5);
    expect((m.layers!.getLayer('conv1') as unknown as { activation: { getClassName(): string } }).activation.getClassName()).to.equal('relu');
    tf.dispose([s.gradient, s.deconvnet, s.guided, l1, l2]);
    expect(tf.memory().numTensors).to.equal(before);
    xi.dispose();
  });
});
