/**
 * MNIST-style preprocessing of a hand drawing (LeCun et al.): the drawing's bounding box is scaled,
 * keeping its aspect ratio and with anti-aliasing (area averaging), to fit a 20x20 box, then placed
 * in a 28x28 field so that its centre of mass lands on the field's centre. Sizes scale with `size`.
 * Pure functions over pixel arrays: no canvas needed.
 */

/** Grey values 0..1 in row-major order. */
export interface GreyImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Luminance-free reading of a white-on-black drawing: the red channel, 0..1. */
export function greyFromRgba(img: { data: ArrayLike<number>; width: number; height: number }): GreyImage {
  const n = img.width * img.height;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = img.data[i * 4] / 255;
  return { data, width: img.width, height: img.height };
}

/** RGBA ImageData (grey in R, G and B, opaque) from grey values 0..1. */
export function greyToImageData(g: GreyImage): ImageData {
  const out = new ImageData(g.width, g.height);
  for (let i = 0; i < g.data.length; i++) {
    const v = Math.round(Math.max(0, Math.min(1, g.data[i])) * 255);
    out.data[i * 4] = out.data[i * 4 + 1] = out.data[i * 4 + 2] = v;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}

/** Bounding box of the pixels above `threshold`, or null for an empty image. */
export function inkBounds(
  g: GreyImage,
  threshold = 0.05
): { x: number; y: number; width: number; height: number } | null {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      if (g.data[y * g.width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Weights of the source pixels covered by [a, b) (fractional ends), for area averaging along one axis. */
function spans(start: number, length: number, outLength: number): { i0: number; w: number[] }[] {
  const step = length / outLength;
  const out: { i0: number; w: number[] }[] = [];
  for (let j = 0; j < outLength; j++) {
    const a = start + j * step;
    const b = a + step;
    const i0 = Math.floor(a);
    const w: number[] = [];
    for (let i = i0; i < b; i++) w.push((Math.min(b, i + 1) - Math.max(a, i)) / step);
    out.push({ i0, w });
  }
  return out;
}

/**
 * Resizes a region of a grey image by area averaging (each output pixel is the mean of the source
 * area it covers; anti-aliased when shrinking).
 */
export function areaResize(
  g: GreyImage,
  region: { x: number; y: number; width: number; height: number },
  outWidth: number,
  outHeight: number
): GreyImage {
  const sx = spans(region.x, region.width, outWidth);
  const sy = spans(region.y, region.height, outHeight);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < g.width && y < g.height ? g.data[y * g.width + x] : 0);
  // Horizontal pass over the rows the region touches, then the vertical pass.
  const rowsFrom = sy[0].i0;
  const rowsTo = sy[sy.length - 1].i0 + sy[sy.length - 1].w.length;
  const tmp = new Float32Array((rowsTo - rowsFrom) * outWidth);
  for (let y = rowsFrom; y < rowsTo; y++) {
    for (let j = 0; j < outWidth; j++) {
      const { i0, w } = sx[j];
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k] * at(i0 + k, y);
      tmp[(y - rowsFrom) * outWidth + j] = s;
    }
  }
  const data = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    const { i0, w } = sy[i];
    for (let j = 0; j < outWidth; j++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k] * tmp[(i0 + k - rowsFrom) * outWidth + j];
      data[i * outWidth + j] = s;
    }
  }
  return { data, width: outWidth, height: outHeight };
}

/** Centre of mass (x, y) of a grey image in continuous coordinates (pixel i spans [i, i+1)), or null when empty. */
export function centreOfMass(g: GreyImage): { x: number; y: number } | null {
  let m = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const v = g.data[y * g.width + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : null;
}

export interface CentreDigitOptions {
  /** Side of the output field. Default 28. */
  size?: number;
  /** Side of the box the drawing is scaled to fit. Default round(size * 20 / 28). */
  box?: number;
  /** Scale values so that the brightest pixel is 1 (faint strokes still read as ink). Default true. */
  normalise?: boolean;
}

/**
 * MNIST preprocessing of a white-on-black drawing: crop to the ink, scale to fit a 20x20 box
 * (aspect kept, area-averaged), and place it in the 28x28 field with its centre of mass at the
 * centre (the shift is rounded to whole pixels and kept inside the field). An empty drawing gives
 * an all-black field.
 */
export function centreDigit(g: GreyImage, opts: CentreDigitOptions = {}): GreyImage {
  const size = Math.max(1, Math.round(opts.size ?? 28));
  const box = Math.max(1, Math.min(size, Math.round(opts.box ?? (size * 20) / 28)));
  const out: GreyImage = { data: new Float32Array(size * size), width: size, height: size };
  const bounds = inkBounds(g);
  if (!bounds) return out;
  const s = box / Math.max(bounds.width, bounds.height);
  const tw = Math.max(1, Math.min(box, Math.round(bounds.width * s)));
  const th = Math.max(1, Math.min(box, Math.round(bounds.height * s)));
  const small = areaResize(g, bounds, tw, th);
  if (opts.normalise !== false) {
    let max = 0;
    for (const v of small.data) if (v > max) max = v;
    if (max > 0) for (let i = 0; i < small.data.length; i++) small.data[i] /= max;
  }
  const com = centreOfMass(small) ?? { x: tw / 2, y: th / 2 };
  const dx = Math.max(0, Math.min(size - tw, Math.round(size / 2 - com.x)));
  const dy = Math.max(0, Math.min(size - th, Math.round(size / 2 - com.y)));
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out.data[(y + dy) * size + (x + dx)] = small.data[y * tw + x];
  }
  return out;
}
