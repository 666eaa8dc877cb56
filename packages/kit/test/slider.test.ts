import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { ConvLabSlider, SliderValueDetail } from '../src/slider.js';
import { decimalsOf } from '../src/slider.js';

const range = (el: ConvLabSlider) => el.shadowRoot!.querySelector('input[type=range]') as HTMLInputElement;
const number = (el: ConvLabSlider) => el.shadowRoot!.querySelector('input[type=number]') as HTMLInputElement;

function record(el: HTMLElement) {
  const log: string[] = [];
  for (const type of ['input', 'change']) {
    el.addEventListener(type, (e) => {
      const d = (e as CustomEvent<SliderValueDetail>).detail;
      log.push(`${type}:${e instanceof CustomEvent ? d.value : 'native'}`);
    });
  }
  return log;
}

describe('<convlab-slider>', () => {
  it('renders a labelled range and number field from its attributes, and is accessible', async () => {
    const el = await fixture<ConvLabSlider>(
      html`<convlab-slider
        label="Epsilon"
        min="0"
        max="0.3"
        step="0.01"
        value="0.1"
        unit="ε"
        digits="3"
      ></convlab-slider>`
    );
    expect([el.label, el.min, el.max, el.step, el.value, el.unit, el.digits]).to.deep.equal([
      'Epsilon',
      0,
      0.3,
      0.01,
      0.1,
      'ε',
      3,
    ]);
    expect(range(el).value).to.equal('0.1');
    expect(number(el).value).to.equal('0.100');
    expect(range(el).getAttribute('aria-valuetext')).to.equal('0.100 ε');
    const label = el.shadowRoot!.querySelector('label')!;
    expect(label.textContent).to.equal('Epsilon');
    expect(label.htmlFor).to.equal(range(el).id);
    expect(number(el).getAttribute('aria-labelledby')).to.equal('label unit');
    await expect(el).to.be.accessible();
    el.presenter = true;
    el.theme = 'dark';
    await el.updateComplete;
    expect(el.hasAttribute('presenter')).to.equal(true);
    expect(el.getAttribute('theme')).to.equal('dark');
    await expect(el).to.be.accessible();
  });

  it('shows the decimals of its step by default', async () => {
    expect([decimalsOf(1), decimalsOf(0.05), decimalsOf(0.001), decimalsOf(1e-7)]).to.deep.equal([0, 2, 3, 7]);
    const el = await fixture<ConvLabSlider>(
      html`<convlab-slider label="Gamma" min="0.2" max="3" step="0.05" value="1"></convlab-slider>`
    );
    expect(number(el).value).to.equal('1.00');
  });

  it('fires input while dragging (keyboard on the range) and change on commit, once each, with the value', async () => {
    const el = await fixture<ConvLabSlider>(
      html`<convlab-slider label="Size" min="0" max="10" step="1" value="5"></convlab-slider>`
    );
    const log = record(el);
    range(el).focus();
    const input = oneEvent(el, 'input');
    await sendKeys({ press: 'ArrowRight' });
    const ev = (await input) as CustomEvent<SliderValueDetail>;
    expect(ev.detail).to.deep.equal({ value: 6 });
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(el.value).to.equal(6);
    expect(number(el).value).to.equal('6');
    // One input (ours, not the native one as well) and one change.
    expect(log).to.deep.equal(['input:6', 'change:6']);
  });

  it('moves 10 steps with PageUp / PageDown and to the ends with Home / End, on the range and the number field (ARIA slider keys)', async () => {
    const el = await fixture<ConvLabSlider>(html`<convlab-slider label="Epsilon" min="0" max="1" step="0.005" digits="3" value="0.1"></convlab-slider>`);
    const log = record(el);
    range(el).focus();
    await sendKeys({ press: 'PageUp' });
    expect(el.value, 'ten steps of 0.005, not a tenth of the range').to.equal(0.15);
    await sendKeys({ press: 'PageDown' });
    await sendKeys({ press: 'PageDown' });
    expect(el.value).to.equal(0.05);
    await sendKeys({ press: 'End' });
    expect(el.value).to.equal(1);
    await sendKeys({ press: 'PageUp' });
    expect(el.value, 'clamped at max').to.equal(1);
    expect(log).to.deep.equal(['input:0.15', 'change:0.15', 'input:0.1', 'change:0.1', 'input:0.05', 'change:0.05', 'input:1', 'change:1', 'change:1']);
    number(el).focus();
    await sendKeys({ press: 'Home' });
    expect(el.value).to.equal(0);
    expect(number(el).value).to.equal('0.000');
    await sendKeys({ press: 'PageUp' });
    expect(el.value).to.equal(0.05);
    await el.updateComplete;
    expect(range(el).value).to.equal('0.05');
    el.pageSteps = 2;
    await sendKeys({ press: 'PageUp' });
    expect(el.value).to.equal(0.06);
  });

  it('clamps a typed number that is out of range, when committed', async () => {
    const el = await fixture<ConvLabSlider>(
      html`<convlab-slider label="Size" min="0" max="10" step="1" value="5"></convlab-slider>`
    );
    const log = record(el);
    number(el).focus();
    number(el).select();
    await sendKeys({ type: '42' });
    // 4 is in range and is followed while typing; 42 is not.
    expect(el.value).to.equal(4);
    const change = oneEvent(el, 'change');
    await sendKeys({ press: 'Tab' });
    expect(((await change) as CustomEvent<SliderValueDetail>).detail).to.deep.equal({ value: 10 });
    expect(el.value).to.equal(10);
    expect(number(el).value).to.equal('10');
    expect(range(el).value).to.equal('10');
    expect(log).to.deep.equal(['input:4', 'input:10', 'change:10']);

    number(el).focus();
    number(el).select();
    await sendKeys({ type: '-3' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.value).to.equal(0);
    expect(number(el).value).to.equal('0');
    expect(log.filter((s) => s.startsWith('change'))).to.deep.equal(['change:10', 'change:0']);
  });

  it('fires nothing when the value is set as a property, and shows it clamped', async () => {
    const el = await fixture<ConvLabSlider>(html`<convlab-slider label="Size" min="0" max="10"></convlab-slider>`);
    const log = record(el);
    el.value = 3;
    await el.updateComplete;
    expect(range(el).value).to.equal('3');
    el.value = 99;
    await el.updateComplete;
    expect(range(el).value).to.equal('10');
    expect(log).to.deep.equal([]);
  });
});
