import { CLASSES, type Scene } from './scene.js';
import type { Rgb } from './backgrounds.js';

/** Colours of the semantic classes (Okabe-Ito, told apart with colour-blindness): background, circle, square, triangle. */
export const CLASS_COLOURS: readonly Rgb[] = [
  [0, 0, 0],
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
];

/** Instance colours, cycled by instance id. */
export const INSTANCE_COLOURS: readonly Rgb[] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180],
  [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 190], [0, 128, 128], [170, 110, 40],
];

export interface DrawOptions {
  /** Outline each object's box (default false). */
  boxes?: boolean;
  /** Write the class name on each box (default: same as `boxes`). */
  labels?: boolean;
  /** Tint each instance with its own colour and outline its mask (default false). */
  masks?: boolean;
  /** Tint each pixel with its class colour (default false). */
  semantic?: boolean;
  /** Canvas pixels per scene pixel, nearest-neighbour (default 1). The canvas is resized to fit. */
  scale?: number;
}

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;
type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

let scratch: { canvas: AnyCanvas; ctx: Ctx2D; data: ImageData } | undefined;

function scratchFor(w: number, h: number, like: AnyCanvas) {
  if (!scratch || scratch.data.width !== w || scratch.data.height !== h) {
    const canvas: AnyCanvas =
      typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign((like as HTMLCanvasElement).ownerDocument.createElement('canvas'), { width: w, height: h });
    const ctx = canvas.getContext('2d') as Ctx2D;
    scratch = { canvas, ctx, data: ctx.createImageData(w, h) };
  }
  return scratch;
}

/**
 * The pixels `drawScene` paints (before scaling and boxes): the image, with instance tints (2/3
 * instance colour, solid on the mask's edge) and class tints (3/5 class colour), the background
 * dimmed to 1/3 in either mode; stored as canvas bytes (rounded, clamped). Exposed for tests and for callers that paint elsewhere.
 */
export function composeScene(s: Scene, options: Pick<DrawOptions, 'masks' | 'semantic'> = {}, out = new Uint8ClampedArray(s.width * s.height * 4)): Uint8ClampedArray {
  const { width: W, height: H, image, instances, semantic } = s;
  for (let y = 0, p = 0; y < H; y++)
    for (let x = 0; x < W; x++, p++) {
      let r = image[3 * p];
      let g = image[3 * p + 1];
      let b = image[3 * p + 2];
      if (options.semantic && semantic[p]) {
        const c = CLASS_COLOURS[semantic[p]];
        r = (r * 2 + c[0] * 3) / 5;
        g = (g * 2 + c[1] * 3) / 5;
        b = (b * 2 + c[2] * 3) / 5;
      } else if ((options.semantic || options.masks) && !instances[p]) {
        // Background dimmed, so that the tinted objects stand out.
        r = r / 3;
        g = g / 3;
        b = b / 3;
      }
      const id = instances[p];
      if (options.masks && id) {
        const c = INSTANCE_COLOURS[(id - 1) % INSTANCE_COLOURS.length];
        const edge =
          (x > 0 && instances[p - 1] !== id) || (x < W - 1 && instances[p + 1] !== id) || (y > 0 && instances[p - W] !== id) || (y < H - 1 && instances[p + W] !== id) || x === 0 || y === 0 || x === W - 1 || y === H - 1;
        if (edge) [r, g, b] = c;
        else {
          r = (r + 2 * c[0]) / 3;
          g = (g + 2 * c[1]) / 3;
          b = (b + 2 * c[2]) / 3;
        }
      }
      out[4 * p] = r;
      out[4 * p + 1] = g;
      out[4 * p + 2] = b;
      out[4 * p + 3] = 255;
    }
  return out;
}

/**
 * Paints a scene into a canvas, optionally with its boxes, instance masks and semantic map. Sized
 * for a "new scene" button: one pass over the pixels, one putImageData, one scaled drawImage.
 */
export function drawScene(canvas: AnyCanvas, s: Scene, options: DrawOptions = {}): void {
  const scale = Math.max(1, Math.round(options.scale ?? 1));
  const W = s.width * scale;
  const H = s.height * scale;
  if (canvas.width !== W) canvas.width = W;
  if (canvas.height !== H) canvas.height = H;
  const ctx = canvas.getContext('2d') as Ctx2D | null;
  if (!ctx) throw new Error('drawScene(): the canvas has no 2D context');
  const sc = scratchFor(s.width, s.height, canvas);
  composeScene(s, options, sc.data.data);
  if (scale === 1) ctx.putImageData(sc.data, 0, 0);
  else {
    sc.ctx.putImageData(sc.data, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(sc.canvas, 0, 0, W, H);
  }
  if (options.boxes) {
    const lw = Math.max(1, Math.round(scale / 2));
    ctx.lineWidth = lw;
    const labels = options.labels ?? true;
    const font = Math.max(9, Math.round(4 * scale));
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    for (const o of s.objects) {
      const [x1, y1, x2, y2] = o.box;
      const c = INSTANCE_COLOURS[(o.id - 1) % INSTANCE_COLOURS.length];
      ctx.strokeStyle = `rgb(${c[0]} ${c[1]} ${c[2]})`;
      ctx.strokeRect(x1 * scale + lw / 2, y1 * scale + lw / 2, (x2 - x1) * scale - lw, (y2 - y1) * scale - lw);
      if (labels) {
        const text = CLASSES[o.label];
        const tw = ctx.measureText(text).width + 4;
        const ty = y1 * scale >= font + 2 ? y1 * scale - font - 2 : y1 * scale;
        ctx.fillStyle = `rgb(${c[0]} ${c[1]} ${c[2]})`;
        ctx.fillRect(x1 * scale, ty, tw, font + 2);
        ctx.fillStyle = c[0] * 0.3 + c[1] * 0.59 + c[2] * 0.11 > 140 ? '#000' : '#fff';
        ctx.fillText(text, x1 * scale + 2, ty + 1);
      }
    }
  }
}
