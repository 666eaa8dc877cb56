import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { render } from 'lit';
import { ready, tf, loadModel, layerActivations, type Tensor4D } from '@convlab/tensor';
import { samplesFor } from '@convlab/models';
import { poolFor } from '@convlab/models/pool.js';
import { loadSpriteSamples } from '@convlab/kit';
import '../src/index.js';
import { loadPool } from '../src/index.js';
import type { TopPatches, PatchesCompleteDetail } from '../src/index.js';
import { drawVerticalStroke } from '../../kit/test/helpers/draw.js';

const NO_CONV = '/packages/filter-grid/test/fixtures/no-conv/model.json';

function complete(el: HTMLElement): Promise<PatchesCompleteDetail> {
  return oneEvent(el, 'patches-complete').then((e) => (e as CustomEvent<PatchesCompleteDetail>).detail);
}

/** Mounts the element with its patches-complete listener in place before it can fire. */
async function mounted(tpl: ReturnType<typeof html>): Promise<{ el: TopPatches; d: PatchesCompleteDetail }> {
  const holder = document.createElement('div');
  render(tpl, holder);
  const el = holder.querySelector('top-patches') as TopPatches;
  const done = complete(el);
  (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
  return { el, d: await done };
}

describe('<top-patches>', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('ships a pool whose tiles are the test images (the bundled samples are in it, pixel for pixel)', async () => {
    const pool = await loadPool(poolFor('digits'), 5000);
    expect(pool.images.shape).to.deep.equal([5000, 28, 28, 1]);
    const meta = (await (await fetch(samplesFor('digits').json)).json()) as { sourceIndices: number[] };
    const samples = await loadSpriteSamples(samplesFor('digits'));
    let checked = 0;
    for (let s = 0; s < samples.length; s += 7) {
      const src = meta.sourceIndices[s];
      if (src >= 5000) continue;
      const tile = tf.tidy(() => tf.round(tf.mul(tf.slice(pool.images, [src, 0, 0, 0], [1, -1, -1, -1]), 255)).dataSync());
      const want = samples[s].src.data.filter((_, i) => i % 4 === 0);
      expect(Array.from(tile), `sample ${s} = test image ${src}`).to.deep.equal(Array.from(want));
      expect(pool.labels[src]).to.equal(samples[s].classIndex);
      checked++;
    }
    expect(checked).to.be.at.least(10);
    pool.images.dispose();
    pool.sprite.close();
  });

  it('ranks the 9 images of 1,000 where a conv3 unit responds most, with activations that the model gives', async () => {
    const { el, d } = await mounted(html`<top-patches unit="5"></top-patches>`);
    expect([d.layer, d.unit, d.count]).to.deep.equal(['conv3', 5, 1000]);
    expect(d.patches).to.have.length(9);
    const values = d.patches.map((p) => p.value);
    expect(values).to.deep.equal([...values].sort((a, b) => b - a));
    // Recompute the top patch's activation directly from its pool image.
    const pool = await loadPool(poolFor('digits'), 1000);
    const m = await loadModel('digits');
    const p0 = d.patches[0];
    const a = tf.tidy(() => (layerActivations(m, 'conv3', tf.slice(pool.images, [p0.index, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D).arraySync() as number[][][][])[0]);
    expect(a[p0.i][p0.j][5]).to.be.closeTo(p0.value, 1e-4);
    expect(Math.max(...a.flat().map((c) => c[5]))).to.be.closeTo(p0.value, 1e-4);
    // No image of the pool beats the 9th.
    const all = tf.tidy(() => tf.max(tf.reshape(layerActivations(m, 'conv3', pool.images), [1000, -1, 64]), 1).arraySync() as number[][]);
    const beat = all.filter((row, n) => row[5] > d.patches[8].value + 1e-5 && !d.patches.some((p) => p.index === n));
    expect(beat).to.have.length(0);
    // conv3's receptive field is 18 px, clipped at the image edge.
    for (const p of d.patches) {
      expect(p.box[2] - p.box[0] + 1).to.be.within(11, 18);
      expect(p.box[3] - p.box[1] + 1).to.be.within(11, 18);
    }
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.match(/each unit sees 18×18 pixels/);
    expect(el.shadowRoot!.querySelectorAll('button.patch')).to.have.length(9);
    pool.images.dispose();
    pool.sprite.close();
    await expect(el).to.be.accessible();
  });

  it('draws the receptive field of a hovered patch on its whole image', async () => {
    const { el, d } = await mounted(html`<top-patches layer="conv2" unit="3" k="4"></top-patches>`);
    expect(d.layer).to.equal('conv2');
    const b = el.shadowRoot!.querySelectorAll('button.patch')[2] as HTMLButtonElement;
    b.focus();
    await el.updateComplete;
    const p = d.patches[2];
    expect(el.shadowRoot!.querySelector('.whole figcaption')!.textContent).to.contain(`rows ${p.box[0]}–${p.box[2]}, columns ${p.box[1]}–${p.box[3]}`);
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.contain(p.value.toFixed(3));
    // The red box is on the canvas at the field's edge (8 canvas pixels per image pixel).
    const full = el.shadowRoot!.querySelector('canvas.full') as HTMLCanvasElement;
    const px = full.getContext('2d')!.getImageData(p.box[1] * 8 + 1, Math.round(((p.box[0] + p.box[2] + 1) / 2) * 8), 1, 1).data;
    expect([px[0], px[1], px[2]]).to.deep.equal([255, 59, 48]);
  });

  it('shows every unit\'s top patches in grid mode; a row selects its unit (unit-select once)', async () => {
    const { el } = await mounted(html`<top-patches layer="conv1" mode="grid" k="6"></top-patches>`);
    const rows = el.shadowRoot!.querySelectorAll('button.unit-row');
    expect(rows).to.have.length(16);
    // Painted: a row canvas is not blank.
    const c = el.shadowRoot!.querySelector('canvas.row') as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    expect(data.some((v, i) => i % 4 === 0 && v > 0)).to.equal(true);
    await expect(el).to.be.accessible();
    const got: unknown[] = [];
    el.addEventListener('unit-select', (e) => got.push(e.detail));
    (rows[7] as HTMLButtonElement).click();
    await el.updateComplete;
    expect(got).to.deep.equal([{ layer: 'conv1', unit: 7 }]);
    expect([el.getAttribute('unit'), el.getAttribute('mode')]).to.deep.equal(['7', 'single']);
    await expect(el).to.be.accessible();
  });

  it('clamps unit, k and count with a quiet notice', async () => {
    const { el, d } = await mounted(html`<top-patches unit="99" k="0" count="99999"></top-patches>`);
    expect([d.unit, d.patches.length, d.count]).to.deep.equal([63, 1, 5000]);
    const n = ((el.shadowRoot!.querySelector('convlab-notice[kind="settings"]') as HTMLElement & { messages: string[] }).messages).join(' ');
    expect(n).to.match(/unit=99 is not a unit of conv3, which has 64 \(0 to 63\): showing unit 63/);
    expect(n).to.match(/k=0 is outside 1 to 50: showing 1/);
    expect(n).to.match(/count=99999 is outside 100 to 5000.*searching 5000/);
  });

  it('says so for a layer that does not exist and for a model with no conv layer', async () => {
    const { el, d } = await mounted(html`<top-patches layer="conv7" count="200"></top-patches>`);
    expect(d.layer).to.equal('conv3');
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.match(/no spatial layer called 'conv7'.*Showing conv3/);
    const bad = await fixture<TopPatches>(html`<top-patches model-url=${NO_CONV}></top-patches>`);
    const alert = () => bad.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]');
    await waitUntil(alert, 'alert', { timeout: 30000 });
    expect(alert()!.textContent).to.match(/no convolution \(Conv2D\) layer/);
  });

  it('adds a digit the student draws to the pool and searches it too', async () => {
    const { el } = await mounted(html`<top-patches layer="conv1" unit="0" count="100"></top-patches>`);
    const next = complete(el);
    await drawVerticalStroke(el);
    const d = await next;
    expect(d.count).to.equal(101);
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.match(/Searched 101 images \(1 yours\)/);
  });

  it('leaves no tensor behind after 200 interactions, and after removal mid-search', async () => {
    const { el } = await mounted(html`<top-patches count="300"></top-patches>`);
    await new Promise((r) => setTimeout(r, 50));
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      el.unit = i % 64;
      if (i % 40 === 0) el.mode = el.mode === 'grid' ? 'single' : 'grid';
      const b = el.shadowRoot!.querySelector('button.patch') as HTMLButtonElement | null;
      b?.focus();
      await el.updateComplete;
    }
    const done = complete(el);
    el.layer = 'conv2';
    await done;
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors).to.equal(base);
    el.layer = 'conv1';
    await oneEvent(el, 'patches-progress');
    el.remove();
    await new Promise((r) => setTimeout(r, 500));
    expect(tf.memory().numTensors, 'the pool and the search are freed').to.be.below(base);
  });
});
