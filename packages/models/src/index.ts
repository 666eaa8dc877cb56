/**
 * @convlab/models: the models bundled with ConvLab, registered with @convlab/tensor on import.
 *
 *   import '@convlab/models';               // registers 'digits', 'digits-robust' and 'fashion'
 *   const model = await loadModel('digits'); // from @convlab/tensor
 *
 * Each model is a TF.js layers model (model.json + weights.bin) trained in PyTorch and exported by
 * train/py/tfjs_export.py; see models/<id>/card.md. The URLs are written out literally per id so that
 * bundlers (Vite, Rollup, esbuild, web-dev-server) see and copy the files.
 */
import { registerModel, type ModelMeta } from '@convlab/tensor';

export type BundledModelId = 'digits' | 'digits-robust' | 'fashion';

export const DIGIT_LABELS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const FASHION_LABELS: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const COMMON = { inputRange: [0, 1], channels: 1, inputSize: [28, 28], output: 'logits', polarity: 'light-on-dark' } as const;

/** Metadata of the bundled models (the same as `userDefinedMetadata.convlab` in their model.json). */
export const BUNDLED_META: Record<BundledModelId, ModelMeta> = {
  digits: {
    ...COMMON,
    inputRange: [0, 1],
    inputSize: [28, 28],
    name: 'digits',
    labels: [...DIGIT_LABELS],
    trainedOn: 'MNIST: handwritten digits 0-9, white on black, centred in 28×28 pixels',
  },
  'digits-robust': {
    ...COMMON,
    inputRange: [0, 1],
    inputSize: [28, 28],
    name: 'digits-robust',
    labels: [...DIGIT_LABELS],
    trainedOn: 'MNIST: handwritten digits 0-9, white on black, centred in 28×28 pixels; trained on FGSM-with-random-start adversarial examples (L∞, ε = 0.3)',
  },
  fashion: {
    ...COMMON,
    inputRange: [0, 1],
    inputSize: [28, 28],
    name: 'fashion',
    labels: [...FASHION_LABELS],
    trainedOn: 'Fashion-MNIST: small grey photos of ten kinds of clothing and shoes, one item centred on a black background, 28×28 pixels',
  },
};

/** model.json URLs of the bundled models. */
export const MODEL_URLS: Record<BundledModelId, string> = {
  digits: new URL('../models/digits/model.json', import.meta.url).href,
  'digits-robust': new URL('../models/digits-robust/model.json', import.meta.url).href,
  fashion: new URL('../models/fashion/model.json', import.meta.url).href,
};

export const BUNDLED_MODEL_IDS: readonly BundledModelId[] = ['digits', 'digits-robust', 'fashion'];

/**
 * weights.bin URLs, written out for the same reason: bundlers rename assets, so model.json's relative
 * path 'weights.bin' would not find them; the registry maps it to the emitted file.
 */
export const WEIGHT_URLS: Record<BundledModelId, string> = {
  digits: new URL('../models/digits/weights.bin', import.meta.url).href,
  'digits-robust': new URL('../models/digits-robust/weights.bin', import.meta.url).href,
  fashion: new URL('../models/fashion/weights.bin', import.meta.url).href,
};

registerModel('digits', { url: MODEL_URLS.digits, meta: BUNDLED_META.digits, files: { 'weights.bin': WEIGHT_URLS.digits } });
registerModel('digits-robust', {
  url: MODEL_URLS['digits-robust'],
  meta: BUNDLED_META['digits-robust'],
  files: { 'weights.bin': WEIGHT_URLS['digits-robust'] },
});
registerModel('fashion', { url: MODEL_URLS.fashion, meta: BUNDLED_META.fashion, files: { 'weights.bin': WEIGHT_URLS.fashion } });

export interface Samples {
  /** URL of a PNG sprite: a 10×10 grid of 28×28 greyscale test images, row k = class k. */
  png: string;
  /** URL of its JSON index: {tile, columns, count, labels, sourceIndices}. */
  json: string;
  /** Class names, index = class id. */
  labels: string[];
}

/** The samples sprite, its index and the labels of a bundled model. */
export function samplesFor(id: BundledModelId): Samples;
export function samplesFor(id: string): Samples | undefined;
export function samplesFor(id: string): Samples | undefined {
  switch (id) {
    case 'digits':
      return {
        png: new URL('../models/digits/samples.png', import.meta.url).href,
        json: new URL('../models/digits/samples.json', import.meta.url).href,
        labels: [...DIGIT_LABELS],
      };
    case 'digits-robust':
      return {
        png: new URL('../models/digits-robust/samples.png', import.meta.url).href,
        json: new URL('../models/digits-robust/samples.json', import.meta.url).href,
        labels: [...DIGIT_LABELS],
      };
    case 'fashion':
      return {
        png: new URL('../models/fashion/samples.png', import.meta.url).href,
        json: new URL('../models/fashion/samples.json', import.meta.url).href,
        labels: [...FASHION_LABELS],
      };
    default:
      return undefined;
  }
}

/** Shape of samples.json. */
export interface SamplesIndex {
  tile: number;
  columns: number;
  count: number;
  labels: number[];
  sourceIndices: number[];
}
