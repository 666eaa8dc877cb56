import { expect } from '@open-wc/testing';
import { ready, backendInfo, tf, type BackendName } from '../src/index.js';
import { forwardAndGradient } from './helpers.js';

/** The checks every backend must pass; each backend runs them in its own page. */
export function backendSuite(name: BackendName) {
  describe(`on ${name}`, () => {
    before(async () => {
      const info = await ready({ prefer: name });
      expect(info.name).to.equal(name);
    });

    it(`really runs on ${name} (no silent fallback)`, () => {
      expect(tf.getBackend()).to.equal(name);
      expect(backendInfo()?.name).to.equal(name);
      expect(backendInfo()?.forced).to.equal(true);
    });

    it('computes a conv net forward pass and an input gradient', async () => {
      const { logits, grad } = await forwardAndGradient();
      expect(logits.length).to.equal(10);
      expect(grad.length).to.equal(28 * 28);
      expect(Array.from(grad).some((v) => Math.abs(v) > 1e-6)).to.equal(true);
      expect(Array.from(logits).every(Number.isFinite)).to.equal(true);
    });

    it('returns to its tensor baseline after repeated calls', async () => {
      await forwardAndGradient();
      const base = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) await forwardAndGradient();
      expect(tf.memory().numTensors).to.equal(base);
    });
  });
}
