/** A box in client (viewport) coordinates, as returned by getBoundingClientRect(). */
export interface RectLike {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A grid cell under a point, and the point's fractional position over the whole grid. */
export interface CellHit {
  row: number;
  col: number;
  /** 0..1 from the left edge to the right edge. */
  x: number;
  /** 0..1 from the top edge to the bottom edge. */
  y: number;
}

/**
 * Maps a pointer's client coordinates to the cell of a rows x cols grid drawn over `rect`.
 * Pass the canvas's `getBoundingClientRect()`: it is measured after CSS transforms (a reveal.js
 * slide scaled with `transform: scale()`, browser zoom), so the mapping holds under them.
 * Returns null outside the box (the right and bottom edges are outside) or for an empty box.
 */
export function clientToCell(
  rect: RectLike,
  clientX: number,
  clientY: number,
  rows: number,
  cols: number
): CellHit | null {
  if (!(rect.width > 0 && rect.height > 0 && rows >= 1 && cols >= 1)) return null;
  const x = (clientX - rect.left) / rect.width;
  const y = (clientY - rect.top) / rect.height;
  if (!(x >= 0 && x < 1 && y >= 0 && y < 1)) return null;
  return {
    row: Math.min(rows - 1, Math.floor(y * rows)),
    col: Math.min(cols - 1, Math.floor(x * cols)),
    x,
    y,
  };
}

/** Like clientToCell, but a point outside the box is moved to its nearest edge first. */
export function clientToCellClamped(
  rect: RectLike,
  clientX: number,
  clientY: number,
  rows: number,
  cols: number
): CellHit | null {
  const eps = 1e-6;
  const cx = Math.min(Math.max(clientX, rect.left), rect.left + rect.width * (1 - eps));
  const cy = Math.min(Math.max(clientY, rect.top), rect.top + rect.height * (1 - eps));
  return clientToCell(rect, cx, cy, rows, cols);
}
