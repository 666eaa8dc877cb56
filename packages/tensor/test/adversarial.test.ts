import { expect } from '@open-wc/testing';
import { ready, tf } from '../src/index.js';
import { adversarialCases } from './adversarial-cases.js';

for (const backend of ['webgl', 'wasm', 'cpu'] as const) {
  describe(`adversarial examples on ${backend}`, () => {
    before(async () => {
      await ready({ prefer: 'webgl' });
      expect(await tf.setBackend(backend)).to.equal(true);
      expect(tf.getBackend()).to.equal(backend);
    });
    adversarialCases();
  });
}
