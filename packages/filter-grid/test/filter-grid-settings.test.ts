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

  it('selects a filter from the keyboard: unit reflects and unit-select fires once', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid></filter-grid>`);
    await responded(el);
    const events: UnitSelectDetail[] = [];
    el.addEventListener('unit-select', (e) => events.push(e.detail));
    const c = grid(el);
    c.focus();
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown', 'Enter']) c.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await el.updateComplete;
    expect(events).to.deep.equal([{ layer: 'conv1', unit: 10 }]);
    expect(el.getAttribute('unit')).to.equal('10');
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/selected filter 10/);
    // Setting the property is not the reader's action: no event.
    el.unit = 3;
    await el.updateComplete;
    expect(events).to.have.length(1);
    expect(el.getAttribute('unit')).to.equal('3');
  });

  it('clamps a unit out of range with a quiet notice', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid unit="40"></filter-grid>`);
    const notices = () => ((el.shadowRoot!.querySelector('convlab-notice[kind="settings"]') as (HTMLElement & { messages: string[] }) | null)?.messages ?? []).join(' ');
    await waitUntil(() => notices().includes('unit='), 'notice', { timeout: 60000 });
    expect(notices()).to.match(/unit=40 is not a filter of conv1, which has 16 \(0 to 15\): showing filter 15/);
    expect(el.currentUnit).to.equal(15);
    el.unit = 4;
    await el.updateComplete;
    await waitUntil(() => !notices().includes('unit='), 'a good value clears the notice', { timeout: 5000 });
  });

  it('says so for a layer that does not exist, shows the first one, and stays usable', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid layer="conv9"></filter-grid>`);
    await waitUntil(() => el.shadowRoot!.querySelector('[role="alert"]'), 'alert', { timeout: 60000 });
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.match(/no convolution layer called 'conv9'.*conv1, conv2, conv3.*Showing conv1/);
    expect(el.currentLayer!.name).to.equal('conv1');
    const select = el.shadowRoot!.querySelector('select') as HTMLSelectElement;
    select.value = 'conv3';
    const done = filtersReady(el);
    select.dispatchEvent(new Event('change'));
    expect((await done).layer).to.equal('conv3');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null);
  });

  it('shows an error for a model with no convolution layer', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid model-url=${NO_CONV}></filter-grid>`);
    const alert = () => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]');
    await waitUntil(alert, 'alert', { timeout: 60000 });
    expect(alert()!.textContent).to.match(/has no convolution \(Conv2D\) layer/);
    // Another model in the same element works.
    const done = filtersReady(el);
    el.modelUrl = '';
    el.model = 'fashion';
    expect((await done).filters).to.equal(16);
  });

  it('shows a first layer on RGB images in colour (hosted 224x224x3 model by model-url)', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid model-url="${HOSTED}/model.json" model-meta="${HOSTED}/meta.json" src="/apps/course-site/public/photos/chelsea.jpg"></filter-grid>`);
    await waitUntil(() => el.currentLayer && grid(el)?.width > 0, 'grid', { timeout: 30000 });
    expect(el.getAttribute('model')).to.equal(`${HOSTED}/model.json`);
    await responded(el);
    expect(el.shadowRoot!.querySelector('.legend')!.textContent).to.match(/RGB/);
    const o = tileOrigin(el, 0);
    const colourful = [0, 1, 2].some((i) => {
      const p = pixel(grid(el), o.x + i * o.cell + 1, o.y + 1);
      return p[0] !== p[1] || p[1] !== p[2];
    });
    expect(colourful).to.equal(true);
    expect(el.shadowRoot!.querySelectorAll('table.weights caption').length, 'R, G and B weights').to.equal(3);
  });
});
