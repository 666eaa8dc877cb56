/**
 * Images in: anything a page has (an <img>, a canvas, ImageData, an ImageBitmap, a File or Blob,
 * a URL) to an NHWC float32 tensor in [0, 1] of the size and channel count a model wants.
 */
import { tf, type Tensor4D } from './tf.js';
import { ImageLoadError, abortError, isHtmlResponse } from './errors.js';

/** RGBA bytes, row-major: what ImageData holds. Plain objects of this shape work in Node too. */
export interface PixelData {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export type ImageSource =
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | ImageBitmap
  | ImageData
  | PixelData
  | Blob
  | URL
  | string;

export interface FromImageOptions {
  /** Output size: one number for a square, or [height, width]. Default: the image's own size (capped by maxSide). */
  size?: number | readonly [number, number];
  /** 1 (luminance), 3 (RGB) or 4 (RGBA). Default 3. */
  channels?: 1 | 3 | 4;
  /**
   * How the image fills the output size: 'stretch' (default) ignores the aspect ratio,
   * 'cover' crops the centre, 'contain' letterboxes with black.
   */
  fit?: 'stretch' | 'cover' | 'contain';
  /** Longest side, in pixels, that reaches the GPU when no size is given. Default 1024. */
  maxSide?: number;
  signal?: AbortSignal;
}

/** ITU-R BT.601 luma weights: grey = 0.299 R + 0.587 G + 0.114 B. */
export const LUMA = [0.299, 0.587, 0.114] as const;

type Drawable = HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

function isPixelData(x: unknown): x is PixelData {
  return (
    typeof x === 'object' &&
    x !== null &&
    'data' in x &&
    'width' in x &&
    'height' in x &&
    ArrayBuffer.isView((x as PixelData).data) &&
    typeof (x as PixelData).width === 'number' &&
    typeof (x as PixelData).height === 'number'
  );
}

function targetSize(
  natural: { width: number; height: number },
  opts: FromImageOptions,
): { width: number; height: number } {
  const { size } = opts;
  if (size !== undefined) {
    const [h, w] = typeof size === 'number' ? [size, size] : size;
    if (!(h >= 1 && w >= 1 && Number.isFinite(h) && Number.isFinite(w))) {
      throw new ImageLoadError('bad-size', `Requested size ${JSON.stringify(size)} is not a positive size.`);
    }
    return { width: Math.round(w), height: Math.round(h) };
  }
  const maxSide = opts.maxSide ?? 1024;
  const scale = Math.min(1, maxSide / Math.max(natural.width, natural.height));
  return {
    width: Math.max(1, Math.round(natural.width * scale)),
    height: Math.max(1, Math.round(natural.height * scale)),
  };
}

async function fetchBlob(url: string, signal?: AbortSignal): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw new ImageLoadError('network', `Could not reach ${url}: the network request failed (the host may be offline, not allow cross-origin requests, or be blocked by this page's Content-Security-Policy).`, { cause: e });
  }
  if (!res.ok) {
    throw new ImageLoadError('http', `Could not load ${url}: the server answered ${res.status} ${res.statusText}.`.trim());
  }
  if (isHtmlResponse(res)) {
    // A missing file that the server answered with a page (often its home page), not with 404.
    void res.body?.cancel();
    throw new ImageLoadError('not-found', `Could not load the image ${url}: not found (the server returned an HTML page instead).`);
  }
  return res.blob();
}

async function decodeBlob(blob: Blob, what: string): Promise<ImageBitmap> {
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new ImageLoadError('not-an-image', `${what} is not an image (its type is ${blob.type}).`);
  }
  try {
    return await createImageBitmap(blob);
  } catch (e) {
    throw new ImageLoadError('decode', `${what} could not be decoded as an image.`, { cause: e });
  }
}

async function toDrawable(src: ImageSource, signal?: AbortSignal): Promise<Drawable | PixelData> {
  if (typeof src === 'string' || src instanceof URL) {
    const url = String(src);
    const blob = await fetchBlob(url, signal);
    return decodeBlob(blob, url);
  }
  if (typeof Blob !== 'undefined' && src instanceof Blob) {
    const name = typeof File !== 'undefined' && src instanceof File ? `The file "${src.name}"` : 'The data';
    return decodeBlob(src, name);
  }
  if (typeof HTMLImageElement !== 'undefined' && src instanceof HTMLImageElement) {
    try {
      if (!src.complete || src.naturalWidth === 0) await src.decode();
    } catch (e) {
      throw new ImageLoadError('decode', `The image ${src.currentSrc || src.src || ''} could not be loaded or decoded.`.replace('  ', ' '), {
        cause: e,
      });
    }
    if (src.naturalWidth === 0) throw new ImageLoadError('decode', 'The image has no pixels (it failed to load).');
    return src;
  }
  if (
    (typeof HTMLCanvasElement !== 'undefined' && src instanceof HTMLCanvasElement) ||
    (typeof OffscreenCanvas !== 'undefined' && src instanceof OffscreenCanvas) ||
    (typeof ImageBitmap !== 'undefined' && src instanceof ImageBitmap)
  ) {
    return src;
  }
  if (isPixelData(src)) return src;
  throw new ImageLoadError('unsupported-source', 'fromImage() got something that is not an image source.');
}

function naturalSize(d: Drawable): { width: number; height: number } {
  if (typeof HTMLImageElement !== 'undefined' && d instanceof HTMLImageElement) {
    return { width: d.naturalWidth, height: d.naturalHeight };
  }
  return { width: d.width, height: d.height };
}

/** Draws a drawable into an RGBA buffer of the target size, doing the resize on the canvas (CPU side). */
function rasterise(d: Drawable, out: { width: number; height: number }, fit: FromImageOptions['fit']): PixelData {
  const nat = naturalSize(d);
  if (nat.width === 0 || nat.height === 0) throw new ImageLoadError('decode', 'The image has no pixels.');
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(out.width, out.height)
      : Object.assign(document.createElement('canvas'), out);
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as
    | CanvasRenderingContext2D
    | OffscreenCanvasRenderingContext2D
    | null;
  if (!ctx) throw new ImageLoadError('decode', 'No 2D canvas is available to read the image.');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, out.width, out.height);
  let sx = 0,
    sy = 0,
    sw = nat.width,
    sh = nat.height,
    dx = 0,
    dy = 0,
    dw = out.width,
    dh = out.height;
  const srcAspect = nat.width / nat.height;
  const dstAspect = out.width / out.height;
  if (fit === 'cover') {
    if (srcAspect > dstAspect) {
      sw = nat.height * dstAspect;
      sx = (nat.width - sw) / 2;
    } else {
      sh = nat.width / dstAspect;
      sy = (nat.height - sh) / 2;
    }
  } else if (fit === 'contain') {
    if (srcAspect > dstAspect) {
      dh = out.width / srcAspect;
      dy = (out.height - dh) / 2;
    } else {
      dw = out.height * srcAspect;
      dx = (out.width - dw) / 2;
    }
  }
  ctx.drawImage(d, sx, sy, sw, sh, dx, dy, dw, dh);
  const img = ctx.getImageData(0, 0, out.width, out.height);
  return { data: img.data, width: out.width, height: out.height };
}

/** RGBA bytes of any size to [1, h, w, channels] float32 in [0, 1]; resizes on the current backend. */
export function pixelsToTensor(
  px: PixelData,
  channels: 1 | 3 | 4 = 3,
  size?: { width: number; height: number },
): Tensor4D {
  if (px.data.length !== px.width * px.height * 4) {
    throw new ImageLoadError('decode', `Pixel data of ${px.data.length} bytes does not fit ${px.width}x${px.height} RGBA.`);
  }
  return tf.tidy(() => {
    const bytes = Int32Array.from(px.data);
    let rgba = tf.div(tf.cast(tf.tensor4d(bytes, [1, px.height, px.width, 4], 'int32'), 'float32'), 255) as Tensor4D;
    if (size && (size.width !== px.width || size.height !== px.height)) {
      rgba = tf.image.resizeBilinear(rgba, [size.height, size.width], true);
    }
    if (channels === 4) return rgba;
    const rgb = tf.slice(rgba, [0, 0, 0, 0], [-1, -1, -1, 3]);
    if (channels === 3) return rgb as Tensor4D;
    return tf.sum(tf.mul(rgb, tf.tensor1d(LUMA as unknown as number[])), -1, true) as Tensor4D;
  });
}

/**
 * Turns an image source into an NHWC float32 tensor [1, height, width, channels] in [0, 1].
 * Large images are resized on a canvas before any pixel reaches the GPU.
 *
 * @throws ImageLoadError 'not-an-image' | 'decode' | 'http' | 'network' | 'unsupported-source' | 'bad-size'
 */
export async function fromImage(src: ImageSource, opts: FromImageOptions = {}): Promise<Tensor4D> {
  const channels = opts.channels ?? 3;
  if (![1, 3, 4].includes(channels)) {
    throw new ImageLoadError('bad-size', `channels must be 1, 3 or 4, not ${channels}.`);
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const d = await toDrawable(src, opts.signal);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  if (isPixelData(d)) {
    const px = d;
    const out = targetSize(px, opts);
    // Outside a browser (Node), or when no resize is needed, work on the bytes directly.
    const sameSize = out.width === px.width && out.height === px.height;
    if (typeof createImageBitmap === 'undefined' || (sameSize && (opts.fit ?? 'stretch') === 'stretch')) {
      return pixelsToTensor(px, channels, out);
    }
    const imageData = new ImageData(new Uint8ClampedArray(px.data), px.width, px.height);
    const bmp = await createImageBitmap(imageData);
    try {
      return pixelsToTensor(rasterise(bmp, out, opts.fit), channels);
    } finally {
      bmp.close();
    }
  }
  const drawable = d;
  const out = targetSize(naturalSize(drawable), opts);
  try {
    return pixelsToTensor(rasterise(drawable, out, opts.fit), channels);
  } finally {
    if (drawable !== src && typeof ImageBitmap !== 'undefined' && drawable instanceof ImageBitmap) drawable.close();
  }
}

/**
 * The mean of the outermost pixels of an image ([1, H, W, C], values in [0, 1]): the background's
 * brightness, for telling dark-on-light scans from light-on-dark images.
 */
export function borderMean(x: Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const all = tf.sum(x);
    const inner = h > 2 && w > 2 ? tf.sum(tf.slice(x, [0, 1, 1, 0], [1, h - 2, w - 2, -1])) : tf.scalar(0);
    const count = (h * w - Math.max(0, h - 2) * Math.max(0, w - 2)) * x.shape[3];
    return tf.div(tf.sub(all, inner), count) as tf.Scalar;
  });
}
