// The hosted-model fixtures written by train/make-fixture.mjs load (or fail) as the tests expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLayersModelFromDir, tf } from '../train/lib/tf.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

test('hosted-224: a 224x224x3 -> 1000-logit layers model with labels', async () => {
  const dir = join(fixtures, 'hosted-224');
  const { model } = await loadLayersModelFromDir(dir);
  assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
  assert.deepEqual(model.outputs[0].shape, [null, 1000]);
  const y = tf.tidy(() => model.predict(tf.fill([1, 224, 224, 3], 0.5)));
  assert.ok((await y.data()).every(Number.isFinite));
  y.dispose();
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
  assert.equal(labels.length, 1000);
  assert.equal(labels[999], 'synthetic 999');
  assert.equal(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).labels, 'labels.json');
  const total = ['model.json', 'weights.bin', 'labels.json', 'meta.json'].reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  assert.ok(total < 200 * 1024, `${total} bytes`);
  model.dispose();
});

test('broken/malformed: model.json is not JSON', () => {
  assert.throws(() => JSON.parse(readFileSync(join(fixtures, 'broken', 'malformed', 'model.json'), 'utf8')), SyntaxError);
});

test('broken/short-weights: loading fails on the truncated weights', async () => {
  await assert.rejects(loadLayersModelFromDir(join(fixtures, 'broken', 'short-weights')));
});

test('broken/bad-input: a valid model whose input is rank 2', async () => {
  const { model } = await loadLayersModelFromDir(join(fixtures, 'broken', 'bad-input'));
  assert.deepEqual(model.inputs[0].shape, [null, 10]);
  model.dispose();
});
