// The FGSM functions on the cpu backend in Node: the slide's worked example and a linear model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, linearFgsm, formatSum, gradientSign, fgsm } from '@convlab/tensor';

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
