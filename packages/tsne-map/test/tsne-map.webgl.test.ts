import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../dist/index.js';
import type { TsneMap, EmbeddingDoneDetail } from '../dist/index.js';

describe('<tsne-map> on WebGL', () => {
  it('computes the features on the webgl backend (no silent fallback)', async function () {
    this.timeout(400000);
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('tsne-map') as TsneMap;
    for (const [k, v] of [['count', '100'], ['perplexity', '10'], ['iterations', '250']]) el.setAttribute(k, v);
    const done = oneEvent(el, 'embedding-done');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<EmbeddingDoneDetail>).detail;
    expect([d.count, d.layer]).to.deep.equal([100, 'features']);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
