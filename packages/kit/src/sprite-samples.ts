import { samplesFromSprite, type SpriteMeta } from './image-picker.js';

/** A sample cut from a model's sprite, with its class. */
export interface SpriteSample {
  label: string;
  src: ImageData;
  classIndex: number;
}

/**
 * Loads a bundled model's samples: the sprite index (JSON) and the sprite (PNG), cut into tiles
 * with their class (`samplesFor(id)` of @convlab/models gives the two URLs). Resolves with [] when
 * the model ships no samples (a hosted model).
 */
export async function loadSpriteSamples(
  files: { png: string; json: string } | undefined,
  labelNames?: readonly string[],
): Promise<SpriteSample[]> {
  if (!files) return [];
  const res = await fetch(files.json);
  if (!res.ok) throw new Error(`Could not load the sample index ${files.json}: ${res.status} ${res.statusText}`.trim());
  const meta = (await res.json()) as SpriteMeta;
  const tiles = await samplesFromSprite(files.png, meta, labelNames);
  return tiles.map((t, i) => ({ ...t, classIndex: meta.labels[i] }));
}
