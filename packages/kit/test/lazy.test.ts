import { expect, fixture, html } from '@open-wc/testing';
import { html as litHtml } from 'lit';
import { ConvLabElement } from '../src/base.js';

/** A widget stand-in that counts its renders and first updates, as a real one starts its work in firstUpdated. */
class LazyProbe extends ConvLabElement {
  renders = 0;
  started = 0;
  protected override render() {
    this.renders++;
    return litHtml`<p style="height: 200px">probe</p>`;
  }
  protected override firstUpdated(): void {
    this.started++;
  }
}
customElements.define('lazy-probe', LazyProbe);

const frames = (n: number) => new Promise<void>((r) => {
  const step = (k: number) => (k ? requestAnimationFrame(() => step(k - 1)) : r());
  step(n);
});

describe('ConvLabElement loading="lazy"', () => {
  afterEach(() => window.scrollTo(0, 0));

  it('renders nothing and starts nothing until the element nears the viewport, holding a placeholder height', async () => {
    const page = await fixture<HTMLDivElement>(html`
      <div>
        <div style="height: ${window.innerHeight * 4}px"></div>
        <lazy-probe loading="lazy"></lazy-probe>
      </div>
    `);
    const el = page.querySelector('lazy-probe') as LazyProbe;
    await frames(4);
    expect(el.loading).to.equal('lazy');
    expect(el.renders, 'no render far below the fold').to.equal(0);
    expect(el.started).to.equal(0);
    expect(el.hasAttribute('data-waiting')).to.equal(true);
    // 24rem placeholder, so that the widgets below it are not all 'in view' at once.
    expect(el.getBoundingClientRect().height).to.be.greaterThan(200);
    el.scrollIntoView();
    await el.updateComplete;
    expect(el.renders).to.equal(1);
    expect(el.started).to.equal(1);
    expect(el.hasAttribute('data-waiting')).to.equal(false);
    expect(el.shadowRoot!.textContent).to.contain('probe');
  });

  it('starts within a screen ahead of the viewport, before the reader reaches it', async () => {
    const page = await fixture<HTMLDivElement>(html`
      <div>
        <div style="height: ${Math.round(window.innerHeight * 1.5)}px"></div>
        <lazy-probe loading="lazy"></lazy-probe>
      </div>
    `);
    const el = page.querySelector('lazy-probe') as LazyProbe;
    await el.updateComplete;
    expect(el.started).to.equal(1);
    expect(el.getBoundingClientRect().top).to.be.greaterThan(window.innerHeight);
  });

  it('eager (the default, or any other value) starts at once wherever it is', async () => {
    const page = await fixture<HTMLDivElement>(html`
      <div>
        <div style="height: ${window.innerHeight * 4}px"></div>
        <lazy-probe></lazy-probe>
        <lazy-probe loading="bogus"></lazy-probe>
      </div>
    `);
    const els = [...page.querySelectorAll('lazy-probe')] as LazyProbe[];
    await Promise.all(els.map((e) => e.updateComplete));
    expect(els.map((e) => [e.loading, e.started])).to.deep.equal([
      ['eager', 1],
      ['eager', 1],
    ]);
    expect(els[1].hasAttribute('loading'), 'an unknown value is not reflected back').to.equal(false);
  });
});
