import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf, backendInfo } from '@convlab/tensor';
import '../src/index.js';
import type { FgsmDemo, PredictionChangeDetail } from '../src/index.js';
import { countGradients } from '../../tensor/test/helpers/gradient-spy.js';
import { drawVerticalStroke } from '../../kit/test/helpers/draw.js';

async function loaded(el: FgsmDemo): Promise<PredictionChangeDetail> {
  const e = await oneEvent(el, 'prediction-change');
  return (e as CustomEvent<PredictionChangeDetail>).detail;
}

/** Moves the epsilon slider the way a student does: the range input inside <convlab-slider>. */
function dragEpsilon(el: FgsmDemo, value: number): void {
  const slider = el.shadowRoot!.querySelector('convlab-slider')!;
  const range = slider.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;
  range.value = String(value);
  range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

async function pixels(t: tf.Tensor | undefined): Promise<Float32Array> {
  return (await t!.data()) as Float32Array;
}

describe('<fgsm-demo> on the auto backend', () => {
  before(async () => {
    const info = await ready();
    // On this machine WebGL runs on SwiftShader, so auto must have picked WASM.
    expect(info.name).to.equal(info.gpu.software ? 'wasm' : 'webgl');
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('loads the digits model and a sample, and shows x, the perturbation and x′ with predictions', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0" epsilon="0.1"></fgsm-demo>`);
    const d = await loaded(el);
    expect(d.clean.index, 'sample 0 is a zero').to.equal(0);
    expect(d.clean.label).to.equal('0');
    expect(d.clean.confidence).to.be.greaterThan(0.9);
    expect(d.epsilon).to.equal(0.1);
    expect(d.mode).to.equal('untargeted');
    const canvases = el.shadowRoot!.querySelectorAll('convlab-tensor-canvas');
    expect(canvases).to.have.length(3);
    const readout = el.shadowRoot!.querySelector('.readout')!.textContent!;
    expect(readout).to.match(/= 0\.100/);
    expect(el.gradientCalls).to.equal(1);
    await expect(el).to.be.accessible();
  });

  it('recomputes x′ and the prediction on a slider move without a new gradient', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="30" epsilon="0.05"></fgsm-demo>`);
    await loaded(el);
    const xAdv1 = Array.from(await pixels((el as unknown as { xAdv: tf.Tensor }).xAdv));
    const calls = el.gradientCalls;
    const grads = countGradients(tf);
    let d: PredictionChangeDetail;
    try {
      const next = oneEvent(el, 'prediction-change');
      dragEpsilon(el, 0.25);
      d = ((await next) as CustomEvent<PredictionChangeDetail>).detail;
      expect(grads.count(), 'TF.js ran no gradient for a slider move').to.equal(0);
    } finally {
      grads.restore();
    }
    expect(d.epsilon).to.equal(0.25);
    expect(el.epsilon).to.equal(0.25);
    const xAdv2 = Array.from(await pixels((el as unknown as { xAdv: tf.Tensor }).xAdv));
    expect(xAdv2).to.not.deep.equal(xAdv1);
    expect(el.gradientCalls, 'no gradient for a slider move').to.equal(calls);
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/= 0\.250/);
  });

  it('flips the prediction at the smallest epsilon it finds', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="70" epsilon="0"></fgsm-demo>`);
    const first = await loaded(el);
    expect(first.adversarial.index).to.equal(first.clean.index);
    const next = oneEvent(el, 'prediction-change');
    const eps = await el.findSmallestEpsilon();
    expect(eps).to.be.a('number').and.to.be.greaterThan(0).and.at.most(1);
    const d = ((await next) as CustomEvent<PredictionChangeDetail>).detail;
    expect(d.adversarial.index, 'flipped at the found epsilon').to.not.equal(d.clean.index);
  });

  it('computes a new gradient only when the target changes, and raises the target class', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="10" epsilon="0.3" mode="targeted" target="7"></fgsm-demo>`);
    await loaded(el);
    expect(el.gradientCalls).to.equal(1);
    const grads = countGradients(tf);
    let d: PredictionChangeDetail;
    try {
      el.target = 3;
      d = ((await oneEvent(el, 'prediction-change')) as CustomEvent<PredictionChangeDetail>).detail;
      expect(el.gradientCalls).to.equal(2);
      expect(grads.count(), 'TF.js saw the one new gradient').to.equal(1);
      expect(d.mode).to.equal('targeted');
      el.epsilon = 0.2;
      await oneEvent(el, 'prediction-change');
      expect(el.gradientCalls).to.equal(2);
      expect(grads.count()).to.equal(1);
    } finally {
      grads.restore();
    }
    const probs = el as unknown as { clean: { probs: number[] }; adv: { probs: number[] } };
    expect(probs.adv.probs[3], 'the targeted step raises P(target)').to.be.greaterThan(probs.clean.probs[3]);
  });

  it('runs the iterative mode inside the eps-ball', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="20" epsilon="0.1" mode="iterative" steps="5"></fgsm-demo>`);
    await loaded(el);
    expect(el.gradientCalls).to.equal(5);
    const readout = el.shadowRoot!.querySelector('.readout')!.textContent!;
    const linf = Number(readout.match(/= (\d\.\d+)/)![1]);
    expect(linf).to.be.at.most(0.1 + 1e-3);
  });

  it('classifies a digit the student draws', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0"></fgsm-demo>`);
    await loaded(el);
    const next = oneEvent(el, 'prediction-change');
    await drawVerticalStroke(el);
    const d = ((await next) as CustomEvent<PredictionChangeDetail>).detail;
    expect(d.clean.label, 'a vertical stroke reads as a one').to.equal('1');
  });

  it('takes its canvas size from the page, and spaces its panels with the kit tokens', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0"></fgsm-demo>`);
    await loaded(el);
    const canvasWidth = (e: Element) => e.shadowRoot!.querySelector('convlab-tensor-canvas')!.getBoundingClientRect().width;
    expect(canvasWidth(el), 'its own default').to.be.closeTo(168, 1);
    const panels = el.shadowRoot!.querySelector('.panels')!;
    expect(parseFloat(getComputedStyle(panels).columnGap), 'gap from --convlab-spacing').to.be.closeTo(16, 0.5);
    const wrap = await fixture<HTMLDivElement>(html`<div style="--convlab-canvas-size: 120px; --convlab-spacing: 4px"><fgsm-demo sample="0"></fgsm-demo></div>`);
    const inner = wrap.querySelector('fgsm-demo') as FgsmDemo;
    await waitUntil(() => inner.shadowRoot!.querySelector('convlab-tensor-canvas'), 'panels render', { timeout: 20000 });
    expect(canvasWidth(inner), 'set on an ancestor').to.be.closeTo(120, 1);
    expect(parseFloat(getComputedStyle(inner.shadowRoot!.querySelector('.panels')!).columnGap)).to.be.closeTo(8, 0.5);
  });

  it('widens the slider when epsilon is above 0.5, so the slider shows the value in use', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0" epsilon="0.8"></fgsm-demo>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-slider'), 'controls render', { timeout: 20000 });
    const slider = el.shadowRoot!.querySelector('convlab-slider') as HTMLElement & { value: number; max: number; updateComplete: Promise<unknown> };
    await slider.updateComplete;
    const range = slider.shadowRoot!.querySelector('input[type="range"]') as HTMLInputElement;
    expect(Number(range.max)).to.equal(1);
    expect(Number(range.value)).to.be.closeTo(0.8, 1e-9);
    el.epsilon = 0.2;
    await el.updateComplete;
    await slider.updateComplete;
    expect(Number(range.max)).to.equal(0.5);
  });

  it('reflects its settings as attributes and fires prediction-change once per change', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0"></fgsm-demo>`);
    await loaded(el);
    let n = 0;
    el.addEventListener('prediction-change', () => n++);
    dragEpsilon(el, 0.2);
    await waitUntil(() => n > 0, 'an event', { timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(n, 'one slider move: one event').to.equal(1);
    expect(el.getAttribute('epsilon')).to.equal('0.2');
    el.mode = 'targeted';
    el.target = 4;
    await el.updateComplete;
    expect([el.getAttribute('mode'), el.getAttribute('target')]).to.deep.equal(['targeted', '4']);
    await waitUntil(() => n > 1, 'an event', { timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(n, 'two settings changed together: one event').to.equal(2);
  });

  it("paints x' and the perturbation for the epsilon now set, not the one before", async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="70" epsilon="0.1"></fgsm-demo>`);
    await loaded(el);
    const canvases = () => [...el.shadowRoot!.querySelectorAll('convlab-tensor-canvas')] as (HTMLElement & { painted: Promise<unknown>; canvas: HTMLCanvasElement })[];
    const pixels = async (i: number) => {
      const c = canvases()[i];
      await c.painted;
      const canvas = c.shadowRoot!.querySelector('canvas')!;
      return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
    };
    for (const eps of [0.5, 0, 0.3, 0]) {
      const next = oneEvent(el, 'prediction-change');
      dragEpsilon(el, eps);
      await next;
      await new Promise((r) => setTimeout(r, 300));
      const [x, xAdv] = [await pixels(0), await pixels(2)];
      const same = x.every((v, k) => v === xAdv[k]);
      expect(same, `x' equals x exactly when epsilon is 0 (epsilon ${eps})`).to.equal(eps === 0);
    }
  });

  it('writes the formula of the mode in use, says whether a target was reached, and drops a found epsilon when the mode changes', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="10" epsilon="0.05"></fgsm-demo>`);
    await loaded(el);
    const text = () => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text()).to.include('x′ − x = ε · sign(∇x L(x, y))');
    expect(text()).to.include('= clip(x + ε · sign(∇x L(x, y)))');
    expect(el.shadowRoot!.querySelector('.op')!.textContent!.trim(), 'epsilon is in the perturbation already').to.equal('+');
    await el.findSmallestEpsilon();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.note')!.textContent).to.match(/Smallest epsilon that changes the prediction: \d\.\d{3} \(it becomes \w+\)/);
    el.mode = 'targeted';
    el.target = 7;
    el.epsilon = 0.4;
    await oneEvent(el, 'prediction-change');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.note'), 'the note was for the untargeted mode').to.equal(null);
    expect(text()).to.include('x′ − x = −ε · sign(∇x L(x, t))');
    expect(text()).to.include('= clip(x − ε · sign(∇x L(x, t))), t = 7');
    const adv = (el as unknown as { adv: { top: { index: number } } }).adv.top.index;
    expect(text()).to.include(adv === 7 ? 'Target reached' : 'target 7 not reached');
  });

  it('in presenter mode enlarges every part inside it, the probability bars and sliders included', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0"></fgsm-demo>`);
    await loaded(el);
    const size = (sel: string) => parseFloat(getComputedStyle(el.shadowRoot!.querySelector(sel)!).fontSize);
    const before = [size('convlab-prob-bars'), size('convlab-slider'), size('convlab-image-picker')];
    el.presenter = true;
    await el.updateComplete;
    const after = [size('convlab-prob-bars'), size('convlab-slider'), size('convlab-image-picker')];
    after.forEach((a, i) => expect(a, `part ${i}`).to.be.greaterThan(before[i] * 1.4));
    el.presenter = false;
    await el.updateComplete;
    expect(size('convlab-prob-bars')).to.equal(before[0]);
  });

  it('inverts a dark-on-light photo of a digit for the MNIST model, and says so', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0"></fgsm-demo>`);
    await loaded(el);
    const c = document.createElement('canvas');
    c.width = c.height = 56;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#f4f1ea'; // paper
    ctx.fillRect(0, 0, 56, 56);
    ctx.fillStyle = '#111'; // a pen stroke: a "1"
    ctx.fillRect(25, 10, 6, 36);
    const next = oneEvent(el, 'prediction-change');
    await el.setInput(c);
    const d = ((await next) as CustomEvent<PredictionChangeDetail>).detail;
    expect(d.clean.label).to.equal('1');
    expect(el.shadowRoot!.querySelector('convlab-notice.input-notice')!.shadowRoot!.textContent).to.match(/inverted/);
    // A bundled sample (light on dark) is not inverted, and the notice goes.
    el.sample = 5;
    await oneEvent(el, 'prediction-change');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('convlab-notice.input-notice')).to.equal(null);
  });

  it('returns to its tensor baseline after 200 slider moves', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="40" epsilon="0.1"></fgsm-demo>`);
    await loaded(el);
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      dragEpsilon(el, (i % 50) / 100);
      if (i % 10 === 0) await new Promise((r) => requestAnimationFrame(r));
    }
    dragEpsilon(el, 0.1);
    await waitUntil(() => el.shadowRoot!.querySelector('.readout')?.textContent?.includes('= 0.100'), 'settles', { timeout: 20000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(tf.memory().numTensors).to.equal(base);
    el.remove();
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors, 'removing the element frees its tensors').to.be.below(base);
  });

  it('attacks a hosted RGB model by URL (224x224x3 fixture, labels from a sidecar) on a photo', async () => {
    const fx = '/packages/models/fixtures/hosted-224';
    const el = await fixture<FgsmDemo>(
      html`<fgsm-demo model="${fx}/model.json" model-meta="${fx}/meta.json" src="/apps/course-site/public/photos/chelsea.jpg" epsilon="0.02"></fgsm-demo>`,
    );
    const d = await loaded(el);
    expect(d.clean.label, 'a name from the labels file the sidecar points at').to.match(/^synthetic \d{3}$/);
    expect(el.gradientCalls).to.equal(1);
    const x = (el as unknown as { x: tf.Tensor }).x;
    expect(x.shape).to.deep.equal([1, 224, 224, 3]);
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/of 150528/);
  });

  it('clamps or defaults bad settings with a quiet notice in the widget (epsilon=5, epsilon=abc, sample=999, target=42, steps, mode)', async () => {
    const notice = (el: FgsmDemo) =>
      [...el.shadowRoot!.querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ')).join(' ');
    const el = await fixture<FgsmDemo>(html`<fgsm-demo epsilon="5" sample="999" mode="targeted" target="42" steps="0"></fgsm-demo>`);
    expect(el.epsilon).to.equal(1);
    const d = await loaded(el);
    expect(d.clean.index, 'sample 99 (the last nine)').to.equal(9);
    expect(el.target).to.equal(9);
    await el.updateComplete;
    const t = notice(el);
    expect(t).to.include('epsilon=5 is above the maximum 1: using 1.');
    expect(t).to.include('sample=999 is above the maximum 99: using 99.');
    expect(t).to.include('target=42 is above the maximum 9: using 9.');
    expect(t).to.include('steps=0 is below the minimum 1: using 1.');
    expect(el.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[role="alert"]'), 'no alert for a setting').to.equal(null);
    el.setAttribute('epsilon', 'abc');
    el.setAttribute('mode', 'fast');
    await el.updateComplete;
    expect(el.epsilon).to.equal(0.1);
    expect(el.mode).to.equal('untargeted');
    expect(notice(el)).to.include('epsilon="abc" is not a number: using the default 0.1.');
    expect(notice(el)).to.include('mode="fast" is not one of untargeted, targeted, iterative: using untargeted.');
    dragEpsilon(el, 0.2);
    await el.updateComplete;
    expect(el.epsilon).to.equal(0.2);
    expect(notice(el), 'a value the reader chose clears its notice').to.not.include('epsilon');
  });

  it('starts from sample="label:7" (the first seven, sample 70)', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="label:7"></fgsm-demo>`);
    const d = await loaded(el);
    expect(d.clean.index).to.equal(7);
    expect(el.shadowRoot!.querySelector('figcaption')!.textContent).to.match(/true: 7/);
    const same = await fixture<FgsmDemo>(html`<fgsm-demo sample="70"></fgsm-demo>`);
    const d2 = await loaded(same);
    expect(d2.clean.confidence).to.equal(d.clean.confidence);
  });

  it('a model-url attribute is an error that says so: the default model does not run in its place', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo model-url="/nope/model.json"></fgsm-demo>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert shows', { timeout: 20000 });
    const alert = el.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.textContent).to.match(/no model-url attribute: to load the model at \/nope\/model\.json, write model="\/nope\/model\.json"\. The default model was not loaded/);
    expect(el.shadowRoot!.querySelector('.panels'), 'nothing computed with the default model').to.equal(null);
  });

  it('shows an alert for a model that fails to load, and the page keeps working', async () => {
    // Listen from the start: with the model cached, the good widget can finish before fixture() returns.
    let done!: (d: CustomEvent<PredictionChangeDetail>) => void;
    const ok = new Promise<CustomEvent<PredictionChangeDetail>>((r) => (done = r));
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <fgsm-demo model="/packages/fgsm-demo/test/no-such-model/model.json"></fgsm-demo>
      <fgsm-demo sample="5" @prediction-change=${(e: CustomEvent<PredictionChangeDetail>) => done(e)}></fgsm-demo>
    </div>`);
    const [bad] = wrap.querySelectorAll('fgsm-demo');
    await waitUntil(() => bad.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert shows', { timeout: 20000 });
    const alert = bad.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.textContent).to.match(/404/);
    expect((await ok).detail.clean.index).to.equal(0);
  });

  it('shows an alert for an image that fails to load', async () => {
    const el = await fixture<FgsmDemo>(html`<fgsm-demo src="/packages/fgsm-demo/test/missing.png"></fgsm-demo>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert shows', { timeout: 20000 });
    const alert = el.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[role="alert"]')!;
    expect(alert.textContent).to.match(/missing\.png/);
    expect(backendInfo()).to.not.equal(undefined);
  });
});
