// @convlab/tensor in Node on the cpu backend: importing touches no DOM, the backend choice knows it
// is not in a browser, and the image and colour-map math works without a canvas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, backendInfo, tf, fromImage, colorize, toRgba, topK, loadModel, ModelLoadError } from '@convlab/tensor';

test('ready() picks cpu outside a browser and says why', async () => {
  const info = await ready();
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(info.reason, /not running in a browser/);
  assert.equal(backendInfo(), info);
});

test('gradients are registered (tfjs-core alone has none)', async () => {
  const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3]));
  assert.deepEqual(Array.from(await g.data()), [2, -4, 6]);
});

test('fromImage reads RGBA pixel data without a canvas, resizing on the tensor side', async () => {
  const data = new Uint8ClampedArray(4 * 4 * 4).fill(255);
  for (let i = 0; i < 8; i++) data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = 0; // top two rows black
  const t = await fromImage({ data, width: 4, height: 4 }, { channels: 1 });
  assert.deepEqual(t.shape, [1, 4, 4, 1]);
  const v = await t.data();
  assert.equal(v[0], 0);
  assert.ok(Math.abs(v[15] - 1) < 1e-6);
  const small = await fromImage({ data, width: 4, height: 4 }, { size: 2, channels: 3 });
  assert.deepEqual(small.shape, [1, 2, 2, 3]);
  tf.dispose([t, small]);
});

test('colour maps and top-k work on plain arrays', async () => {
  const rgba = colorize([0, 1], 'grey', [0, 1]);
  assert.deepEqual(Array.from(rgba), [0, 0, 0, 255, 255, 255, 255, 255]);
  const out = await toRgba(tf.tensor2d([[-1, 1]]), { colormap: 'diverging', range: 'symmetric' });
  assert.deepEqual(out.range, [-1, 1]);
  assert.deepEqual(topK([0.1, 0.7, 0.2], 2).map((e) => e.index), [1, 2]);
});

test('an unknown model id is a typed error', async () => {
  await assert.rejects(loadModel('no-such-model'), (e) => e instanceof ModelLoadError && e.code === 'unknown-id');
});
