// The block-diagonal stack of toy networks (mlp-stack.ts) against the networks trained one at a time
// with tf.grad and tf.train.adam (trainEpoch): the same weights after several epochs, the same
// accuracies under the same attacks, on cpu and wasm; and it learns the moons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  ready,
  tf,
  makeMoons,
  seededRandom,
  shuffledOrder,
  createMlp,
  disposeMlp,
  createOptimizer,
  trainEpoch,
  toyMetrics,
  decisionGrid,
  createMlpStack,
  unstackMlp,
  disposeMlpStack,
  createFlatAdam,
  disposeFlatAdam,
  mlpStackEpoch,
  mlpStackCorrectMask,
  mlpStackRobustMask,
  mlpStackGrid,
} from '@convlab/tensor';

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');

const maxDiff = async (a, b) => {
  const [x, y] = [await a.data(), await b.data()];
  assert.equal(x.length, y.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
};
const columnMeans = async (t) => {
  const rows = await t.array();
  t.dispose();
  return rows[0].map((_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
};

for (const backend of ['cpu', 'wasm']) {
  for (const attack of ['fgsm', 'pgd']) {
    test(`${backend}, ${attack}: the stack trains each network as trainEpoch + Adam does, and measures the same`, async () => {
      await ready();
      assert.ok(await tf.setBackend(backend));
      const base = tf.memory().numTensors;
      const data = makeMoons(100, { seed: 1 });
      const mixes = [0, 0.5];
      const nets = mixes.map(() => createMlp({ seed: 3 }));
      const opts = mixes.map(() => createOptimizer(0.02));
      const stack = createMlpStack({ seed: 3, count: 2 });
      const adam = createFlatAdam(stack.params.size, 0.02);
      const rand = seededRandom(2);
      for (let e = 0; e < 4; e++) {
        const o = { epsilon: 0.15, attack, steps: 3, batchSize: 30, order: shuffledOrder(100, rand) };
        const alone = nets.map((m, i) => trainEpoch(m, opts[i], data, { ...o, mix: mixes[i] }));
        const both = mlpStackEpoch(stack, adam, data, { ...o, mix: mixes });
        const lb = await both.data();
        for (let i = 0; i < 2; i++) assert.ok(Math.abs(lb[i] - (await alone[i].data())[0]) < 1e-5, `epoch ${e} loss ${i}`);
        tf.dispose([...alone, both]);
      }
      const ev = makeMoons(200, { seed: 5 });
      const x = tf.tensor2d(ev.points, [200, 2]);
      const labels = Array.from(ev.labels);
      const robust = await columnMeans(mlpStackRobustMask(stack, x, labels, 0.15, { attack: 'pgd', steps: 10 }));
      const clean = await columnMeans(mlpStackCorrectMask(stack, x, labels));
      const grid = mlpStackGrid(stack, { x: [-1.5, 1.5], y: [-1.5, 1.5], size: 8 });
      for (let i = 0; i < 2; i++) {
        const u = unstackMlp(stack, i);
        for (let l = 0; l < 3; l++) {
          assert.ok((await maxDiff(u.weights[l], nets[i].weights[l])) < 1e-4, `network ${i} layer ${l} weights`);
          assert.ok((await maxDiff(u.biases[l], nets[i].biases[l])) < 1e-4, `network ${i} layer ${l} biases`);
        }
        const m = await toyMetrics(nets[i], ev, 0.15, { attack: 'pgd', steps: 10 });
        assert.deepEqual({ clean: clean[i], robust: robust[i] }, m, `network ${i} accuracies`);
        const g = decisionGrid(nets[i], { x: [-1.5, 1.5], y: [-1.5, 1.5], size: 8 });
        const gi = tf.slice(grid, [i, 0], [1, -1]);
        assert.ok((await maxDiff(gi, g)) < 1e-4, `network ${i} grid`);
        disposeMlp(u);
        tf.dispose([g, gi]);
      }
      nets.forEach(disposeMlp);
      opts.forEach((o) => o.dispose());
      disposeMlpStack(stack);
      disposeFlatAdam(adam);
      tf.dispose([x, grid]);
      tf.disposeVariables();
      assert.equal(tf.memory().numTensors, base);
    });
  }
}

test('the stack learns the moons in 4 batches an epoch; the adversarial network is the more robust; same seed same run', async () => {
  await ready();
  await tf.setBackend('wasm');
  const train = makeMoons(200, { seed: 1 });
  const ev = makeMoons(200, { seed: 2 });
  const run = async () => {
    const stack = createMlpStack({ seed: 4, count: 2 });
    const adam = createFlatAdam(stack.params.size, 0.02);
    const rand = seededRandom(9);
    for (let e = 0; e < 30; e++) tf.dispose(mlpStackEpoch(stack, adam, train, { epsilon: 0.15, mix: [0, 0.5], batchSize: 50, order: shuffledOrder(200, rand) }));
    const x = tf.tensor2d(ev.points, [200, 2]);
    const out = {
      clean: await columnMeans(mlpStackCorrectMask(stack, x, Array.from(ev.labels))),
      robust: await columnMeans(mlpStackRobustMask(stack, x, Array.from(ev.labels), 0.15, { attack: 'pgd', steps: 10 })),
    };
    x.dispose();
    disposeMlpStack(stack);
    disposeFlatAdam(adam);
    return out;
  };
  const a = await run();
  assert.ok(a.clean[0] > 0.95 && a.clean[1] > 0.9, `clean accuracies ${a.clean}`);
  assert.ok(a.robust[1] > a.robust[0] + 0.04, `robust ${a.robust[1]} vs clean-trained ${a.robust[0]}`);
  assert.deepEqual(await run(), a);
});
