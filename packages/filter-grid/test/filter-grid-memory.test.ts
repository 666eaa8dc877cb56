import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready, tf, loadModel, layerKernel, colormapLut, type Tensor4D } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { FilterGrid, FiltersReadyDetail, UnitSelectDetail } from '../src/index.js';

const NO_CONV = '/packages/filter-grid/test/fixtures/no-conv/model.json';
const HOSTED = '/packages/models/fixtures/hosted-224';

async function filtersReady(el: FilterGrid): Promise<FiltersReadyDetail> {
  return ((await oneEvent(el, 'filters-ready')) as CustomEvent<FiltersReadyDetail>).detail;
}

/** Waits until the response map of the current image is shown. */
async function responded(el: FilterGrid): Promise<tf.Tensor> {
  const canvas = () => el.shadowRoot!.querySelector('convlab-tensor-canvas.response') as (HTMLElement & { tensor?: tf.Tensor }) | null;
  await waitUntil(() => canvas()?.tensor && !canvas()!.tensor!.isDisposed, 'response map', { timeout: 60000 });
  return canvas()!.tensor!;
}

function grid(el: FilterGrid): HTMLCanvasElement {
  return el.shadowRoot!.querySelector('canvas.grid') as HTMLCanvasElement;
}

/** The RGB of canvas pixel (x, y). */
function pixel(c: HTMLCanvasElement, x: number, y: number): number[] {
  return [...c.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3)];
}

/** Geometry the element lays tiles out with (read back from its canvas for 16 filters of 3x3, 8 per row). */
function tileOrigin(el: FilterGrid, f: number, c = -1): { x: number; y: number; cell: number } {
  const L = (el as unknown as { layout(): { cols: number; cell: number; gap: number; kw: number; kh: number; perChannel: boolean } }).layout();
  const i = L.perChannel ? f * L.cols + c : f;
  return { x: L.gap + (i % L.cols) * (L.kw * L.cell + L.gap), y: L.gap + Math.floor(i / L.cols) * (L.kh * L.cell + L.gap), cell: L.cell };
}

function hover(el: FilterGrid, x: number, y: number, type = 'pointermove'): void {
  const c = grid(el);
  const r = c.getBoundingClientRect();
  c.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true, clientX: r.left + (x / c.width) * r.width, clientY: r.top + (y / c.height) * r.height }));
}

describe('<filter-grid>', () => {
  before(async () => {
    const info = await ready();
    expect(tf.getBackend()).to.equal(info.name);
  });

  it('leaves no tensor behind after 200 interactions, and after removal mid-computation', async () => {
    const el = await fixture<FilterGrid>(html`<filter-grid></filter-grid>`);
    await responded(el);
    await new Promise((r) => setTimeout(r, 50));
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      const o = tileOrigin(el, i % 16);
      hover(el, o.x + 1, o.y + 1);
      if (i % 50 === 0) el.normalization = el.normalization === 'filter' ? 'layer' : 'filter';
      if (i % 67 === 0) el.layer = ['conv1', 'conv2', 'conv3'][i % 3];
      await el.updateComplete;
    }
    el.layer = 'conv1';
    el.normalization = 'filter';
    await el.updateComplete;
    await responded(el);
    await new Promise((r) => setTimeout(r, 50));
    expect(tf.memory().numTensors).to.equal(base);
    // Removed while a new image is being read.
    el.sample = 55;
    await el.updateComplete;
    el.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(tf.memory().numTensors, 'removing the element frees its tensors').to.be.below(base);
  });
});
