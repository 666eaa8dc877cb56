import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { GramStyle, GramStepDetail, GramDoneDetail } from '../src/index.js';
import { StyleSession, type RunSettings } from '../src/session.js';

// A layers model with exactly VGG19's layer names and a few channels per layer (made by
// packages/models/train/make-style-fixture.mjs), so that these tests run fast on any backend.
const VGG19_NAMES = new URL('./fixtures/vgg19-names/model.json', import.meta.url).href;

const root = (el: GramStyle) => el.shadowRoot!;
const noticeText = (el: GramStyle) =>
  [...root(el).querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim()).join(' ').trim();
const statusOf = (el: GramStyle) => root(el).querySelector('convlab-status')!;
const isReady = (el: GramStyle) => !!(el as unknown as { st?: unknown }).st && statusOf(el).getAttribute('state') === 'ready';

async function readyElement(t: ReturnType<typeof html>): Promise<GramStyle> {
  const el = await fixture<GramStyle>(t);
  await waitUntil(() => isReady(el) || statusOf(el).getAttribute('state') === 'error', 'the widget did not get ready', { timeout: 60000 });
  return el;
}

const fixtureEl = () =>
  readyElement(html`<gram-style encoder-url=${VGG19_NAMES} encoder-preprocess="centered" steps="3" size="128" content="coffee" style-image="waves" content-layer="block2_conv2" style-layers="block1_conv1,block2_conv1,block3_conv1"></gram-style>`);

const maxDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).to.equal(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
};

describe('StyleSession in the page (no worker)', () => {
  const settings = (styleLayers: string[], contentLayer: string): RunSettings => ({ styleLayers, layerWeights: styleLayers.map(() => 1 / styleLayers.length), contentLayer, alpha: 1, beta: 1e3, optimizer: 'adam', start: 'content' });
  let base = 0;
  before(async () => {
    await ready();
    base = tf.memory().numTensors;
  });

  it('builds the random VGG from the config it is sent (widths 4, 8: a 4x4 Gram matrix at block1_conv1)', async () => {
    const s = new StyleSession(tf.getBackend(), { worker: false });
    const [c, st] = [tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 1), tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 2)] as tf.Tensor4D[];
    try {
      await s.build({ url: '', preprocess: 'centered', random: { seed: 5, widths: [4, 8], depths: [1, 1] } }, c, st, settings(['block1_conv1', 'block2_conv1'], 'block2_conv1'), false);
      const v = await s.views('block1_conv1', 0);
      const shape = v.gTarget.shape;
      tf.dispose(Object.values(v));
      expect(shape).to.deep.equal([4, 4]);
    } finally {
      s.dispose();
      tf.dispose([c, st]);
    }
  });

  it('disposed while a step runs: the step rejects with AbortError and keeps no image (tensors back to the baseline)', async () => {
    await waitUntil(() => tf.memory().numTensors === base, `tensors back to ${base} after the test before (${tf.memory().numTensors})`, { timeout: 10000 });
    const s = new StyleSession(tf.getBackend(), { worker: false });
    const [c, st] = [tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 1), tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 2)] as tf.Tensor4D[];
    await s.build({ url: VGG19_NAMES, preprocess: 'centered' }, c, st, settings(['block1_conv1'], 'block2_conv2'), false);
    tf.dispose([c, st]);
    const step = s.step();
    s.dispose();
    const err = await step.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name, 'the step was told').to.equal('AbortError');
    expect(s.image).to.equal(undefined);
    await waitUntil(() => tf.memory().numTensors === base, `tensors back to ${base} (${tf.memory().numTensors})`, { timeout: 10000 });
  });
});

describe('<gram-style>', () => {
  let base = 0;
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
    base = tf.memory().numTensors;
  });
  // Earlier tests' elements free their tensors after their last paint (and after their requests in flight).
  const backToBase = (what: string) => waitUntil(() => tf.memory().numTensors === base, `tensors back to ${base} ${what} (${tf.memory().numTensors})`, { timeout: 30000 });

  it('renders with the default random encoder: images, controls, VGG19 layer names; axe finds nothing', async () => {
    const el = await readyElement(html`<gram-style></gram-style>`);
    expect(statusOf(el).getAttribute('state')).to.equal('ready');
    const boxes = [...root(el).querySelectorAll('fieldset input[type=checkbox]')] as HTMLInputElement[];
    expect(boxes.length).to.equal(10); // 5 blocks x 2 convolutions
    expect(boxes.filter((b) => b.checked).length).to.equal(5); // block1_conv1 ... block5_conv1
    const canvases = root(el).querySelectorAll('convlab-tensor-canvas');
    expect(canvases.length).to.be.at.least(9);
    expect(root(el).querySelector('button.primary')!.textContent!.trim()).to.equal('Run');
    await expect(el).to.be.accessible();
    el.remove();
  });

  it('runs steps on a model at encoder-url (VGG19 layer names): one step event per step, then one done', async () => {
    const el = await fixtureEl();
    expect(statusOf(el).getAttribute('state'), statusOf(el).getAttribute('message') ?? '').to.equal('ready');
    const steps: GramStepDetail[] = [];
    let dones = 0;
    el.addEventListener('step', (e) => steps.push(e.detail));
    el.addEventListener('done', () => dones++);
    const done = oneEvent(el, 'done') as Promise<CustomEvent<GramDoneDetail>>;
    (root(el).querySelector('button.primary') as HTMLButtonElement).click();
    const d = (await done).detail;
    expect(steps.map((s) => s.step)).to.deep.equal([1, 2, 3]);
    expect(steps[0].style).to.have.length(3);
    expect(steps[0].ms).to.be.above(0);
    expect(steps[0].optimizer).to.equal('adam');
    expect(d.steps).to.equal(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(dones).to.equal(1);
    expect(root(el).querySelector('.readout')!.textContent).to.match(/Step 3 of 3 · \d+ ms per step/);
    el.remove();
  });

  it('clamps and defaults bad settings with a quiet notice, and keeps working', async () => {
    const el = await readyElement(
      html`<gram-style encoder-url=${VGG19_NAMES} size="5000" steps="0" optimizer="sgd" start="middle" style-layers="block1_conv1,nope" content-layer="fc7"></gram-style>`,
    );
    const t = noticeText(el);
    expect(t).to.contain('size=5000 is above the maximum 512: using 512.');
    expect(t).to.contain('steps=0 is below the minimum 1: using 1.');
    expect(t).to.contain('optimizer="sgd" is not one of adam, lbfgs: using adam.');
    expect(t).to.contain('start="middle" is not one of content, style, noise: using content.');
    expect(t).to.contain('"nope" is not a layer of this encoder');
    expect(t).to.contain('content-layer="fc7" is not a layer of this encoder: using block4_conv2.');
    expect(root(el).querySelector('convlab-notice')!.getAttribute('kind')).to.equal('settings');
    expect(statusOf(el).getAttribute('state')).to.equal('ready');
    el.remove();
  });

  it('a content name that is neither a sample nor a URL, an image that fails, an encoder that cannot load: clear errors', async () => {
    const a = await readyElement(html`<gram-style encoder-url=${VGG19_NAMES} content="nothing-here"></gram-style>`);
    const alert = root(a).querySelector('.error[role=alert]');
    expect(alert, 'an alert next to the content picker').to.exist;
    expect(alert!.textContent).to.contain('content="nothing-here" is neither a sample');
    a.content = 'coffee';
    await waitUntil(() => isReady(a) && !root(a).querySelector('.error[role=alert]'), 'recovers', { timeout: 60000 });
    a.remove();

    // A URL that answers, but with JSON, not an image.
    const b = await readyElement(html`<gram-style encoder-url=${VGG19_NAMES} style-image=${VGG19_NAMES}></gram-style>`);
    expect(statusOf(b).getAttribute('state')).to.equal('error');
    expect(root(b).querySelector('.error[role=alert]')!.textContent).to.match(/image/i);
    b.remove();

    const c = await readyElement(html`<gram-style encoder-url="./fixtures/missing/model.json"></gram-style>`);
    expect(statusOf(c).getAttribute('state')).to.equal('error');
    expect(statusOf(c).getAttribute('message')).to.match(/answered 404/);
    c.remove();

    const d = await readyElement(html`<gram-style encoder="trained"></gram-style>`);
    expect(noticeText(d)).to.contain('no trained RGB encoder ships with ConvLab yet');
    expect(statusOf(d).getAttribute('state')).to.equal('ready');
    d.remove();
  });

  it('an uploaded image larger than the size is scaled down before the GPU, with a note; a sample click goes back', async () => {
    const el = await fixtureEl();
    const c = new OffscreenCanvas(600, 400);
    const g = c.getContext('2d')!;
    g.fillStyle = '#c33';
    g.fillRect(0, 0, 600, 400);
    const blob = await c.convertToBlob({ type: 'image/png' });
    const picker = root(el).querySelector('convlab-image-picker')!;
    picker.dispatchEvent(new CustomEvent('image-select', { detail: { source: blob, origin: 'file' } }));
    await waitUntil(() => root(el).textContent!.length > 0 && [...root(el).querySelectorAll('convlab-notice')].some((n) => n.shadowRoot!.textContent!.includes('600×400')), 'note shown', { timeout: 60000 });
    expect([...root(el).querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent).join(' ')).to.contain('Your content image (600×400) was scaled down to 128×128');
    await waitUntil(() => isReady(el), 'ready again', { timeout: 60000 });
    const content = (el as unknown as { contentT: tf.Tensor }).contentT;
    expect(content.shape).to.deep.equal([1, 128, 128, 3]);
    const meanRed = tf.tidy(() => tf.mean(tf.slice(content, [0, 0, 0, 0], [1, -1, -1, 1])));
    const red = await meanRed.data();
    meanRed.dispose();
    expect(red[0]).to.be.closeTo(0xcc / 255, 0.02);
    el.remove();
  });

  it('attributes reflect, and weight changes apply to the next step', async () => {
    const el = await fixtureEl();
    el.optimizer = 'lbfgs';
    el.size = 128;
    await el.updateComplete;
    expect(el.getAttribute('optimizer')).to.equal('lbfgs');
    expect(el.getAttribute('size')).to.equal('128');
    const first = oneEvent(el, 'step') as Promise<CustomEvent<GramStepDetail>>;
    el.run();
    expect((await first).detail.optimizer).to.equal('lbfgs');
    await oneEvent(el, 'done');
    el.remove();
  });

  it('settings changed while the run is being set up apply when it is ready (weights, optimiser, start)', async () => {
    const el = await fixtureEl();
    // Hold the build that a new style layer starts, so that the settings below change while it runs.
    const session = (el as unknown as { session: StyleSession }).session;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const build = session.build.bind(session);
    session.build = async (...args) => {
      await gate;
      return build(...args);
    };
    el.styleLayers = 'block1_conv1,block2_conv1';
    await el.updateComplete;
    expect((el as unknown as { st?: unknown }).st, 'the run is being rebuilt').to.equal(undefined);
    el.styleWeight = 0;
    el.optimizer = 'lbfgs';
    el.start = 'style';
    await el.updateComplete;
    open();
    await waitUntil(() => isReady(el), 'ready again', { timeout: 60000 });
    const st = (el as unknown as { st: StyleSession }).st;
    expect(st.options).to.include({ beta: 0, optimizer: 'lbfgs', start: 'style' });
    // The image went back to the new start (the style image), and the steps run with beta = 0 and L-BFGS.
    const view = (el as unknown as { view: Record<string, tf.Tensor> }).view;
    expect(await maxDiff(view.result, (el as unknown as { styleT: tf.Tensor }).styleT)).to.be.below(1e-6);
    const s = oneEvent(el, 'step') as Promise<CustomEvent<GramStepDetail>>;
    el.run();
    const d = (await s).detail;
    el.pause();
    expect(d.optimizer).to.equal('lbfgs');
    expect(d.total).to.be.closeTo(d.content, 1e-6 * Math.max(1, d.content));
    el.remove();
  });

  it('clicking a feature-map position shows its outer product and the partial sum', async () => {
    const el = await fixtureEl();
    await waitUntil(() => !!(el as unknown as { view: Record<string, unknown> }).view.fmap, 'feature map shown', { timeout: 30000 });
    const fmap = [...root(el).querySelectorAll('convlab-tensor-canvas')].find((c) => c.hasAttribute('interactive'))!;
    fmap.dispatchEvent(new CustomEvent('cell-activate', { detail: { row: 1, col: 2 } }));
    await waitUntil(() => !!(el as unknown as { view: Record<string, unknown> }).view.outer, 'outer product shown', { timeout: 30000 });
    const view = (el as unknown as { view: Record<string, tf.Tensor> }).view;
    expect(view.outer.shape).to.deep.equal([4, 4]); // block1_conv1 of the fixture has 4 channels
    expect(root(el).textContent).to.contain('(1, 2)');
    el.remove();
  });

  it('tensors return to the baseline after 200 interactions and after removal mid-run', async () => {
    await backToBase('after the earlier tests');
    const el = await fixtureEl();
    for (let i = 0; i < 200; i++) {
      el.styleWeight = 10 ** (2 + (i % 5));
      el.contentWeight = 1 + (i % 3);
      await el.updateComplete;
    }
    el.steps = 50;
    await el.updateComplete;
    el.run();
    await oneEvent(el, 'step');
    el.remove(); // mid-run
    await backToBase('after removal mid-run');
  });

  it('removed while its encoder loads: the encoder is freed', async () => {
    await backToBase('after the earlier tests');
    const el = document.createElement('gram-style') as GramStyle;
    el.setAttribute('encoder-url', VGG19_NAMES);
    el.setAttribute('encoder-preprocess', 'centered');
    // The element's load(), watched so that the test waits for it to end (not the thing under test).
    const self = el as unknown as { load(...a: unknown[]): Promise<void> };
    const load = self.load.bind(el);
    let loading: Promise<void> | undefined;
    self.load = (...a: unknown[]) => (loading = load(...a));
    document.body.append(el);
    await el.updateComplete; // load() has started: the encoder is being fetched
    el.remove();
    expect(loading, 'load() started').to.exist;
    await loading;
    expect(tf.memory().numTensors, 'the encoder loaded after the removal was freed').to.equal(base);
  });

  it('the GPU path: steps on webgl', async () => {
    await tf.setBackend('webgl');
    try {
      expect(tf.getBackend()).to.equal('webgl');
      const el = await fixtureEl();
      el.steps = 1;
      const s = oneEvent(el, 'step') as Promise<CustomEvent<GramStepDetail>>;
      el.run();
      const d = (await s).detail;
      expect(d.total).to.be.above(0);
      expect(tf.getBackend()).to.equal('webgl');
      // In the page, on its one WebGL context (a worker would open a second one), and no notice about it.
      expect(d.where).to.equal('main');
      expect(el.shadowRoot!.textContent).not.to.contain('Running in the page');
      el.remove();
    } finally {
      await tf.setBackend((await ready()).name);
    }
  });
});
