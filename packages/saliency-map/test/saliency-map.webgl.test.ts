import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { SaliencyMap, SaliencyChangeDetail } from '../src/index.js';

describe('<saliency-map> on WebGL', () => {
  it('computes the three maps on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="10"></saliency-map>`);
    const d = ((await oneEvent(el, 'saliency-change')) as CustomEvent<SaliencyChangeDetail>).detail;
    expect(d.classIndex).to.equal(1);
    for (const r of ['gradient', 'deconvnet', 'guided'] as const) expect(d.maxAbs[r]).to.be.above(0);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
