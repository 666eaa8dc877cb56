import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { AnchorViewer, DetectionsChangeDetail } from '../src/index.js';

describe('<anchor-viewer> on WebGL', () => {
  it('runs the detector on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('anchor-viewer') as AnchorViewer;
    el.setAttribute('view', 'detections');
    const done = oneEvent(el, 'detections-change');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<DetectionsChangeDetail>).detail;
    expect(d.proposals).to.be.within(1, 100);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
