import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { ready, tf } from '@convlab/tensor';
import '../src/define.js';
import { lightPalette, darkPalette } from '../src/tokens.js';

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
const colour = (el: Element) => getComputedStyle(el).color;
const background = (el: Element) => getComputedStyle(el).backgroundColor;

describe('tokens: themes and presenter mode', () => {
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light' });
  });

  it('is light by default and dark with theme="dark"', async () => {
    await emulateMedia({ colorScheme: 'light' });
    const el = await fixture(html`<convlab-slider label="x"></convlab-slider>`);
    expect(colour(el)).to.equal(rgb(lightPalette.fg));
    expect(background(el)).to.equal(rgb(lightPalette.bg));
    el.setAttribute('theme', 'dark');
    expect(colour(el)).to.equal(rgb(darkPalette.fg));
    expect(background(el)).to.equal(rgb(darkPalette.bg));
    expect(getComputedStyle(el).colorScheme).to.equal('dark');
  });

  it('follows prefers-color-scheme: dark, unless theme="light"', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture(html`<convlab-status></convlab-status>`);
    expect(colour(el)).to.equal(rgb(darkPalette.fg));
    el.setAttribute('theme', 'light');
    expect(colour(el)).to.equal(rgb(lightPalette.fg));
  });

  it('follows a theme on an ancestor, and a page theme beats the system setting', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const wrap = await fixture(html`<div theme="light"><convlab-prob-bars></convlab-prob-bars></div>`);
    const el = wrap.firstElementChild!;
    expect(colour(el)).to.equal(rgb(lightPalette.fg));
    await emulateMedia({ colorScheme: 'light' });
    wrap.setAttribute('theme', 'dark');
    expect(colour(el)).to.equal(rgb(darkPalette.fg));
    wrap.removeAttribute('theme');
    wrap.setAttribute('data-theme', 'dark');
    expect(colour(el)).to.equal(rgb(darkPalette.fg));
    // The element's own attribute wins.
    el.setAttribute('theme', 'light');
    expect(colour(el)).to.equal(rgb(lightPalette.fg));
  });

  it('takes public --convlab-* properties set by the page (any browser), over its theme', async () => {
    const wrap = await fixture(
      html`<div style="--convlab-fg: rgb(1, 2, 3); --convlab-accent: rgb(4, 5, 6)">
        <convlab-status theme="dark"></convlab-status>
      </div>`
    );
    const el = wrap.firstElementChild!;
    expect(colour(el)).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(el).getPropertyValue('--_accent').trim()).to.equal('rgb(4, 5, 6)');
    expect(background(el)).to.equal(rgb(darkPalette.bg));
  });

  it('presenter mode raises the font size and thickens the focus ring', async () => {
    const el = await fixture(html`<convlab-draw-pad></convlab-draw-pad>`);
    const normal = parseFloat(getComputedStyle(el).fontSize);
    el.setAttribute('presenter', '');
    const big = parseFloat(getComputedStyle(el).fontSize);
    expect(big).to.be.greaterThan(normal * 1.4);
    await sendKeys({ press: 'Tab' });
    const pad = el.shadowRoot!.activeElement as HTMLElement;
    expect(pad.tagName).to.equal('CANVAS');
    expect(getComputedStyle(pad).outlineWidth, 'the drawing surface too').to.equal('4px');
    await sendKeys({ press: 'Tab' });
    const button = el.shadowRoot!.activeElement as HTMLElement;
    expect(button.textContent).to.contain('Clear');
    expect(getComputedStyle(button).outlineStyle).to.equal('solid');
    expect(getComputedStyle(button).outlineWidth).to.equal('4px');
    el.removeAttribute('presenter');
    expect(getComputedStyle(button).outlineWidth).to.equal('2px');
  });

  it('every element is axe-clean in the dark theme and in presenter mode', async () => {
    await ready();
    const t = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    for (const attrs of [{ theme: 'dark' }, { presenter: '' }, { theme: 'dark', presenter: '' }]) {
      const wrap = await fixture<HTMLDivElement>(html`<div>
        <convlab-status state="error" message="It failed." retryable></convlab-status>
        <convlab-status state="loading" progress="0.5" message="Loading model…"></convlab-status>
        <convlab-image-picker></convlab-image-picker>
        <convlab-tensor-canvas interactive saveable label="Map"></convlab-tensor-canvas>
        <convlab-draw-pad></convlab-draw-pad>
        <convlab-prob-bars
          heading="Prediction"
          labels="a,b,c"
          probabilities="[0.2,0.5,0.3]"
          highlight="0"
        ></convlab-prob-bars>
        <convlab-slider label="Epsilon" unit="ε"></convlab-slider>
      </div>`);
      for (const el of Array.from(wrap.children)) for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      (wrap.querySelector('convlab-status') as HTMLElement & { backend: unknown }).backend = {
        name: 'wasm',
        reason: 'no GPU',
      };
      const picker = wrap.querySelector('convlab-image-picker') as HTMLElement & { samples: unknown };
      picker.samples = [{ label: 'Digit', src: new ImageData(4, 4) }];
      const canvas = wrap.querySelector('convlab-tensor-canvas') as HTMLElement & {
        tensor: unknown;
        painted: Promise<unknown>;
      };
      canvas.tensor = t;
      await canvas.painted;
      await expect(wrap).to.be.accessible();
    }
    t.dispose();
  });
});
