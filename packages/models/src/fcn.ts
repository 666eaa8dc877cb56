/**
 * The bundled segmenters of `<fcn-seg>` (models/shapes-fcn/card.md, models/shapes-fcn-flat/card.md):
 * per-pixel logits of background, circle, square and triangle for a 128x128 RGB image in [0, 1].
 * The URLs are literal so that bundlers copy every file.
 *
 *   import { loadSegmenter } from '@convlab/models/fcn.js';
 *   import { semanticMap, fcnLogits } from '@convlab/tensor';
 *   const model = await loadSegmenter('shapes-fcn');   // tf.LayersModel: [N, 128, 128, 3] -> [N, 128, 128, 4]
 *   const classes = semanticMap(model, image);          // [128, 128] int32
 *
 * Run them through `fcnLogits` / `semanticMap` of @convlab/tensor, not `model.predict` on the image:
 * shapes-fcn-flat expects each image minus its mean colour (its model.json's `inputNorm`), which
 * those functions apply.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

export type SegmenterId = 'shapes-fcn' | 'shapes-fcn-flat';

export const SEGMENTER_IDS: readonly SegmenterId[] = ['shapes-fcn', 'shapes-fcn-flat'];

/** Class names in output order (index 0 the background). */
export const SEGMENTER_CLASSES = ['background', 'circle', 'square', 'triangle'] as const;

export const SEGMENTER_URLS: Readonly<Record<SegmenterId, { model: string; weights: string }>> = {
  'shapes-fcn': {
    model: new URL('../models/shapes-fcn/model.json', import.meta.url).href,
    weights: new URL('../models/shapes-fcn/weights.bin', import.meta.url).href,
  },
  'shapes-fcn-flat': {
    model: new URL('../models/shapes-fcn-flat/model.json', import.meta.url).href,
    weights: new URL('../models/shapes-fcn-flat/weights.bin', import.meta.url).href,
  },
};

/** Serves weights.bin from where the bundler put it (model.json names it relative to itself). */
export function segmenterFetch(id: SegmenterId, doFetch: typeof fetch = fetch): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return doFetch(/(^|\/)weights\.bin([?#].*)?$/.test(url) ? SEGMENTER_URLS[id].weights : input, init);
  }) as typeof fetch;
}

const cache = new Map<SegmenterId, Promise<tfl.LayersModel>>();

/** Loads a bundled segmenter once per page (later calls share the same model). */
export function loadSegmenter(id: SegmenterId): Promise<tfl.LayersModel> {
  if (!SEGMENTER_IDS.includes(id)) return Promise.reject(new RangeError(`no bundled segmenter '${id}' (${SEGMENTER_IDS.join(', ')})`));
  let p = cache.get(id);
  if (!p) {
    p = import('@tensorflow/tfjs-layers').then((tflm) => tflm.loadLayersModel(SEGMENTER_URLS[id].model, { fetchFunc: segmenterFetch(id) }));
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}
