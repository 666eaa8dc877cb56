import { expect } from '@open-wc/testing';
import { ready, tf } from '../src/index.js';
import { forwardAndGradient, maxAbsDiff } from './helpers.js';

describe('backends agree', () => {
  it('webgl, wasm and cpu give the same logits and input gradient to 1e-4', async () => {
    await ready({ prefer: 'cpu' });
    const results: Record<string, { logits: Float32Array; grad: Float32Array }> = {};
    for (const b of ['cpu', 'wasm', 'webgl']) {
      expect(await tf.setBackend(b)).to.equal(true);
      expect(tf.getBackend()).to.equal(b);
      results[b] = await forwardAndGradient();
    }
    for (const b of ['wasm', 'webgl']) {
      expect(maxAbsDiff(results[b].logits, results.cpu.logits), `${b} logits`).to.be.lessThan(1e-4);
      expect(maxAbsDiff(results[b].grad, results.cpu.grad), `${b} gradient`).to.be.lessThan(1e-4);
    }
  });
});
