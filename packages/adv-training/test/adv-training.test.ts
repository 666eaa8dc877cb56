import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import { frames, collect } from './helpers.js';
import type { AdvTraining, EpochDetail, CurveCompleteDetail } from '../src/index.js';

const notices = (el: AdvTraining) =>
  Array.from(el.shadowRoot!.querySelectorAll('convlab-notice'))
    .map((n) => (n as HTMLElement & { messages: string[] }).messages.join(' '))
    .join(' ');

describe('<adv-training> toy mode', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('trains both networks one epoch at a time: `epoch` once per epoch, `curve-complete` once at the end', async () => {
    const el = document.createElement('adv-training') as AdvTraining;
    el.setAttribute('epochs', '4');
    const epochs = collect(el, 'epoch') as EpochDetail[];
    const done = collect(el, 'curve-complete') as CurveCompleteDetail[];
    document.body.append(el);
    try {
      await waitUntil(() => done.length === 1, 'training did not finish', { timeout: 60000 });
      await frames(3);
      expect(epochs.map((e) => e.epoch)).to.deep.equal([1, 2, 3, 4]);
      expect(done).to.have.length(1);
      const d = done[0];
      expect(d.mode).to.equal('toy');
      if (d.mode === 'toy') expect(d.history.map((h) => h.epoch)).to.deep.equal([1, 2, 3, 4]);
      for (const e of epochs) {
        for (const s of [e.clean, e.adversarial]) {
          expect(s.clean).to.be.within(0, 1);
          expect(s.robust).to.be.within(0, 1);
          expect(s.robust, 'robust accuracy never above clean on the same points… per point it can only fall').to.be.at.most(1);
          expect(s.loss).to.be.greaterThan(0);
        }
      }
      const planes = el.shadowRoot!.querySelectorAll('canvas.plane');
      expect(planes).to.have.length(2);
      expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/Epoch\s+4\s+of 4 \(done\)/);
      await expect(el).to.be.accessible();
    } finally {
      el.remove();
    }
  });

  it('learns the moons: after 60 epochs both networks are accurate and the adversarial one is more robust', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training epochs="60" eps="0.15" mix="0.5" seed="1"></adv-training>`);
    const d = ((await oneEvent(el, 'curve-complete')) as CustomEvent<CurveCompleteDetail>).detail;
    if (d.mode !== 'toy') throw new Error('toy expected');
    const last = d.history.at(-1)!;
    console.log(`toy moons, 60 epochs on ${tf.getBackend()}: clean-trained ${JSON.stringify(last.clean)}, adversarially trained ${JSON.stringify(last.adversarial)}`);
    expect(last.clean.clean).to.be.greaterThan(0.95);
    expect(last.adversarial.clean).to.be.greaterThan(0.9);
    expect(last.adversarial.robust).to.be.greaterThan(last.clean.robust);
  });

  it('paints each plane: both class regions, the boundary, both markers and the broken balls in red', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training epochs="20" eps="0.15" mix="0.5" seed="1" controls="none"></adv-training>`);
    await oneEvent(el, 'curve-complete');
    await frames(2);
    const near = (d: Uint8ClampedArray, i: number, rgb: number[], tol: number) => rgb.every((v, k) => Math.abs(d[i + k] - v) <= tol);
    const counts = Array.from(el.shadowRoot!.querySelectorAll('canvas.plane') as NodeListOf<HTMLCanvasElement>).map((c) => {
      const d = c.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, c.width, c.height).data;
      const n = { blueRegion: 0, orangeRegion: 0, boundary: 0, markerA: 0, markerB: 0, broken: 0 };
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        if (b > r + 20 && r > 150) n.blueRegion++; // light blue tint of class A's side
        if (r > b + 20 && b > 120) n.orangeRegion++; // light orange tint of class B's side
        if (r < 60 && g < 60 && b < 60) n.boundary++; // the P = 0.5 line (#18181b)
        if (near(d, i, [37, 99, 235], 12)) n.markerA++;
        if (near(d, i, [194, 65, 12], 12)) n.markerB++;
        if (r > 200 && g < 90 && b < 90) n.broken++; // red (#dc2626) outlines of balls PGD crosses
      }
      return n;
    });
    const area = 320 * 320;
    for (const n of counts) {
      expect(n.blueRegion, JSON.stringify(n)).to.be.greaterThan(area / 10);
      expect(n.orangeRegion, JSON.stringify(n)).to.be.greaterThan(area / 10);
      expect(n.boundary, JSON.stringify(n)).to.be.greaterThan(100);
      expect(n.markerA, JSON.stringify(n)).to.be.greaterThan(200);
      expect(n.markerB, JSON.stringify(n)).to.be.greaterThan(200);
    }
    // After 20 epochs at eps 0.15 the clean-trained network's boundary crosses some balls.
    expect(counts[0].broken, JSON.stringify(counts[0])).to.be.greaterThan(50);
  });

  it('the same seed gives the same run; another seed another', async () => {
    const run = async (seed: number) => {
      const el = await fixture<AdvTraining>(html`<adv-training epochs="3" seed=${seed} controls="none"></adv-training>`);
      const d = ((await oneEvent(el, 'curve-complete')) as CustomEvent<CurveCompleteDetail>).detail;
      el.remove();
      return d.mode === 'toy' ? d.history : [];
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).to.deep.equal(a);
    expect(c).to.not.deep.equal(a);
  });

  it('pauses, steps one epoch, resumes, and resets to the same run', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training epochs="50" paused></adv-training>`);
    await waitUntil(() => el.toyRun?.frame, 'no first frame');
    await frames(4);
    expect(el.toyRun!.epoch, 'paused: no training').to.equal(0);
    const buttons = () => Array.from(el.shadowRoot!.querySelectorAll('button')) as HTMLButtonElement[];
    const byText = (t: RegExp) => buttons().find((b) => t.test(b.textContent!))!;
    byText(/Train one epoch/).click();
    // An epoch is ~0.2 s idle but over 1 s on a loaded 2-core machine: wait by condition, not by the default 1 s.
    const slow = { timeout: 30000 };
    await waitUntil(() => el.toyRun!.epoch === 1, 'no epoch', slow);
    const first = JSON.stringify(el.toyRun!.history[0]);
    byText(/Resume training|^\s*Train\s*$/).click();
    await waitUntil(() => el.toyRun!.epoch >= 3, 'training did not run', slow);
    expect(el.paused).to.equal(false);
    byText(/Pause training/).click();
    expect(el.paused).to.equal(true);
    await el.updateComplete;
    expect(el.hasAttribute('paused'), 'paused reflects').to.equal(true);
    const at = el.toyRun!.epoch;
    await frames(5);
    expect(el.toyRun!.epoch, 'no epoch after pausing (one may finish)').to.be.at.most(at + 1);
    byText(/Reset/).click();
    await waitUntil(() => el.toyRun!.epoch === 0 && el.toyRun!.frame, 'no reset', slow);
    byText(/Train one epoch/).click();
    await waitUntil(() => el.toyRun!.epoch === 1, 'no epoch after reset', slow);
    expect(JSON.stringify(el.toyRun!.history[0]), 'reset replays the same run').to.equal(first);
  });

  it('adds a point where the reader clicks, and with the arrow keys and Enter', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training dataset="custom" paused></adv-training>`);
    await waitUntil(() => el.toyRun?.frame);
    expect(el.toyRun!.data.labels.length).to.equal(0);
    const plane = el.shadowRoot!.querySelector('canvas.plane') as HTMLCanvasElement;
    const r = plane.getBoundingClientRect();
    // A quarter from the left, at mid height: x = -0.75, y = 0.
    plane.dispatchEvent(new PointerEvent('pointerdown', { clientX: r.left + r.width / 4, clientY: r.top + r.height / 2, bubbles: true }));
    expect(el.toyRun!.data.labels.length).to.equal(1);
    expect(el.toyRun!.data.points[0]).to.be.closeTo(-0.75, 0.01);
    expect(el.toyRun!.data.points[1]).to.be.closeTo(0, 0.01);
    expect(el.toyRun!.data.labels[0]).to.equal(0);
    // Class B from the keyboard: the class toggle, then the plane's cursor.
    (Array.from(el.shadowRoot!.querySelectorAll('button')).find((b) => /Add class B/.test(b.textContent!)) as HTMLButtonElement).click();
    await el.updateComplete;
    plane.focus();
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowUp', 'Enter']) plane.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    expect(el.toyRun!.data.labels.length).to.equal(2);
    expect(Array.from(el.toyRun!.data.points.slice(2)).map((v) => +v.toFixed(2))).to.deep.equal([0.1, 0.05]);
    expect(el.toyRun!.data.labels[1]).to.equal(1);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.readout')!.textContent).to.match(/Added a class B point at \(0\.10, 0\.05\)/);
  });

  it('with one class only there is nothing to train: it says so and stays usable', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training dataset="custom"></adv-training>`);
    await waitUntil(() => el.toyRun?.frame);
    await waitUntil(() => /both classes/.test(el.shadowRoot!.querySelector('.readout')!.textContent!), 'no message');
    expect(el.toyRun!.epoch).to.equal(0);
  });

  it('attributes reflect; bad values are clamped or defaulted with a visible notice', async () => {
    const el = await fixture<AdvTraining>(
      html`<adv-training paused eps="5" mix="-1" epochs="abc" learning-rate="3" mode="bogus" dataset="spirals" attack="cw" points="4"></adv-training>`,
    );
    await el.updateComplete;
    expect(el.eps).to.equal(0.5);
    expect(el.getAttribute('eps')).to.equal('0.5');
    expect(el.mix).to.equal(0);
    expect(el.epochs).to.equal(150);
    expect(el.learningRate).to.equal(1);
    expect(el.mode).to.equal('toy');
    expect(el.toyDataset).to.equal('moons');
    expect(el.getAttribute('dataset')).to.equal('moons');
    expect(el.attack).to.equal('fgsm');
    expect(el.points).to.equal(10);
    const text = notices(el);
    for (const m of [
      'eps=5 is above the maximum 0.5: using 0.5.',
      'mix=-1 is below the minimum 0: using 0.',
      'epochs="abc" is not a number: using the default 150.',
      'learning-rate=3 is above the maximum 1: using 1.',
      'mode="bogus" is not one of toy, digits: using toy.',
      'dataset="spirals" is not one of moons, circles, blobs, custom: using moons.',
      'attack="cw" is not one of fgsm, pgd: using fgsm.',
    ]) expect(text).to.include(m);
    // A valid value clears its notice; properties reflect.
    el.eps = 0.2;
    el.mix = 0.25;
    await el.updateComplete;
    expect(notices(el)).to.not.include('eps=5');
    expect(el.getAttribute('mix')).to.equal('0.25');
    await expect(el).to.be.accessible();
  });

  it('is accessible in dark and presenter mode', async () => {
    const el = await fixture<AdvTraining>(html`<adv-training theme="dark" presenter epochs="2"></adv-training>`);
    await oneEvent(el, 'curve-complete');
    await expect(el).to.be.accessible();
  });

  it('frees every tensor: after 200 interactions and after removal mid-run', async () => {
    await frames(2);
    const base = tf.memory().numTensors;
    const el = await fixture<AdvTraining>(html`<adv-training paused epochs="1000" points="60"></adv-training>`);
    await waitUntil(() => el.toyRun?.frame);
    const plane = el.shadowRoot!.querySelector('canvas.plane') as HTMLCanvasElement;
    const r = plane.getBoundingClientRect();
    for (let i = 0; i < 200; i++) {
      if (i % 4 === 0) el.eps = 0.05 + (i % 20) / 100;
      else if (i % 4 === 1) plane.dispatchEvent(new PointerEvent('pointerdown', { clientX: r.left + ((i * 37) % 100) / 100 * r.width, clientY: r.top + r.height / 3, bubbles: true }));
      else if (i % 4 === 2) await el.stepOnce();
      else el.mix = (i % 10) / 10;
      if (i % 10 === 0) await el.updateComplete;
    }
    await frames(3);
    el.paused = false;
    await waitUntil(() => el.toyRun!.epoch > 55, 'training did not resume', { timeout: 30000 });
    // Removed while training.
    el.remove();
    await frames(6);
    expect(tf.memory().numTensors).to.equal(base);
  });
});
