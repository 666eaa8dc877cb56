import { html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { toCanvas, type Tensor, type ColormapName, type RangeSpec, type PaintResult } from '@convlab/tensor';
import { ConvLabElement } from './base.js';
import { tensorCanvasStyles } from './tensor-canvas.styles.js';
import { clientToCell, clientToCellClamped, type CellHit } from './pointer.js';
import { savePng } from './save-png.js';

/** Detail of `cell-pointer`. */
export interface CellPointerDetail extends CellHit {
  phase: 'down' | 'move' | 'up';
  /** PointerEvent.buttons: 1 while the primary button is held, 0 when hovering or after release. */
  buttons: number;
}

/** Detail of `cell-activate`. */
export interface CellActivateDetail {
  row: number;
  col: number;
}

/** Two range settings are the same: the same word, or the same [lo, hi] (a new array with equal ends is no change). */
function sameRange(a: RangeSpec | undefined, b: RangeSpec | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a[0] === b[0] && a[1] === b[1];
  return a === b;
}

/** Parses a `range` attribute: "auto", "symmetric", "lo,hi" or "[lo, hi]". */
export function parseRange(value: string | null): RangeSpec {
  const v = (value ?? '').trim();
  if (v === 'symmetric') return 'symmetric';
  const nums = v
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (nums.length === 2 && nums.every(Number.isFinite) && nums[0] !== nums[1]) return [nums[0], nums[1]];
  return 'auto';
}

/** [h, w] of a paintable tensor ([h,w], [h,w,c] or [1,h,w,c]), or undefined. */
function gridOf(t: Tensor | undefined): [number, number] | undefined {
  if (!t) return undefined;
  const s = t.shape;
  if (s.length === 2 || s.length === 3) return [s[0], s[1]];
  if (s.length === 4 && s[0] === 1) return [s[1], s[2]];
  return undefined;
}

/**
 * Paints a tensor ([h,w], [h,w,c] or [1,h,w,c]) with a colour map (one channel) or as RGB(A),
 * crisp and square by default, with an optional keyboard- and pointer-driven cell cursor.
 *
 * The element never disposes `tensor`: its owner does (after setting a new one is fine).
 *
 * @summary A tensor painted on a canvas, with text alternative, cell picking and PNG export.
 * @tagname convlab-tensor-canvas
 * @fires {CustomEvent<PaintResult>} paint - After each repaint (does not bubble). detail: PaintResult {range, width, height}.
 * @fires {CustomEvent<CellPointerDetail>} cell-pointer - (interactive) Pointer down / move / up over the map. detail: {row, col, x, y, phase, buttons}.
 * @fires {CustomEvent<CellActivateDetail>} cell-activate - (interactive) A cell was clicked, or chosen with Enter / Space. detail: {row, col}.
 * @csspart frame - The role="img" box around the canvas (focusable when interactive).
 * @csspart canvas - The canvas.
 * @csspart cell - The keyboard cursor over the focused cell.
 * @csspart save - The "Save PNG" button.
 * @cssprop --convlab-canvas-size - Display width of the element (default 224px).
 */
export class ConvLabTensorCanvas extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, tensorCanvasStyles];

  /** The tensor to paint. Property only; not disposed by the element. */
  @property({ attribute: false }) tensor?: Tensor;

  /** Colour map for one-channel tensors. */
  @property({ reflect: true }) colormap: ColormapName = 'viridis';

  /**
   * Value range mapped onto the colour map: 'auto' ([min, max]), 'symmetric' ([-m, m]) or [lo, hi]
   * (attribute: "lo,hi"). For RGB tensors, the range mapped to 0..255 (default [0, 1]).
   */
  @property({ converter: { fromAttribute: parseRange }, hasChanged: (a: RangeSpec, b?: RangeSpec) => !sameRange(a, b) }) range: RangeSpec = 'auto';

  /** Text alternative of the picture (aria-label of its role="img" box). */
  @property() label = '';

  /** Integer upscaling of the canvas's pixels (the saved PNG has this size). Display size is CSS. */
  @property({ type: Number }) scale = 1;

  /** Pointer and keyboard picking of cells: fires `cell-pointer` and `cell-activate`. */
  @property({ type: Boolean, reflect: true }) interactive = false;

  /** Shows a "Save PNG" button. */
  @property({ type: Boolean, reflect: true }) saveable = false;

  /** File name of the saved PNG. */
  @property() filename = 'tensor.png';

  /** The canvas the tensor is painted on. */
  @query('canvas') readonly canvas!: HTMLCanvasElement;

  @state() private focusCell = { row: 0, col: 0 };
  @state() private showCell = false;
  @state() private cellText = '';
  @state() private error = '';

  private last?: PaintResult;
  private inflight?: Promise<void>;
  private dirty = false;
  /** True from the start of a paint loop until the moment it sees nothing more to paint. */
  private painting = false;
  private drag?: { pointerId: number; row: number; col: number };

  /** The value range of the last paint ([lo, hi] mapped onto the colour map), for legends. */
  get lastRange(): [number, number] | undefined {
    return this.last ? [this.last.range[0], this.last.range[1]] : undefined;
  }

  /** Resolves when the current tensor is on the canvas, with the paint's result (undefined if nothing was painted). */
  get painted(): Promise<PaintResult | undefined> {
    return this.updateComplete.then(async () => {
      while (this.inflight) await this.inflight;
      return this.last;
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('tensor') || changed.has('colormap') || changed.has('range') || changed.has('scale')) {
      this.requestPaint();
    }
  }

  private requestPaint(): void {
    this.dirty = true;
    // `painting` (not `inflight`) decides: it is cleared in the same tick as the loop's last look
    // at `dirty`, so a request can never fall between the loop's end and a later clean-up (it did,
    // and a new tensor was then never painted).
    if (this.painting) return;
    this.painting = true;
    const p = this.paintLoop();
    this.inflight = p;
    void p.finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
  }

  /**
   * At most one paint in flight; property changes during it coalesce into one more paint of the
   * latest state. `painting` is cleared in the same synchronous step as the loop's last look at
   * `dirty` (the statement after the loop), never in a later microtask: a `finally` around an awaited
   * inner loop ran a tick late, and a tensor that arrived in that tick was never painted (fgsm-demo's
   * perturbation kept the previous epsilon's picture).
   */
  private async paintLoop(): Promise<void> {
    try {
      await this.paintWhileDirty();
    } catch (e) {
      this.painting = false;
      throw e;
    }
  }

  private async paintWhileDirty(): Promise<void> {
    for (;;) {
      if (!this.dirty) {
        this.painting = false;
        return;
      }
      this.dirty = false;
      const t = this.tensor;
      const canvas = this.canvas;
      if (!canvas) continue;
      if (!t || t.isDisposed) {
        canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
        this.last = undefined;
        continue;
      }
      try {
        const scale = Math.max(1, Math.round(Number(this.scale) || 1));
        const result = await toCanvas(t, canvas, { colormap: this.colormap, range: this.range, scale });
        this.last = result;
        this.error = '';
        this.dispatchEvent(new CustomEvent<PaintResult>('paint', { detail: result }));
      } catch (e) {
        this.last = undefined;
        // A tensor disposed while it was read is replaced by the owner: not worth an alert.
        if (!t.isDisposed) this.error = (e as Error).message;
      }
    }
  }

  private get grid(): [number, number] | undefined {
    return gridOf(this.tensor);
  }

  private hit(e: PointerEvent, clamp: boolean): CellHit | null {
    const g = this.grid;
    if (!g || !this.canvas) return null;
    const rect = this.canvas.getBoundingClientRect();
    return (clamp ? clientToCellClamped : clientToCell)(rect, e.clientX, e.clientY, g[0], g[1]);
  }

  private onPointerDown(e: PointerEvent) {
    if (!this.interactive) return;
    const h = this.hit(e, false);
    if (!h) return;
    this.drag = { pointerId: e.pointerId, row: h.row, col: h.col };
    try {
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    } catch {
      /* not an active pointer (synthetic events) */
    }
    this.focusCell = { row: h.row, col: h.col };
    this.emit<CellPointerDetail>('cell-pointer', { ...h, phase: 'down', buttons: e.buttons });
  }

  private onPointerMove(e: PointerEvent) {
    if (!this.interactive) return;
    const dragging = this.drag?.pointerId === e.pointerId;
    const h = this.hit(e, dragging);
    if (!h) return;
    this.emit<CellPointerDetail>('cell-pointer', { ...h, phase: 'move', buttons: e.buttons });
  }

  private onPointerUp(e: PointerEvent) {
    const drag = this.drag;
    if (!this.interactive || drag?.pointerId !== e.pointerId) return;
    this.drag = undefined;
    const h = this.hit(e, true);
    if (!h) return;
    this.emit<CellPointerDetail>('cell-pointer', { ...h, phase: 'up', buttons: e.buttons });
    if (h.row === drag.row && h.col === drag.col && e.button <= 0) {
      this.focusCell = { row: h.row, col: h.col };
      this.emit<CellActivateDetail>('cell-activate', { row: h.row, col: h.col });
    }
  }

  private onPointerCancel(e: PointerEvent) {
    if (this.drag?.pointerId === e.pointerId) this.drag = undefined;
  }

  private onKeyDown(e: KeyboardEvent) {
    const g = this.grid;
    if (!this.interactive || !g) return;
    const [rows, cols] = g;
    let { row, col } = this.focusCell;
    row = Math.min(row, rows - 1);
    col = Math.min(col, cols - 1);
    switch (e.key) {
      case 'ArrowUp':
        row = Math.max(0, row - 1);
        break;
      case 'ArrowDown':
        row = Math.min(rows - 1, row + 1);
        break;
      case 'ArrowLeft':
        col = Math.max(0, col - 1);
        break;
      case 'ArrowRight':
        col = Math.min(cols - 1, col + 1);
        break;
      case 'Home':
        col = 0;
        if (e.ctrlKey) row = 0;
        break;
      case 'End':
        col = cols - 1;
        if (e.ctrlKey) row = rows - 1;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        if (e.repeat) return;
        this.showCell = true;
        this.emit<CellActivateDetail>('cell-activate', { row, col });
        return;
      default:
        return;
    }
    e.preventDefault();
    this.focusCell = { row, col };
    this.showCell = true;
    this.cellText = `Row ${row + 1} of ${rows}, column ${col + 1} of ${cols}`;
  }

  private async onSave() {
    if (!this.canvas) return;
    try {
      await savePng(this.canvas, this.filename);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  protected override render() {
    const g = this.grid;
    const [rows, cols] = g ?? [0, 0];
    const label = this.label || (g ? `Tensor picture, ${rows} by ${cols}` : 'Empty tensor picture');
    // Landscape and square maps fill the width; portrait ones are narrowed to keep the host square.
    const width = g && rows > cols ? `width: ${(100 * cols) / rows}%` : '';
    const { row, col } = this.focusCell;
    const cell =
      this.interactive && this.showCell && g && row < rows && col < cols
        ? html`<div
            class="cell"
            part="cell"
            style="left: ${(100 * col) / cols}%; top: ${(100 * row) / rows}%; width: ${100 / cols}%; height: ${100 /
            rows}%"
          ></div>`
        : nothing;
    return html`<div
        class="frame ${g ? '' : 'empty'}"
        part="frame"
        role="img"
        aria-label=${label}
        aria-describedby=${this.interactive ? 'hint' : nothing}
        tabindex=${this.interactive ? '0' : nothing}
        style=${width}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerCancel}
        @keydown=${this.onKeyDown}
        @focus=${() => (this.showCell = true)}
        @blur=${() => (this.showCell = false)}
      >
        <canvas part="canvas"></canvas>${cell}
      </div>
      ${this.interactive
        ? html`<span id="hint" class="visually-hidden">Arrow keys move between cells; Enter or Space selects one.</span
            ><span class="visually-hidden" aria-live="polite">${this.cellText}</span>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.saveable
        ? html`<div class="actions">
            <button type="button" part="save" @click=${this.onSave}>Save PNG</button>
          </div>`
        : nothing}`;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    paint: CustomEvent<PaintResult>;
    'cell-pointer': CustomEvent<CellPointerDetail>;
    'cell-activate': CustomEvent<CellActivateDetail>;
  }
}
