import { tf, spriteToBatch, type Tensor4D } from '@convlab/tensor';

/** An image pool: the tensors the search runs on, and a bitmap of the sprite to draw crops from. */
export interface ImagePool {
  /** [count, tile, tile, 1] in [0, 1]. */
  images: Tensor4D;
  /** The true class of each image. */
  labels: number[];
  sprite: ImageBitmap;
  tile: number;
  columns: number;
}

interface PoolIndex {
  tile: number;
  columns: number;
  count: number;
  labels: number[];
}

/**
 * Loads a model's pool sprite (greyscale PNG of square tiles) as an image batch: one fetch, one
 * decode (exact bytes: no colour-space conversion), one reshape on the backend. `count` takes the
 * first images only.
 */
export async function loadPool(files: { png: string; json: string }, count: number, signal?: AbortSignal): Promise<ImagePool> {
  const res = await fetch(files.json, { signal });
  if (!res.ok) throw new Error(`Could not load the image pool's index ${files.json}: the server answered ${res.status}.`);
  const meta = (await res.json()) as PoolIndex;
  const png = await fetch(files.png, { signal });
  if (!png.ok) throw new Error(`Could not load the image pool ${files.png}: the server answered ${png.status}.`);
  const sprite = await createImageBitmap(await png.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const n = Math.min(count, meta.count);
  const rows = Math.ceil(n / meta.columns);
  const w = meta.columns * meta.tile;
  const h = rows * meta.tile;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(sprite, 0, 0, w, h, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4] / 255;
  const images = tf.tidy(() => {
    const s = tf.tensor2d(grey, [h, w]);
    return spriteToBatch(s, meta.tile, meta.columns, n);
  });
  return { images, labels: meta.labels.slice(0, n), sprite, tile: meta.tile, columns: meta.columns };
}
