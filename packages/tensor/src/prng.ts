/** Small seeded random numbers, no TF.js (for modules that must not load it). */

/** mulberry32: a small seeded PRNG in [0, 1) (32-bit integer operations only; the same seed, the same numbers in every engine). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
