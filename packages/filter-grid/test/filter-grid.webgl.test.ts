import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { FilterGrid, FiltersReadyDetail } from '../src/index.js';

describe('<filter-grid> on WebGL', () => {
  it('reads kernels and computes response maps on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('filter-grid') as FilterGrid;
    el.setAttribute('layer', 'conv2');
    const done = oneEvent(el, 'filters-ready');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<FiltersReadyDetail>).detail;
    expect([d.layer, d.filters, d.inChannels]).to.deep.equal(['conv2', 32, 16]);
    const canvas = () => el.shadowRoot!.querySelector('convlab-tensor-canvas.response') as HTMLElement & { tensor?: tf.Tensor };
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (canvas()?.tensor) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    });
    expect(canvas().tensor!.shape).to.deep.equal([14, 14]);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
