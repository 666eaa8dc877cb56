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
  const ctx = canvas.getContext('2d', SOFTWARE);
  if (!ctx) return;
  const bg = o.dark ? [24, 24, 27] : [255, 255, 255];
  if (grid) {
    // Background: the class colour, stronger where the network is more confident, at the canvas's own
    // resolution (P interpolated bilinearly between the grid values, which sit at cell centres spanning
    // the view edge to edge), written with one putImageData. Drawing a scaled 48x48 tile instead (a new
    // OffscreenCanvas a frame) cost about 150 ms per plane at frame time in headless Chromium.
    const img = ctx.createImageData(s, s);
    const cell = s / (GRID - 1);
    const alpha = o.dark ? 0.45 : 0.3;
    for (let py = 0; py < s; py++) {
      const v = Math.min(GRID - 1, (py + 0.5) / cell);
      const r0 = Math.min(GRID - 2, Math.floor(v));
      const fy = v - r0;
      for (let px = 0; px < s; px++) {
        const u = Math.min(GRID - 1, (px + 0.5) / cell);
        const c0 = Math.min(GRID - 2, Math.floor(u));
        const fx = u - c0;
        const top = grid[r0 * GRID + c0] * (1 - fx) + grid[r0 * GRID + c0 + 1] * fx;
        const bottom = grid[(r0 + 1) * GRID + c0] * (1 - fx) + grid[(r0 + 1) * GRID + c0 + 1] * fx;
        const p = top * (1 - fy) + bottom * fy;
        const c = p >= 0.5 ? TINTS[1] : TINTS[0];
        const a = Math.min(1, Math.abs(p - 0.5) * 2) * alpha;
        const k = 4 * (py * s + px);
        img.data[k] = bg[0] * (1 - a) + c[0] * a;
        img.data[k + 1] = bg[1] * (1 - a) + c[1] * a;
        img.data[k + 2] = bg[2] * (1 - a) + c[2] * a;
        img.data[k + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    drawContour(ctx, grid, s, o.dark ? '#f4f4f5' : '#18181b');
  } else {
    ctx.fillStyle = `rgb(${bg.join(',')})`;
    ctx.fillRect(0, 0, s, s);
  }
  const r = Math.max(2.5, s / 110);
  const side = (o.eps / (2 * VIEW)) * s * 2;
  const n = data.labels.length;
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  for (let i = 0; i < n; i++) [px[i], py[i]] = toPixel(data.points[2 * i], data.points[2 * i + 1], s);
  const broken = (i: number) => (survives ? survives[i] < 0.5 : false);
  // Balls as separate strokeRect calls, points as copies of a pre-drawn marker: at frame time Chromium
  // rasterises those in a few ms, where one path of 250 squares or circles took ~50 ms and the whole
  // plane ~150 ms (headless, software raster). The balls first, grouped by style, then the points.
  if (side > 0.5) {
    for (const isBroken of [false, true]) {
      ctx.lineWidth = isBroken ? 1.5 : 1;
      ctx.globalAlpha = isBroken ? 0.9 : 0.35;
      for (const c of [0, 1]) {
        ctx.strokeStyle = isBroken ? BROKEN : CLASS_COLOURS[c];
        for (let i = 0; i < n; i++) if (data.labels[i] === c && broken(i) === isBroken) ctx.strokeRect(px[i] - side / 2, py[i] - side / 2, side, side);
      }
    }
    ctx.globalAlpha = 1;
  }
  for (let i = 0; i < n; i++) {
    const m = marker(data.labels[i], r, o.dark);
    ctx.drawImage(m, px[i] - m.width / 2, py[i] - m.height / 2);
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

/**
 * The planes (and their markers) are drawn on the CPU: some 1,000 small fills and strokes a frame at
 * 320 x 320. Through the GPU process (SwiftShader in headless Chromium) rasterising them took ~120 ms
 * a frame; `willReadFrequently` is the standard way to ask for a CPU-backed canvas.
 */
const SOFTWARE: CanvasRenderingContext2DSettings = { willReadFrequently: true };

const markers = new Map<string, HTMLCanvasElement>();

/** A point's marker, drawn once: class A a disc, class B a diamond (the classes differ in shape as well as colour), outlined. */
function marker(c: number, r: number, dark: boolean): HTMLCanvasElement {
  const key = `${c}:${r}:${dark}`;
  let m = markers.get(key);
  if (m) return m;
  m = document.createElement('canvas');
  const half = Math.ceil(r * 1.3) + 2;
  m.width = m.height = 2 * half;
  const g = m.getContext('2d', SOFTWARE)!;
  g.beginPath();
  if (c === 0) g.arc(half, half, r, 0, 2 * Math.PI);
  else {
    g.moveTo(half, half - r * 1.3);
    g.lineTo(half + r * 1.3, half);
    g.lineTo(half, half + r * 1.3);
    g.lineTo(half - r * 1.3, half);
    g.closePath();
  }
  g.fillStyle = CLASS_COLOURS[c];
  g.fill();
  g.strokeStyle = dark ? '#000' : '#fff';
  g.lineWidth = 1;
  g.stroke();
  markers.set(key, m);
  return m;
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
