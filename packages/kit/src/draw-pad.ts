import { html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ConvLabElement } from './base.js';
import { drawPadStyles } from './draw-pad.styles.js';
import { areaResize, centreDigit, greyFromRgba, greyToImageData } from './digit.js';

/** Detail of `draw-end`. */
export interface DrawEndDetail {
  /** The drawing as size x size grey RGBA (see `pixels()`). */
  pixels: ImageData;
}

type Point = { x: number; y: number };

/** Canvas pixels per output pixel of the drawing surface. */
const OVERSAMPLE = 10;

/**
 * A square pad to draw a digit on with a mouse, pen or finger: white round strokes on black,
 * smoothed between pointer events. `pixels()` gives the drawing as MNIST does its digits.
 *
 * Keyboard: focus the pad; the arrow keys move a pen (Shift: larger steps), Space puts it down or
 * lifts it (lifting ends the stroke, as releasing the mouse does), Enter lifts it, Escape clears.
 *
 * @summary A drawing pad whose output is preprocessed like MNIST digits.
 * @tagname convlab-draw-pad
 * @fires {CustomEvent<DrawEndDetail>} draw-end - At the end of each stroke. detail: {pixels: ImageData} (size x size, grey RGBA).
 * @fires {CustomEvent<undefined>} draw-clear - The reader pressed "Clear". No detail.
 * @csspart canvas - The drawing surface.
 * @csspart clear - The "Clear" button.
 * @csspart pen - The keyboard pen's marker (while drawing with the keyboard).
 * @cssprop --convlab-canvas-size - Display width of the pad (default 224px).
 */
export class ConvLabDrawPad extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, drawPadStyles];

  /** Side of the output image in pixels (`pixels()`), default 28 as MNIST. */
  @property({ type: Number, reflect: true }) size = 28;

  /** Stroke diameter, in output pixels (the surface is drawn 10x finer). */
  @property({ type: Number, reflect: true }) brush = 2;

  /**
   * 'mnist' (default): crop, fit into a 20x20 box, centre by centre of mass in 28x28;
   * 'none': the whole surface scaled down.
   */
  @property({ reflect: true }) preprocess: 'mnist' | 'none' = 'mnist';

  /** Text alternative of the drawing surface. */
  @property() label = 'Drawing area: draw a digit with the mouse, pen or finger, or with the keyboard: arrow keys move the pen, Space puts it down or lifts it, Escape clears';

  @query('canvas') private surface!: HTMLCanvasElement;

  private stroke?: { pointerId: number; points: Point[] };
  private ink = false;
  /** The keyboard pen, in surface pixels; shown while the pad has keyboard focus. */
  @state() private pen?: Point;
  @state() private penDown = false;

  /** Whether anything has been drawn since the last clear. */
  get empty(): boolean {
    return !this.ink;
  }

  private get res(): number {
    return Math.max(1, Math.round(Number(this.size) || 28)) * OVERSAMPLE;
  }

  /** The full-resolution drawing surface (white on black, (size*10) pixels square). */
  rawCanvas(): HTMLCanvasElement {
    return this.surface;
  }

  /** The drawing as size x size grey RGBA, preprocessed as set by `preprocess`. */
  pixels(): ImageData {
    const size = Math.max(1, Math.round(Number(this.size) || 28));
    const c = this.surface;
    const grey = greyFromRgba(this.ctx().getImageData(0, 0, c.width, c.height));
    if (this.preprocess === 'none') {
      return greyToImageData(areaResize(grey, { x: 0, y: 0, width: grey.width, height: grey.height }, size, size));
    }
    return greyToImageData(centreDigit(grey, { size }));
  }

  /** Clears the drawing (no event: `draw-clear` is for the reader's Clear button). */
  clear(): void {
    const c = this.surface;
    if (!c) return;
    const ctx = this.ctx();
    ctx.fillStyle = '#000000';
    ctx.fillRect(0, 0, c.width, c.height);
    this.ink = false;
    this.stroke = undefined;
  }

  private ctx(): CanvasRenderingContext2D {
    return this.surface.getContext('2d', { willReadFrequently: true })!;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('size')) {
      // Resizing a canvas clears it.
      this.surface.width = this.surface.height = this.res;
      this.clear();
    }
  }

  private point(e: PointerEvent): Point {
    const r = this.surface.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) / r.width) * this.surface.width,
      y: ((e.clientY - r.top) / r.height) * this.surface.height,
    };
  }

  private setupBrush(ctx: CanvasRenderingContext2D) {
    ctx.strokeStyle = ctx.fillStyle = '#ffffff';
    ctx.lineWidth = Math.max(1, (Number(this.brush) || 2) * OVERSAMPLE);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
  }

  private onPointerDown(e: PointerEvent) {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (this.stroke) return;
    e.preventDefault();
    try {
      this.surface.setPointerCapture(e.pointerId);
    } catch {
      /* synthetic events have no active pointer */
    }
    this.beginStroke(e.pointerId, this.point(e));
  }

  private beginStroke(pointerId: number, p: Point) {
    this.stroke = { pointerId, points: [p] };
    const ctx = this.ctx();
    this.setupBrush(ctx);
    ctx.beginPath();
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fill();
    this.ink = true;
  }

  private onPointerMove(e: PointerEvent) {
    if (this.stroke?.pointerId !== e.pointerId) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) this.extend(this.point(ev));
  }

  /** Smooth strokes: quadratic curves through the midpoints between pointer samples. */
  private extend(p: Point) {
    const pts = this.stroke!.points;
    const prev = pts[pts.length - 1];
    if (Math.hypot(p.x - prev.x, p.y - prev.y) < 0.5) return;
    pts.push(p);
    const ctx = this.ctx();
    this.setupBrush(ctx);
    ctx.beginPath();
    if (pts.length === 2) {
      ctx.moveTo(prev.x, prev.y);
      ctx.lineTo((prev.x + p.x) / 2, (prev.y + p.y) / 2);
    } else {
      const p0 = pts[pts.length - 3];
      ctx.moveTo((p0.x + prev.x) / 2, (p0.y + prev.y) / 2);
      ctx.quadraticCurveTo(prev.x, prev.y, (prev.x + p.x) / 2, (prev.y + p.y) / 2);
    }
    ctx.stroke();
  }

  private onPointerUp(e: PointerEvent) {
    if (this.stroke?.pointerId !== e.pointerId) return;
    if (e.type === 'pointerup') this.extend(this.point(e));
    this.endStroke();
  }

  private endStroke() {
    const stroke = this.stroke!;
    // Close the curve to the last sample.
    const pts = stroke.points;
    if (pts.length >= 2) {
      const a = pts[pts.length - 2];
      const b = pts[pts.length - 1];
      const ctx = this.ctx();
      this.setupBrush(ctx);
      ctx.beginPath();
      ctx.moveTo((a.x + b.x) / 2, (a.y + b.y) / 2);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
    this.stroke = undefined;
    this.emit<DrawEndDetail>('draw-end', { pixels: this.pixels() });
  }

  private onClear() {
    this.clear();
    this.emit('draw-clear', undefined);
  }

  /** The keyboard pen's stroke id (pointer ids are never negative). */
  private static readonly KEYBOARD = -1;

  private onKeyDown(e: KeyboardEvent) {
    const c = this.surface;
    const pen = this.pen ?? { x: c.width / 2, y: c.height / 2 };
    const step = (e.shiftKey ? 3 : 1) * OVERSAMPLE;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const keyboardStroke = this.stroke?.pointerId === ConvLabDrawPad.KEYBOARD;
    if (e.key in moves) {
      e.preventDefault();
      const [dx, dy] = moves[e.key];
      const next = { x: Math.min(c.width, Math.max(0, pen.x + dx * step)), y: Math.min(c.height, Math.max(0, pen.y + dy * step)) };
      this.pen = next;
      if (keyboardStroke) this.extend(next);
    } else if (e.key === ' ' || e.key === 'Spacebar') {
      e.preventDefault();
      this.pen = pen;
      if (keyboardStroke) this.liftPen();
      else if (!this.stroke) {
        this.beginStroke(ConvLabDrawPad.KEYBOARD, pen);
        this.penDown = true;
      }
    } else if (e.key === 'Enter' && keyboardStroke) {
      e.preventDefault();
      this.liftPen();
    } else if (e.key === 'Escape' || e.key === 'Delete') {
      e.preventDefault();
      this.penDown = false;
      this.onClear();
    }
  }

  private liftPen() {
    this.penDown = false;
    this.endStroke();
  }

  private onBlur() {
    if (this.stroke?.pointerId === ConvLabDrawPad.KEYBOARD) this.liftPen();
  }

  protected override render() {
    const res = this.res;
    const pen = this.pen;
    return html`<div class="surface">
        <canvas
          part="canvas"
          role="application"
          aria-roledescription="drawing pad"
          tabindex="0"
          aria-label=${this.label}
          @pointerdown=${this.onPointerDown}
          @pointermove=${this.onPointerMove}
          @pointerup=${this.onPointerUp}
          @pointercancel=${this.onPointerUp}
          @keydown=${this.onKeyDown}
          @blur=${this.onBlur}
        ></canvas>
        ${pen
          ? html`<div
              class="pen ${this.penDown ? 'down' : ''}"
              part="pen"
              aria-hidden="true"
              style="left: ${(pen.x / res) * 100}%; top: ${(pen.y / res) * 100}%"
            ></div>`
          : null}
      </div>
      <span class="visually-hidden" role="status">${pen ? (this.penDown ? 'Pen down' : 'Pen up') : ''}</span>
      <div class="actions">
        <span class="hint" aria-hidden="true">Draw here</span>
        <button type="button" part="clear" @click=${this.onClear}>Clear</button>
      </div>`;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'draw-end': CustomEvent<DrawEndDetail>;
    'draw-clear': CustomEvent<undefined>;
  }
}
