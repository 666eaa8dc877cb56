/**
 * Canvas drawing for <anchor-viewer>: the image with a margin (anchors at the border reach outside
 * it), boxes, the feature-map grid and a per-cell heat map. Pure 2D-canvas helpers, no state.
 * Coordinates in: image pixels; the `View` maps them to canvas pixels.
 */
import { colormapLut, type DetectedObject, type DetectorLosses, type ProposalSet } from '@convlab/tensor';

export interface View {
  /** Canvas pixels per image pixel. */
  scale: number;
  /** Image pixels of margin on every side. */
  pad: number;
}

export const LABEL_COLOURS = { positive: '#1b9e3e', negative: '#d7263d', ignored: '#e0a100', none: '#9aa0a6' } as const;
/** Class colours (index = class; 0 background), as @convlab/scenes' CLASS_COLOURS, brighter for lines. */
export const CLASS_LINE = ['#888888', '#f0a000', '#3fb0f0', '#00b383'];

export const px = (v: View, x: number) => (x + v.pad) * v.scale;

/** Paints the image (RGBA bytes, width x height) with its margin in a neutral grey. */
export function paintImage(ctx: CanvasRenderingContext2D, rgba: Uint8ClampedArray, width: number, height: number, v: View, dim = 0): void {
  const c = ctx.canvas;
  ctx.save();
  ctx.fillStyle = '#3a3d42';
  ctx.fillRect(0, 0, c.width, c.height);
  const tmp = document.createElement('canvas');
  tmp.width = width;
  tmp.height = height;
  tmp.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, px(v, 0), px(v, 0), width * v.scale, height * v.scale);
  if (dim > 0) {
    ctx.fillStyle = `rgba(0,0,0,${dim})`;
    ctx.fillRect(px(v, 0), px(v, 0), width * v.scale, height * v.scale);
  }
  ctx.restore();
}

export interface BoxStyle {
  colour: string;
  width?: number;
  dash?: number[];
  alpha?: number;
  label?: string;
}

/** Strokes a box `[x1, y1, x2, y2]` (image pixels), with an optional label above it. */
export function strokeBox(ctx: CanvasRenderingContext2D, b: ArrayLike<number>, v: View, s: BoxStyle): void {
  ctx.save();
  ctx.globalAlpha = s.alpha ?? 1;
  ctx.strokeStyle = s.colour;
  ctx.lineWidth = s.width ?? 2;
  ctx.setLineDash(s.dash ?? []);
  const x = px(v, b[0]);
  const y = px(v, b[1]);
  ctx.strokeRect(x, y, (b[2] - b[0]) * v.scale, (b[3] - b[1]) * v.scale);
  if (s.label) {
    ctx.setLineDash([]);
    ctx.font = `${Math.max(11, Math.round(v.scale * 4))}px system-ui, sans-serif`;
    const w = ctx.measureText(s.label).width + 6;
    const h = Math.max(14, Math.round(v.scale * 5));
    const ty = y - h < 0 ? y : y - h;
    ctx.fillStyle = s.colour;
    ctx.fillRect(x, ty, w, h);
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'middle';
    ctx.fillText(s.label, x + 3, ty + h / 2);
  }
  ctx.restore();
}

/** Many boxes in one style, as one path (one stroke: cheap for the 500 boxes before NMS). */
export function strokeBoxes(ctx: CanvasRenderingContext2D, boxes: readonly ArrayLike<number>[], v: View, s: BoxStyle): void {
  ctx.save();
  ctx.globalAlpha = s.alpha ?? 1;
  ctx.strokeStyle = s.colour;
  ctx.lineWidth = s.width ?? 1;
  ctx.beginPath();
  for (const b of boxes) ctx.rect(px(v, b[0]), px(v, b[1]), (b[2] - b[0]) * v.scale, (b[3] - b[1]) * v.scale);
  ctx.stroke();
  ctx.restore();
}

/** The feature-map grid over the image: cell (r, c) covers pixels [c s, (c + 1) s); the selected cell highlighted. */
export function paintGrid(ctx: CanvasRenderingContext2D, [fh, fw]: readonly [number, number], [sy, sx]: readonly [number, number], v: View, selected?: { row: number; col: number }): void {
  ctx.save();
  ctx.strokeStyle = 'rgba(255,255,255,0.28)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let c = 0; c <= fw; c++) {
    ctx.moveTo(px(v, c * sx) + 0.5, px(v, 0));
    ctx.lineTo(px(v, c * sx) + 0.5, px(v, fh * sy));
  }
  for (let r = 0; r <= fh; r++) {
    ctx.moveTo(px(v, 0), px(v, r * sy) + 0.5);
    ctx.lineTo(px(v, fw * sx), px(v, r * sy) + 0.5);
  }
  ctx.stroke();
  if (selected) {
    ctx.fillStyle = 'rgba(255,255,255,0.35)';
    ctx.fillRect(px(v, selected.col * sx), px(v, selected.row * sy), sx * v.scale, sy * v.scale);
    // torchvision centres a cell's anchors on its top-left corner.
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(px(v, selected.col * sx), px(v, selected.row * sy), Math.max(3, v.scale * 1.2), 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}

/**
 * A heat map of one value per feature-map cell in [0, 1] (viridis), each square centred where that
 * cell's anchors are (x s, y s), half transparent over the image.
 */
export function paintHeat(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, [fh, fw]: readonly [number, number], [sy, sx]: readonly [number, number], v: View, alpha = 0.6): void {
  const lut = colormapLut('viridis');
  ctx.save();
  ctx.globalAlpha = alpha;
  for (let r = 0; r < fh; r++)
    for (let c = 0; c < fw; c++) {
      const t = Math.min(255, Math.max(0, Math.round(values[r * fw + c] * 255)));
      ctx.fillStyle = `rgb(${lut[3 * t]},${lut[3 * t + 1]},${lut[3 * t + 2]})`;
      ctx.fillRect(px(v, c * sx - sx / 2), px(v, r * sy - sy / 2), sx * v.scale, sy * v.scale);
    }
  ctx.restore();
}

/** A small filled dot at an image point. */
export function dot(ctx: CanvasRenderingContext2D, x: number, y: number, v: View, colour: string, r = 2): void {
  ctx.save();
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(px(v, x), px(v, y), r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}

/** Tints the pixels of a 0/1 mask (width x height) in a colour. */
export function paintMask(ctx: CanvasRenderingContext2D, mask: ArrayLike<number>, width: number, height: number, v: View, rgb: readonly number[], alpha = 0.35): void {
  const img = new ImageData(width, height);
  for (let p = 0; p < width * height; p++)
    if (mask[p]) {
      img.data[4 * p] = rgb[0];
      img.data[4 * p + 1] = rgb[1];
      img.data[4 * p + 2] = rgb[2];
      img.data[4 * p + 3] = Math.round(alpha * 255);
    }
  const tmp = document.createElement('canvas');
  tmp.width = width;
  tmp.height = height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, px(v, 0), px(v, 0), width * v.scale, height * v.scale);
  ctx.restore();
}

function hexRgb(h: string): number[] {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Everything one view paints from (all kept numbers: painting never runs the network). */
export interface ViewState {
  view: 'anchors' | 'objectness' | 'proposals' | 'detections' | 'losses';
  rgba: Uint8ClampedArray;
  imageSize: readonly [number, number];
  featureSize: readonly [number, number];
  stride: readonly [number, number];
  anchorsPerCell: number;
  /** Ground-truth boxes to draw dashed (empty: none). */
  truth: readonly ArrayLike<number>[];
  cell: { row: number; col: number };
  cellAnchors: readonly { box: ArrayLike<number>; colour: string }[];
  /** Objectness logit per anchor. */
  objectness: Float32Array;
  /** Anchor shape of the heat map, or -1 for the best of all. */
  shape: number;
  filtered: { beforeNms: ProposalSet; proposals: ProposalSet };
  /** Detections at or above the score threshold. */
  detections: readonly DetectedObject[];
  losses?: DetectorLosses;
  /** The detector's anchors, 4 numbers each. */
  anchors: Float32Array;
}

/** Paints the image and the overlay of one view on the canvas (sized to the image plus its margin). */
export function paintView(canvas: HTMLCanvasElement, v: View, s: ViewState): void {
  const [H, W] = s.imageSize;
  const size = (W + 2 * v.pad) * v.scale;
  if (canvas.width !== size) canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  paintImage(ctx, s.rgba, W, H, v, s.view === 'objectness' ? 0.2 : 0);
  const truth = () => s.truth.forEach((b) => strokeBox(ctx, b, v, { colour: '#ffffff', width: 2, dash: [6, 4] }));
  switch (s.view) {
    case 'anchors':
      paintGrid(ctx, s.featureSize, s.stride, v, s.cell);
      truth();
      for (const a of s.cellAnchors) strokeBox(ctx, a.box, v, { colour: a.colour, width: 2 });
      break;
    case 'objectness': {
      const [fh, fw] = s.featureSize;
      const A = s.anchorsPerCell;
      const vals = new Float32Array(fh * fw);
      for (let i = 0; i < fh * fw; i++) {
        let m = 0;
        for (let a = 0; a < A; a++) if (s.shape < 0 || a === s.shape) m = Math.max(m, sigmoid(s.objectness[i * A + a]));
        vals[i] = m;
      }
      paintHeat(ctx, vals, s.featureSize, s.stride, v);
      truth();
      break;
    }
    case 'proposals': {
      const f = s.filtered;
      strokeBoxes(ctx, f.beforeNms.boxes, v, { colour: '#ffd54f', width: 1, alpha: 0.25 });
      truth();
      // Drawn by increasing objectness, each as opaque as its objectness: the confident ones stand out.
      for (let i = f.proposals.boxes.length - 1; i >= 0; i--) strokeBox(ctx, f.proposals.boxes[i], v, { colour: '#00e5ff', width: 2, alpha: Math.max(0.12, f.proposals.scores[i]) });
      break;
    }
    case 'detections':
      for (const d of s.detections) if (d.mask) paintMask(ctx, d.mask, W, H, v, hexRgb(CLASS_LINE[d.label]));
      truth();
      for (const d of s.detections) strokeBox(ctx, d.box, v, { colour: CLASS_LINE[d.label], width: 3, label: `${d.className} ${Math.round(d.score * 100)}%` });
      break;
    case 'losses': {
      truth();
      const L = s.losses;
      if (!L) break;
      const a = s.anchors;
      for (const i of L.rpnSample.neg) dot(ctx, (a[4 * i] + a[4 * i + 2]) / 2, (a[4 * i + 1] + a[4 * i + 3]) / 2, v, LABEL_COLOURS.negative, 2);
      for (const i of L.rpnSample.pos) strokeBox(ctx, a.subarray(4 * i, 4 * i + 4), v, { colour: LABEL_COLOURS.positive, width: 1.5 });
      for (const i of L.headSample.pos) strokeBox(ctx, L.rois[i], v, { colour: CLASS_LINE[L.roiLabels[i]], width: 2, dash: [2, 3] });
      break;
    }
  }
}
