import { expect, fixture, html } from '@open-wc/testing';
import '../src/define.js';
import type { ConvLabProbBars } from '../src/prob-bars.js';

const items = (el: Element) => Array.from(el.shadowRoot!.querySelectorAll('[role=listitem]')) as HTMLElement[];
const live = (el: Element) => el.shadowRoot!.querySelector('[aria-live=polite]')!.textContent!.trim();
const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

describe('<convlab-prob-bars>', () => {
  it('renders the top-k as a list of label, bar and percentage, and is accessible', async () => {
    const p = [0.01, 0.02, 0.005, 0.003, 0.002, 0.01, 0.02, 0.918, 0.005, 0.007];
    const el = await fixture<ConvLabProbBars>(
      html`<convlab-prob-bars heading="Prediction" top="3"></convlab-prob-bars>`
    );
    el.labels = digits;
    el.probabilities = p;
    await el.updateComplete;
    const rows = items(el);
    expect(rows.length).to.equal(3);
    expect(rows.map((r) => r.querySelector('.label')!.textContent)).to.deep.equal(['7', '1', '6']);
    expect(rows[0].querySelector('.pct')!.textContent).to.contain('91.8%');
    expect(rows[1].querySelector('.pct')!.textContent).to.contain('2.0%');
    const bar = rows[0].querySelector('[part=bar]') as HTMLElement;
    expect(parseFloat(bar.style.width)).to.be.closeTo(91.8, 1e-6);
    // Drawn that wide, too.
    const track = bar.parentElement!.getBoundingClientRect();
    expect(track.width).to.be.greaterThan(20);
    expect(bar.getBoundingClientRect().width / track.width).to.be.closeTo(0.918, 0.02);
    const list = el.shadowRoot!.querySelector('[role=list]')!;
    expect(list.getAttribute('aria-labelledby')).to.equal('heading');
    expect(el.shadowRoot!.getElementById('heading')!.textContent).to.equal('Prediction');
    expect(live(el)).to.equal('Prediction: 7, 91.8%');
    await expect(el).to.be.accessible();
  });

  it('reads attributes (labels as commas or JSON) and reflects top and highlight', async () => {
    const el = await fixture<ConvLabProbBars>(
      html`<convlab-prob-bars
        labels="cat, dog, bird"
        probabilities="[0.2, 0.5, 0.3]"
        top="2"
        highlight="0"
      ></convlab-prob-bars>`
    );
    expect(el.labels).to.deep.equal(['cat', 'dog', 'bird']);
    expect(el.probabilities).to.deep.equal([0.2, 0.5, 0.3]);
    expect(items(el).map((r) => r.querySelector('.label')!.textContent)).to.deep.equal(['dog', 'bird', 'cat']);
    el.setAttribute('labels', '["a","b","c"]');
    el.top = 1;
    el.highlight = 2;
    await el.updateComplete;
    expect(el.labels).to.deep.equal(['a', 'b', 'c']);
    expect(el.getAttribute('top')).to.equal('1');
    expect(el.getAttribute('highlight')).to.equal('2');
  });

  it('marks the highlighted class, and shows it below the top-k when it is not among them', async () => {
    const el = await fixture<ConvLabProbBars>(
      html`<convlab-prob-bars top="2" highlight="3" highlight-label="target"></convlab-prob-bars>`
    );
    el.labels = digits;
    el.probabilities = [0.5, 0.3, 0.15, 0.05, 0, 0, 0, 0, 0, 0];
    await el.updateComplete;
    const rows = items(el);
    expect(rows.length).to.equal(3);
    expect(rows[2].classList.contains('marked')).to.equal(true);
    expect(rows[2].classList.contains('extra')).to.equal(true);
    expect(rows[2].textContent).to.contain('(target)');
    el.highlight = 0;
    await el.updateComplete;
    expect(items(el).length).to.equal(2);
    expect(items(el)[0].classList.contains('marked')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('announces the top-1 only when it changes, not on every update', async () => {
    const el = await fixture<ConvLabProbBars>(html`<convlab-prob-bars></convlab-prob-bars>`);
    el.labels = ['cat', 'dog'];
    el.probabilities = [0.6, 0.4];
    await el.updateComplete;
    expect(live(el)).to.equal('Prediction: cat, 60.0%');
    const region = el.shadowRoot!.querySelector('[aria-live=polite]')!;
    let mutations = 0;
    const mo = new MutationObserver((m) => (mutations += m.length));
    mo.observe(region, { childList: true, characterData: true, subtree: true });
    for (const p of [0.62, 0.7, 0.55]) {
      el.probabilities = [p, 1 - p];
      await el.updateComplete;
    }
    await Promise.resolve();
    expect(mutations).to.equal(0);
    expect(live(el)).to.equal('Prediction: cat, 60.0%');
    // The rows did follow.
    expect(items(el)[0].textContent).to.contain('55.0%');
    el.probabilities = [0.1, 0.9];
    await el.updateComplete;
    expect(live(el), 'a new class is said at once').to.equal('Prediction: dog, 90.0%');
    mo.disconnect();
  });

  it('says the current confidence of the same class once the values rest (never keeps an old figure)', async () => {
    const el = await fixture<ConvLabProbBars>(html`<convlab-prob-bars labels="a,b"></convlab-prob-bars>`);
    el.probabilities = [0.649, 0.351];
    await el.updateComplete;
    expect(live(el)).to.equal('Prediction: a, 64.9%');
    for (const p of [0.66, 0.7, 0.734]) {
      el.probabilities = [p, 1 - p];
      await el.updateComplete;
    }
    expect(live(el), 'not on every frame').to.equal('Prediction: a, 64.9%');
    await new Promise((r) => setTimeout(r, (el.constructor as typeof ConvLabProbBars).settleMs + 100));
    await el.updateComplete;
    expect(live(el)).to.equal('Prediction: a, 73.4%');
  });

  it('says so when there is no prediction yet', async () => {
    const el = await fixture<ConvLabProbBars>(html`<convlab-prob-bars></convlab-prob-bars>`);
    expect(el.shadowRoot!.textContent).to.contain('No prediction yet.');
    expect(items(el).length).to.equal(0);
    await expect(el).to.be.accessible();
  });
});
