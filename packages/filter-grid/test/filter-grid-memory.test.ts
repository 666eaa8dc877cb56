import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf, loadModel, layerKernel, colormapLut, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { FilterGrid, FiltersReadyDetail, UnitSelectDetail } from '../src/index.js';

import { NO_CONV, HOSTED, filtersReady, responded, grid, pixel, tileOrigin, hover } from './helpers.js';

describe('<filter-grid>', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('leaves no tensor behind after 200 interactions, and after removal mid-computation', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid></filter-grid>`);
    await responded(el);
    await new Promise((r) => setTimeout(r, 50));
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      const o = tileOrigin(el, i % 16);
      hover(el, o.x + 1, o.y + 1);
      if (i % 50 === 0) el.normalization = el.normalization === 'filter' ? 'layer' : 'filter';
      if (i % 67 === 0) el.layer = ['conv1', 'conv2', 'conv3'][i % 3];
      await el.updateComplete;
    }
    el.layer = 'conv1';
    el.normalization = 'filter';
    await el.updateComplete;
    await responded(el);
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors).to.equal(base);
    // Removed while a new image is being read.
    el.sample = 55;
    await el.updateComplete;
    el.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(tf.memory().numTensors, 'removing the element frees its tensors').to.be.below(base);
  });
});
