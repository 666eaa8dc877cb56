import { expect, fixture, html } from '@open-wc/testing';
import { html as litHtml, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import '../src/define.js';
import { ConvLabElement, ConvLabNotice, SettingsNotices, clampSetting, chooseSetting, resolveSample } from '../src/index.js';

describe('clampSetting / chooseSetting (the one rule for bad settings)', () => {
  const eps = { min: 0, max: 1, default: 0.1 };

  it('keeps a value in range, without a notice', () => {
    expect(clampSetting('epsilon', '0.25', eps)).to.deep.equal({ value: 0.25, notice: undefined });
    expect(clampSetting('epsilon', 0, eps)).to.deep.equal({ value: 0, notice: undefined });
  });

  it('clamps out-of-range values and says what was used', () => {
    expect(clampSetting('epsilon', '5', eps)).to.deep.equal({ value: 1, notice: 'epsilon=5 is above the maximum 1: using 1.' });
    expect(clampSetting('epsilon', 1e9, eps).notice).to.equal('epsilon=1000000000 is above the maximum 1: using 1.');
    expect(clampSetting('epsilon', '-0.5', eps)).to.deep.equal({ value: 0, notice: 'epsilon=-0.5 is below the minimum 0: using 0.' });
  });

  it('defaults unparsable and empty values, quoting what was written', () => {
    expect(clampSetting('epsilon', 'abc', eps)).to.deep.equal({ value: 0.1, notice: 'epsilon="abc" is not a number: using the default 0.1.' });
    expect(clampSetting('epsilon', NaN, eps).value).to.equal(0.1);
    expect(clampSetting('epsilon', '', eps).notice).to.equal('epsilon is empty: using the default 0.1.');
    expect(clampSetting('epsilon', 'Infinity', eps).value).to.equal(0.1);
  });

  it('rounds integer settings, then clamps', () => {
    expect(clampSetting('steps', '2.6', { min: 1, max: 100, default: 10, integer: true })).to.deep.equal({ value: 3, notice: 'steps=2.6 is not a whole number: using 3.' });
    expect(clampSetting('target', 42, { min: 0, max: 9, default: 0, integer: true }).notice).to.equal('target=42 is above the maximum 9: using 9.');
  });

  it('chooses among words, case-insensitively, else the default with a notice', () => {
    expect(chooseSetting('mode', 'Targeted', ['untargeted', 'targeted'] as const, 'untargeted')).to.deep.equal({ value: 'targeted' });
    expect(chooseSetting('mode', 'fast', ['untargeted', 'targeted'] as const, 'untargeted')).to.deep.equal({
      value: 'untargeted',
      notice: 'mode="fast" is not one of untargeted, targeted: using untargeted.',
    });
  });
});

describe('resolveSample (sample="31" or sample="label:3")', () => {
  // Ten samples per class in class order, as the bundled sprites are.
  const samples = Array.from({ length: 100 }, (_, i) => ({ classIndex: Math.floor(i / 10) }));
  const labels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

  it('takes an index, clamped with a notice', () => {
    expect(resolveSample(31, samples, labels)).to.deep.equal({ value: 31, notice: undefined });
    expect(resolveSample(999, samples, labels)).to.deep.equal({ value: 99, notice: 'sample=999 is above the maximum 99: using 99.' });
  });

  it('finds the first sample of a class by index or name', () => {
    expect(resolveSample('label:3', samples, labels).value).to.equal(30);
    expect(resolveSample('label: Seven', samples, labels).value).to.equal(70);
    expect(resolveSample('class:9', samples, labels).value).to.equal(90);
  });

  it('says so when the class or the text means nothing', () => {
    const r = resolveSample('label:12', samples, labels);
    expect(r.value).to.equal(0);
    expect(r.notice).to.match(/^sample="label:12": no bundled sample has class 12 .*: using sample 0\.$/);
    expect(resolveSample('abc', samples, labels)).to.deep.equal({ value: 0, notice: 'sample="abc" is neither a sample number (0-99) nor label:<class>: using sample 0.' });
  });
});

class TestSettingsHost extends ConvLabElement {
  @property({ type: Number }) epsilon = 0.1;
  @property({ type: Number, attribute: 'max-steps' }) maxSteps = 10;
  readonly settings = new SettingsNotices(this);
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('epsilon')) this.epsilon = this.settings.number('epsilon', { min: 0, max: 1, default: 0.1 });
    if (changed.has('maxSteps')) this.maxSteps = this.settings.number('maxSteps', { min: 1, max: 100, default: 10, integer: true });
  }
  protected override render() {
    return litHtml`${this.settings.render()}`;
  }
}
customElements.define('test-settings-host', TestSettingsHost);

const noticeText = (el: Element) => {
  const n = el.shadowRoot!.querySelector('convlab-notice') as ConvLabNotice | null;
  return n ? n.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim() : '';
};

describe('SettingsNotices (a widget shows what it used instead)', () => {
  it('shows a quiet notice, by attribute name and written text, and clears it when the value is good', async () => {
    const el = await fixture<TestSettingsHost>(html`<test-settings-host epsilon="abc" max-steps="500"></test-settings-host>`);
    expect(el.epsilon).to.equal(0.1);
    expect(el.maxSteps).to.equal(100);
    const notice = el.shadowRoot!.querySelector('convlab-notice')!;
    await notice.updateComplete;
    const box = notice.shadowRoot!.querySelector('[role="status"]')!;
    expect(box, 'a polite status, not an alert').to.exist;
    expect(notice.shadowRoot!.querySelector('[role="alert"]')).to.equal(null);
    expect(noticeText(el)).to.contain('epsilon="abc" is not a number: using the default 0.1.');
    expect(noticeText(el)).to.contain('max-steps=500 is above the maximum 100: using 100.');
    el.epsilon = 0.3;
    await el.updateComplete;
    await (el.shadowRoot!.querySelector('convlab-notice') as ConvLabNotice).updateComplete;
    expect(noticeText(el)).to.not.contain('epsilon');
    expect(noticeText(el)).to.contain('max-steps');
    el.maxSteps = 20;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('convlab-notice').length).to.equal(0);
    expect(el.settings.messages).to.deep.equal([]);
  });

  it('keeps the notice when the corrected value is set back on the property in a later update', async () => {
    const el = await fixture<TestSettingsHost>(html`<test-settings-host epsilon="5"></test-settings-host>`);
    expect(el.epsilon).to.equal(1);
    el.requestUpdate('epsilon', 5);
    await el.updateComplete;
    expect(el.settings.messages).to.deep.equal(['epsilon=5 is above the maximum 1: using 1.']);
  });

  it('is axe-clean, in light and dark', async () => {
    const el = await fixture<TestSettingsHost>(html`<test-settings-host epsilon="5"></test-settings-host>`);
    await expect(el).to.be.accessible();
    el.theme = 'dark';
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });
});

describe('controlShown', () => {
  it("shows every group for 'all' or nothing, none for 'none', else the listed ones (commas or spaces, any case)", async () => {
    const { controlShown } = await import('../src/settings.js');
    expect(['', 'all', ' ALL ', undefined, null].map((c) => controlShown(c, 'epsilon'))).to.deep.equal([true, true, true, true, true]);
    expect(controlShown('none', 'epsilon')).to.equal(false);
    expect(controlShown('source, Epsilon', 'epsilon')).to.equal(true);
    expect(controlShown('source epsilon', 'epsilon')).to.equal(true);
    expect(controlShown('source,mode', 'epsilon')).to.equal(false);
    expect(controlShown('epsilons', 'epsilon'), 'whole names only').to.equal(false);
  });
});
