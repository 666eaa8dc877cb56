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

  it('shows the 16 3x3 kernels of conv1 in a diverging map, each scaled by its own largest weight', async () => {
    const el = document.createElement('filter-grid') as FilterGrid;
    const ready = filtersReady(el);
    (await fixture(html`<div></div>`)).append(el);
    const d = await ready;
    expect(d).to.deep.equal({ layer: 'conv1', filters: 16, inChannels: 1, kernel: [3, 3] });
    await responded(el);
    const m = await loadModel('digits');
    const k = layerKernel(m, 'conv1');
    const w = (await k.array()) as number[][][][];
    k.dispose();
    const lut = colormapLut('diverging');
    const c = grid(el);
    for (const f of [0, 7, 15]) {
      // Per filter: the weight of largest |w| is painted at an end of the colour map.
      let best = { i: 0, j: 0, v: 0 };
      let maxAbs = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (Math.abs(w[i][j][0][f]) > maxAbs) (maxAbs = Math.abs(w[i][j][0][f])), (best = { i, j, v: w[i][j][0][f] });
      const o = tileOrigin(el, f);
      const end = best.v > 0 ? 255 : 0;
      expect(pixel(c, o.x + best.j * o.cell + 1, o.y + best.i * o.cell + 1), `filter ${f}`).to.deep.equal([lut[end * 3], lut[end * 3 + 1], lut[end * 3 + 2]]);
      // And another weight at its own fraction of the range.
      const v = w[1][1][0][f] / maxAbs;
      const idx = Math.round((v + 1) * 127.5) * 3;
      expect(pixel(c, o.x + o.cell + 1, o.y + o.cell + 1)).to.deep.equal([lut[idx], lut[idx + 1], lut[idx + 2]]);
    }
    await expect(el).to.be.accessible();
  });

  it('scales every tile by the layer\'s largest weight when normalize="layer", and says what each scale hides', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid normalize="layer"></filter-grid>`);
    await waitUntil(() => grid(el)?.width > 0 && el.currentLayer, 'grid', { timeout: 60000 });
    await responded(el);
    const note = () => el.shadowRoot!.querySelector('fieldset.normalize .note')!.textContent!;
    expect(note()).to.match(/one scale for every tile.*hidden/);
    const m = await loadModel('digits');
    const k = layerKernel(m, 'conv1');
    const flat = (await k.data()) as Float32Array;
    k.dispose();
    // Only the filter that holds the layer's largest |w| reaches an end of the map.
    let argmax = 0;
    for (let i = 1; i < flat.length; i++) if (Math.abs(flat[i]) > Math.abs(flat[argmax])) argmax = i;
    const fMax = argmax % 16;
    const ends = (f: number) => {
      const o = tileOrigin(el, f);
      const lut = colormapLut('diverging');
      let n = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          const p = pixel(grid(el), o.x + j * o.cell + 1, o.y + i * o.cell + 1);
          if ((p[0] === lut[0] && p[1] === lut[1] && p[2] === lut[2]) || (p[0] === lut[765] && p[1] === lut[766] && p[2] === lut[767])) n++;
        }
      return n;
    };
    expect(ends(fMax)).to.equal(1);
    const others = Array.from({ length: 16 }, (_, f) => f).filter((f) => f !== fMax);
    expect(others.filter((f) => ends(f) > 0).length, 'the other filters stay inside the range').to.be.below(others.length);
    // The toggle: per filter, every tile reaches an end.
    const done = filtersReady(el);
    (el.shadowRoot!.querySelector('input[value="filter"]') as HTMLInputElement).click();
    await done;
    expect(el.getAttribute('normalize')).to.equal('filter');
    expect(note()).to.match(/own largest weight.*hidden/);
    for (let f = 0; f < 16; f++) expect(ends(f), `filter ${f}`).to.be.at.least(1);
  });

  it('shows the hovered filter\'s response map (conv, bias, ReLU of the image) and its weights as numbers, under a CSS scale', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div style="transform: scale(0.6); transform-origin: 0 0; width: 1200px"><filter-grid sample="30"></filter-grid></div>`);
    const el = wrap.querySelector('filter-grid')!;
    await responded(el);
    const o = tileOrigin(el, 5);
    hover(el, o.x + 2, o.y + 2);
    await waitUntil(() => el.shadowRoot!.querySelector('.detail figcaption')!.textContent!.includes('filter 5'), 'hover shows filter 5', { timeout: 10000 });
    const shown = await responded(el);
    const m = await loadModel('digits');
    const x = (el as unknown as { x: Tensor4D }).x;
    const expected = tf.tidy(() => {
      const k = m.layers!.getLayer('conv1').getWeights();
      const y = tf.relu(tf.add(tf.conv2d(x, k[0] as tf.Tensor4D, 1, 'same'), k[1]));
      return tf.squeeze(tf.slice(y, [0, 0, 0, 5], [1, -1, -1, 1]), [0, 3]);
    });
    expect(shown.shape).to.deep.equal([28, 28]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(shown, expected))).dataSync()[0]);
    expected.dispose();
    expect(diff).to.be.below(1e-4);
    // The weights as numbers: the 3x3 kernel of filter 5.
    const k = layerKernel(m, 'conv1');
    const w = (await k.array()) as number[][][][];
    k.dispose();
    const cells = [...el.shadowRoot!.querySelectorAll('table.weights td')].map((td) => Number(td.textContent));
    expect(cells).to.have.length(9);
    cells.forEach((v, n) => expect(v).to.be.closeTo(w[Math.floor(n / 3)][n % 3][0][5], 0.0006));
    expect(el.shadowRoot!.querySelector('.bias')!.textContent).to.match(/bias b = -?\d\.\d{3}/);
  });

  it('shows a deeper layer per input channel, and a hovered slice\'s weights', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid layer="conv2"></filter-grid>`);
    await waitUntil(() => el.currentLayer?.name === 'conv2' && grid(el)?.width > 0, 'conv2', { timeout: 60000 });
    await responded(el);
    const L = (el as unknown as { layout(): { cols: number; rows: number; perChannel: boolean } }).layout();
    expect([L.rows, L.cols, L.perChannel]).to.deep.equal([32, 16, true]);
    const o = tileOrigin(el, 3, 5);
    hover(el, o.x + 1, o.y + 1);
    await waitUntil(() => el.shadowRoot!.querySelector('table.weights caption')?.textContent === 'Input channel 5', 'slice 5', { timeout: 10000 });
    const m = await loadModel('digits');
    const k = layerKernel(m, 'conv2');
    const w = (await k.array()) as number[][][][];
    k.dispose();
    const cells = [...el.shadowRoot!.querySelectorAll('table.weights td')].map((td) => Number(td.textContent));
    cells.forEach((v, n) => expect(v).to.be.closeTo(w[Math.floor(n / 3)][n % 3][5][3], 0.0006));
    expect((await responded(el)).shape).to.deep.equal([14, 14]);
    await expect(el).to.be.accessible();
  });
});
