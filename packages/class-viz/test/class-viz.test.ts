import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf, loadModel } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { ClassViz, DoneDetail, StepDetail } from '../src/index.js';

const HOSTED = new URL('../../models/fixtures/hosted-224/model.json', import.meta.url).href;
const HOSTED_META = new URL('../../models/fixtures/hosted-224/meta.json', import.meta.url).href;

async function done(el: ClassViz): Promise<DoneDetail> {
  return ((await oneEvent(el, 'done')) as CustomEvent<DoneDetail>).detail;
}

function notices(el: ClassViz): string {
  const n = el.shadowRoot!.querySelector('convlab-notice') as (HTMLElement & { messages: string[] }) | null;
  return n ? n.messages.join(' ') : '';
}

const frames = (n = 2) => new Promise<void>((r) => {
  const go = (k: number) => (k ? requestAnimationFrame(() => go(k - 1)) : r());
  go(n);
});

describe('<class-viz>', () => {
  before(async () => {
    await ready();
  });

  it('draws the image that maximises class 0 of the digits model, 200 steps across many frames, and is accessible', async () => {
    const steps: StepDetail[] = [];
    const el = document.createElement('class-viz') as ClassViz;
    el.addEventListener('step', (e) => steps.push((e as CustomEvent<StepDetail>).detail));
    let doneCount = 0;
    el.addEventListener('done', () => doneCount++);
    const finished = done(el);
    (await fixture(html`<div></div>`)).append(el);
    const d = await finished;
    expect(d.step).to.equal(200);
    expect(d.steps).to.equal(200);
    expect(d.classes).to.deep.equal([0]);
    expect(steps.length, 'the steps ran over several frames, a step event per frame').to.be.at.least(8);
    expect(steps.every((s, i) => i === 0 || s.step > steps[i - 1].step)).to.equal(true);
    expect(d.scores[0]).to.be.above(steps[0].scores[0] + 5);
    expect(d.norms[0]).to.be.above(0);
    // The image reads as a 0.
    const m = await loadModel('digits');
    const p = tf.tidy(() => tf.softmax(m.logits(el.visualiser!.image)).dataSync());
    expect(Array.from(p).indexOf(Math.max(...p))).to.equal(0);
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/Step 200 of 200: S = -?\d+\.\d\d, ‖I‖ = \d+\.\d\d/);
    expect(el.shadowRoot!.querySelector('.plot svg polyline.score')!.getAttribute('points')!.split(' ')).to.have.length(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(doneCount).to.equal(1);
    await expect(el).to.be.accessible();
  });

  it('stops and resumes the same run', async () => {
    const el = await fixture<ClassViz>(html`<class-viz steps="300"></class-viz>`);
    await oneEvent(el, 'step');
    el.stop();
    const at = el.visualiser!.stepCount;
    await frames(4);
    expect(el.visualiser!.stepCount, 'no steps while stopped').to.equal(at);
    expect(el.isRunning).to.equal(false);
    const resume = [...el.shadowRoot!.querySelectorAll('button')].find((b) => /Resume \(step \d+\)/.test(b.textContent!))!;
    expect(resume).to.exist;
    const finished = done(el);
    resume.click();
    const d = await finished;
    expect(d.step).to.equal(300);
  });

  it('changes lambda, the learning rate, jitter and blur while running without starting again', async () => {
    const el = await fixture<ClassViz>(html`<class-viz steps="400"></class-viz>`);
    await oneEvent(el, 'step');
    const run = el.visualiser;
    el.lambda = 0.05;
    el.learningRate = 0.1;
    el.jitter = 0;
    el.blurSigma = 0;
    await el.updateComplete;
    expect([el.getAttribute('lambda'), el.getAttribute('learning-rate'), el.getAttribute('jitter'), el.getAttribute('blur')]).to.deep.equal(['0.05', '0.1', '0', '0']);
    const before = el.visualiser!.stepCount;
    await oneEvent(el, 'step');
    expect(el.visualiser, 'the same run').to.equal(run);
    expect(el.visualiser!.stepCount).to.be.above(before);
    el.stop();
  });

  it('clamps bad settings with a notice and keeps working', async () => {
    const el = await fixture<ClassViz>(html`<class-viz lambda="5" steps="0" learning-rate="abc" jitter="-2" start="stripes"></class-viz>`);
    const d = await done(el);
    expect(d.steps).to.equal(1);
    expect([el.lambda, el.steps, el.learningRate, el.jitter, el.start]).to.deep.equal([1, 1, 0.05, 0, 'zeros']);
    await el.updateComplete;
    const n = notices(el);
    expect(n).to.match(/lambda=5 is above the maximum 1: using 1\./);
    expect(n).to.match(/steps=0 is below the minimum 1: using 1\./);
    expect(n).to.match(/learning-rate="abc" is not a number: using the default 0\.05\./);
    expect(n).to.match(/jitter=-2 is below the minimum 0: using 0\./);
    expect(n).to.match(/start="stripes" is not one of zeros, noise, grey, sample: using zeros\./);
  });

  it('says so for a layer that does not exist, a unit out of range and an unknown class', async () => {
    const el = await fixture<ClassViz>(html`<class-viz layer="conv9" steps="3"></class-viz>`);
    const d = await done(el);
    expect(d.classes).to.deep.equal([0]);
    await el.updateComplete;
    expect(notices(el)).to.match(/layer="conv9" is not a layer of this model \(conv1, .*\): visualising a class\./);
    const next = done(el);
    el.layer = 'conv2';
    el.unit = 40;
    const d2 = await next;
    expect([d2.layer, d2.units]).to.deep.equal(['conv2', [31]]);
    await el.updateComplete;
    expect(notices(el)).to.match(/unit=40 is above the last unit of conv2, 31: using 31\./);
    const next3 = done(el);
    el.layer = '';
    el.targetClass = 'seven';
    const d3 = await next3;
    expect(d3.classes).to.deep.equal([0]);
    await el.updateComplete;
    expect(notices(el)).to.match(/target-class="seven" is not a class of this model \(0 to 9\): using 0\./);
  });

  it('fills a grid with one image per class, and one per unit in neuron mode', async () => {
    const el = await fixture<ClassViz>(html`<class-viz grid steps="20"></class-viz>`);
    const d = await done(el);
    expect(d.classes).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.scores).to.have.length(10);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('convlab-tensor-canvas.image')).to.have.length(10);
    const next = done(el);
    el.layer = 'features';
    const d2 = await next;
    expect(d2.layer).to.equal('features');
    expect(d2.units).to.have.length(16);
    await el.updateComplete;
    expect(notices(el)).to.match(/features has 64 units: the grid shows the first 16\./);
  });

  it('saves the image, or the grid in a row, as a PNG named for what it shows', async () => {
    const saved: { name: string; href: string }[] = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    };
    try {
      const el = await fixture<ClassViz>(html`<class-viz target-class="3" steps="2"></class-viz>`);
      await done(el);
      const size = async (href: string) => {
        const b = await createImageBitmap(await (await fetch(href)).blob());
        return [b.width, b.height];
      };
      await el.savePng();
      expect(saved[0].name).to.equal('class-viz-class-3.png');
      expect(await size(saved[0].href)).to.deep.equal([224, 224]);
      const next = done(el);
      el.grid = true;
      await next;
      await el.savePng();
      expect(saved[1].name).to.equal('class-viz-all-classes.png');
      expect(await size(saved[1].href), 'ten 28×28 images in a row, 8× scaled').to.deep.equal([2240, 224]);
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
  });

  it('starts from a sample image when asked', async () => {
    const el = await fixture<ClassViz>(html`<class-viz start="sample" sample="70" steps="1" lambda="0" jitter="0" blur="0" learning-rate="0.001"></class-viz>`);
    await done(el);
    const v = el.visualiser!.image;
    // One tiny step from the sample: still essentially the 7.
    const mean = tf.tidy(() => tf.mean(v).dataSync()[0]);
    expect(mean).to.be.above(0.05);
  });

  it('runs on a hosted 224×224 RGB model by model-url, with no sample needed', async () => {
    const el = await fixture<ClassViz>(html`<class-viz model-url=${HOSTED} model-meta=${HOSTED_META} steps="3" target-class="7"></class-viz>`);
    const d = await done(el);
    expect(d.classes).to.deep.equal([7]);
    expect(el.visualiser!.image.shape).to.deep.equal([1, 224, 224, 3]);
    expect(el.shadowRoot!.querySelector('convlab-status')!.getAttribute('state')).to.not.equal('error');
  });

  it('shows an alert when the model cannot be loaded', async () => {
    const el = await fixture<ClassViz>(html`<class-viz model-url="/nope/model.json"></class-viz>`);
    await waitUntil(() => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]'), 'alert', { timeout: 20000 });
  });

  it('returns to the tensor baseline after 200 interactions and after removal mid-run', async () => {
    const el = await fixture<ClassViz>(html`<class-viz steps="5" autorun="false"></class-viz>`);
    await waitUntil(() => el.visualiser, 'a run', { timeout: 20000 });
    await frames(3);
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      if (i % 4 === 0) el.targetClass = String(i % 10);
      else if (i % 4 === 1) el.lambda = (i % 7) / 100;
      else if (i % 4 === 2) el.reset(true);
      else el.stop();
      await el.updateComplete;
      if (i % 20 === 0) await frames(1);
    }
    el.stop();
    el.reset(false);
    await frames(3);
    expect(tf.memory().numTensors).to.equal(base);
    // Removal in the middle of a run.
    el.steps = 500;
    el.reset(true);
    await oneEvent(el, 'step');
    const wrap = el.parentElement!;
    el.remove();
    await frames(3);
    expect(tf.memory().numTensors, 'the run, its images and the start image are freed').to.be.below(base);
    expect(el.isRunning).to.equal(false);
    wrap.append(el);
    await waitUntil(() => el.visualiser, 'a new run after coming back', { timeout: 20000 });
  });
});
