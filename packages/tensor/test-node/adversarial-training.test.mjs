// Adversarial training on the cpu backend in Node: hand-worked cases for the data, the network, the
// gradient step, the attacks on a linear model and the robustness curve; and that adversarial
// training really buys robustness on the moons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ready,
  tf,
  seededRandom,
  shuffledOrder,
  makeMoons,
  makeCircles,
  makeToyData,
  addPoint,
  createMlp,
  mlpFromWeights,
  disposeMlp,
  mlpLogits,
  mlpClassifier,
  decisionGrid,
  adversarialBatch,
  robustnessCurve,
  trainEpoch,
  createOptimizer,
  toyMetrics,
  UNBOUNDED,
} from '@convlab/tensor';

const close = (a, b, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('seeded randomness: same seed, same sequence; another seed, another', () => {
  const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
  const sa = [a(), a(), a()], sb = [b(), b(), b()], sc = [c(), c(), c()];
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.ok(sa.every((v) => v >= 0 && v < 1));
  const order = shuffledOrder(10, seededRandom(1));
  assert.deepEqual([...order].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(order, shuffledOrder(10, seededRandom(1)));
});

test('moons without noise lie on the two arcs, scaled by 1/1.5 around (0.5, 0.25)', () => {
  // n = 6: t = 0, pi/2, pi for each moon.
  const d = makeMoons(6, { noise: 0 });
  const p = Array.from(d.points).map((v) => +v.toFixed(6));
  const s = (x, y) => [+((x - 0.5) / 1.5).toFixed(6), +((y - 0.25) / 1.5).toFixed(6)];
  assert.deepEqual(p, [...s(1, 0), ...s(0, 1), ...s(-1, 0), ...s(0, 0.5), ...s(1, -0.5), ...s(2, 0.5)]);
  assert.deepEqual(Array.from(d.labels), [0, 0, 0, 1, 1, 1]);
});

test('circles without noise: class 0 on radius 0.9, class 1 on 0.45', () => {
  const d = makeCircles(8, { noise: 0 });
  for (let i = 0; i < 8; i++) {
    const r = Math.hypot(d.points[2 * i], d.points[2 * i + 1]);
    close(r, d.labels[i] === 0 ? 0.9 : 0.45);
  }
  assert.deepEqual(Array.from(d.labels), [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(makeToyData('moons', 50, { seed: 3 }), makeToyData('moons', 50, { seed: 3 }));
  assert.equal(makeToyData('custom', 50).labels.length, 0);
  const added = addPoint(makeToyData('custom', 0), 0.5, -0.25, 1);
  assert.deepEqual([Array.from(added.points), Array.from(added.labels)], [[0.5, -0.25], [1]]);
});

test('MLP: layer sizes, seeded weights within the He bound, same seed same weights', async () => {
  await ready();
  const a = createMlp({ hidden: [4], seed: 5 });
  const b = createMlp({ hidden: [4], seed: 5 });
  assert.deepEqual(a.sizes, [2, 4, 2]);
  const wa = await a.weights[0].data();
  assert.deepEqual(Array.from(wa), Array.from(await b.weights[0].data()));
  assert.ok(Array.from(wa).every((v) => Math.abs(v) <= Math.sqrt(6 / 2)));
  disposeMlp(a);
  disposeMlp(b);
});

test('logits by hand: relu hidden layer, linear output', async () => {
  await ready();
  // h = relu([x1 - x2, x2]), logits = [h1, 2 h2 + 1]
  const m = mlpFromWeights([
    { w: [[1, 0], [-1, 1]], b: [0, 0] },
    { w: [[1, 0], [0, 2]], b: [0, 1] },
  ]);
  const x = tf.tensor2d([[3, 1], [1, 2]]);
  const z = mlpLogits(m, x);
  // (3,1): h = (2, 1) -> (2, 3); (1,2): h = relu(-1, 2) = (0, 2) -> (0, 5)
  assert.deepEqual(Array.from(await z.data()), [2, 3, 0, 5]);
  tf.dispose([x, z]);
  disposeMlp(m);
});

// A linear two-class model with z1 - z0 = x1 (the first coordinate): class 1 iff x1 > 0.
const linear = () => mlpFromWeights([{ w: [[0, 1], [0, 0]], b: [0, 0] }]);

test('FGSM and PGD on the linear model move each point by eps against its class along x1', async () => {
  await ready();
  const m = linear();
  const f = mlpClassifier(m);
  const x = tf.tensor4d([0.1, 5, -0.3, 7], [2, 1, 1, 2]);
  // Class 1 moves to lower x1, class 0 to higher; x2 has zero gradient and stays.
  for (const attack of ['fgsm', 'pgd']) {
    const adv = adversarialBatch(f, x, [1, 0], 0.25, { attack, clip: UNBOUNDED, steps: 5 });
    const v = Array.from(await adv.data()).map((t) => +t.toFixed(5));
    assert.deepEqual(v, [-0.15, 5, -0.05, 7], attack);
    adv.dispose();
  }
  tf.dispose(x);
  disposeMlp(m);
});

test('robust accuracy of the linear model: points within eps of the boundary fall', async () => {
  await ready();
  const m = linear();
  // x1 = 0.1, 0.3, -0.2, -0.5 with their correct labels; all correct when clean.
  const data = { points: Float32Array.from([0.1, 0, 0.3, 0, -0.2, 0, -0.5, 0]), labels: Int32Array.from([1, 1, 0, 0]) };
  const base = tf.memory().numTensors;
  assert.deepEqual(await toyMetrics(m, data, 0.25), { clean: 1, robust: 0.5 });
  assert.deepEqual(await toyMetrics(m, data, 0.25, { attack: 'pgd', steps: 4 }), { clean: 1, robust: 0.5 });
  // The curve: eps 0 -> 1; 0.15 -> x1 = 0.1 falls (3/4); 0.25 -> also -0.2 (2/4); 0.4 -> also 0.3 (1/4); 0.6 -> 0.
  const x = tf.tensor4d(data.points, [4, 1, 1, 2]);
  const eps = [0, 0.15, 0.25, 0.4, 0.6];
  const want = [1, 0.75, 0.5, 0.25, 0];
  const f = mlpClassifier(m);
  assert.deepEqual(await robustnessCurve(f, x, [1, 1, 0, 0], eps, { clip: UNBOUNDED, batchSize: 3 }), want);
  assert.deepEqual(await robustnessCurve(f, x, [1, 1, 0, 0], eps, { attack: 'pgd', steps: 5, clip: UNBOUNDED }), want);
  x.dispose();
  assert.equal(tf.memory().numTensors, base);
  disposeMlp(m);
});

test('robustnessCurve stops when aborted and checks its labels', async () => {
  await ready();
  const m = linear();
  const x = tf.zeros([3, 1, 1, 2]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(robustnessCurve(mlpClassifier(m), x, [0, 0, 0], [0.1], { signal: ac.signal }), /abort/i);
  await assert.rejects(robustnessCurve(mlpClassifier(m), x, [0, 0], [0.1]), /2 labels for 3 images/);
  x.dispose();
  disposeMlp(m);
});

test('one SGD step of logistic regression from zero weights, by hand', async () => {
  await ready();
  // p = (0.5, 0.5) for both points; dL/dW[:,1] = mean(x (p1 - y1)) = mean((1,0)(-0.5), (0,2)(0.5)) = (-0.25, 0.5).
  const m = mlpFromWeights([{ w: [[0, 0], [0, 0]], b: [0, 0] }]);
  const data = { points: Float32Array.from([1, 0, 0, 2]), labels: Int32Array.from([1, 0]) };
  const opt = tf.train.sgd(1);
  const loss = trainEpoch(m, opt, data, { batchSize: 2 });
  close((await loss.data())[0], Math.log(2));
  // W is [input][class]: W <- -1 * grad: W[0] = (-0.25, 0.25), W[1] = (0.5, -0.5).
  const w = Array.from(await m.weights[0].data());
  [-0.25, 0.25, 0.5, -0.5].forEach((v, i) => close(w[i], v));
  assert.deepEqual(Array.from(await m.biases[0].data()).map((v) => +v.toFixed(6) + 0), [0, 0]);
  tf.dispose(loss);
  opt.dispose();
  disposeMlp(m);
});

test('mix = 1 trains on the FGSM points only: the step equals a clean step at the moved points', async () => {
  await ready();
  const pts = [0.1, 0.4, -0.2, 0.3];
  const labels = Int32Array.from([1, 0]);
  const a = mlpFromWeights([{ w: [[0.5, 1], [0, 0]], b: [0, 0] }]);
  const b = mlpFromWeights([{ w: [[0.5, 1], [0, 0]], b: [0, 0] }]);
  // w1 - w0 = (0.5, 0): class 1 moves -eps along x1, class 0 +eps.
  const eps = 0.05;
  const moved = [0.1 - eps, 0.4, -0.2 + eps, 0.3];
  const oa = tf.train.sgd(0.5), ob = tf.train.sgd(0.5);
  tf.dispose(trainEpoch(a, oa, { points: Float32Array.from(pts), labels }, { epsilon: eps, mix: 1, batchSize: 2 }));
  tf.dispose(trainEpoch(b, ob, { points: Float32Array.from(moved), labels }, { batchSize: 2 }));
  const wa = Array.from(await a.weights[0].data()), wb = Array.from(await b.weights[0].data());
  wa.forEach((v, i) => close(v, wb[i]));
  oa.dispose(); ob.dispose();
  disposeMlp(a); disposeMlp(b);
});

test('adversarial training on the moons is more robust than clean training, and the run repeats', async () => {
  await ready();
  const train = makeMoons(200, { seed: 1 });
  const testSet = makeMoons(200, { seed: 2 });
  const eps = 0.15;
  const base = tf.memory().numTensors;
  async function run(mix) {
    const m = createMlp({ hidden: [16, 16], seed: 4 });
    const opt = createOptimizer(0.02);
    const rand = seededRandom(9);
    for (let e = 0; e < 30; e++) {
      tf.dispose(trainEpoch(m, opt, train, { epsilon: eps, mix, attack: 'fgsm', batchSize: 50, order: shuffledOrder(200, rand) }));
    }
    const r = await toyMetrics(m, testSet, eps, { attack: 'pgd', steps: 10 });
    const grid = decisionGrid(m, { x: [-1.5, 1.5], y: [-1.5, 1.5], size: 8 });
    const g = Array.from(await grid.data());
    grid.dispose();
    opt.dispose();
    disposeMlp(m);
    return { ...r, g };
  }
  const clean = await run(0);
  const adv = await run(0.5);
  const again = await run(0.5);
  assert.ok(clean.clean > 0.95, `clean model clean accuracy ${clean.clean}`);
  assert.ok(adv.clean > 0.9, `robust model clean accuracy ${adv.clean}`);
  assert.ok(adv.robust > clean.robust + 0.04, `robust ${adv.robust} vs clean-trained ${clean.robust}`);
  assert.deepEqual(again, adv);
  assert.ok(clean.g.every((p) => p >= 0 && p <= 1));
  assert.equal(tf.memory().numTensors, base);
});
