// Gatys' formulas and the optimisers on the cpu backend in Node: numbers worked by hand, no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, gram, styleLoss, contentLoss, randomVgg, encode, disposeEncoder, Lbfgs, StyleTransfer, noiseImage } from '@convlab/tensor';

test('gram and the style loss: G = [[2,1],[1,2]], E = 10/144 with N = 2, M = 3; content loss 2.5', async () => {
  await ready();
  const F = tf.tensor4d([1, 0, 0, 1, 1, 1], [1, 1, 3, 2]);
  const G = gram(F);
  assert.deepEqual(Array.from(await G.data()), [2, 1, 1, 2]);
  const Z = tf.zeros([2, 2]);
  const E = styleLoss(G, Z, 2, 3);
  assert.ok(Math.abs((await E.data())[0] - 10 / 144) < 1e-7);
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.tensor1d([0, 2, 5]);
  const C = contentLoss(a, b);
  assert.ok(Math.abs((await C.data())[0] - 2.5) < 1e-7);
  tf.dispose([F, G, Z, E, a, b, C]);
});

test('L-BFGS finds the minimum (1, 1) of the Rosenbrock function', async () => {
  await ready();
  const base = tf.memory().numTensors;
  // f = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1), the classic start.
  const fg = (p) => {
    const [x, y] = p.dataSync();
    const value = tf.scalar((1 - x) ** 2 + 100 * (y - x * x) ** 2);
    const grad = tf.tensor1d([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]);
    return { value, grad };
  };
  const opt = new Lbfgs({ history: 10 });
  let p = tf.tensor1d([-1.2, 1]);
  let steps = 0;
  for (; steps < 200; steps++) {
    const r = await opt.step(fg, p);
    p.dispose();
    p = r.x;
    if (r.info.newValue < 1e-8) break;
  }
  const [x, y] = await p.data();
  assert.ok(Math.abs(x - 1) < 1e-3 && Math.abs(y - 1) < 1e-3, `ended at (${x}, ${y}) after ${steps} steps`);
  assert.ok(steps < 100, `${steps} steps`);
  p.dispose();
  opt.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('a random VGG is the same network for the same seed; the optimisation lowers the loss without leaking', async () => {
  await ready();
  const base = tf.memory().numTensors;
  const enc = randomVgg({ seed: 4, widths: [4, 6], depths: [1, 1] });
  const again = randomVgg({ seed: 4, widths: [4, 6], depths: [1, 1] });
  const x = noiseImage(8, 8, 3);
  const fa = tf.tidy(() => encode(enc, x, ['block2_conv1']).block2_conv1);
  const fb = tf.tidy(() => encode(again, x, ['block2_conv1']).block2_conv1);
  assert.deepEqual(Array.from(await fa.data()), Array.from(await fb.data()));
  const content = noiseImage(12, 12, 1);
  const style = noiseImage(12, 12, 2);
  const st = new StyleTransfer(enc, content, style, { styleLayers: ['block1_conv1', 'block2_conv1'], contentLayer: 'block2_conv1', alpha: 1, beta: 1e3, optimizer: 'lbfgs', start: 'content' });
  const first = await st.step();
  let last = first;
  for (let i = 0; i < 10; i++) last = await st.step();
  assert.ok(last.total < first.total * 0.5, `${first.total} -> ${last.total}`);
  st.dispose();
  tf.dispose([x, fa, fb, content, style]);
  disposeEncoder(enc);
  disposeEncoder(again);
  assert.equal(tf.memory().numTensors, base);
});
