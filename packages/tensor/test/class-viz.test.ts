import { expect } from '@open-wc/testing';
import {
  tf,
  loadModel,
  classVisualisation,
  classVisGradient,
  roll,
  gaussianBlur,
  gaussianKernel1d,
  stepFor,
  targetValue,
  type Tensor4D,
  type NeuronTarget,
} from '../src/index.js';
import { describeOnEachBackend, maxAbsDiff } from './helpers.js';
import { handNet, smallConvNet, smoothImage, finiteDifferences } from './helpers/visualisation.js';

const DIGITS = new URL('../../models/models/digits/model.json', import.meta.url).href;

/** Sets the hand net's output weights to zero: S = 0 everywhere, so a step is pure L2 decay. */
function zeroScore(m: ReturnType<typeof handNet>): void {
  m.getLayer('out').setWeights([tf.zeros([2, 2])]);
}

describeOnEachBackend('classVisualisation', () => {
  it('rolls an image cyclically, and back', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const r = roll(x, 1, 1);
    // Rows swap (shift 1 of 2), columns shift right by one: [1 2 3; 4 5 6] -> [6 4 5; 3 1 2].
    expect(Array.from(await r.data())).to.deep.equal([6, 4, 5, 3, 1, 2]);
    const back = roll(r, -1, -1);
    expect(Array.from(await back.data())).to.deep.equal([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, r, back]);
  });

  it('blurs with a normalised Gaussian: constants stay, an impulse spreads as the kernel', async () => {
    const k = gaussianKernel1d(1);
    expect(k).to.have.length(5);
    expect(k.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    expect(k[0]).to.be.closeTo(k[4], 1e-15);
    // exp(-1/2) / (1 + 2 exp(-1/2) + 2 exp(-2)) for the neighbour of the centre.
    expect(k[1]).to.be.closeTo(Math.exp(-0.5) / (1 + 2 * Math.exp(-0.5) + 2 * Math.exp(-2)), 1e-12);
    const flat = tf.fill([1, 7, 7, 2], 0.3) as Tensor4D;
    const b = gaussianBlur(flat, 1);
    expect(maxAbsDiff(await b.data(), await flat.data())).to.be.below(1e-6);
    const imp = tf.tidy(() => tf.pad(tf.ones([1, 1, 1, 1]), [[0, 0], [4, 4], [4, 4], [0, 0]]) as Tensor4D);
    const bi = gaussianBlur(imp, 1);
    const v = await bi.data();
    expect(v[4 * 9 + 4]).to.be.closeTo(k[2] * k[2], 1e-6);
    expect(v[3 * 9 + 5]).to.be.closeTo(k[1] * k[3], 1e-6);
    tf.dispose([flat, b, imp, bi]);
  });

  it('takes one plain ascent step by hand: I + lr (dS/dI - 2 lambda I)', async () => {
    const m = handNet();
    const start = tf.tensor4d([1, 2], [1, 1, 1, 2]);
    // S1 = p + q; at (1, 2) dS1/dI = (1, 1) (see the saliency test); lambda = 0.1, lr = 0.5:
    // (1, 2) + 0.5 ((1, 1) - 0.2 (1, 2)) = (1.4, 2.3).
    const run = classVisualisation(m, { class: 1, start, lambda: 0.1, lr: 0.5, jitter: 0, blur: 0, clip: null, steps: 3 });
    run.step();
    expect(maxAbsDiff(await run.image.data(), [1.4, 2.3])).to.be.below(1e-6);
    const [s] = await run.readSteps();
    expect(s.step).to.equal(1);
    expect(s.scores[0]).to.be.closeTo(3, 1e-6); // S1 at the start image
    expect(s.norms[0]).to.be.closeTo(Math.hypot(1.4, 2.3), 1e-5);
    expect(run.done).to.equal(false);
    // Settings change mid-run: the next step uses them (here: no ascent, pure decay with lambda 0.5, lr 0.2 -> x 0.8).
    const before = Array.from(await run.image.data());
    run.setOptions({ lr: 0.2, lambda: 0.5 });
    zeroScore(m);
    run.step();
    expect(maxAbsDiff(await run.image.data(), before.map((v) => 0.8 * v))).to.be.below(1e-6);
    expect(() => run.setOptions({ lr: -1 })).to.throw(RangeError, /learning rate must be a number of at least 0/);
    run.step();
    expect(run.done).to.equal(true);
    run.setOptions({ steps: 5 });
    expect(run.done).to.equal(false);
    expect((await run.readSteps()).map((r) => r.step)).to.deep.equal([2, 3]);
    expect(run.steps).to.equal(5);
    run.dispose();
    start.dispose();
    m.dispose();
  });

  it('ascends the gradient of S - lambda ||I||^2 (finite differences)', async () => {
    const m = smallConvNet();
    const x = smoothImage();
    const lambda = 0.3;
    for (const t of [{ class: 1 }, { layer: 'conv2', unit: 2, position: 'mean' }] as NeuronTarget[]) {
      const { gradient, scores } = classVisGradient(m, x, [t], lambda);
      const fd = await finiteDifferences((im) => tf.sub(targetValue(m, im, t), tf.mul(lambda, tf.sum(tf.square(im)))), x);
      const g = Array.from(await gradient.data());
      const smooth = fd.map((v, i) => [v, g[i]] as const).filter(([v]) => v !== null) as [number, number][];
      expect(smooth.length).to.be.at.least(0.85 * fd.length);
      const scale = Math.max(...g.map(Math.abs));
      expect(Math.max(...smooth.map(([v, a]) => Math.abs(v - a))) / scale, JSON.stringify(t)).to.be.below(0.02);
      tf.dispose([gradient, scores]);
    }
    x.dispose();
    m.dispose();
  });

  it('stepFor starts a step only if it should end within the budget', () => {
    // A run whose steps each take 6 ms: within 14 ms, two steps (12 ms); a third would end at 18 ms.
    const busy = { stepCount: 0, steps: 100, get done() { return this.stepCount >= this.steps; }, step() { const t = performance.now(); while (performance.now() - t < 6); this.stepCount++; } };
    const n = stepFor(busy as unknown as Parameters<typeof stepFor>[0], 14);
    expect(n).to.be.within(1, 2);
    expect(stepFor(busy as unknown as Parameters<typeof stepFor>[0], 1), 'at least one step').to.equal(1);
    busy.stepCount = 99;
    expect(stepFor(busy as unknown as Parameters<typeof stepFor>[0], 100), 'not past the last step').to.equal(1);
  });

  it('raises the class score step by step, the same run for the same seed, and leaves no tensor', async () => {
    const m = smallConvNet();
    const before = tf.memory().numTensors;
    // Plain ascent (no jitter, no blur) on this 8×8 net: the score rises (at most steps: a step can cross a ReLU or max-pool switch).
    const plain = classVisualisation(m, { class: 0, steps: 40, lr: 0.2, lambda: 0.01, jitter: 0, blur: 0, start: 'noise' });
    while (!plain.done) stepFor(plain, 8);
    const steps = await plain.readSteps();
    expect(steps).to.have.length(40);
    expect(steps[39].scores[0]).to.be.above(steps[0].scores[0] + 0.1);
    const rising = steps.slice(1).filter((st, k) => st.scores[0] >= steps[k].scores[0] - 1e-5).length;
    expect(rising, 'steps that do not lower the score').to.be.at.least(30);
    plain.dispose();
    // With jitter and blur: the same seed gives the same run.
    const opts = { class: 0, steps: 40, lr: 0.2, lambda: 0.01, jitter: 1, blur: 0.5, blurEvery: 4, start: 'noise' as const, seed: 7 };
    const a = classVisualisation(m, opts);
    while (!a.done) stepFor(a, 8);
    expect((await a.readSteps()).length).to.equal(40);
    const b = classVisualisation(m, opts);
    while (!b.done) b.step();
    expect(maxAbsDiff(await a.image.data(), await b.image.data()), 'same seed, same image').to.be.below(1e-5);
    const c = classVisualisation(m, { ...opts, seed: 8 });
    while (!c.done) c.step();
    expect(maxAbsDiff(await a.image.data(), await c.image.data()), 'another seed, another image').to.be.above(1e-4);
    for (const r of [a, b, c]) r.dispose();
    expect(tf.memory().numTensors).to.equal(before);
    m.dispose();
  });

  it('keeps pixels in [0, 1] by default and pulls them toward 0 with lambda alone', async () => {
    const m = smallConvNet();
    const run = classVisualisation(m, { class: 2, steps: 20, lr: 5, jitter: 0, blur: 0, start: 'noise' });
    while (!run.done) run.step();
    const v = await run.image.data();
    expect(Math.min(...v)).to.be.at.least(0);
    expect(Math.max(...v)).to.be.at.most(1);
    run.dispose();
    // S = 0 (a zero-weight network): the ascent is pure decay, I_k = (1 - 2 lr lambda)^k I_0.
    const zero = handNet();
    zeroScore(zero);
    const start = tf.tensor4d([0.5, 0.8], [1, 1, 1, 2]);
    const decay = classVisualisation(zero, { class: 0, start, lambda: 0.5, lr: 0.1, jitter: 0, blur: 0, steps: 5 });
    while (!decay.done) decay.step();
    expect(maxAbsDiff(await decay.image.data(), [0.5 * 0.9 ** 5, 0.8 * 0.9 ** 5])).to.be.below(1e-6);
    tf.dispose([start]);
    decay.dispose();
    zero.dispose();
    m.dispose();
  });

  it('runs all classes at once as a batch, each image as if alone', async () => {
    const m = smallConvNet();
    const opts = { steps: 5, lr: 0.2, jitter: 0, blur: 0.6, blurEvery: 2, start: 'grey' as const };
    const all = classVisualisation(m, { ...opts, class: [0, 1, 2] });
    expect(all.image.shape).to.deep.equal([3, 8, 8, 1]);
    while (!all.done) all.step();
    const v = await all.image.data();
    for (const c of [0, 1, 2]) {
      const one = classVisualisation(m, { ...opts, class: c });
      while (!one.done) one.step();
      expect(maxAbsDiff(await one.image.data(), v.slice(c * 64, (c + 1) * 64)), `class ${c}`).to.be.below(1e-5);
      one.dispose();
    }
    all.dispose();
    m.dispose();
  });

  it('visualises a unit of a hidden layer (neuron mode), its value rising', async () => {
    const m = smallConvNet();
    const run = classVisualisation(m, { layer: 'conv2', unit: [0, 3], steps: 30, lr: 1, jitter: 0, blur: 0, start: 'noise' });
    while (!run.done) run.step();
    const steps = await run.readSteps();
    for (const k of [0, 1]) expect(steps[29].scores[k], `unit ${k}`).to.be.above(steps[0].scores[k] + 0.02);
    run.dispose();
    m.dispose();
  });

  it('says which class, layer, unit or setting is wrong', () => {
    const m = smallConvNet();
    expect(() => classVisualisation(m, { class: 3 })).to.throw(RangeError, /no class 3: the model has classes 0 to 2/);
    expect(() => classVisualisation(m, { layer: 'nope', unit: 0 })).to.throw(/no layer 'nope'.*conv1, pool1, conv2, fc, logits/);
    expect(() => classVisualisation(m, { layer: 'conv2', unit: 4 })).to.throw(RangeError, /conv2 has 4 channels, 0 to 3; there is no unit 4/);
    expect(() => classVisualisation(m, { class: 0, lambda: -1 })).to.throw(RangeError, /lambda must be a number of at least 0/);
    expect(() => classVisualisation(m, { class: 0, start: 'stripes' as 'zeros' })).to.throw(/Unknown start 'stripes'/);
    const bad = tf.zeros([1, 5, 5, 1]) as Tensor4D;
    expect(() => classVisualisation(m, { class: 0, start: bad })).to.throw(/starting image is 5×5×1; the model takes 8×8×1/);
    bad.dispose();
    m.dispose();
  });
});

// 200 steps of the digits model: on the backend pages choose here (WASM) and on WebGL; the cpu
// backend would take minutes.
describeOnEachBackend(
  'classVisualisation on the digits model',
  () => {
    it('draws a digit class of the bundled model out of zeros in 200 steps', async () => {
      const m = await loadModel(DIGITS);
      const run = classVisualisation(m, { class: 3, steps: 200 });
      while (!run.done) stepFor(run, 16);
      const steps = await run.readSteps();
      expect(steps).to.have.length(200);
      const final = tf.tidy(() => tf.softmax(m.logits(run.image)));
      const p = await final.data();
      expect(p.indexOf(Math.max(...p)), 'the image reads as a 3').to.equal(3);
      expect(steps[199].scores[0]).to.be.above(steps[0].scores[0] + 5);
      tf.dispose(final);
      run.dispose();
    });
  },
  ['wasm', 'webgl'],
);
