import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
// The built package: its Web Worker is dist/style-worker.js (the test server serves no .js for a .ts
// file, so ../src/ gets no worker and runs the steps in the page: gram-style.test.ts covers that path).
import '../dist/index.js';
import type { GramStyle, GramStepDetail } from '../dist/index.js';
import { StyleSession } from '../dist/session.js';

const VGG19_NAMES = new URL('./fixtures/vgg19-names/model.json', import.meta.url).href;

const root = (el: GramStyle) => el.shadowRoot!;
const statusOf = (el: GramStyle) => root(el).querySelector('convlab-status')!;
const isReady = (el: GramStyle) => !!(el as unknown as { st?: unknown }).st && statusOf(el).getAttribute('state') === 'ready';
const steps = (el: GramStyle) => {
  const out: GramStepDetail[] = [];
  el.addEventListener('step', (e) => out.push(e.detail));
  return out;
};
const nextStep = (el: GramStyle) => (oneEvent(el, 'step') as Promise<CustomEvent<GramStepDetail>>).then((e) => e.detail);
/** Nothing of the element's is waiting on the worker (steps, resets, views). */
const idle = (el: GramStyle) => (el as unknown as { inflight: Set<unknown> }).inflight.size === 0 && !(el as unknown as { running: boolean }).running;
const frame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
const killWorker = (el: GramStyle) => {
  const session = (el as unknown as { st: { worker?: Worker } }).st;
  expect(session.worker, 'a worker holds the run').to.exist;
  session.worker!.dispatchEvent(new ErrorEvent('error', { message: 'out of memory (simulated)' }));
};
const LOST = 'The style transfer stopped because the worker stopped (out of memory (simulated)); Retry runs it in the page.';
const retry = (el: GramStyle) => statusOf(el).dispatchEvent(new CustomEvent('retry', { bubbles: true, composed: true }));

async function readyElement(t: ReturnType<typeof html>): Promise<GramStyle> {
  const el = await fixture<GramStyle>(t);
  await waitUntil(() => isReady(el) || statusOf(el).getAttribute('state') === 'error', 'the widget did not get ready', { timeout: 90000 });
  expect(statusOf(el).getAttribute('state'), statusOf(el).getAttribute('message') ?? '').to.equal('ready');
  return el;
}

const small = (steps = 40) =>
  readyElement(html`<gram-style encoder-url=${VGG19_NAMES} encoder-preprocess="centered" steps=${steps} size="128" content="coffee" style-image="waves" content-layer="block2_conv2" style-layers="block1_conv1,block2_conv1,block3_conv1"></gram-style>`);

describe('<gram-style> in a Web Worker', () => {
  let backend = '';
  let base = 0;
  before(async () => {
    backend = (await ready()).name;
    base = tf.memory().numTensors;
  });

  it('runs the steps in a worker on the page\'s backend; the loss falls; pause, resume and reset', async () => {
    const el = await small();
    const got = steps(el);
    el.run();
    await waitUntil(() => got.length >= 4, 'four steps', { timeout: 90000 });
    el.pause();
    expect(got[0].where).to.equal('worker');
    expect(got[0].backend).to.equal(backend);
    expect(got.map((s) => s.step).slice(0, 4)).to.deep.equal([1, 2, 3, 4]);
    expect(got[3].total, 'the total loss falls').to.be.below(got[0].total);
    // The Gram matrices come from the worker too: Ĝ and G at block1_conv1 (4 channels in the fixture).
    const views = () => (el as unknown as { view: Record<string, tf.Tensor | undefined> }).view;
    await waitUntil(() => !!views().gTarget && !!views().gCurrent && !!views().fmap, 'Gram views shown', { timeout: 30000 });
    expect(views().gTarget!.shape).to.deep.equal([4, 4]);
    expect(views().gCurrent!.shape).to.deep.equal([4, 4]);
    // Paused: the step in flight may still arrive, then nothing (the loop has ended: no request waits, none follows).
    await waitUntil(() => idle(el), 'the step in flight ended', { timeout: 30000 });
    const held = got.length;
    await frame();
    await frame();
    expect(got.length, 'no step while paused').to.equal(held);
    expect(idle(el), 'nothing sent to the worker while paused').to.equal(true);
    expect(root(el).querySelector('button.primary')!.textContent!.trim()).to.equal('Resume');
    el.run();
    const resumed = await nextStep(el);
    expect(resumed.step, 'resume goes on from the step it paused at').to.equal(held + 1);
    el.pause();
    await waitUntil(() => idle(el), 'the step in flight ended', { timeout: 30000 });
    el.reset();
    await waitUntil(() => root(el).querySelector('.readout')!.textContent!.includes('Step 0 of'), 'back to step 0', { timeout: 30000 });
    // Reset starts again from the content photo.
    const view = (el as unknown as { view: Record<string, tf.Tensor> }).view;
    await waitUntil(() => !!view.result && (el as unknown as { st: { stepCount: number } }).st.stepCount === 0, 'reset image', { timeout: 30000 });
    const a = await (el as unknown as { view: Record<string, tf.Tensor> }).view.result.data();
    const b = await (el as unknown as { contentT: tf.Tensor }).contentT.data();
    expect(a.length).to.equal(b.length);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).to.be.below(1e-6);
    el.run();
    expect((await nextStep(el)).step).to.equal(1);
    el.remove();
  });

  it('a setting changed during a run is posted to the worker and applies from the next step', async () => {
    const el = await small();
    el.run();
    await nextStep(el);
    el.styleWeight = 0; // beta = 0: the total is the content loss alone (alpha = 1)
    await el.updateComplete;
    const got = steps(el);
    await waitUntil(() => got.length >= 2, 'two more steps', { timeout: 90000 });
    el.pause();
    // got[0] may be the step that was already running; the one after it uses beta = 0.
    expect(got[1].total).to.be.closeTo(got[1].content, 1e-6 * Math.max(1, got[1].content));
    expect(got[0].total === got[0].content || got[0].total > got[0].content).to.equal(true);
    el.remove();
  });

  it('the main thread stays responsive while the worker steps: frames are drawn and a slider moves during a step', async () => {
    const el = await readyElement(html`<gram-style size="256" steps="3"></gram-style>`);
    const st = (el as unknown as { st: StyleSession }).st;
    expect(st.where).to.equal('worker');
    const tasks: number[] = [];
    const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)));
    obs.observe({ type: 'longtask', buffered: false });
    // Frames are counted only between a step's request being posted to the worker (step() posts it
    // before it first awaits) and its reply: the element's own pause between steps is not counted.
    let stepping = false;
    let frames = 0;
    const perStep: number[] = [];
    let counting = true;
    const tick = () => {
      if (stepping) frames++;
      if (counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    // The style-weight slider is moved once, just after the first step's request has been posted.
    const slider = root(el).querySelectorAll('convlab-slider')[1] as HTMLElement & { updateComplete: Promise<unknown> };
    let moved: Promise<boolean> | undefined;
    const move = async () => {
      const range = slider.shadowRoot!.querySelector('input[type=range]') as HTMLInputElement;
      range.value = '3';
      range.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      range.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
      await slider.updateComplete;
      await el.updateComplete;
      return stepping;
    };
    const step = st.step.bind(st);
    st.step = () => {
      const p = step();
      stepping = true;
      frames = 0;
      moved ??= move();
      return p.finally(() => {
        stepping = false;
        perStep.push(frames);
      });
    };
    const got = steps(el);
    const done = oneEvent(el, 'done');
    el.run();
    await done;
    counting = false;
    obs.disconnect();
    expect(await moved, 'the slider was handled while the first step was still running in the worker').to.equal(true);
    expect(el.styleWeight, 'the slider took effect').to.be.closeTo(1e3, 1e-6);
    expect(st.options.beta, 'and was sent to the run').to.be.closeTo(1e3, 1e-6);
    expect(perStep, 'frames drawn while the worker computed each step').to.have.length(3);
    for (const f of perStep) expect(f, `frames during each step: ${perStep.join(', ')}`).to.be.above(0);
    expect(got.map((s) => s.where)).to.deep.equal(['worker', 'worker', 'worker']);
    // The figure goes to the bench (node bench/run.mjs --suite gram-style); here only for the log.
    console.log(`longest main-thread task during three 256x256 steps: ${tasks.length ? Math.max(...tasks).toFixed(0) : 0} ms (${tasks.length} long tasks); frames during each step: ${perStep.join(', ')}`);
    el.remove();
  });

  it('without Web Workers the steps run in the page, and say so', async () => {
    const W = window.Worker;
    (window as unknown as { Worker?: unknown }).Worker = undefined;
    try {
      const el = await small(2);
      const s = nextStep(el);
      el.run();
      const d = await s;
      expect(d.where).to.equal('main');
      expect(statusOf(el).getAttribute('message')).to.contain('Running in the page');
      await oneEvent(el, 'done');
      el.remove();
    } finally {
      window.Worker = W;
    }
  });

  it('a worker that stops during a run: a clear error, and Retry goes on in the page', async () => {
    const el = await small();
    killWorker(el);
    el.run();
    await waitUntil(() => statusOf(el).getAttribute('state') === 'error', 'an error', { timeout: 30000 });
    expect(statusOf(el).getAttribute('message'), 'one sentence').to.equal(LOST);
    retry(el);
    await waitUntil(() => isReady(el), 'ready again', { timeout: 90000 });
    const s = nextStep(el);
    el.run();
    expect((await s).where).to.equal('main');
    el.pause();
    el.remove();
  });

  it('a worker that stops while idle: Reset, and a new setting, show the error with Retry', async () => {
    const el = await small();
    killWorker(el);
    const reset = [...root(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Reset')!;
    reset.click();
    await waitUntil(() => statusOf(el).getAttribute('state') === 'error', 'an error after Reset', { timeout: 30000 });
    expect(statusOf(el).getAttribute('message')).to.equal(LOST);
    expect(statusOf(el).hasAttribute('retryable')).to.equal(true);
    retry(el);
    await waitUntil(() => isReady(el), 'ready again', { timeout: 90000 });
    expect((el as unknown as { st: StyleSession }).st.where).to.equal('main');
    el.remove();

    const b = await small();
    killWorker(b);
    b.styleWeight = 10;
    await waitUntil(() => statusOf(b).getAttribute('state') === 'error', 'an error after a new style weight', { timeout: 30000 });
    expect(statusOf(b).getAttribute('message')).to.equal(LOST);
    b.remove();
  });

  it('a worker that does not start TF.js in time: the page runs the steps, and the status line says so', async () => {
    const el = document.createElement('gram-style') as GramStyle;
    // The element's session, made before it is connected, with a 1 ms start-up limit (the real one is 60 s).
    (el as unknown as { session: StyleSession }).session = new StyleSession(tf.getBackend(), { initTimeoutMs: 1 });
    el.setAttribute('encoder-url', VGG19_NAMES);
    el.setAttribute('encoder-preprocess', 'centered');
    el.setAttribute('steps', '1');
    el.setAttribute('content-layer', 'block2_conv2');
    el.setAttribute('style-layers', 'block1_conv1');
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    box.append(el);
    await el.updateComplete;
    await waitUntil(() => isReady(el) || statusOf(el).getAttribute('state') === 'error', 'ready', { timeout: 90000 });
    expect(statusOf(el).getAttribute('message')).to.equal('Running in the page, one layer per task: the worker did not start TF.js within 0.001 s.');
    const s = nextStep(el);
    el.run();
    expect((await s).where).to.equal('main');
    el.remove();
  });

  it('memory in the worker stays flat over a run (its tensor count after each step)', async () => {
    const el = await small();
    const session = (el as unknown as { st: { step(): Promise<{ tensors: number; step: number }> } }).st;
    const counts: number[] = [];
    for (let i = 0; i < 30; i++) counts.push((await session.step()).tensors);
    // Adam's moments appear after the first step; from then on the count does not grow.
    expect(new Set(counts.slice(2)).size, counts.join(',')).to.equal(1);
    el.remove();
  });

  it('tensors on the page return to the baseline after a run in the worker and removal mid-run', async () => {
    // Earlier tests' elements free their tensors after their last paint.
    await waitUntil(() => tf.memory().numTensors === base, `tensors back to ${base} after the earlier tests (${tf.memory().numTensors})`, { timeout: 30000 });
    const el = await small(50);
    el.run();
    await nextStep(el);
    await nextStep(el);
    el.remove();
    await waitUntil(() => tf.memory().numTensors === base, `tensors back to ${base} after removal (${tf.memory().numTensors})`, { timeout: 30000 });
  });
});
