/** Painting for <fcn-seg>: class maps over the image, receptive-field boxes, effective-field heat, instances. */
import { colormapLut } from '@convlab/tensor';

export const CLASS_NAMES = ['background', 'circle', 'square', 'triangle'] as const;
/** Okabe-Ito colours (colour-blind safe); background is the image itself, darkened. */
export const CLASS_COLOURS: readonly [number, number, number][] = [
  [0, 0, 0],
  [230, 159, 0],
  [86, 180, 233],
  [204, 121, 167],
];
export const css = (c: readonly number[]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
/** Distinct colours for instances (cycled). */
const INSTANCE_COLOURS: readonly [number, number, number][] = [
  [230, 159, 0], [86, 180, 233], [0, 158, 115], [240, 228, 66], [0, 114, 178], [213, 94, 0], [204, 121, 167], [255, 255, 255],
];

export const SCALE = 3;

/** The image with each pixel's class colour over it (background pixels darkened), scaled by SCALE. */
export function paintLabels(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, labels: ArrayLike<number> | null, size: [number, number], alpha = 0.85): CanvasRenderingContext2D {
  const [h, w] = size;
  const px = new Uint8ClampedArray(rgba);
  if (labels) {
    for (let p = 0; p < h * w; p++) {
      const c = labels[p];
      for (let k = 0; k < 3; k++) px[4 * p + k] = c === 0 ? rgba[4 * p + k] * 0.45 : rgba[4 * p + k] * (1 - alpha) + CLASS_COLOURS[c][k] * alpha;
    }
  }
  return blit(canvas, px, w, h);
}

/** Instances: each detection's mask in its own colour, and its box, over the darkened image. */
export function paintInstances(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, size: [number, number], dets: { box: number[]; mask?: Uint8Array; label: number }[]): void {
  const [h, w] = size;
  const px = new Uint8ClampedArray(rgba);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < 3; k++) px[4 * p + k] = rgba[4 * p + k] * 0.45;
  dets.forEach((d, i) => {
    const col = INSTANCE_COLOURS[i % INSTANCE_COLOURS.length];
    if (d.mask) for (let p = 0; p < h * w; p++) if (d.mask[p]) for (let k = 0; k < 3; k++) px[4 * p + k] = rgba[4 * p + k] * 0.35 + col[k] * 0.65;
  });
  const ctx = blit(canvas, px, w, h);
  ctx.lineWidth = 2;
  dets.forEach((d, i) => {
    ctx.strokeStyle = css(INSTANCE_COLOURS[i % INSTANCE_COLOURS.length]);
    const [x1, y1, x2, y2] = d.box;
    ctx.strokeRect(x1 * SCALE, y1 * SCALE, (x2 - x1) * SCALE, (y2 - y1) * SCALE);
  });
}

function blit(canvas: HTMLCanvasElement, px: Uint8ClampedArray, w: number, h: number): CanvasRenderingContext2D {
  const small = document.createElement('canvas');
  small.width = w;
  small.height = h;
  small.getContext('2d')!.putImageData(new ImageData(px as Uint8ClampedArray<ArrayBuffer>, w, h), 0, 0);
  canvas.width = w * SCALE;
  canvas.height = h * SCALE;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, w * SCALE, h * SCALE);
  return ctx;
}

function heatColour(t: number): [number, number, number] {
  const lut = colormapLut('viridis');
  const i = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
  return [lut[i], lut[i + 1], lut[i + 2]];
}

export interface RfOverlay {
  pixel: { y: number; x: number };
  /** The exact theoretical field (clipped to the image), inclusive. */
  region: { y0: number; y1: number; x0: number; x1: number };
  /** 1 + 2L box of the L slider, centred on the pixel (side in px), or 0. */
  stackSide: number;
  /** |gradient| map (height * width), or undefined while it is computed. */
  erf?: Float32Array;
}

/** The image (darkened), the effective field as heat (sqrt scale), the theoretical box, the L-stack box and the pixel. */
export function paintReceptiveField(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, size: [number, number], o: RfOverlay): void {
  const [h, w] = size;
  const px = new Uint8ClampedArray(rgba);
  let max = 0;
  if (o.erf) for (let p = 0; p < h * w; p++) max = Math.max(max, o.erf[p]);
  for (let p = 0; p < h * w; p++) {
    const v = o.erf && max > 0 ? Math.sqrt(o.erf[p] / max) : 0;
    if (v > 0.02) {
      const c = heatColour(v);
      for (let k = 0; k < 3; k++) px[4 * p + k] = rgba[4 * p + k] * 0.15 + c[k] * 0.85;
    } else for (let k = 0; k < 3; k++) px[4 * p + k] = rgba[4 * p + k] * 0.45;
  }
  const ctx = blit(canvas, px, w, h);
  const { y0, y1, x0, x1 } = o.region;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#ffffff';
  ctx.strokeRect(x0 * SCALE, y0 * SCALE, (x1 - x0 + 1) * SCALE, (y1 - y0 + 1) * SCALE);
  if (o.stackSide > 0) {
    const r = (o.stackSide - 1) / 2;
    ctx.setLineDash([2, 3]);
    ctx.strokeStyle = '#ffb000';
    ctx.strokeRect((o.pixel.x - r) * SCALE, (o.pixel.y - r) * SCALE, o.stackSide * SCALE, o.stackSide * SCALE);
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = '#ff2d55';
  ctx.lineWidth = 2;
  ctx.strokeRect(o.pixel.x * SCALE - 1, o.pixel.y * SCALE - 1, SCALE + 2, SCALE + 2);
}
