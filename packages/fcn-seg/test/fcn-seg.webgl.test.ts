import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { FcnSeg, SegmentationChangeDetail } from '../src/index.js';

describe('<fcn-seg> on WebGL', () => {
  it('segments and computes the effective receptive field on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('fcn-seg') as FcnSeg;
    el.setAttribute('view', 'receptive-field');
    const done = oneEvent(el, 'segmentation-change');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<SegmentationChangeDetail>).detail;
    expect(d.pixels.reduce((a, b) => a + b, 0)).to.equal(128 * 128);
    for (let i = 0; i < 4; i++) {
      await el.updateComplete;
      await el.computed;
    }
    expect(el.shadowRoot!.querySelector('.side')!.textContent).to.match(/95% of \|gradient\| within\s*\d+ × \d+ px/);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
