import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { html as litHtml, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { clearModelCacheForTesting, type ImageSource } from '@convlab/tensor';
import '../src/define.js';
import { ConvLabElement, ModelSource, sampleConverter } from '../src/index.js';

const TINY = '/packages/tensor/test/fixtures/tiny-conv/model.json';
const SPRITE = { png: '/packages/models/models/digits/samples.png', json: '/packages/models/models/digits/samples.json' };

interface Call {
  source: ImageSource | Blob;
  trueClass?: number;
}

/** A minimal model widget: it records the inputs it is given. */
class TestModelHost extends ConvLabElement {
  @property() model = TINY;
  @property({ attribute: 'model-meta' }) modelMeta = '';
  @property({ converter: sampleConverter }) sample: number | string = 0;
  @property() src = '';
  @property() controls = 'all';

  calls: Call[] = [];
  readonly source = new ModelSource(this, { samplesFor: (id) => (id.includes('tiny-conv') ? SPRITE : undefined) });

  async setInput(source: ImageSource | Blob, trueClass?: number): Promise<void> {
    this.calls.push({ source, trueClass });
    this.source.set({ status: 'running', message: '' });
    await new Promise((r) => setTimeout(r, 5));
    // As a widget does: a file that does not decode fails through the source.
    if (source instanceof File && source.name.startsWith('broken')) {
      this.source.fail(new Error(`The file "${source.name}" could not be decoded as an image.`));
      return;
    }
    this.source.set({ status: 'ready', message: '' });
  }

  protected override updated(changed: PropertyValues): void {
    this.source.reload(changed);
  }

  protected override render() {
    return litHtml`${this.source.renderStatus()}${this.source.renderSource()}`;
  }
}
customElements.define('test-model-host', TestModelHost);

const settled = (el: TestModelHost, n = 1) => waitUntil(() => el.calls.length >= n && el.source.status !== 'loading', `${n} input(s) set`, { timeout: 10000 });
const noticeText = (el: TestModelHost) =>
  [...el.shadowRoot!.querySelectorAll('convlab-notice')].map((n) => n.shadowRoot!.textContent!.replace(/\s+/g, ' ')).join(' ');
const alertOf = (el: TestModelHost) => el.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]');

describe('ModelSource (the model, samples and input of a model widget)', () => {
  afterEach(() => clearModelCacheForTesting());

  it('loads the model and its samples, then sets the sample the attribute names, with its class', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host sample="13"></test-model-host>`);
    expect(el.source.status).to.equal('loading');
    await settled(el);
    expect(el.source.loaded?.numClasses).to.equal(3);
    expect(el.source.samples).to.have.length(100);
    expect(el.calls).to.have.length(1);
    expect(el.calls[0].trueClass).to.equal(1);
    expect((el.calls[0].source as ImageData).width).to.equal(28);
    expect(el.source.backend?.name).to.be.a('string');
  });

  it('clamps an out-of-range sample with a visible settings notice (not a console warning)', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host sample="500"></test-model-host>`);
    await settled(el);
    expect(el.calls[0].trueClass).to.equal(9);
    await el.updateComplete;
    expect(noticeText(el)).to.contain('sample=500 is above the maximum 99: using 99.');
  });

  it('takes sample="label:<class>": the first sample of that class; a pick clears the notice of a bad one', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host sample="label:two"></test-model-host>`);
    await settled(el);
    expect(el.calls[0].trueClass, 'by class name').to.equal(2);
    expect(el.source.settings.messages).to.deep.equal([]);
    el.setAttribute('sample', 'label:7');
    await settled(el, 2);
    expect(el.calls[1].trueClass, 'by class index').to.equal(7);
    el.setAttribute('sample', 'label:12');
    await settled(el, 3);
    expect(el.calls[2].trueClass).to.equal(0);
    await el.updateComplete;
    expect(noticeText(el)).to.match(/sample="label:12": no bundled sample has class 12 .*: using sample 0\./);
    const picker = el.shadowRoot!.querySelector('convlab-image-picker')!;
    await (picker as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    (picker.shadowRoot!.querySelectorAll('.thumb')[3] as HTMLButtonElement).click();
    await el.updateComplete;
    expect(el.source.settings.messages).to.deep.equal([]);
  });

  it('fails with an error for a model-url attribute (never runs the default model in its place), and notes other stray attributes', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host model-url="https://example.org/m/model.json"></test-model-host>`);
    await waitUntil(() => alertOf(el), 'an error shows', { timeout: 10000 });
    expect(alertOf(el)!.textContent).to.match(/has no model-url attribute: to load the model at https:\/\/example\.org\/m\/model\.json, write model=".*". The default model was not loaded/);
    expect(el.calls).to.have.length(0);
    const other = await fixture<TestModelHost>(html`<test-model-host epsilom="0.2" data-x="1" aria-label="demo"></test-model-host>`);
    await settled(other);
    expect(other.source.settings.messages).to.deep.equal(['epsilom is not a setting of <test-model-host>: ignored.']);
  });

  it('prefers src to sample, and loads again when either changes', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host sample="3" src="/photo-a.png"></test-model-host>`);
    await settled(el);
    expect(el.calls[0]).to.deep.equal({ source: '/photo-a.png', trueClass: undefined });
    el.src = '/photo-b.png';
    await settled(el, 2);
    expect(el.calls[1].source).to.equal('/photo-b.png');
    el.src = '';
    await settled(el, 3);
    expect(el.calls[2].trueClass).to.equal(0);
    el.sample = 95;
    await settled(el, 4);
    expect(el.calls[3].trueClass).to.equal(9);
    expect(el.calls).to.have.length(4);
  });

  it('sets a picked sample once, and keeps the sample attribute in step', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host></test-model-host>`);
    await settled(el);
    const picker = el.shadowRoot!.querySelector('convlab-image-picker')!;
    await (picker as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const thumbs = picker.shadowRoot!.querySelectorAll('.thumb');
    expect(thumbs, 'two thumbnails per class').to.have.length(20);
    (thumbs[7] as HTMLButtonElement).click(); // the second sample of class 3: sample 31
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    expect(el.sample).to.equal(31);
    expect(el.calls).to.have.length(2);
    expect(el.calls[1].trueClass).to.equal(3);
  });

  it('shows the draw pad on the Draw tab and hides the source when controls leave it out', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host controls="patch"></test-model-host>`);
    await settled(el);
    expect(el.shadowRoot!.querySelector('.source')).to.equal(null);
    expect(el.source.shown('patch')).to.equal(true);
    expect(el.source.shown('source')).to.equal(false);
    el.controls = 'all';
    await el.updateComplete;
    const draw = [...el.shadowRoot!.querySelectorAll('.tabs button')].find((b) => b.textContent === 'Draw') as HTMLButtonElement;
    draw.click();
    await el.updateComplete;
    expect(draw.getAttribute('aria-pressed')).to.equal('true');
    expect(el.shadowRoot!.querySelector('convlab-draw-pad')).to.not.equal(null);
    el.controls = 'none';
    expect(el.source.shown('source')).to.equal(false);
  });

  it('shows a failed model in an alert and loads again on retry after the model is fixed', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host model="/packages/kit/test/no-such/model.json"></test-model-host>`);
    await waitUntil(() => alertOf(el), 'alert shows', { timeout: 10000 });
    expect(alertOf(el)!.textContent).to.match(/404/);
    expect(el.calls).to.have.length(0);
    // A page fixes the attribute: the widget restarts by itself.
    el.model = TINY;
    await settled(el);
    expect(el.source.loaded?.url).to.match(/tiny-conv/);
    // Retry re-reads the input when the model is there.
    el.source.fail(new Error('decode failed'));
    await el.updateComplete;
    const status = el.shadowRoot!.querySelector('convlab-status')!;
    await (status as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    (status.shadowRoot!.querySelector('[part=retry]') as HTMLButtonElement).click();
    await settled(el, 2);
  });

  it('runs its load as a Task: a new model while one loads replaces it, and only the last one sets an input', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host model="${TINY}?first"></test-model-host>`);
    el.model = `${TINY}?second`;
    await settled(el);
    await new Promise((r) => setTimeout(r, 300));
    expect(el.source.loaded?.url).to.match(/\?second$/);
    expect(el.calls, 'the replaced load set nothing').to.have.length(1);
  });

  it('stops loading when the element leaves the page, and starts again when it comes back', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host></test-model-host>`);
    const parent = el.parentElement!;
    el.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(el.calls, 'nothing set while detached').to.have.length(0);
    parent.append(el);
    await settled(el);
    expect(el.calls).to.have.length(1);
  });

  it('shows an upload that cannot be decoded next to the upload button, says the previous image stays, and leaves the widget ready', async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host sample="13"></test-model-host>`);
    await settled(el);
    const picker = el.shadowRoot!.querySelector('convlab-image-picker')!;
    await picker.updateComplete;
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array([137, 80, 78, 71, 1, 2])], 'broken.png', { type: 'image/png' }));
    picker.shadowRoot!.querySelector('[part=zone]')!.dispatchEvent(new DragEvent('drop', { bubbles: true, composed: true, cancelable: true, dataTransfer: dt }));
    await waitUntil(() => picker.shadowRoot!.querySelector('[part=error]'), 'error by the upload button', { timeout: 5000 });
    const err = picker.shadowRoot!.querySelector('[part=error]')!;
    expect(err.getAttribute('role')).to.equal('alert');
    expect(err.textContent).to.equal('The file "broken.png" could not be decoded as an image. The widget still shows the previous image.');
    expect(el.source.status, 'the widget is still usable, its previous result in place').to.equal('ready');
    expect(!!alertOf(el), 'no error at the top of the widget').to.equal(false);
    // The next choice clears it.
    (picker.shadowRoot!.querySelectorAll('.thumb')[0] as HTMLButtonElement).click();
    await picker.updateComplete;
    expect(picker.shadowRoot!.querySelectorAll('[part=error]').length).to.equal(0);
  });

  it("labels the retry with what it does (not a bare 'Try again' that quietly resets to sample 0)", async () => {
    const el = await fixture<TestModelHost>(html`<test-model-host model="/packages/kit/test/no-such/model.json"></test-model-host>`);
    await waitUntil(() => alertOf(el), 'error', { timeout: 10000 });
    const retry = (h: TestModelHost) => h.shadowRoot!.querySelector('convlab-status')!.shadowRoot!.querySelector('[part=retry]')!.textContent!.trim();
    expect(retry(el)).to.equal('Load the model again');
    const ok = await fixture<TestModelHost>(html`<test-model-host sample="42"></test-model-host>`);
    await settled(ok);
    ok.source.fail(new Error('Something broke.'));
    await ok.updateComplete;
    expect(retry(ok)).to.equal('Start again from sample 42');
    ok.src = '/photo.png';
    await settled(ok, 2);
    ok.source.fail(new Error('Something broke.'));
    await ok.updateComplete;
    expect(retry(ok)).to.equal('Load the image again');
  });
});
