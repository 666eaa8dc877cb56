import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf, loadModel, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { OcclusionMap, MapCompleteDetail } from '../src/index.js';
import { countGradients } from '../../tensor/test/helpers/gradient-spy.js';
import { drawVerticalStroke } from '../../kit/test/helpers/draw.js';

async function complete(el: OcclusionMap): Promise<MapCompleteDetail> {
  return ((await oneEvent(el, 'map-complete')) as CustomEvent<MapCompleteDetail>).detail;
}

describe('<occlusion-map>', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('maps the predicted class of a digit over 144 positions (patch 6, stride 2)', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" patch="6" stride="2"></occlusion-map>`);
    const d = await complete(el);
    expect([d.rows, d.cols]).to.deep.equal([12, 12]);
    expect(d.classIndex).to.equal(0);
    expect(d.label).to.equal('0');
    expect(d.baseline).to.be.greaterThan(0.9);
    expect(d.min).to.be.at.most(d.baseline);
    expect(d.mostSensitive.drop).to.be.closeTo(d.baseline - d.min, 1e-6);
    expect(d.blackBox).to.equal(false);
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/Unoccluded: \d+\.\d%/);
    await expect(el).to.be.accessible();
  });

  it('computes in batches through a page-set probability function, with progress, and no gradient', async () => {
    const model = await loadModel('digits');
    const logits = model.logits;
    let calls = 0;
    const grads = countGradients(tf);
    try {
      // Control: the counter sees a gradient when there is one.
      tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(v))(tf.ones([2])));
      expect(grads.count()).to.equal(1);
      // The "API": the digits model with its classes shifted by one (a zero reads as a one), so that
      // what comes through it can be told from what the element's own model would say.
      let inApi = false;
      let direct = 0;
      model.logits = (x) => {
        if (!inApi) direct++;
        return logits(x);
      };
      const el = document.createElement('occlusion-map') as OcclusionMap;
      el.setAttribute('batch-size', '16');
      el.setAttribute('sample', '0');
      el.probabilities = async (images: Tensor4D) => {
        calls++;
        inApi = true;
        const p = tf.tidy(() => tf.softmax(tf.concat([tf.slice(model.logits(images), [0, 9], [-1, 1]), tf.slice(model.logits(images), [0, 0], [-1, 9])], 1)));
        inApi = false;
        const rows = (await p.array()) as number[][];
        p.dispose();
        return rows;
      };
      const progress: number[] = [];
      el.addEventListener('map-progress', (e) => progress.push((e as CustomEvent<{ done: number }>).detail.done));
      const done = oneEvent(el, 'map-complete');
      (await fixture(html`<div></div>`)).append(el);
      const d = ((await done) as CustomEvent<MapCompleteDetail>).detail;
      expect(d.blackBox).to.equal(true);
      expect(d.classIndex, 'the default class is the API\'s prediction, not the model\'s').to.equal(1);
      expect(direct, 'the element never runs the model itself').to.equal(0);
      // clean prediction + unoccluded baseline + one call per batch
      expect(calls).to.equal(2 + Math.ceil(144 / 16));
      expect(grads.count(), 'no gradient in black-box mode').to.equal(1);
      expect(progress, 'progress after every batch').to.deep.equal([16, 32, 48, 64, 80, 96, 112, 128, 144]);
      expect(el.shadowRoot!.querySelector('.badge')!.textContent).to.equal('black box');
    } finally {
      grads.restore();
      model.logits = logits;
    }
  });

  it('uses the bundled model through the same interface in black-box mode', async () => {
    const grads = countGradients(tf);
    try {
      const el = await fixture<OcclusionMap>(html`<occlusion-map sample="10" black-box></occlusion-map>`);
      const d = await complete(el);
      expect(d.blackBox).to.equal(true);
      expect(d.classIndex).to.equal(1);
      expect(grads.count()).to.equal(0);
    } finally {
      grads.restore();
    }
  });

  it('shows the occluded input and its predictions for a clicked cell, under a CSS scale', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div style="transform: scale(0.5); transform-origin: 0 0; width: 900px">
      <occlusion-map sample="30" patch="7" stride="7"></occlusion-map>
    </div>`);
    const el = wrap.querySelector('occlusion-map')!;
    const d = await complete(el);
    expect([d.rows, d.cols]).to.deep.equal([4, 4]);
    const canvas = el.shadowRoot!.querySelector('canvas.map') as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    // The centre of cell (row 2, col 1): image pixel (17.5, 10.5) of 28.
    const at = (type: string) =>
      canvas.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true, pointerId: 1, buttons: type === 'pointerup' ? 0 : 1, clientX: r.left + (10.5 / 28) * r.width, clientY: r.top + (17.5 / 28) * r.height }));
    at('pointerdown');
    at('pointerup');
    await waitUntil(() => el.shadowRoot!.querySelector('figure.detail figcaption')?.textContent?.includes('row 14'), 'detail shows', { timeout: 10000 });
    expect(el.shadowRoot!.querySelector('figure.detail figcaption')!.textContent).to.match(/row 14, column 7/);
    expect(el.shadowRoot!.querySelector('figure.detail convlab-prob-bars')).to.exist;
  });

  it('moves a single occluder with the keyboard and shows the live probability', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="50"></occlusion-map>`);
    await complete(el);
    const canvas = el.shadowRoot!.querySelector('canvas.map') as HTMLCanvasElement;
    canvas.focus();
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown']) canvas.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await waitUntil(() => /Occluder at \(1, 2\): \d+\.\d%/.test(el.shadowRoot!.querySelector('.readout')!.textContent!), 'occluder readout', { timeout: 10000 });
    // Enter shows exactly what the occluder covers (not the nearest cell of the stride grid).
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    const caption = () => el.shadowRoot!.querySelector('figure.detail figcaption')?.textContent ?? '';
    await waitUntil(() => caption().includes('Occluded input'), 'detail shows', { timeout: 10000 });
    expect(caption()).to.match(/patch at row 1, column 2$/);
    const shown = el.shadowRoot!.querySelector('figure.detail convlab-prob-bars') as HTMLElement & { probabilities: number[] };
    const occluderP = Number(el.shadowRoot!.querySelector('.readout strong')!.textContent!.replace('%', ''));
    expect(shown.probabilities[el.classIndex] * 100).to.be.closeTo(occluderP, 0.05);
    // New settings: the occluded input and the occluder were for the old ones, so they go.
    const done = complete(el);
    el.patch = 10;
    await done;
    expect(caption()).to.not.include('Occluded input');
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.not.include('Occluder at');
  });

  it('clamps a patch larger than the image and a stride of zero, with a clear message', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" patch="40" stride="0"></occlusion-map>`);
    const d = await complete(el);
    expect([d.rows, d.cols]).to.deep.equal([1, 1]);
    const warning = el.shadowRoot!.querySelector('.warning[role="alert"]')!.textContent!;
    expect(warning).to.match(/patch of 40 px is larger than the 28×28 image; using 28 px/);
    expect(warning).to.match(/stride must be at least 1 px \(got 0\); using 1/);
  });

  it('says so for an unknown class and maps the predicted one', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="20" target-class="42"></occlusion-map>`);
    const d = await complete(el);
    expect(d.classIndex).to.equal(2);
    expect(el.shadowRoot!.querySelector('.warning')!.textContent).to.match(/There is no class 42/);
    el.targetClass = '5';
    const d2 = await complete(el);
    expect(d2.classIndex).to.equal(5);
    expect(el.shadowRoot!.querySelector('.warning')).to.equal(null);
  });

  it('shows an alert when the model cannot be loaded', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map model="/nope/model.json"></occlusion-map>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert', { timeout: 20000 });
  });

  it('maps a digit the student draws', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0"></occlusion-map>`);
    await complete(el);
    const next = complete(el);
    await drawVerticalStroke(el);
    const d = await next;
    expect(d.classIndex, 'a vertical stroke reads as a one, and its map is computed').to.equal(1);
    expect(d.label).to.equal('1');
  });

  it('moves the occluder where the pointer drags it, under a CSS scale', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div style="transform: scale(1.5); transform-origin: 0 0; width: 600px">
      <occlusion-map sample="70" patch="6" stride="2"></occlusion-map>
    </div>`);
    const el = wrap.querySelector('occlusion-map')!;
    await complete(el);
    const canvas = el.shadowRoot!.querySelector('canvas.map') as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    // Pointer at image pixel (py, px) of 28; the occluder is centred there: top-left (py - 3, px - 3).
    const at = (type: string, py: number, px: number) =>
      canvas.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true, pointerId: 1, buttons: type === 'pointerup' ? 0 : 1, clientX: r.left + (px / 28) * r.width, clientY: r.top + (py / 28) * r.height }));
    at('pointerdown', 10, 10);
    at('pointermove', 14, 20);
    const readout = () => el.shadowRoot!.querySelector('.readout')!.textContent!;
    await waitUntil(() => /Occluder at \(11, 17\): \d+\.\d%/.test(readout()), `occluder follows the drag (${readout()})`, { timeout: 10000 });
    at('pointerup', 14, 20);
  });

  it('clamps a negative stride with a message', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" patch="14" stride="-3"></occlusion-map>`);
    const d = await complete(el);
    expect([d.rows, d.cols]).to.deep.equal([15, 15]);
    expect(el.shadowRoot!.querySelector('.warning[role="alert"]')!.textContent).to.match(/stride must be at least 1 px \(got -3\); using 1/);
  });

  it('paints the map progressively, batch by batch', async () => {
    const model = await loadModel('digits');
    const el = document.createElement('occlusion-map') as OcclusionMap;
    el.setAttribute('sample', '40');
    el.setAttribute('batch-size', '16');
    // A slow "API", so that every batch gets painted before the next one arrives.
    el.probabilities = async (images: Tensor4D) => {
      const p = tf.tidy(() => tf.softmax(model.logits(images)));
      const rows = (await p.array()) as number[][];
      p.dispose();
      await new Promise((r) => setTimeout(r, 40));
      return rows;
    };
    const shots: string[] = [];
    el.addEventListener('map-progress', () => {
      const c = el.shadowRoot!.querySelector('canvas.map') as HTMLCanvasElement;
      shots.push(c.toDataURL());
    });
    const done = complete(el);
    (await fixture(html`<div></div>`)).append(el);
    await done;
    expect(shots).to.have.length(9);
    // Each snapshot is taken as a batch arrives, showing what was painted after the batch before.
    expect(new Set(shots).size, 'the canvas changes from batch to batch').to.be.at.least(7);
  });

  it('reflects its settings as attributes and fires map-complete once per change', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0"></occlusion-map>`);
    await complete(el);
    let n = 0;
    el.addEventListener('map-complete', () => n++);
    el.patch = 8;
    el.stride = 4;
    el.fill = 'black';
    await el.updateComplete;
    expect([el.getAttribute('patch'), el.getAttribute('stride'), el.getAttribute('fill')]).to.deep.equal(['8', '4', 'black']);
    await waitUntil(() => n > 0, 'a map', { timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(n, 'three settings changed in one task: one map').to.equal(1);
  });

  it('does not stretch a flat map of a class the model rules out over the whole colour scale', async () => {
    // Sample 0 is a zero: P(class 1) is tiny at every position.
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" target-class="1"></occlusion-map>`);
    const d = await complete(el);
    expect(d.max).to.be.below(0.01);
    const ends = [...el.shadowRoot!.querySelectorAll('.legend span:not(.bar)')].map((e) => e.textContent);
    expect(ends).to.deep.equal(['0.0%', '1.0%']);
  });

  it('leaves no tensor behind after 50 full maps', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="60" fill="blurred"></occlusion-map>`);
    await complete(el);
    await new Promise((r) => setTimeout(r, 50)); // let the last repaint finish
    const base = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      el.fill = (['grey', 'black', 'mean', 'blurred'] as const)[i % 4];
      await el.updateComplete;
      await el.computeMap();
    }
    el.fill = 'blurred';
    await el.computeMap();
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors).to.equal(base);
  });
});
