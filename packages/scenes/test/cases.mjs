/**
 * The cases hashed by both the Node test and the browser test (and by scripts/make-hashes.mjs, which
 * writes the expected digests with Node): defaults over many seeds, and every option.
 */
export const HASH_CASES = [
  { name: 'defaults, seeds 0-199', seeds: Array.from({ length: 200 }, (_, i) => i), options: {} },
  { name: 'training seeds 999990-999999', seeds: Array.from({ length: 10 }, (_, i) => 999_990 + i), options: {} },
  ...['flat', 'gradient', 'noise', 'brick', 'grass', 'gravel'].map((b) => ({ name: `background ${b}`, seeds: [1, 2, 3, 4, 5], options: { background: b } })),
  { name: 'triangles only, 8 objects, touching', seeds: [7, 8, 9, 10], options: { classes: ['triangle'], count: 8, touching: true } },
  { name: 'size 200', seeds: [11, 12], options: { size: 200 } },
  { name: 'size 64, count 1-3', seeds: [13, 14, 15], options: { size: 64, count: [1, 3] } },
  { name: 'seed 2^32-1', seeds: [4294967295], options: {} },
];
