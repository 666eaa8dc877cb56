// Shared by the <filter-grid> suites: fixtures, waiting for results, reading the tile canvas.
import { oneEvent, waitUntil } from '@open-wc/testing';
import type { tf } from '@convlab/tensor';
import type { FilterGrid, FiltersReadyDetail } from '../src/index.js';

export const NO_CONV = '/packages/filter-grid/test/fixtures/no-conv/model.json';
export const HOSTED = '/packages/models/fixtures/hosted-224';

export async function filtersReady(el: FilterGrid): Promise<FiltersReadyDetail> {
  return ((await oneEvent(el, 'filters-ready')) as CustomEvent<FiltersReadyDetail>).detail;
}

/** Waits until the response map of the current image is shown. */
export async function responded(el: FilterGrid): Promise<tf.Tensor> {
  const canvas = () => el.shadowRoot!.querySelector('convlab-tensor-canvas.response') as (HTMLElement & { tensor?: tf.Tensor }) | null;
  await waitUntil(() => canvas()?.tensor && !canvas()!.tensor!.isDisposed, 'response map', { timeout: 60000 });
  return canvas()!.tensor!;
}

export function grid(el: FilterGrid): HTMLCanvasElement {
  return el.shadowRoot!.querySelector('canvas.grid') as HTMLCanvasElement;
}

/** The RGB of canvas pixel (x, y). */
export function pixel(c: HTMLCanvasElement, x: number, y: number): number[] {
  return [...c.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3)];
}

/** Geometry the element lays tiles out with (read back from its canvas for 16 filters of 3x3, 8 per row). */
export function tileOrigin(el: FilterGrid, f: number, c = -1): { x: number; y: number; cell: number } {
  const L = (el as unknown as { layout(): { cols: number; cell: number; gap: number; kw: number; kh: number; perChannel: boolean } }).layout();
  const i = L.perChannel ? f * L.cols + c : f;
  return { x: L.gap + (i % L.cols) * (L.kw * L.cell + L.gap), y: L.gap + Math.floor(i / L.cols) * (L.kh * L.cell + L.gap), cell: L.cell };
}

export function hover(el: FilterGrid, x: number, y: number, type = 'pointermove'): void {
  const c = grid(el);
  const r = c.getBoundingClientRect();
  c.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true, clientX: r.left + (x / c.width) * r.width, clientY: r.top + (y / c.height) * r.height }));
}

