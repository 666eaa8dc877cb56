// Adversarial training math on each browser backend (webgl, wasm, cpu): the hand-worked linear cases,
// one SGD step by hand, and a short adversarial run that must train (the kernels exist on the backend).
import { expect } from '@open-wc/testing';
import {
  tf,
  mlpFromWeights,
  mlpClassifier,
  disposeMlp,
  createMlp,
  createOptimizer,
  adversarialBatch,
  robustnessCurve,
  trainEpoch,
  toyMetrics,
  decisionGrid,
  makeMoons,
  seededRandom,
  shuffledOrder,
  UNBOUNDED,
} from '../src/index.js';
import { describeOnEachBackend } from './helpers.js';

// z1 - z0 = x1: class 1 iff the first coordinate is positive.
const linear = () => mlpFromWeights([{ w: [[0, 1], [0, 0]], b: [0, 0] }]);
const near = (a: number, b: number, tol = 1e-4) => expect(Math.abs(a - b), `${a} vs ${b}`).to.be.lessThan(tol);

describeOnEachBackend('adversarial training', () => {
  it('attacks the linear model by hand: each point moves eps against its class along x1', async () => {
    const m = linear();
    const x = tf.tensor4d([0.1, 5, -0.3, 7], [2, 1, 1, 2]);
    for (const attack of ['fgsm', 'pgd'] as const) {
      const adv = adversarialBatch(mlpClassifier(m), x, [1, 0], 0.25, { attack, steps: 5, clip: UNBOUNDED });
      const v = Array.from(await adv.data());
      [-0.15, 5, -0.05, 7].forEach((want, i) => near(v[i], want));
      adv.dispose();
    }
    x.dispose();
    disposeMlp(m);
  });

  it('robust accuracy against eps by hand, FGSM and PGD, tensors back to baseline', async () => {
    const m = linear();
    const base = tf.memory().numTensors;
    const x = tf.tensor4d([0.1, 0, 0.3, 0, -0.2, 0, -0.5, 0], [4, 1, 1, 2]);
    const eps = [0, 0.15, 0.25, 0.4, 0.6];
    const f = mlpClassifier(m);
    expect(await robustnessCurve(f, x, [1, 1, 0, 0], eps, { clip: UNBOUNDED })).to.deep.equal([1, 0.75, 0.5, 0.25, 0]);
    expect(await robustnessCurve(f, x, [1, 1, 0, 0], eps, { attack: 'pgd', steps: 4, clip: UNBOUNDED, batchSize: 3 })).to.deep.equal([1, 0.75, 0.5, 0.25, 0]);
    x.dispose();
    expect(tf.memory().numTensors).to.equal(base);
    disposeMlp(m);
  });

  it('one SGD step of logistic regression from zero weights, by hand', async () => {
    const m = mlpFromWeights([{ w: [[0, 0], [0, 0]], b: [0, 0] }]);
    const opt = tf.train.sgd(1);
    const loss = trainEpoch(m, opt, { points: Float32Array.from([1, 0, 0, 2]), labels: Int32Array.from([1, 0]) }, { batchSize: 2 });
    near((await loss.data())[0], Math.log(2));
    const w = Array.from(await m.weights[0].data());
    [-0.25, 0.25, 0.5, -0.5].forEach((v, i) => near(w[i], v));
    loss.dispose();
    opt.dispose();
    disposeMlp(m);
  });

  it('trains an MLP adversarially (Adam, FGSM points mixed in) to high clean accuracy, and frees every tensor', async () => {
    const data = makeMoons(100, { seed: 1 });
    const base = tf.memory().numTensors;
    const m = createMlp({ hidden: [16, 16], seed: 2 });
    const opt = createOptimizer(0.03);
    const rand = seededRandom(3);
    for (let e = 0; e < 25; e++) tf.dispose(trainEpoch(m, opt, data, { epsilon: 0.1, mix: 0.5, batchSize: 50, order: shuffledOrder(100, rand) }));
    const r = await toyMetrics(m, data, 0.1, { attack: 'pgd', steps: 5 });
    expect(r.clean).to.be.greaterThan(0.9);
    expect(r.robust).to.be.at.most(r.clean);
    const grid = decisionGrid(m, { x: [-1.5, 1.5], y: [-1.5, 1.5], size: 16 });
    expect(grid.shape).to.deep.equal([16, 16]);
    grid.dispose();
    opt.dispose();
    disposeMlp(m);
    expect(tf.memory().numTensors).to.equal(base);
  });
});
