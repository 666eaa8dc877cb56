/**
 * The bundled shapes detector (a mini Mask R-CNN trained on @convlab/scenes; see
 * models/shapes-detector/detector.json): its files' URLs, written out literally so that bundlers
 * (Vite, Rollup, esbuild, web-dev-server) see and copy every one of them, and a loader.
 *
 *   import { loadShapesDetector } from '@convlab/models/detector.js';
 *   const parts = await loadShapesDetector();          // for detect() of @convlab/tensor
 *
 * A bundler renames the files it copies (hashes, one folder), so the relative paths inside
 * detector.json ('backbone/model.json') and each model.json ('weights.bin') would not find them:
 * `detectorFetch` maps every URL the loader asks for back to the emitted file.
 */
import { loadDetector, type DetectorParts } from '@convlab/tensor';

/** The detector.json URL. */
export const DETECTOR_URL: string = new URL('../models/shapes-detector/detector.json', import.meta.url).href;

/** Every file of the detector, by its path relative to detector.json. */
export const DETECTOR_FILES: Readonly<Record<string, string>> = {
  'detector.json': DETECTOR_URL,
  'backbone/model.json': new URL('../models/shapes-detector/backbone/model.json', import.meta.url).href,
  'backbone/weights.bin': new URL('../models/shapes-detector/backbone/weights.bin', import.meta.url).href,
  'rpn/model.json': new URL('../models/shapes-detector/rpn/model.json', import.meta.url).href,
  'rpn/weights.bin': new URL('../models/shapes-detector/rpn/weights.bin', import.meta.url).href,
  'box/model.json': new URL('../models/shapes-detector/box/model.json', import.meta.url).href,
  'box/weights.bin': new URL('../models/shapes-detector/box/weights.bin', import.meta.url).href,
  'mask/model.json': new URL('../models/shapes-detector/mask/model.json', import.meta.url).href,
  'mask/weights.bin': new URL('../models/shapes-detector/mask/weights.bin', import.meta.url).href,
};

/** The folder the loader resolves relative paths against (detector.json's, as the page sees it). */
function baseOf(url: string): string {
  return new URL('.', new URL(url, typeof location !== 'undefined' ? location.href : undefined)).href;
}

/**
 * A fetch that serves the detector's files from where the bundler put them: a URL under
 * detector.json's folder whose relative path is one of `DETECTOR_FILES` is fetched from that entry.
 * Any other URL is fetched as it is.
 */
export function detectorFetch(doFetch: typeof fetch = fetch): typeof fetch {
  const base = baseOf(DETECTOR_URL);
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const abs = new URL(url, typeof location !== 'undefined' ? location.href : undefined).href;
    const rel = abs.startsWith(base) ? abs.slice(base.length).split(/[?#]/)[0] : '';
    return doFetch(DETECTOR_FILES[rel] ?? input, init);
  }) as typeof fetch;
}

/** The detector's parts, loaded from the bundled files. */
export function loadShapesDetector(): Promise<DetectorParts> {
  return loadDetector(DETECTOR_URL, { fetchFunc: detectorFetch() });
}
