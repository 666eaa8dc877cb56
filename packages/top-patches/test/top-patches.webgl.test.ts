import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { TopPatches, PatchesCompleteDetail } from '../src/index.js';

describe('<top-patches> on WebGL', () => {
  it('searches the pool on the webgl backend (no silent fallback)', async function () {
    this.timeout(400000);
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('top-patches') as TopPatches;
    el.setAttribute('count', '200');
    el.setAttribute('layer', 'conv2');
    const done = oneEvent(el, 'patches-complete');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<PatchesCompleteDetail>).detail;
    expect([d.layer, d.count, d.patches.length]).to.deep.equal(['conv2', 200, 9]);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
