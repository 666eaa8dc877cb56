/**
 * Fixed, disjoint seed ranges for the data sets: scene `i` of a split has seed `start + i`, so no
 * validation or test scene is ever a training scene, whatever counts are written.
 */
export const SPLITS = {
  train: { start: 0, size: 1_000_000 },
  val: { start: 1_000_000, size: 100_000 },
  test: { start: 2_000_000, size: 100_000 },
} as const;
export type Split = keyof typeof SPLITS;

/** The seed of scene `index` of `split`. */
export function splitSeed(split: Split, index: number): number {
  const r = SPLITS[split];
  if (!r) throw new RangeError(`unknown split ${JSON.stringify(split)}; use train, val or test`);
  if (!Number.isInteger(index) || index < 0 || index >= r.size) throw new RangeError(`${split} has scenes 0 to ${r.size - 1}; got ${index}`);
  return r.start + index;
}
