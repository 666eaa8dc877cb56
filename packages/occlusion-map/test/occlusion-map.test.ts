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

/**
 * An <occlusion-map> inside a CSS-transformed wrapper, with its first map-complete listened for
 * before it is on the page: waiting for the wrapper's fixture first took a frame, and a map that
 * completed in that frame was never seen (the test hung until its timeout on a loaded CI machine).
 */
async function scaled(transform: string, width: string, attrs: Record<string, string>): Promise<{ el: OcclusionMap; first: Promise<MapCompleteDetail> }> {
  const wrap = await fixture<HTMLDivElement>(html`<div style="transform: ${transform}; transform-origin: 0 0; width: ${width}"></div>`);
  const el = document.createElement('occlusion-map') as OcclusionMap;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const first = complete(el);
  wrap.append(el);
  return { el, first };
}

const noticeText = (el: OcclusionMap) =>
  [...el.shadowRoot!.querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim()).join(' ').trim();

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
    const { el, first } = await scaled('scale(0.5)', '900px', { sample: '30', patch: '7', stride: '7' });
    const d = await first;
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

  it('clamps a patch larger than the image and a stride of zero, with a quiet settings notice (not an alert)', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" patch="40" stride="0" fill="purple"></occlusion-map>`);
    const d = await complete(el);
    expect([d.rows, d.cols]).to.deep.equal([1, 1]);
    await el.updateComplete;
    const t = noticeText(el);
    expect(t).to.include('patch=40 is above the maximum 28: using 28.');
    expect(t).to.include('stride=0 is below the minimum 1: using 1.');
    expect(t).to.include('fill="purple" is not one of grey, black, mean, blurred: using grey.');
    expect(el.shadowRoot!.querySelectorAll('[role="alert"]').length, 'a setting is no alert').to.equal(0);
    expect(el.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[role="alert"]')).to.equal(null);
  });

  it('says so for an unknown class and maps the predicted one', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="20" target-class="42"></occlusion-map>`);
    const d = await complete(el);
    expect(d.classIndex).to.equal(2);
    await el.updateComplete;
    expect(noticeText(el)).to.include('target-class=42: the model has classes 0 to 9: mapping the predicted class.');
    el.targetClass = '5';
    const d2 = await complete(el);
    expect(d2.classIndex).to.equal(5);
    await el.updateComplete;
    expect(noticeText(el)).to.equal('');
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
    const { el, first } = await scaled('scale(1.5)', '600px', { sample: '70', patch: '6', stride: '2' });
    await first;
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
    await el.updateComplete;
    expect(noticeText(el)).to.include('stride=-3 is below the minimum 1: using 1.');
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
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0" target-class="1" scale="stretched"></occlusion-map>`);
    const d = await complete(el);
    expect(d.max).to.be.below(0.01);
    const ends = [...el.shadowRoot!.querySelectorAll('.legend span:not(.bar)')].map((e) => e.textContent);
    expect(ends).to.deep.equal(['0.0%', '1.0%']);
  });

  it('colours on an absolute 0-100% scale by default; the stretched scale is an option that says it is stretched', async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map></occlusion-map>`);
    const d = await complete(el);
    const ends = () => [...el.shadowRoot!.querySelectorAll('.legend span:not(.bar)')].map((e) => e.textContent);
    const note = () => el.shadowRoot!.querySelector('.legend-note')!.textContent!.replace(/\s+/g, ' ');
    expect(ends()).to.deep.equal(['0%', '100%']);
    expect(note()).to.match(/fixed 0-100% scale/);
    expect(note()).to.not.match(/Stretched/);
    // The default (model, sample, patch, fill) shows an effect worth seeing: hiding the right patch costs many points.
    expect(d.baseline - d.min, `largest drop ${((d.baseline - d.min) * 100).toFixed(1)} points`).to.be.above(0.3);
    const box = [...el.shadowRoot!.querySelectorAll('label.check')].find((l) => /Stretch the colour scale/.test(l.textContent!))!;
    (box.querySelector('input') as HTMLInputElement).click();
    await el.updateComplete;
    expect(el.scale).to.equal('stretched');
    expect(el.getAttribute('scale')).to.equal('stretched');
    expect(note()).to.match(/^ ?Stretched scale:/);
    expect(ends()[0]).to.equal(`${(d.min * 100).toFixed(1)}%`);
    el.setAttribute('scale', 'loud');
    await el.updateComplete;
    expect(ends()).to.deep.equal(['0%', '100%']);
    expect(noticeText(el)).to.include('scale="loud" is not one of absolute, stretched: using absolute.');
  });

  it("shows a reader's own photo as the model sees it (28x28 grey) and says what the model was trained on", async () => {
    const el = await fixture<OcclusionMap>(html`<occlusion-map sample="0"></occlusion-map>`);
    await complete(el);
    expect(el.shadowRoot!.querySelectorAll('convlab-notice.input-notice').length, 'no remark for a bundled sample').to.equal(0);
    // A "photo": a colourful 96x64 picture with a light background.
    const c = document.createElement('canvas');
    [c.width, c.height] = [96, 64];
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#e8d8b0';
    ctx.fillRect(0, 0, 96, 64);
    ctx.fillStyle = '#c0392b';
    ctx.beginPath();
    ctx.arc(48, 32, 20, 0, 2 * Math.PI);
    ctx.fill();
    const file = new File([await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'))], 'photo.png', { type: 'image/png' });
    const picker = el.shadowRoot!.querySelector('convlab-image-picker')!;
    const dt = new DataTransfer();
    dt.items.add(file);
    const next = complete(el);
    picker.shadowRoot!.querySelector('[part=zone]')!.dispatchEvent(new DragEvent('drop', { bubbles: true, composed: true, cancelable: true, dataTransfer: dt }));
    await next;
    await el.updateComplete;
    const notice = el.shadowRoot!.querySelector('convlab-notice.input-notice')!;
    const text = notice.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.match(/The model sees your image as 28×28 grey pixels, as shown here\. It was trained on MNIST: handwritten digits 0-9/);
    expect(text).to.match(/inverted/, 'a light background was inverted, and it says so');
    const img = notice.querySelector('img.seen') as HTMLImageElement;
    await img.decode();
    expect([img.naturalWidth, img.naturalHeight]).to.deep.equal([56, 56]);
    expect(img.alt).to.equal('Your image as the model sees it: 28 by 28 pixels');
    await expect(el).to.be.accessible();
    // Back to a bundled sample: the remark goes.
    (picker.shadowRoot!.querySelectorAll('.thumb')[2] as HTMLButtonElement).click();
    await complete(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('convlab-notice.input-notice').length).to.equal(0);
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
