/**
 * The image pools of the bundled models: the first test images (digits: 5,000; fashion: 2,000) as one
 * PNG sprite of 28x28 tiles, 50 per row, and its index (the samples.json format; `labels` are the
 * true classes). <top-patches> searches them; <tsne-map> embeds a prefix. Written by
 * train/make-pool.mjs. Importing this module registers the models too (it imports the package).
 */
import { DIGIT_LABELS, FASHION_LABELS, type Samples } from './index.js';

export type { Samples };

/** How many test images each pool holds. */
export const POOL_SIZES: Record<'digits' | 'fashion', number> = { digits: 5000, fashion: 2000 };

/** The pool sprite, its index and the labels of a bundled model; undefined for any other id. */
export function poolFor(id: 'digits' | 'fashion'): Samples;
export function poolFor(id: string): Samples | undefined;
export function poolFor(id: string): Samples | undefined {
  switch (id) {
    case 'digits':
      return {
        png: new URL('../models/digits/pool.png', import.meta.url).href,
        json: new URL('../models/digits/pool.json', import.meta.url).href,
        labels: [...DIGIT_LABELS],
      };
    case 'fashion':
      return {
        png: new URL('../models/fashion/pool.png', import.meta.url).href,
        json: new URL('../models/fashion/pool.json', import.meta.url).href,
        labels: [...FASHION_LABELS],
      };
    default:
      return undefined;
  }
}
