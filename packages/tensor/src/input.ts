/**
 * An image made ready for one model: read at the model's input size and channel count, and, for a
 * model that reads light strokes on a dark background (MNIST's convention), inverted when the image
 * has a light background (a photo of a digit on paper).
 */
import { tf, type Tensor4D } from './tf.js';
import { fromImage, borderMean, type ImageSource } from './image.js';
import type { LoadedModel } from './models.js';

export interface PreparedInput {
  /** [1, h, w, c] in [0, 1], as the model takes it. */
  x: Tensor4D;
  /** True when the image was inverted (x = 1 - image) to match the model's polarity. */
  inverted: boolean;
}

export async function prepareInput(model: Pick<LoadedModel, 'inputShape' | 'meta'>, source: ImageSource | Blob): Promise<PreparedInput> {
  const [h, w, c] = model.inputShape;
  const x = await fromImage(source as ImageSource, { size: [h, w], channels: c as 1 | 3 });
  if (model.meta.polarity !== 'light-on-dark') return { x, inverted: false };
  const b = borderMean(x);
  const background = (await b.data())[0];
  b.dispose();
  if (background <= 0.5) return { x, inverted: false };
  const inverted = tf.tidy(() => tf.sub(1, x) as Tensor4D);
  x.dispose();
  return { x: inverted, inverted: true };
}
