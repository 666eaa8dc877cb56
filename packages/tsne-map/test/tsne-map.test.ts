import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { render } from 'lit';
import { ready, tf } from '@convlab/tensor';
// The built package: its Web Worker is dist/tsne-worker.js (the test server serves no .js for a .ts file).
import '../dist/index.js';
import { neighbourAgreement } from '../dist/index.js';
import type { TsneMap, EmbeddingDoneDetail, PointSelectDetail } from '../dist/index.js';
import { drawVerticalStroke } from '../../kit/test/helpers/draw.js';

const NO_CONV = '/packages/filter-grid/test/fixtures/no-conv/model.json';

function done(el: HTMLElement): Promise<EmbeddingDoneDetail> {
  return oneEvent(el, 'embedding-done').then((e) => (e as CustomEvent<EmbeddingDoneDetail>).detail);
}

/** Small runs: this machine has two shared cores. */
async function mounted(tpl: ReturnType<typeof html>): Promise<{ el: TsneMap; d: EmbeddingDoneDetail }> {
  const holder = document.createElement('div');
  render(tpl, holder);
  const el = holder.querySelector('tsne-map') as TsneMap;
  const p = done(el);
  (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
  return { el, d: await p };
}

const maps = (el: TsneMap) => (el as unknown as { maps: Record<'features' | 'pixels', { embedding?: Float32Array }> }).maps;

describe('neighbourAgreement', () => {
  it('matches sorting every distance, on random points with ties', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const n of [6, 40, 300]) {
      // Coordinates on a coarse grid, so that equal distances (ties) occur.
      const emb = Float32Array.from({ length: 2 * n }, () => Math.floor(rand() * 8));
      const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const d = (j: number) => (emb[2 * i] - emb[2 * j]) ** 2 + (emb[2 * i + 1] - emb[2 * j + 1]) ** 2;
        const nb = [...Array(n).keys()].filter((j) => j !== i).sort((a, b) => d(a) - d(b)).slice(0, 5);
        if (nb.filter((j) => labels[j] === labels[i]).length > 2.5) ok++;
      }
      expect(neighbourAgreement(emb, labels), `n = ${n}`).to.equal(ok / n);
    }
  });
});

describe('<tsne-map>', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('embeds features and pixels in a worker; the features separate the classes better; the same seed gives the same map', async () => {
    const { el, d } = await mounted(html`<tsne-map count="200" perplexity="15" iterations="300" seed="7"></tsne-map>`);
    expect([d.count, d.perplexity, d.iterations, d.seed, d.layer]).to.deep.equal([200, 15, 300, 7, 'features']);
    expect(d.features.where, 'off the main thread').to.equal('worker');
    expect(d.features.neighbourAgreement).to.be.above(0.8);
    expect(d.features.neighbourAgreement, 'features separate the classes more than pixels').to.be.above(d.pixels.neighbourAgreement);
    expect(Number.isFinite(d.features.kl)).to.equal(true);
    const first = Array.from(maps(el).features.embedding!);
    const again = done(el);
    (el.shadowRoot!.querySelector('.buttons button:last-child') as HTMLButtonElement).click();
    await again;
    expect(Array.from(maps(el).features.embedding!)).to.deep.equal(first);
    // Another seed: another map.
    const other = done(el);
    el.seed = 8;
    await other;
    expect(Array.from(maps(el).features.embedding!)).to.not.deep.equal(first);
    expect(el.getAttribute('seed')).to.equal('8');
    await expect(el).to.be.accessible();
  });

  it('shows a thumbnail on hover and fires point-select once for a clicked point', async () => {
    const { el } = await mounted(html`<tsne-map count="100" perplexity="10" iterations="250"></tsne-map>`);
    const canvas = el.shadowRoot!.querySelector('canvas.map.features') as HTMLCanvasElement;
    const e = maps(el).features.embedding!;
    // Canvas position of point 3, by the element's own transform.
    const t = (el as unknown as { transform(e: Float32Array, s: number): { sx(v: number): number; sy(v: number): number } }).transform(e, canvas.width);
    const r = canvas.getBoundingClientRect();
    const at = { clientX: r.left + (t.sx(e[6]) / canvas.width) * r.width, clientY: r.top + (t.sy(e[7]) / canvas.height) * r.height };
    canvas.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, composed: true, ...at }));
    await waitUntil(() => el.shadowRoot!.querySelector('.thumb.features'), 'thumbnail', { timeout: 10000 });
    expect(el.shadowRoot!.querySelector('.thumb.features span')!.textContent).to.match(/\(#\d+\)/);
    const got: PointSelectDetail[] = [];
    el.addEventListener('point-select', (ev) => got.push(ev.detail));
    canvas.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, ...at }));
    expect(got).to.have.length(1);
    expect(got[0].space).to.equal('features');
    expect(got[0].label).to.equal(String(got[0].classIndex));
    // Keyboard: Enter picks the cursor's point.
    canvas.focus();
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(got).to.have.length(2);
  });

  it('places a drawn digit by its nearest neighbours in feature space, and says how', async () => {
    const { el } = await mounted(html`<tsne-map count="100" perplexity="10" iterations="250"></tsne-map>`);
    await drawVerticalStroke(el);
    await waitUntil(() => el.shadowRoot!.querySelector('.placed'), 'placed', { timeout: 60000 });
    const text = el.shadowRoot!.querySelector('.placed')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.match(/the model reads 1/);
    expect(text).to.match(/5 nearest neighbours/);
    expect(text).to.match(/t-SNE has no map for a new point/);
    // Most of its feature-space neighbours are ones.
    const m = text.match(/In feature space they are ([^;]+);/)!;
    expect(m[1].split(', ').filter((l) => l === '1').length).to.be.at.least(3);
  });

  it('clamps settings with quiet notices', async () => {
    const { el, d } = await mounted(html`<tsne-map count="20" perplexity="500" learning-rate="5" iterations="100"></tsne-map>`);
    expect([d.count, d.iterations, d.learningRate]).to.deep.equal([100, 250, 10]);
    expect(d.perplexity).to.equal(33);
    const n = ((el.shadowRoot!.querySelector('convlab-notice[kind="settings"]') as HTMLElement & { messages: string[] }).messages).join(' ');
    expect(n).to.match(/count=20 is outside 100 to 5000: using 100/);
    expect(n).to.match(/perplexity=500 is outside 2 to 100/);
    expect(n).to.match(/learning-rate=5 is outside 10 to 1000: using 10/);
    expect(n).to.match(/iterations=100 is outside 250 to 5000: using 250/);
  });

  it('says so for a layer that does not exist, and for a model that ships no images', async () => {
    const { el, d } = await mounted(html`<tsne-map layer="nope" count="100" perplexity="10" iterations="250"></tsne-map>`);
    expect(d.layer).to.equal('features');
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.match(/no layer called 'nope'.*Using features/);
    const bad = await fixture<TsneMap>(html`<tsne-map model-url=${NO_CONV}></tsne-map>`);
    const alert = () => bad.shadowRoot!.querySelector('convlab-status')?.shadowRoot?.querySelector('[role="alert"]');
    await waitUntil(alert, 'alert', { timeout: 30000 });
    expect(alert()!.textContent).to.match(/ships no pool of test images/);
  });

  it('pauses and resumes; leaves no tensor behind after interactions and after removal mid-run', async () => {
    const { el } = await mounted(html`<tsne-map count="100" perplexity="10" iterations="250"></tsne-map>`);
    await new Promise((r) => setTimeout(r, 50));
    const base = tf.memory().numTensors;
    const canvas = el.shadowRoot!.querySelector('canvas.map.pixels') as HTMLCanvasElement;
    const r = canvas.getBoundingClientRect();
    for (let i = 0; i < 200; i++) canvas.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, composed: true, clientX: r.left + ((i * 37) % r.width), clientY: r.top + ((i * 53) % r.height) }));
    await el.updateComplete;
    // A longer run: pause it, check it stands still, resume.
    el.iterations = 2000;
    await waitUntil(() => (el as unknown as { running: boolean }).running && maps(el).features.embedding, 'running', { timeout: 30000 });
    el.togglePause();
    await new Promise((r) => setTimeout(r, 300));
    const a = Array.from(maps(el).features.embedding!);
    await new Promise((r) => setTimeout(r, 500));
    expect(Array.from(maps(el).features.embedding!)).to.deep.equal(a);
    el.togglePause();
    await waitUntil(() => Array.from(maps(el).features.embedding!).some((v, i) => v !== a[i]), 'moves again', { timeout: 30000 });
    expect(tf.memory().numTensors).to.equal(base);
    el.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(tf.memory().numTensors, 'the pool is freed').to.be.below(base);
  });
});
