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
  reluRuleBackward,
  ruleRelu,
  type Tensor4D,
  type ReluRule,
  type NeuronTarget,
} from '../src/index.js';
import { describeOnEachBackend, maxAbsDiff } from './helpers.js';
import { EXPECTED, handNet, handNetSeparate, smallConvNet, smoothImage, finiteDifferences } from './helpers/visualisation.js';

const DIGITS = new URL('../../models/models/digits/model.json', import.meta.url).href;

describeOnEachBackend('neuronGradient (vanilla) equals tf.grad through every kind of convolution', () => {
  it("'same', 'valid', stride 2, an even kernel and a max-pool: the input gradient of a class score", async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [11, 11, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.randomNormal({ seed: 1, stddev: 0.5 }), biasInitializer: tfl.initializers.constant({ value: 0.1 }) }),
        tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding: 'valid', activation: 'relu', kernelInitializer: tfl.initializers.randomNormal({ seed: 2, stddev: 0.5 }) }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.randomNormal({ seed: 3, stddev: 0.5 }) }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 4, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.randomNormal({ seed: 5, stddev: 0.5 }) }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.randomNormal({ seed: 4, stddev: 0.5 }) }),
      ],
    });
    const x = tf.randomUniform([2, 11, 11, 2], 0, 1, 'float32', 7) as Tensor4D;
    const ours = neuronGradient(m, x, { class: 2, rule: 'gradient' });
    const ref = tf.grad((xi: tf.Tensor) => tf.sum(tf.slice(m.predict(xi) as tf.Tensor2D, [0, 2], [-1, 1])))(x);
    const scale = Math.max(...(await tf.abs(ref).data()));
    expect(scale, 'a gradient that is not zero').to.be.above(1e-4);
    expect(maxAbsDiff(await ours.data(), await ref.data()) / scale).to.be.below(1e-4);
    tf.dispose([ours, ref, x]);
    m.dispose();
  });

  it('a dilated convolution (where tf.grad has no gradient) matches finite differences', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [7, 7, 1], filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.randomNormal({ seed: 11, stddev: 0.5 }), biasInitializer: tfl.initializers.constant({ value: 0.2 }) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.randomNormal({ seed: 12, stddev: 0.5 }) }),
      ],
    });
    const x = tf.randomUniform([1, 7, 7, 1], 0, 1, 'float32', 3) as Tensor4D;
    const ours = await neuronGradient(m, x, { class: 1, rule: 'gradient' }).data();
    const fd = await finiteDifferences((xi) => tf.slice(m.predict(xi) as tf.Tensor2D, [0, 1], [1, 1]), x, 1e-2);
    const checked = fd.map((v, i) => [v, ours[i]] as const).filter(([v]) => v !== null) as [number, number][];
    expect(checked.length, 'points away from a ReLU kink').to.be.above(30);
    for (const [v, o] of checked) expect(Math.abs(v - o)).to.be.below(2e-2 * Math.max(1, Math.abs(v)));
    x.dispose();
    m.dispose();
  });
});

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

  it("passes back what the slide's figure shows for one ReLU under each rule (Springenberg et al., Fig. 1)", () => {
    const f = [1, -1, 5, 2, -5, -7, -3, 2, 4];
    const r = [-2, 3, -1, 6, -3, 1, 2, -1, 3];
    expect(reluRuleBackward('gradient', f, r)).to.deep.equal([-2, 0, -1, 6, 0, 0, 0, -1, 3]);
    expect(reluRuleBackward('deconvnet', f, r)).to.deep.equal([0, 3, 0, 6, 0, 1, 2, 0, 3]);
    expect(reluRuleBackward('guided', f, r)).to.deep.equal([0, 0, 0, 6, 0, 0, 0, 0, 3]);
    // The same numbers through the rule-ReLU that the maps use.
    for (const rule of ['gradient', 'deconvnet', 'guided'] as const) {
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ruleRelu([rule])(x), tf.tensor(r))))(tf.tensor(f)).dataSync());
      expect(Array.from(g, (v) => v + 0), rule).to.deep.equal(reluRuleBackward(rule, f, r));
    }
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
