import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../src/define.js';
import type { ConvLabStatus } from '../src/status.js';

const $ = (el: Element, sel: string) => el.shadowRoot!.querySelector(sel) as HTMLElement | null;

describe('<convlab-status>', () => {
  it('is registered and renders nothing visible when ready', async () => {
    const el = await fixture<ConvLabStatus>(html`<convlab-status></convlab-status>`);
    expect(el).to.be.instanceOf(customElements.get('convlab-status')!);
    expect(el.state).to.equal('ready');
    expect($(el, 'slot')).to.exist;
    expect($(el, '[role=alert]')).to.equal(null);
    expect($(el, '[role=progressbar]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('reads its attributes and reflects state and retryable', async () => {
    const el = await fixture<ConvLabStatus>(
      html`<convlab-status
        state="loading"
        progress="0.25"
        message="Loading model…"
        presenter
        theme="dark"
      ></convlab-status>`
    );
    expect(el.state).to.equal('loading');
    expect(el.progress).to.equal(0.25);
    expect(el.message).to.equal('Loading model…');
    expect(el.presenter).to.equal(true);
    expect(el.theme).to.equal('dark');
    el.state = 'error';
    el.retryable = true;
    el.presenter = false;
    el.theme = '';
    await el.updateComplete;
    expect(el.getAttribute('state')).to.equal('error');
    expect(el.hasAttribute('retryable')).to.equal(true);
    expect(el.hasAttribute('presenter')).to.equal(false);
    expect(el.hasAttribute('theme')).to.equal(false);
  });

  it('shows a progress bar with the percentage while loading', async () => {
    const el = await fixture<ConvLabStatus>(
      html`<convlab-status state="loading" progress="0.42" message="Loading model…"></convlab-status>`
    );
    const bar = $(el, '[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).to.equal('42');
    expect(el.shadowRoot!.textContent).to.contain('Loading model… 42%');
    await expect(el).to.be.accessible();
    el.progress = -1;
    await el.updateComplete;
    expect($(el, '[role=progressbar]')!.hasAttribute('aria-valuenow')).to.equal(false);
    expect(el.shadowRoot!.textContent).not.to.contain('%');
  });

  it('shows a quiet busy indicator while running', async () => {
    const el = await fixture<ConvLabStatus>(html`<convlab-status state="running"></convlab-status>`);
    expect($(el, '[aria-busy=true]')).to.exist;
    expect($(el, '[role=alert]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows role=alert on error, and its retry button fires retry once', async () => {
    const el = await fixture<ConvLabStatus>(
      html`<convlab-status state="error" message="The model could not be loaded." retryable></convlab-status>`
    );
    const alert = $(el, '[role=alert]')!;
    expect(alert.textContent).to.contain('The model could not be loaded.');
    await expect(el).to.be.accessible();
    let count = 0;
    el.addEventListener('retry', () => count++);
    const button = $(el, 'button')!;
    expect(button.textContent).to.contain('Try again');
    setTimeout(() => button.click());
    const ev = await oneEvent(el, 'retry');
    expect(ev.bubbles && ev.composed).to.equal(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(count).to.equal(1);
    el.retryable = false;
    await el.updateComplete;
    expect($(el, 'button')).to.equal(null);
  });

  it('fires no retry for property changes', async () => {
    const el = await fixture<ConvLabStatus>(html`<convlab-status></convlab-status>`);
    let count = 0;
    el.addEventListener('retry', () => count++);
    el.state = 'error';
    el.retryable = true;
    await el.updateComplete;
    el.state = 'ready';
    await el.updateComplete;
    expect(count).to.equal(0);
  });

  it('puts the backend behind a small (i) that opens to name it and say why, and shows nothing on slides', async () => {
    const el = await fixture<ConvLabStatus>(html`<convlab-status></convlab-status>`);
    el.backend = { name: 'wasm', reason: 'WebGL runs on a software renderer' };
    await el.updateComplete;
    const note = $(el, '[part=backend]') as HTMLDetailsElement;
    expect(note.localName, 'a disclosure, not a line of text').to.equal('details');
    expect(note.open).to.equal(false);
    const summary = note.querySelector('summary')!;
    expect(summary.textContent).to.contain('How this widget computes');
    expect(note.querySelector('p')!.checkVisibility(), 'closed: the line is not shown').to.equal(false);
    summary.click();
    await el.updateComplete;
    expect(note.open).to.equal(true);
    expect(note.querySelector('p')!.checkVisibility()).to.equal(true);
    expect(note.querySelector('p')!.textContent).to.equal('Running without GPU (WASM): WebGL runs on a software renderer.');
    await expect(el).to.be.accessible();
    el.presenter = true;
    await el.updateComplete;
    expect(!!$(el, '[part=backend]'), 'never on slides').to.equal(false);
    el.presenter = false;
    el.backend = { name: 'webgl', reason: 'hardware' };
    await el.updateComplete;
    expect($(el, '[part=backend]')).to.equal(null);
  });
});
