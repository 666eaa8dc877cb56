/**
 * Canvas painting for <detection-pipeline>: the image with each step's overlay (window score map,
 * proposals, grouping regions, detections) and the RoI-pool view (the feature map, the proposal
 * projected onto it, the pool grid and each bin's maximum). Pure 2D-canvas helpers from kept
 * numbers; no state, no tensors.
 */
import { colormapLut, type RoiBin } from '@convlab/tensor';

/** Class colours for lines (index = class, 0 background), as <anchor-viewer>'s. */
export const CLASS_LINE = ['#888888', '#f0a000', '#3fb0f0', '#00b383'];
export const PROPOSAL = '#ffd54f';

type Box = readonly number[];

export interface Det {
  label: number;
  score: number;
  box: Box;
}

export interface ImageLayer {
  rgba: Uint8ClampedArray;
  size: [number, number];
}

/** Canvas pixels per image pixel (the canvas is `size * scale` square). */
export function setupCanvas(canvas: HTMLCanvasElement, [h, w]: readonly [number, number], scale: number): CanvasRenderingContext2D {
  if (canvas.width !== w * scale) canvas.width = w * scale;
  if (canvas.height !== h * scale) canvas.height = h * scale;
  return canvas.getContext('2d')!;
}

export function paintImage(ctx: CanvasRenderingContext2D, img: ImageLayer, scale: number, dim = 0): void {
  const [h, w] = img.size;
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.rgba), w, h), 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, w * scale, h * scale);
  if (dim > 0) {
    ctx.fillStyle = `rgba(0,0,0,${dim})`;
    ctx.fillRect(0, 0, w * scale, h * scale);
  }
  ctx.restore();
}

/** Many boxes in one colour as one path. */
export function strokeBoxes(ctx: CanvasRenderingContext2D, boxes: readonly Box[], scale: number, colour: string, width = 1, alpha = 1, dash: number[] = []): void {
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.beginPath();
  for (const b of boxes) ctx.rect(b[0] * scale, b[1] * scale, (b[2] - b[0]) * scale, (b[3] - b[1]) * scale);
  ctx.stroke();
  ctx.restore();
}

/** Detections as class-coloured boxes with "class score%" labels. */
export function paintDetections(ctx: CanvasRenderingContext2D, dets: readonly Det[], classes: readonly string[], scale: number): void {
  ctx.save();
  ctx.font = `${Math.max(11, Math.round(scale * 4))}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const d of dets) {
    const c = CLASS_LINE[d.label] ?? '#fff';
    strokeBoxes(ctx, [d.box], scale, c, 3);
    const text = `${classes[d.label]} ${Math.round(d.score * 100)}%`;
    const x = d.box[0] * scale;
    const th = Math.max(14, Math.round(scale * 5));
    const y = d.box[1] * scale - th < 0 ? d.box[1] * scale : d.box[1] * scale - th;
    ctx.fillStyle = c;
    ctx.fillRect(x, y, ctx.measureText(text).width + 6, th);
    ctx.fillStyle = '#000';
    ctx.fillText(text, x + 3, y + th / 2);
  }
  ctx.restore();
}

function lutColour(lut: Uint8Array | Uint8ClampedArray, t: number): string {
  const k = Math.min(255, Math.max(0, Math.round(t * 255)));
  return `rgb(${lut[3 * k]},${lut[3 * k + 1]},${lut[3 * k + 2]})`;
}

/**
 * A window score map: one square per window, centred on the window's centre, as wide as the
 * window stride, coloured by the class probability (viridis), half transparent.
 */
export function paintScoreMap(ctx: CanvasRenderingContext2D, boxes: readonly Box[], probs: ArrayLike<number>, cell: number, scale: number, alpha = 0.55): void {
  const lut = colormapLut('viridis');
  ctx.save();
  ctx.globalAlpha = alpha;
  boxes.forEach((b, i) => {
    const cx = (b[0] + b[2]) / 2;
    const cy = (b[1] + b[3]) / 2;
    ctx.fillStyle = lutColour(lut, probs[i]);
    ctx.fillRect((cx - cell / 2) * scale, (cy - cell / 2) * scale, cell * scale, cell * scale);
  });
  ctx.restore();
}

/** Regions of a segmentation (one label per pixel) in distinct colours, half transparent. */
export function paintRegions(ctx: CanvasRenderingContext2D, labels: Int32Array, [h, w]: readonly [number, number], scale: number): void {
  const data = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    const id = labels[p];
    // a fixed hash of the id: neighbouring ids get unrelated colours
    const x = Math.imul(id + 1, 2654435761) >>> 0;
    data[4 * p] = 60 + (x & 0xbf);
    data[4 * p + 1] = 60 + ((x >>> 8) & 0xbf);
    data[4 * p + 2] = 60 + ((x >>> 16) & 0xbf);
    data[4 * p + 3] = 170;
  }
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(new ImageData(data, w, h), 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, w * scale, h * scale);
  ctx.restore();
}

export interface RoiViewData {
  /** Feature map `[fh * fw * C]` (NHWC, one image). */
  features: Float32Array;
  featureSize: [number, number];
  channels: number;
  channel: number;
  stride: number;
  /** The proposal in image pixels. */
  box: Box;
  /** RoI pooling's bins (torchvision roi_pool) or null for RoIAlign. */
  bins: RoiBin[][] | null;
  /** Pooled values of the channel, `pool * pool` (row-major). */
  pooled: ArrayLike<number>;
  pool: number;
  /** Highlighted bin (row-major index) or -1. */
  bin: number;
}

/**
 * The RoI-pool view: left, the feature map's channel (grey levels) with the proposal projected
 * (box / stride, dashed), the cells RoI pooling uses (its rounded box) and the pool grid; right,
 * the pooled pool x pool values (viridis) and, for the highlighted bin, where its maximum came from.
 */
export function paintRoiView(canvas: HTMLCanvasElement, d: RoiViewData): void {
  const [fh, fw] = d.featureSize;
  const cell = 16;
  const gap = 24;
  const mapW = fw * cell;
  const side = fh * cell;
  const W = mapW + gap + side;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== side) canvas.height = side;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, W, side);
  const C = d.channels;
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < fh * fw; p++) {
    const v = d.features[p * C + d.channel];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++) {
      const g = Math.round(((d.features[(y * fw + x) * C + d.channel] - lo) / span) * 230) + 15;
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect(x * cell, y * cell, cell, cell);
    }
  // the proposal, projected: x / stride, exactly (dashed)
  const s = cell / d.stride;
  ctx.save();
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = PROPOSAL;
  ctx.lineWidth = 2;
  ctx.strokeRect(d.box[0] * s, d.box[1] * s, (d.box[2] - d.box[0]) * s, (d.box[3] - d.box[1]) * s);
  ctx.restore();
  const lut = colormapLut('viridis');
  let pmax = -Infinity;
  let pmin = Infinity;
  for (let i = 0; i < d.pool * d.pool; i++) {
    pmax = Math.max(pmax, d.pooled[i]);
    pmin = Math.min(pmin, d.pooled[i]);
  }
  const pspan = pmax - pmin || 1;
  ctx.save();
  ctx.lineWidth = 1;
  if (d.bins) {
    // RoI pooling: integer cells; each bin outlined (neighbours may share a row or column)
    ctx.strokeStyle = 'rgba(0, 229, 255, 0.9)';
    d.bins.forEach((row, i) =>
      row.forEach((b, j) => {
        if (b.x1 <= b.x0 || b.y1 <= b.y0) return;
        const on = i * d.pool + j === d.bin;
        ctx.lineWidth = on ? 3 : 1;
        ctx.strokeStyle = on ? '#ff4081' : 'rgba(0, 229, 255, 0.8)';
        ctx.strokeRect(b.x0 * cell + 1, b.y0 * cell + 1, (b.x1 - b.x0) * cell - 2, (b.y1 - b.y0) * cell - 2);
        if (on) {
          // the arg max of the bin
          let best = -Infinity;
          let by = b.y0;
          let bx = b.x0;
          for (let y = b.y0; y < b.y1; y++)
            for (let x = b.x0; x < b.x1; x++) {
              const v = d.features[(y * fw + x) * C + d.channel];
              if (v > best) {
                best = v;
                by = y;
                bx = x;
              }
            }
          ctx.fillStyle = '#ff4081';
          ctx.beginPath();
          ctx.arc((bx + 0.5) * cell, (by + 0.5) * cell, cell / 4, 0, 2 * Math.PI);
          ctx.fill();
        }
      }),
    );
  } else {
    // RoIAlign: the box split exactly, no rounding; 2 x 2 bilinear sample points per bin
    const [x1, y1, x2, y2] = d.box.map((v) => v / d.stride);
    const bw = (x2 - x1) / d.pool;
    const bh = (y2 - y1) / d.pool;
    for (let i = 0; i < d.pool; i++)
      for (let j = 0; j < d.pool; j++) {
        const on = i * d.pool + j === d.bin;
        ctx.lineWidth = on ? 3 : 1;
        ctx.strokeStyle = on ? '#ff4081' : 'rgba(0, 229, 255, 0.8)';
        ctx.strokeRect((x1 + j * bw) * cell, (y1 + i * bh) * cell, bw * cell, bh * cell);
        ctx.fillStyle = on ? '#ff4081' : 'rgba(0, 229, 255, 0.9)';
        for (const fy of [0.25, 0.75])
          for (const fx of [0.25, 0.75]) {
            ctx.beginPath();
            // sampling points sit half a cell off: feature (u, v) is the centre of cell u - 0.5 in this drawing
            ctx.arc((x1 + (j + fx) * bw + 0.5) * cell, (y1 + (i + fy) * bh + 0.5) * cell, on ? 3 : 1.5, 0, 2 * Math.PI);
            ctx.fill();
          }
      }
  }
  ctx.restore();
  // the pooled grid
  const pc = side / d.pool;
  for (let i = 0; i < d.pool; i++)
    for (let j = 0; j < d.pool; j++) {
      ctx.fillStyle = lutColour(lut, (d.pooled[i * d.pool + j] - pmin) / pspan);
      ctx.fillRect(mapW + gap + j * pc, i * pc, pc - 1, pc - 1);
      if (i * d.pool + j === d.bin) {
        ctx.strokeStyle = '#ff4081';
        ctx.lineWidth = 3;
        ctx.strokeRect(mapW + gap + j * pc + 1.5, i * pc + 1.5, pc - 4, pc - 4);
      }
    }
}
