/**
 * The bundled shapes crop classifier (models/shapes-crops/card.md): background, circle, square,
 * triangle and a box regression from a 32x32 crop, for `<detection-pipeline>`'s sliding window and
 * R-CNN steps. The URLs are literal so that bundlers copy both files.
 *
 *   import { loadShapesCrops } from '@convlab/models/crops.js';
 *   const model = await loadShapesCrops();   // a tf.LayersModel: [N, 32, 32, 3] in [0, 1] -> [N, 8]
 */
import type * as tfl from '@tensorflow/tfjs-layers';

export const CROPS_MODEL_URL: string = new URL('../models/shapes-crops/model.json', import.meta.url).href;
const CROPS_WEIGHTS_URL: string = new URL('../models/shapes-crops/weights.bin', import.meta.url).href;

/** Class names in output order (index 0 the background). */
export const CROP_CLASSES = ['background', 'circle', 'square', 'triangle'] as const;

/** Serves weights.bin from where the bundler put it (the model.json names it relative to itself). */
export function cropsFetch(doFetch: typeof fetch = fetch): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return doFetch(/(^|\/)weights\.bin([?#].*)?$/.test(url) ? CROPS_WEIGHTS_URL : input, init);
  }) as typeof fetch;
}

/** Loads the classifier (a layers Sequential; its input is 32x32x3 RGB in [0, 1]). */
export async function loadShapesCrops(): Promise<tfl.LayersModel> {
  const tflm = await import('@tensorflow/tfjs-layers');
  return tflm.loadLayersModel(CROPS_MODEL_URL, { fetchFunc: cropsFetch() });
}
