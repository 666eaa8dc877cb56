import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendMouse, resetMouse, sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { ConvLabDrawPad, DrawEndDetail } from '../src/draw-pad.js';
import { centreDigit, centreOfMass, areaResize, inkBounds, type GreyImage } from '../src/digit.js';

function grey(img: ImageData): GreyImage {
  const data = new Float32Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4] / 255;
  return { data, width: img.width, height: img.height };
}

function pointer(type: string, x: number, y: number): PointerEvent {
  return new PointerEvent(type, {
    clientX: x,
    clientY: y,
    pointerId: 3,
    pointerType: 'pen',
    isPrimary: true,
    button: type === 'pointermove' ? -1 : 0,
    buttons: type === 'pointerup' ? 0 : 1,
    bubbles: true,
    composed: true,
    cancelable: true,
  });
}

/** A stroke through points given as fractions of the pad, with synthetic pointer events. */
function stroke(canvas: HTMLCanvasElement, points: [number, number][]) {
  const r = canvas.getBoundingClientRect();
  const at = ([fx, fy]: [number, number]) => [r.left + fx * r.width, r.top + fy * r.height] as const;
  canvas.dispatchEvent(pointer('pointerdown', ...at(points[0])));
  for (const p of points.slice(1)) canvas.dispatchEvent(pointer('pointermove', ...at(p)));
  canvas.dispatchEvent(pointer('pointerup', ...at(points[points.length - 1])));
}

describe('MNIST centring (centreDigit)', () => {
  it('scales the ink to a 20-pixel box and puts its centre of mass at the centre of 28x28', () => {
    // A 6 x 3 block of ink in the top-left corner of a 100 x 100 image.
    const g: GreyImage = { data: new Float32Array(100 * 100), width: 100, height: 100 };
    for (let y = 5; y < 11; y++) for (let x = 2; x < 5; x++) g.data[y * 100 + x] = 1;
    const out = centreDigit(g);
    expect([out.width, out.height]).to.deep.equal([28, 28]);
    const b = inkBounds(out)!;
    expect(b.height).to.equal(20);
    expect(b.width).to.equal(10);
    const com = centreOfMass(out)!;
    expect(com.x).to.be.closeTo(14, 0.5);
    expect(com.y).to.be.closeTo(14, 0.5);
  });

  it('area-averages when shrinking and gives black for an empty drawing', () => {
    const g: GreyImage = {
      data: Float32Array.from([1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
      width: 4,
      height: 4,
    };
    expect(Array.from(areaResize(g, { x: 0, y: 0, width: 4, height: 4 }, 2, 2).data)).to.deep.equal([0.75, 0.5, 0, 0]);
    const empty = centreDigit({ data: new Float32Array(50 * 50), width: 50, height: 50 });
    expect(empty.data.every((v) => v === 0)).to.equal(true);
  });
});

describe('<convlab-draw-pad>', () => {
  afterEach(async () => {
    await resetMouse();
  });

  it('renders a labelled surface and a Clear button, reads and reflects its attributes, and is accessible', async () => {
    const el = await fixture<ConvLabDrawPad>(html`<convlab-draw-pad size="32" brush="3"></convlab-draw-pad>`);
    expect([el.size, el.brush, el.preprocess]).to.deep.equal([32, 3, 'mnist']);
    const c = el.rawCanvas();
    expect([c.width, c.height]).to.deep.equal([320, 320]);
    expect(c.getAttribute('aria-label')).to.match(/^Drawing area: draw a digit with the mouse, pen or finger, or with the keyboard/);
    expect(el.shadowRoot!.querySelector('button')!.textContent).to.contain('Clear');
    el.size = 28;
    el.brush = 2;
    await el.updateComplete;
    expect(el.getAttribute('size')).to.equal('28');
    expect(el.getAttribute('brush')).to.equal('2');
    expect(el.pixels().width).to.equal(28);
    await expect(el).to.be.accessible();
  });

  it('draws a stroke, fires draw-end once with MNIST-centred pixels (centre of mass near 14,14)', async () => {
    const el = await fixture<ConvLabDrawPad>(html`<convlab-draw-pad></convlab-draw-pad>`);
    let ends = 0;
    el.addEventListener('draw-end', () => ends++);
    const ended = oneEvent(el, 'draw-end');
    // An off-centre "7" in the top-left part of the pad.
    stroke(el.rawCanvas(), [
      [0.1, 0.1],
      [0.2, 0.1],
      [0.35, 0.1],
      [0.3, 0.25],
      [0.25, 0.4],
      [0.2, 0.55],
    ]);
    const ev = (await ended) as CustomEvent<DrawEndDetail>;
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(ends).to.equal(1);
    const px = ev.detail.pixels;
    expect([px.width, px.height]).to.deep.equal([28, 28]);
    const g = grey(px);
    expect(g.data.some((v) => v > 0.5)).to.equal(true);
    // Opaque grey: R = G = B, A = 255.
    for (let i = 0; i < px.data.length; i += 4) {
      expect(px.data[i + 3]).to.equal(255);
      expect(px.data[i]).to.equal(px.data[i + 1]);
    }
    const com = centreOfMass(g)!;
    expect(com.x).to.be.closeTo(14, 0.75);
    expect(com.y).to.be.closeTo(14, 0.75);
    const b = inkBounds(g)!;
    expect(Math.max(b.width, b.height)).to.equal(20);
    // The raw surface has the stroke where it was drawn (top-left), not centred.
    const raw = grey(el.rawCanvas().getContext('2d')!.getImageData(0, 0, 280, 280));
    expect(centreOfMass(raw)!.x).to.be.lessThan(100);
    // pixels() agrees with the event.
    expect(Array.from(el.pixels().data)).to.deep.equal(Array.from(px.data));
    expect(el.empty).to.equal(false);
  });

  it("with preprocess='none', scales the whole surface down", async () => {
    const el = await fixture<ConvLabDrawPad>(html`<convlab-draw-pad preprocess="none"></convlab-draw-pad>`);
    const ended = oneEvent(el, 'draw-end');
    stroke(el.rawCanvas(), [
      [0.1, 0.1],
      [0.2, 0.1],
    ]);
    const g = grey(((await ended) as CustomEvent<DrawEndDetail>).detail.pixels);
    expect(centreOfMass(g)!.x).to.be.lessThan(8);
  });

  it('maps a real mouse stroke correctly inside a wrapper scaled by 0.5', async () => {
    const wrap = await fixture<HTMLDivElement>(
      html`<div style="transform: scale(0.5); transform-origin: 0 0"><convlab-draw-pad></convlab-draw-pad></div>`
    );
    const el = wrap.querySelector('convlab-draw-pad')!;
    const r = el.rawCanvas().getBoundingClientRect();
    const ended = oneEvent(el, 'draw-end');
    // From 3/4 across, 1/4 down to 3/4 across, 3/4 down: a vertical stroke at x = 210 of 280.
    await sendMouse({
      type: 'move',
      position: [Math.round(r.left + 0.75 * r.width), Math.round(r.top + 0.25 * r.height)],
    });
    await sendMouse({ type: 'down' });
    await sendMouse({
      type: 'move',
      position: [Math.round(r.left + 0.75 * r.width), Math.round(r.top + 0.5 * r.height)],
    });
    await sendMouse({
      type: 'move',
      position: [Math.round(r.left + 0.75 * r.width), Math.round(r.top + 0.75 * r.height)],
    });
    await sendMouse({ type: 'up' });
    await ended;
    const raw = grey(el.rawCanvas().getContext('2d')!.getImageData(0, 0, 280, 280));
    const b = inkBounds(raw, 0.5)!;
    expect(b.x + b.width / 2).to.be.closeTo(210, 3);
    expect(b.y).to.be.closeTo(70 - 10, 4);
    expect(b.y + b.height).to.be.closeTo(210 + 10, 4);
  });

  it('draws with the keyboard: arrows move the pen, Space puts it down and lifts it (draw-end once), Escape clears', async () => {
    const el = await fixture<ConvLabDrawPad>(html`<convlab-draw-pad></convlab-draw-pad>`);
    const c = el.rawCanvas();
    c.focus();
    expect(el.shadowRoot!.activeElement, 'the pad takes keyboard focus').to.equal(c);
    let ends = 0;
    el.addEventListener('draw-end', () => ends++);
    // Up 8 pixels from the centre, pen down, 16 pixels down (Shift: 3 per press), pen up: a "1".
    for (let i = 0; i < 8; i++) await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Pen down');
    expect(el.shadowRoot!.querySelector('.pen.down')).to.exist;
    const end = oneEvent(el, 'draw-end');
    await sendKeys({ down: 'Shift' });
    for (let i = 0; i < 5; i++) await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Space' });
    const d = ((await end) as CustomEvent<DrawEndDetail>).detail;
    expect(ends).to.equal(1);
    const g = grey(d.pixels);
    const b = inkBounds(g)!;
    expect(b.height, 'a tall stroke').to.be.greaterThan(b.width * 2);
    expect(el.empty).to.equal(false);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.equal('Pen up');
    const cleared = oneEvent(el, 'draw-clear');
    await sendKeys({ press: 'Escape' });
    await cleared;
    expect(el.empty).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('clears with the Clear button (keyboard reachable) and fires draw-clear once', async () => {
    const el = await fixture<ConvLabDrawPad>(html`<convlab-draw-pad></convlab-draw-pad>`);
    stroke(el.rawCanvas(), [
      [0.4, 0.4],
      [0.6, 0.6],
    ]);
    expect(grey(el.pixels()).data.some((v) => v > 0)).to.equal(true);
    let clears = 0;
    el.addEventListener('draw-clear', () => clears++);
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement, 'the drawing surface comes first').to.equal(el.rawCanvas());
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.textContent).to.contain('Clear');
    const cleared = oneEvent(el, 'draw-clear');
    await sendKeys({ press: 'Enter' });
    await cleared;
    expect(clears).to.equal(1);
    expect(grey(el.pixels()).data.every((v) => v === 0)).to.equal(true);
    expect(el.empty).to.equal(true);
    // clear() as a method fires nothing.
    el.clear();
    expect(clears).to.equal(1);
  });
});
