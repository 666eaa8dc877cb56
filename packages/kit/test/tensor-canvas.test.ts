import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, sendMouse, resetMouse } from '@web/test-runner-commands';
import { ready, tf } from '@convlab/tensor';
import '../src/define.js';
import type { ConvLabTensorCanvas, CellPointerDetail, CellActivateDetail } from '../src/tensor-canvas.js';
import { clientToCell } from '../src/pointer.js';

const frameOf = (el: ConvLabTensorCanvas) => el.shadowRoot!.querySelector('[part=frame]') as HTMLElement;
const pixel = (c: HTMLCanvasElement, x: number, y: number) =>
  Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);

/** Client coordinates of the centre of cell (row, col) of a rows x cols map drawn in `rect`. */
function cellCentre(rect: DOMRect, row: number, col: number, rows: number, cols: number): [number, number] {
  return [rect.left + ((col + 0.5) / cols) * rect.width, rect.top + ((row + 0.5) / rows) * rect.height];
}

function pointer(type: string, x: number, y: number, init: PointerEventInit = {}): PointerEvent {
  return new PointerEvent(type, {
    clientX: x,
    clientY: y,
    pointerId: 7,
    pointerType: 'mouse',
    isPrimary: true,
    bubbles: true,
    composed: true,
    cancelable: true,
    ...init,
  });
}

describe('clientToCell', () => {
  const rect = { left: 10, top: 20, width: 100, height: 50 };
  it('maps points to rows and columns with fractional positions', () => {
    expect(clientToCell(rect, 10, 20, 5, 10)).to.deep.equal({ row: 0, col: 0, x: 0, y: 0 });
    expect(clientToCell(rect, 60, 45, 5, 10)).to.deep.equal({ row: 2, col: 5, x: 0.5, y: 0.5 });
    expect(clientToCell(rect, 109.99, 69.99, 5, 10)).to.include({ row: 4, col: 9 });
    const h = clientToCell(rect, 35, 30, 2, 4)!;
    expect([h.row, h.col]).to.deep.equal([0, 1]);
    expect(h.x).to.be.closeTo(0.25, 1e-9);
    expect(h.y).to.be.closeTo(0.2, 1e-9);
  });
  it('returns null outside the box, on its right and bottom edges, and for empty boxes or grids', () => {
    expect(clientToCell(rect, 9.99, 30, 5, 10)).to.equal(null);
    expect(clientToCell(rect, 110, 30, 5, 10)).to.equal(null);
    expect(clientToCell(rect, 50, 70, 5, 10)).to.equal(null);
    expect(clientToCell(rect, 50, 19, 5, 10)).to.equal(null);
    expect(clientToCell({ left: 0, top: 0, width: 0, height: 10 }, 0, 5, 2, 2)).to.equal(null);
    expect(clientToCell(rect, 50, 30, 0, 2)).to.equal(null);
  });
  it('works in the coordinates of a scaled box (what getBoundingClientRect reports under transforms)', () => {
    // A 200px map scaled by 0.5 at (0, 0): the box is 100px and cell (3, 1) of 4x4 is centred at (37.5, 87.5).
    expect(clientToCell({ left: 0, top: 0, width: 100, height: 100 }, 37.5, 87.5, 4, 4)).to.include({ row: 3, col: 1 });
  });
});

describe('<convlab-tensor-canvas>', function () {
  this.timeout(15000);
  before(async () => {
    await ready();
  });
  afterEach(async () => {
    await resetMouse();
  });

  it('paints the expected colours: [[0,1],[1,0]] in grey', async () => {
    const t = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const el = await fixture<ConvLabTensorCanvas>(
      html`<convlab-tensor-canvas colormap="grey" label="A checkerboard"></convlab-tensor-canvas>`
    );
    const painted = oneEvent(el, 'paint');
    el.tensor = t;
    const ev = await painted;
    expect(ev.detail).to.deep.equal({ range: [0, 1], width: 2, height: 2 });
    const c = el.canvas;
    expect([c.width, c.height]).to.deep.equal([2, 2]);
    expect(pixel(c, 0, 0)).to.deep.equal([0, 0, 0, 255]);
    expect(pixel(c, 1, 0)).to.deep.equal([255, 255, 255, 255]);
    expect(pixel(c, 0, 1)).to.deep.equal([255, 255, 255, 255]);
    expect(pixel(c, 1, 1)).to.deep.equal([0, 0, 0, 255]);
    expect(el.lastRange).to.deep.equal([0, 1]);
    expect(getComputedStyle(c).imageRendering).to.equal('pixelated');
    // Shown at the host's CSS size (224px by default), not at 2px.
    expect(Math.round(c.getBoundingClientRect().width)).to.equal(224);
    // Not disposed by the element.
    expect(t.isDisposed).to.equal(false);
    t.dispose();
  });

  it('upscales by an integer scale and honours a fixed range', async () => {
    const t = tf.tensor2d([[0, 0.5]]);
    const el = await fixture<ConvLabTensorCanvas>(
      html`<convlab-tensor-canvas colormap="grey" scale="4" range="0,2"></convlab-tensor-canvas>`
    );
    expect(el.range).to.deep.equal([0, 2]);
    el.tensor = t;
    const r = await el.painted;
    expect(r).to.deep.equal({ range: [0, 2], width: 8, height: 4 });
    expect(pixel(el.canvas, 7, 3)).to.deep.equal([64, 64, 64, 255]);
    t.dispose();
  });

  it('reports the symmetric range of the last paint', async () => {
    const t = tf.tensor2d([[-1, 2]]);
    const el = await fixture<ConvLabTensorCanvas>(html`<convlab-tensor-canvas></convlab-tensor-canvas>`);
    el.range = 'symmetric';
    el.colormap = 'diverging';
    el.tensor = t;
    await el.painted;
    expect(el.lastRange).to.deep.equal([-2, 2]);
    t.dispose();
  });

  it('reads attributes, reflects its switches, and is accessible', async () => {
    const t = tf.zeros([3, 3]);
    const el = await fixture<ConvLabTensorCanvas>(
      html`<convlab-tensor-canvas
        label="Saliency map"
        interactive
        saveable
        colormap="diverging"
      ></convlab-tensor-canvas>`
    );
    el.tensor = t;
    await el.painted;
    expect(el.interactive).to.equal(true);
    expect(el.saveable).to.equal(true);
    expect(el.colormap).to.equal('diverging');
    const frame = frameOf(el);
    expect(frame.getAttribute('role')).to.equal('img');
    expect(frame.getAttribute('aria-label')).to.equal('Saliency map');
    expect(frame.tabIndex).to.equal(0);
    expect(el.shadowRoot!.querySelector('[part=save]')!.textContent).to.contain('Save PNG');
    await expect(el).to.be.accessible();
    el.interactive = false;
    el.saveable = false;
    el.colormap = 'grey';
    await el.updateComplete;
    expect(el.hasAttribute('interactive')).to.equal(false);
    expect(el.hasAttribute('saveable')).to.equal(false);
    expect(el.getAttribute('colormap')).to.equal('grey');
    expect(frameOf(el).hasAttribute('tabindex')).to.equal(false);
    expect(el.shadowRoot!.querySelector('[part=save]')).to.equal(null);
    await expect(el).to.be.accessible();
    t.dispose();
  });

  it('maps pointer events to cells inside a wrapper scaled by 0.5 (synthetic PointerEvents)', async () => {
    const t = tf.zeros([4, 8]);
    const wrap = await fixture<HTMLDivElement>(html`<div style="transform: scale(0.5); transform-origin: 0 0">
      <convlab-tensor-canvas interactive label="Map"></convlab-tensor-canvas>
    </div>`);
    const el = wrap.querySelector('convlab-tensor-canvas')!;
    el.tensor = t;
    await el.painted;
    const rect = el.canvas.getBoundingClientRect();
    // The transform is in effect: the box on screen is half the layout width.
    expect(rect.width).to.be.closeTo(el.canvas.offsetWidth / 2, 0.5);
    const [x, y] = cellCentre(rect, 2, 5, 4, 8);
    // Without the transform, these client coordinates would land on a different cell.
    const unscaled = clientToCell(
      { left: rect.left, top: rect.top, width: el.canvas.offsetWidth, height: el.canvas.offsetHeight },
      x,
      y,
      4,
      8
    )!;
    expect([unscaled.row, unscaled.col]).not.to.deep.equal([2, 5]);

    const details: CellPointerDetail[] = [];
    const activations: CellActivateDetail[] = [];
    el.addEventListener('cell-pointer', (e) => details.push(e.detail));
    el.addEventListener('cell-activate', (e) => activations.push(e.detail));
    const frame = frameOf(el);
    frame.dispatchEvent(pointer('pointerdown', x, y, { buttons: 1, button: 0 }));
    frame.dispatchEvent(pointer('pointermove', x, y, { buttons: 1, button: -1 }));
    frame.dispatchEvent(pointer('pointerup', x, y, { buttons: 0, button: 0 }));
    expect(details.map((d) => [d.phase, d.row, d.col, d.buttons])).to.deep.equal([
      ['down', 2, 5, 1],
      ['move', 2, 5, 1],
      ['up', 2, 5, 0],
    ]);
    expect(details[0].x).to.be.closeTo(5.5 / 8, 1e-3);
    expect(details[0].y).to.be.closeTo(2.5 / 4, 1e-3);
    expect(activations).to.deep.equal([{ row: 2, col: 5 }]);
    t.dispose();
  });

  it('maps a real mouse click inside a scaled wrapper, and drags across cells', async () => {
    const t = tf.zeros([4, 4]);
    const wrap = await fixture<HTMLDivElement>(html`<div style="transform: scale(0.5); transform-origin: 0 0">
      <convlab-tensor-canvas interactive label="Map"></convlab-tensor-canvas>
    </div>`);
    const el = wrap.querySelector('convlab-tensor-canvas')!;
    el.tensor = t;
    await el.painted;
    const rect = el.canvas.getBoundingClientRect();
    const details: CellPointerDetail[] = [];
    el.addEventListener('cell-pointer', (e) => details.push(e.detail));
    const [x, y] = cellCentre(rect, 3, 1, 4, 4);
    await sendMouse({ type: 'move', position: [Math.round(x), Math.round(y)] });
    const activated = oneEvent(el, 'cell-activate');
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'up' });
    expect((await activated).detail).to.deep.equal({ row: 3, col: 1 });
    const down = details.find((d) => d.phase === 'down')!;
    expect([down.row, down.col, down.buttons]).to.deep.equal([3, 1, 1]);
    // Drag from cell (0, 0) to (0, 3): moves report the cells passed; no activation (different cells).
    details.length = 0;
    let activations = 0;
    el.addEventListener('cell-activate', () => activations++);
    const [x0, y0] = cellCentre(rect, 0, 0, 4, 4);
    const [x3] = cellCentre(rect, 0, 3, 4, 4);
    await sendMouse({ type: 'move', position: [Math.round(x0), Math.round(y0)] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round(x3), Math.round(y0)] });
    await sendMouse({ type: 'up' });
    const phases = details.map((d) => `${d.phase}:${d.row},${d.col}`);
    expect(phases[0]).to.equal('move:0,0');
    expect(phases).to.include('down:0,0');
    expect(phases).to.include('move:0,3');
    expect(phases[phases.length - 1]).to.equal('up:0,3');
    expect(activations).to.equal(0);
    t.dispose();
  });

  it('moves a visible focus cell with the arrow keys; Enter and Space fire cell-activate', async () => {
    const t = tf.zeros([3, 3]);
    const el = await fixture<ConvLabTensorCanvas>(
      html`<convlab-tensor-canvas interactive label="Map"></convlab-tensor-canvas>`
    );
    el.tensor = t;
    await el.painted;
    const events: CellActivateDetail[] = [];
    el.addEventListener('cell-activate', (e) => events.push(e.detail));
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(frameOf(el));
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' }); // clamped at the last column
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    const cell = el.shadowRoot!.querySelector('[part=cell]') as HTMLElement;
    expect(cell).to.exist;
    expect(parseFloat(cell.style.left)).to.be.closeTo((100 * 2) / 3, 0.01);
    expect(parseFloat(cell.style.top)).to.be.closeTo(100 / 3, 0.01);
    expect(getComputedStyle(cell).outlineStyle).to.equal('solid');
    expect(el.shadowRoot!.querySelector('[aria-live]')!.textContent).to.contain('Row 2 of 3, column 3 of 3');
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'Space' });
    expect(events).to.deep.equal([
      { row: 1, col: 2 },
      { row: 1, col: 1 },
    ]);
    await expect(el).to.be.accessible();
    t.dispose();
  });

  it('fires no cell events when not interactive', async () => {
    const t = tf.zeros([2, 2]);
    const el = await fixture<ConvLabTensorCanvas>(html`<convlab-tensor-canvas></convlab-tensor-canvas>`);
    el.tensor = t;
    await el.painted;
    let n = 0;
    el.addEventListener('cell-pointer', () => n++);
    el.addEventListener('cell-activate', () => n++);
    const [x, y] = cellCentre(el.canvas.getBoundingClientRect(), 0, 0, 2, 2);
    frameOf(el).dispatchEvent(pointer('pointerdown', x, y, { buttons: 1 }));
    frameOf(el).dispatchEvent(pointer('pointerup', x, y));
    frameOf(el).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(n).to.equal(0);
    t.dispose();
  });

  it('paints once for several property changes in one task, and fires paint on each repaint', async () => {
    const a = tf.tensor2d([[0, 1]]);
    const b = tf.tensor2d([[1, 3]]);
    const el = await fixture<ConvLabTensorCanvas>(html`<convlab-tensor-canvas></convlab-tensor-canvas>`);
    let paints = 0;
    el.addEventListener('paint', () => paints++);
    el.tensor = a;
    el.colormap = 'grey';
    el.tensor = b;
    await el.painted;
    expect(paints).to.equal(1);
    expect(el.lastRange).to.deep.equal([1, 3]);
    el.colormap = 'viridis';
    await el.painted;
    expect(paints).to.equal(2);
    tf.dispose([a, b]);
  });

  it('shows an alert for a tensor it cannot paint', async () => {
    const t = tf.zeros([2, 2, 2]);
    const el = await fixture<ConvLabTensorCanvas>(html`<convlab-tensor-canvas label="Bad"></convlab-tensor-canvas>`);
    el.tensor = t;
    await el.painted;
    await el.updateComplete;
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).to.contain('Cannot paint 2 channels');
    expect(el.lastRange).to.equal(undefined);
    // A good tensor afterwards clears the alert.
    const ok = tf.zeros([2, 2]);
    el.tensor = ok;
    await el.painted;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
    ok.dispose();
    t.dispose();
  });

  it('saves a PNG of the canvas through the Save PNG button', async () => {
    const t = tf.tensor2d([[0, 1]]);
    const el = await fixture<ConvLabTensorCanvas>(
      html`<convlab-tensor-canvas saveable filename="map.png" label="Map"></convlab-tensor-canvas>`
    );
    el.tensor = t;
    await el.painted;
    const saved = new Promise<{ name: string; bytes: Uint8Array }>((resolve) => {
      const onClick = (e: MouseEvent) => {
        const a = e.target as HTMLAnchorElement;
        if (!(a instanceof HTMLAnchorElement) || !a.download) return;
        e.preventDefault(); // no real download in the test browser
        document.removeEventListener('click', onClick, true);
        void fetch(a.href)
          .then((r) => r.arrayBuffer())
          .then((buf) => resolve({ name: a.download, bytes: new Uint8Array(buf) }));
      };
      document.addEventListener('click', onClick, true);
    });
    (el.shadowRoot!.querySelector('[part=save]') as HTMLButtonElement).click();
    const { name, bytes } = await saved;
    expect(name).to.equal('map.png');
    expect(Array.from(bytes.slice(0, 8))).to.deep.equal([137, 80, 78, 71, 13, 10, 26, 10]);
    const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    expect([bmp.width, bmp.height]).to.deep.equal([2, 1]);
    t.dispose();
  });

  it('returns tf.memory().numTensors to baseline after 50 paints', async () => {
    const el = await fixture<ConvLabTensorCanvas>(html`<convlab-tensor-canvas label="Map"></convlab-tensor-canvas>`);
    const baseline = tf.memory().numTensors;
    let prev: tf.Tensor | undefined;
    for (let i = 0; i < 50; i++) {
      const t = tf.tidy(() => tf.mul(tf.ones([8, 8]), i));
      el.tensor = t;
      prev?.dispose();
      prev = t;
      await el.painted;
    }
    expect(tf.memory().numTensors).to.equal(baseline + 1);
    prev?.dispose();
    el.tensor = undefined;
    await el.painted;
    expect(tf.memory().numTensors).to.equal(baseline);
  });
});
