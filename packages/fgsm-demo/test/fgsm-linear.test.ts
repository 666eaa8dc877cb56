import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../src/index.js';
import type { FgsmLinear, LinearChangeDetail } from '../src/index.js';

const text = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

describe('<fgsm-linear>', () => {
  it("shows the slide's numbers: sigma(-2) = 0.1192 and, at eps 0.1, the sum term by term and 0.2689", async () => {
    const el = await fixture<FgsmLinear>(html`<fgsm-linear></fgsm-linear>`);
    const t = text(el);
    expect(t).to.include('w·x = 2+2+2-3-2-2+2-3 = -2');
    expect(t).to.include('σ(-2) = 0.1192');
    expect(t).to.include('w·x′ = 2.2+2.1+2.1-2.9-1.8-1.9+2.1-2.9 = -1');
    expect(t).to.include('σ(-1) = 0.2689');
    await expect(el).to.be.accessible();
  });

  it('gives 0.5 at eps 0.2 and 0.7311 at eps 0.3', async () => {
    const el = await fixture<FgsmLinear>(html`<fgsm-linear epsilon="0.2"></fgsm-linear>`);
    expect(text(el)).to.include('σ(0) = 0.5000');
    el.epsilon = 0.3;
    await el.updateComplete;
    expect(text(el)).to.include('σ(1) = 0.7311');
  });

  it('lets the student edit x and fires linear-change', async () => {
    const el = await fixture<FgsmLinear>(html`<fgsm-linear epsilon="0"></fgsm-linear>`);
    const x1 = el.shadowRoot!.querySelector('input[aria-label="x 1"]') as HTMLInputElement;
    x1.value = '2';
    const ev = oneEvent(el, 'linear-change');
    x1.dispatchEvent(new Event('change'));
    const d = ((await ev) as CustomEvent<LinearChangeDetail>).detail;
    expect(d.logit).to.equal(0); // -2 + 2 * (2 - 1)
    expect(d.probability).to.equal(0.5);
    expect(el.x.startsWith('2,')).to.equal(true);
  });

  it('locks the table with editable="false", and unlocks it again', async () => {
    const el = await fixture<FgsmLinear>(html`<fgsm-linear editable="false"></fgsm-linear>`);
    expect(el.editable).to.equal(false);
    expect(el.shadowRoot!.querySelectorAll('input[type="number"]')).to.have.length(0);
    expect(text(el)).to.include('σ(-2) = 0.1192');
    el.removeAttribute('editable');
    await el.updateComplete;
    expect(el.editable).to.equal(true);
    expect(el.shadowRoot!.querySelectorAll('input[type="number"]').length).to.be.above(0);
    el.editable = false;
    await el.updateComplete;
    expect(el.getAttribute('editable')).to.equal('false');
  });

  it('says clearly when x and w differ in length', async () => {
    const el = await fixture<FgsmLinear>(html`<fgsm-linear x="1, 2, 3" w="1, 2"></fgsm-linear>`);
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.match(/x has 3 entries but w has 2/);
  });

  it('clamps or defaults bad settings with a quiet notice saying what it used ("abc", 5, 1e9)', async () => {
    const notice = (el: FgsmLinear) => {
      const n = el.shadowRoot!.querySelector('convlab-notice');
      return n ? n.shadowRoot!.textContent!.replace(/\s+/g, ' ') : '';
    };
    const el = await fixture<FgsmLinear>(html`<fgsm-linear epsilon="abc" b="zz" x="1, two, 3"></fgsm-linear>`);
    await el.shadowRoot!.querySelector('convlab-notice')!.updateComplete;
    expect(el.epsilon).to.equal(0.1);
    expect(notice(el)).to.include('epsilon="abc" is not a number: using the default 0.1.');
    expect(notice(el)).to.include('b="zz" is not a number: using the default 0.');
    expect(notice(el)).to.include(`x="1, two, 3" is not a list of numbers: using the slide's 1, -2, -2, 3, -1, 2, -2, -3.`);
    expect(text(el), 'the slide example still runs').to.include('σ(-1) = 0.2689');
    expect(el.shadowRoot!.querySelectorAll('[role="alert"]').length).to.equal(0);
    el.setAttribute('epsilon', '5');
    await el.updateComplete;
    expect(el.epsilon).to.equal(1);
    expect(notice(el)).to.include('epsilon=5 is above the maximum 1: using 1.');
    el.setAttribute('epsilon', '1e9');
    await el.updateComplete;
    expect(notice(el)).to.include('epsilon=1000000000 is above the maximum 1: using 1.');
    el.epsilon = 0.2;
    el.b = 0.5;
    el.x = '1, -2, -2, 3, -1, 2, -2, -3';
    await el.updateComplete;
    expect(notice(el), 'good values clear every notice').to.equal('');
    await expect(el).to.be.accessible();
  });
});
