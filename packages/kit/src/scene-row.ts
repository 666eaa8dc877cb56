import { html, nothing, type TemplateResult } from 'lit';
import { tf, fromImage, toRgba, type Tensor3D } from '@convlab/tensor';
import { isImageFile } from './image-picker.js';

export interface SceneRowOptions {
  /** The scene's seed shown in the number field. */
  seed: number;
  /** A message under the upload button (a file that is not an image), or ''. */
  uploadError: string;
  onNewScene: () => void;
  /** The reader typed a seed (the element shows that scene instead of an uploaded image). */
  onSeed: (seed: number) => void;
  onFile: (file: File | undefined) => void;
  /** More controls at the end of the row. */
  extra?: TemplateResult | typeof nothing;
}

/**
 * The row the scene widgets share (<anchor-viewer>, <detection-pipeline>, <fcn-seg>): New scene,
 * the seed, and an upload button with its message. Style it with sceneWidgetStyles.
 */
export function sceneRow(o: SceneRowOptions): TemplateResult {
  return html`<div class="scene-row">
    <button type="button" @click=${o.onNewScene}>New scene</button>
    <label class="field">Seed <input type="number" min="0" step="1" .value=${String(o.seed)} @change=${(e: Event) => o.onSeed(Number((e.target as HTMLInputElement).value))} /></label>
    <span class="upload">
      <label class="button">Upload an image…<input type="file" accept="image/*" @change=${(e: Event) => o.onFile((e.target as HTMLInputElement).files?.[0])} /></label>
      ${o.uploadError ? html`<span class="error" role="alert">${o.uploadError}</span>` : nothing}
    </span>
    ${o.extra ?? nothing}
  </div>`;
}

/** What `sceneRowFor` reads and sets on a scene widget: its seed and src, and its New scene. */
export interface SceneHost {
  seed: number;
  src: string;
  newScene(): void;
}

/**
 * The scene row of a widget: New scene calls its `newScene()`; a typed seed sets `seed` and clears
 * `src` (the scene replaces an image by URL); a chosen file goes to `onFile`.
 */
export function sceneRowFor(host: SceneHost, uploadError: string, onFile: (file: File | undefined) => void, extra?: TemplateResult | typeof nothing): TemplateResult {
  return sceneRow({
    seed: host.seed,
    uploadError,
    onNewScene: () => host.newScene(),
    onSeed: (seed) => {
      host.src = '';
      host.seed = seed;
    },
    onFile,
    extra,
  });
}

/** An image a scene widget works on: [h, w, 3] in [0, 1], and its RGBA bytes for painting. */
export interface SceneImage {
  image: Tensor3D;
  rgba: Uint8ClampedArray;
}

/** A generated scene's pixels (bytes 0-255, [height, width, 3] row-major), as @convlab/scenes makes them. */
export interface ScenePixels {
  image: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * The image of a scene widget: a generated scene's pixels, or an image by URL or Blob scaled to
 * `size` × `size` RGB. The caller owns (and disposes) `image`.
 */
export async function readSceneImage(source: ScenePixels | string | Blob, size = 128): Promise<SceneImage> {
  let image: Tensor3D;
  if (typeof source === 'string' || source instanceof Blob) {
    const x = await fromImage(source, { size, channels: 3 });
    image = tf.tidy(() => tf.squeeze(x, [0]) as Tensor3D);
    x.dispose();
  } else {
    image = tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(source.image), [source.height, source.width, 3]), 255) as Tensor3D);
  }
  try {
    return { image, rgba: (await toRgba(image, { range: [0, 1] })).rgba };
  } catch (e) {
    image.dispose();
    throw e;
  }
}

/**
 * A file the reader chose, read as `readSceneImage` does; a file that is not an image, or one that
 * cannot be decoded, gives the message to show under the upload button instead.
 */
export async function readUpload(file: File, size = 128): Promise<SceneImage | { error: string }> {
  if (!isImageFile(file)) return { error: `${file.name} is not an image: the previous image stays.` };
  try {
    return await readSceneImage(file, size);
  } catch (e) {
    return { error: `${file.name} could not be read (${e instanceof Error ? e.message : e}): the previous image stays.` };
  }
}
