/**
 * Paints one toy network's view of the plane on a canvas: P(class B) as a two-colour background,
 * the decision boundary P = 0.5 (marching squares over the grid), and every training point with its
 * L-inf ball of radius eps (a square), outlined in red when the attack moves the point across the
 * boundary. Only drawing: the numbers come from ToyRun.
 */
import type { ToyData } from '@convlab/tensor';
import { GRID, VIEW } from './toy-run.js';

export const CLASS_COLOURS = ['#2563eb', '#c2410c'] as const;
const TINTS = [
  [37, 99, 235],
  [234, 88, 12],
] as const;
export const BROKEN = '#dc2626';

export interface PlaneOptions {
  eps: number;
  dark: boolean;
  /** A keyboard cursor in data coordinates. */
  cursor?: { x: number; y: number };
}

/** Data coordinates (x, y) -> canvas pixels, for a canvas of side s. */
export function toPixel(x: number, y: number, s: number): [number, number] {
  return [((x + VIEW) / (2 * VIEW)) * s, ((VIEW - y) / (2 * VIEW)) * s];
}

/** Canvas fractions (0..1 from the left / top) -> data coordinates. */
export function fromFraction(fx: number, fy: number): { x: number; y: number } {
  return { x: -VIEW + fx * 2 * VIEW, y: VIEW - fy * 2 * VIEW };
}

export function paintPlane(canvas: HTMLCanvasElement, grid: Float32Array | undefined, data: ToyData, survives: Float32Array | undefined, o: PlaneOptions): void {
  const s = canvas.width;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const bg = o.dark ? [24, 24, 27] : [255, 255, 255];
  ctx.fillStyle = `rgb(${bg.join(',')})`;
  ctx.fillRect(0, 0, s, s);
  if (grid) {
    // Background: the class colour, stronger where the network is more confident.
    const img = new ImageData(GRID, GRID);
    for (let i = 0; i < GRID * GRID; i++) {
      const p = grid[i];
      const c = p >= 0.5 ? TINTS[1] : TINTS[0];
      const a = Math.min(1, Math.abs(p - 0.5) * 2) * (o.dark ? 0.45 : 0.3);
      for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.round(bg[k] * (1 - a) + c[k] * a);
      img.data[4 * i + 3] = 255;
    }
    const tile = new OffscreenCanvas(GRID, GRID);
    tile.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    // Grid values are at cell centres spanning the view edge to edge: stretch by half a cell.
    const cell = s / (GRID - 1);
    ctx.drawImage(tile, -cell / 2, -cell / 2, s + cell, s + cell);
    drawContour(ctx, grid, s, o.dark ? '#f4f4f5' : '#18181b');
  }
  const r = Math.max(2.5, s / 110);
  const side = (o.eps / (2 * VIEW)) * s * 2;
  const n = data.labels.length;
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  for (let i = 0; i < n; i++) [px[i], py[i]] = toPixel(data.points[2 * i], data.points[2 * i + 1], s);
  const broken = (i: number) => (survives ? survives[i] < 0.5 : false);
  // One path per style (a few draw calls, not several per point: with 500 points and a software
  // canvas, per-point fills and strokes took longer than the epoch). The balls first, then the points.
  if (side > 0.5) {
    for (const isBroken of [false, true]) {
      for (const c of [0, 1]) {
        ctx.beginPath();
        for (let i = 0; i < n; i++) if (data.labels[i] === c && broken(i) === isBroken) ctx.rect(px[i] - side / 2, py[i] - side / 2, side, side);
        ctx.lineWidth = isBroken ? 1.5 : 1;
        ctx.strokeStyle = isBroken ? BROKEN : CLASS_COLOURS[c];
        ctx.globalAlpha = isBroken ? 0.9 : 0.35;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = o.dark ? '#000' : '#fff';
  ctx.lineWidth = 1;
  for (const c of [0, 1]) {
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      if (data.labels[i] !== c) continue;
      if (c === 0) {
        ctx.moveTo(px[i] + r, py[i]);
        ctx.arc(px[i], py[i], r, 0, 2 * Math.PI);
      } else {
        // Class B is a diamond, so the classes differ in shape as well as colour.
        ctx.moveTo(px[i], py[i] - r * 1.3);
        ctx.lineTo(px[i] + r * 1.3, py[i]);
        ctx.lineTo(px[i], py[i] + r * 1.3);
        ctx.lineTo(px[i] - r * 1.3, py[i]);
        ctx.closePath();
      }
    }
    ctx.fillStyle = CLASS_COLOURS[c];
    ctx.fill();
    ctx.stroke();
  }
  if (o.cursor) {
    const [cx, cy] = toPixel(o.cursor.x, o.cursor.y, s);
    ctx.strokeStyle = o.dark ? '#fff' : '#000';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cx - 8, cy);
    ctx.lineTo(cx + 8, cy);
    ctx.moveTo(cx, cy - 8);
    ctx.lineTo(cx, cy + 8);
    ctx.stroke();
  }
}

/** The P = 0.5 line by marching squares: in each grid cell, join the edge points where p crosses 0.5. */
function drawContour(ctx: CanvasRenderingContext2D, grid: Float32Array, s: number, colour: string): void {
  const step = s / (GRID - 1);
  const at = (r: number, c: number) => grid[r * GRID + c] - 0.5;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let r = 0; r + 1 < GRID; r++) {
    for (let c = 0; c + 1 < GRID; c++) {
      const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      const corners: [number, number][] = [
        [c, r],
        [c + 1, r],
        [c + 1, r + 1],
        [c, r + 1],
      ];
      const pts: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const a = v[e];
        const b = v[(e + 1) % 4];
        if ((a < 0) !== (b < 0)) {
          const t = a / (a - b);
          const [ax, ay] = corners[e];
          const [bx, by] = corners[(e + 1) % 4];
          pts.push([(ax + t * (bx - ax)) * step, (ay + t * (by - ay)) * step]);
        }
      }
      for (let k = 0; k + 1 < pts.length; k += 2) {
        ctx.moveTo(pts[k][0], pts[k][1]);
        ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
      }
    }
  }
  ctx.stroke();
}
