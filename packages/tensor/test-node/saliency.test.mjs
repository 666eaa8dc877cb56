// Saliency rules and class visualisation on the cpu backend in Node: the hand-worked two-layer case
// (fused ReLUs in a Conv2D and a Dense layer), the slide's one-ReLU figure, and one ascent step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ready, tf, neuronGradient, saliencyMaps, reluRuleBackward, classVisualisation, countRuleRelus } from '@convlab/tensor';

await ready();
const tfl = await import('@tensorflow/tfjs-layers');

// x = (1, 2): conv 1x1 + ReLU: a = x1 - x2 = -1 (off), b = x1 + x2 = 3; dense + ReLU: p = a + b = 3,
// q = a - b = -3 (off); S0 = -p + 2q, S1 = p + q. See packages/tensor/test/saliency.test.ts.
function handNet() {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [1, 1, 2], filters: 2, kernelSize: 1, activation: 'relu', useBias: false, name: 'c1' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, activation: 'relu', useBias: false, name: 'd1' }),
      tfl.layers.dense({ units: 2, useBias: false, name: 'out' }),
    ],
  });
  m.getLayer('c1').setWeights([tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2])]);
  m.getLayer('d1').setWeights([tf.tensor2d([1, 1, 1, -1], [2, 2])]);
  m.getLayer('out').setWeights([tf.tensor2d([-1, 1, 2, 1], [2, 2])]);
  return m;
}

const values = async (t) => Array.from(await t.data(), (v) => v + 0);

test('each ReLU rule by hand, through the fused ReLUs of a Conv2D and a Dense layer', async () => {
  const m = handNet();
  const x = tf.tensor4d([1, 2], [1, 1, 1, 2]);
  assert.equal(countRuleRelus(m), 2);
  const want = { gradient: [-1, -1], deconvnet: [2, -2], guided: [0, 0] };
  for (const rule of ['gradient', 'deconvnet', 'guided']) {
    const g = neuronGradient(m, x, { class: 0, rule });
    assert.deepEqual(await values(g), want[rule], rule);
    g.dispose();
  }
  const s = saliencyMaps(m, x, { class: 1 });
  assert.deepEqual([await values(s.gradient), await values(s.deconvnet), await values(s.guided)], [[1, 1], [2, -2], [1, 1]]);
  tf.dispose([s.gradient, s.deconvnet, s.guided, x]);
  m.dispose();
});

test("the slide's ReLU figure under each rule", () => {
  const f = [1, -1, 5, 2, -5, -7, -3, 2, 4];
  const r = [-2, 3, -1, 6, -3, 1, 2, -1, 3];
  assert.deepEqual(reluRuleBackward('gradient', f, r), [-2, 0, -1, 6, 0, 0, 0, -1, 3]);
  assert.deepEqual(reluRuleBackward('deconvnet', f, r), [0, 3, 0, 6, 0, 1, 2, 0, 3]);
  assert.deepEqual(reluRuleBackward('guided', f, r), [0, 0, 0, 6, 0, 0, 0, 0, 3]);
});

test('one ascent step: I + lr (dS/dI - 2 lambda I), no tensor left after dispose', async () => {
  const m = handNet();
  const start = tf.tensor4d([1, 2], [1, 1, 1, 2]);
  const base = tf.memory().numTensors;
  const run = classVisualisation(m, { class: 1, start, lambda: 0.1, lr: 0.5, jitter: 0, blur: 0, clip: null, steps: 1 });
  run.step();
  const v = await values(run.image);
  assert.ok(Math.abs(v[0] - 1.4) < 1e-6 && Math.abs(v[1] - 2.3) < 1e-6, String(v));
  const [s] = await run.readSteps();
  assert.ok(Math.abs(s.scores[0] - 3) < 1e-6);
  assert.equal(run.done, true);
  run.dispose();
  assert.equal(tf.memory().numTensors, base);
  start.dispose();
  m.dispose();
});
