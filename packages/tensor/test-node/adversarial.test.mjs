// The FGSM functions on the cpu backend in Node: the slide's worked example and a linear model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, linearFgsm, formatSum, gradientSign, fgsm, fgsmStep, perturbationSummary } from '@convlab/tensor';

test('the slide: sigma(-2) = 0.1192; eps 0.1, 0.2, 0.3 give 0.2689, 0.5, 0.7311', () => {
  const x = [1, -2, -2, 3, -1, 2, -2, -3];
  const w = [2, -1, -1, -1, 2, -1, -1, 1];
  assert.equal(linearFgsm(w, x, 0, 0).original.probability.toFixed(4), '0.1192');
  assert.deepEqual(
    [0.1, 0.2, 0.3].map((e) => linearFgsm(w, x, 0, e).adversarial.probability.toFixed(4)),
    ['0.2689', '0.5000', '0.7311'],
  );
  assert.equal(formatSum(linearFgsm(w, x, 0, 0.1).adversarial.products), '2.2+2.1+2.1-2.9-1.8-1.9+2.1-2.9');
});

test('FGSM on a linear two-class model follows sign(w1 - w0)', async () => {
  await ready();
  const W = tf.tensor2d([[1, -2, 0.5, 3], [-1, 2, 2.5, -1]]);
  const f = (x) => tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0], 4]), tf.transpose(W)));
  const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8], [1, 2, 2, 1]);
  const d = gradientSign(f, x, 0);
  assert.deepEqual(Array.from(await d.data()), [-1, 1, 1, -1]);
  const adv = fgsm(f, x, 0, 0.1);
  assert.deepEqual(Array.from(await adv.data()).map((v) => +v.toFixed(6)), [0.1, 0.5, 0.7, 0.7]);
  tf.dispose([W, x, d, adv]);
});

test('perturbationSummary: delta, its infinity norm and the count of changed values, clipping included', async () => {
  await ready();
  const x = tf.tensor4d([0, 0.5, 1, 0.98, 0.2, 0.7], [1, 2, 3, 1]);
  const d = tf.tensor4d([1, -1, 1, 1, 0, -1], [1, 2, 3, 1]);
  const xAdv = fgsmStep(x, d, 0.05);
  const base = tf.memory().numTensors;
  const { delta, linf, changed } = perturbationSummary(x, xAdv);
  const got = Array.from(await delta.data()).map((v) => Number(v.toFixed(6)));
  // x = 1 cannot go up (clipped); 0.98 goes up by 0.02 only; 0.2 has direction 0.
  assert.deepEqual(got, [0.05, -0.05, 0, 0.02, 0, -0.05]);
  assert.ok(Math.abs((await linf.data())[0] - 0.05) < 1e-6);
  assert.equal((await changed.data())[0], 4);
  tf.dispose([delta, linf, changed]);
  assert.equal(tf.memory().numTensors, base);
  tf.dispose([x, d, xAdv]);
});
