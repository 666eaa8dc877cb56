import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { SaliencyMap, SaliencyChangeDetail } from '../src/index.js';

const HOSTED = new URL('../../models/fixtures/hosted-224/model.json', import.meta.url).href;
const HOSTED_META = new URL('../../models/fixtures/hosted-224/meta.json', import.meta.url).href;

async function changed(el: SaliencyMap): Promise<SaliencyChangeDetail> {
  return ((await oneEvent(el, 'saliency-change')) as CustomEvent<SaliencyChangeDetail>).detail;
}

function notices(el: SaliencyMap): string {
  const n = el.shadowRoot!.querySelector('convlab-notice') as (HTMLElement & { messages: string[] }) | null;
  return n ? n.messages.join(' ') : '';
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe('<saliency-map>', () => {
  before(async () => {
    await ready();
  });

  it('shows the three maps of the predicted class of a digit, signed and over the image, and is accessible', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="33"></saliency-map>`);
    const d = await changed(el);
    expect(d.target).to.equal('class');
    expect(d.classIndex).to.equal(3);
    expect(d.label).to.equal('3');
    expect(d.predicted).to.equal(3);
    expect(d.method).to.equal('all');
    for (const r of ['gradient', 'deconvnet', 'guided'] as const) expect(d.maxAbs[r], r).to.be.above(0);
    const root = el.shadowRoot!;
    expect(root.querySelectorAll('convlab-tensor-canvas.signed')).to.have.length(3);
    expect(root.querySelectorAll('canvas.overlay')).to.have.length(3);
    await waitUntil(() => (root.querySelector('canvas.overlay') as HTMLCanvasElement).width > 28, 'overlay painted', { timeout: 10000 });
    const signed = root.querySelector('convlab-tensor-canvas.signed') as HTMLElement & { tensor?: tf.Tensor };
    expect(signed.tensor!.shape).to.deep.equal([28, 28]);
    expect(root.querySelector('.caption')!.textContent).to.match(/score of class 3 \(before the softmax\)/);
    await expect(el).to.be.accessible();
  });

  it('explains a chosen class, then a unit of a layer, once per change', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="33"></saliency-map>`);
    await changed(el);
    let n = 0;
    el.addEventListener('saliency-change', () => n++);
    const next = changed(el);
    el.targetClass = '8';
    const d = await next;
    expect([d.target, d.classIndex, d.label]).to.deep.equal(['class', 8, '8']);
    expect(el.getAttribute('target-class')).to.equal('8');
    const next2 = changed(el);
    el.layer = 'conv2';
    el.unit = 5;
    const d2 = await next2;
    expect([d2.target, d2.layer, d2.unit]).to.deep.equal(['unit', 'conv2', 5]);
    expect([el.getAttribute('layer'), el.getAttribute('unit')]).to.deep.equal(['conv2', '5']);
    await new Promise((r) => setTimeout(r, 200));
    expect(n, 'two changes of target, two events (layer and unit set in one task)').to.equal(2);
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.match(/unit 5 of layer conv2/);
  });

  it('shows one rule alone with method, and a notice for an unknown one', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="0" method="guided"></saliency-map>`);
    await changed(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('figure.rule')).to.have.length(1);
    expect(el.shadowRoot!.querySelector('figure.rule figcaption')!.textContent).to.match(/Guided backprop/);
    el.setAttribute('method', 'magic');
    await el.updateComplete;
    expect(el.method).to.equal('all');
    await el.updateComplete;
    expect(notices(el)).to.match(/method="magic" is not one of all, gradient, deconvnet, guided: using all\./);
    expect(el.shadowRoot!.querySelectorAll('figure.rule')).to.have.length(3);
  });

  it('says so for a layer that does not exist, a unit out of range and an unknown class, and keeps working', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="20" layer="conv9"></saliency-map>`);
    const d = await changed(el);
    expect([d.target, d.classIndex]).to.deep.equal(['class', 2]);
    await el.updateComplete;
    expect(notices(el)).to.match(/layer="conv9" is not a layer of this model \(conv1, pool1, conv2, .*\): explaining the predicted class\./);
    const next = changed(el);
    el.layer = 'conv1';
    el.unit = 99;
    const d2 = await next;
    expect([d2.layer, d2.unit]).to.deep.equal(['conv1', 15]);
    await el.updateComplete;
    expect(notices(el)).to.match(/unit=99 is above the last unit of conv1, 15: using 15\./);
    expect(notices(el)).to.not.match(/conv9/);
    const next3 = changed(el);
    el.layer = '';
    el.targetClass = '12';
    const d3 = await next3;
    expect(d3.classIndex).to.equal(2);
    await el.updateComplete;
    expect(notices(el)).to.match(/target-class="12" is not a class of this model \(0 to 9\)/);
    // A negative unit is clamped by the settings rule.
    el.layer = 'conv1';
    el.unit = -4;
    await el.updateComplete;
    expect(el.unit).to.equal(0);
    await el.updateComplete;
    expect(notices(el)).to.match(/unit=-4 is below the minimum 0: using 0\./);
  });

  it('shows an alert when the model cannot be loaded', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map model-url="/nope/model.json"></saliency-map>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert', { timeout: 20000 });
    expect(el.model).to.equal('/nope/model.json');
  });

  it('explains each ReLU rule on the diagram, as the slide does', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="0"></saliency-map>`);
    await changed(el);
    const root = el.shadowRoot!;
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('.diagram .rules button')];
    expect(buttons.map((b) => b.textContent)).to.deep.equal(['Gradient (vanilla backprop)', 'Deconvnet', 'Guided backprop']);
    const passed = () => [...[...root.querySelectorAll('.diagram table.grid')][2].querySelectorAll('td')].map((td) => td.textContent).join(' ');
    buttons[1].click();
    await el.updateComplete;
    expect(passed()).to.equal('0 3 0 6 0 1 2 0 3');
    expect(root.querySelector('.diagram .explain')!.textContent).to.match(/ignores the forward pass/);
    expect(root.querySelector('figure.explained figcaption')!.textContent).to.match(/Deconvnet/);
    buttons[2].click();
    await el.updateComplete;
    expect(passed()).to.equal('0 0 0 6 0 0 0 0 3');
    buttons[0].click();
    await el.updateComplete;
    expect(passed()).to.equal('-2 0 -1 6 0 0 0 -1 3');
    expect(buttons[0].getAttribute('aria-pressed')).to.equal('true');
  });

  it('works on a hosted 224×224 RGB model by model-url', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map model-url=${HOSTED} model-meta=${HOSTED_META} src=${new URL('../../kit/test/fixtures/', import.meta.url).href + 'nothing.png'}></saliency-map>`);
    // No image at that URL: an error, not a silent default.
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert for a missing image', { timeout: 30000 });
    const c = document.createElement('canvas');
    c.width = c.height = 224;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#336';
    ctx.fillRect(0, 0, 224, 224);
    ctx.fillStyle = '#fc0';
    ctx.beginPath();
    ctx.arc(112, 112, 60, 0, 2 * Math.PI);
    ctx.fill();
    const next = changed(el);
    await el.setInput(c);
    const d = await next;
    expect(d.target).to.equal('class');
    expect(d.maxAbs.guided).to.be.above(0);
    const signed = el.shadowRoot!.querySelector('convlab-tensor-canvas.signed') as HTMLElement & { tensor?: tf.Tensor };
    expect(signed.tensor!.shape).to.deep.equal([224, 224]);
  });

  it('returns to the tensor baseline after 200 interactions and after removal mid-computation', async () => {
    const el = await fixture<SaliencyMap>(html`<saliency-map sample="40"></saliency-map>`);
    await changed(el);
    await frame();
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) el.targetClass = String(i % 10);
      else if (i % 3 === 1) {
        el.layer = 'conv3';
        el.unit = i % 64;
      } else el.layer = '';
      await el.updateComplete;
    }
    el.layer = '';
    el.targetClass = '';
    await el.updateComplete;
    await frame();
    expect(tf.memory().numTensors).to.equal(base);
    // Removal while a new image is being read and classified.
    const wrap = el.parentElement!;
    const p = el.setInput(new URL('../../models/models/digits/samples.png', import.meta.url).href);
    el.remove();
    await p;
    await frame();
    expect(tf.memory().numTensors).to.be.at.most(base - 7); // x and the six maps are gone
    wrap.append(el); // back on the page: it loads again
    await changed(el);
  });
});
