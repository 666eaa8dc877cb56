// Per-object scoring of a segmenter's class map on a generated scene (@convlab/scenes), shared by
// train/evaluate-fcn.mjs (the card's figures) and test-node/fcn.test.mjs (the lesson's property,
// measured in the test): the fraction of each object's pixels given its class, binned by the object's
// size (its box's longer side).

/** [lowest side, first side above, label] in pixels. */
export const SIZE_BINS = [[0, 24, 'small (side < 24 px)'], [24, 40, 'medium (24-39 px)'], [40, Infinity, 'large (>= 40 px)']];

/** Empty tallies, one per size bin. */
export const sizeTallies = () => SIZE_BINS.map(() => ({ objects: 0, pixels: 0, right: 0 }));

/** The longer side of an object's box (x1, y1, x2, y2; x2, y2 exclusive). */
export const objectSide = (o) => Math.max(o.box[2] - o.box[0], o.box[3] - o.box[1]);

/**
 * Adds one scene to the tallies: for each object, its pixels (instances === k + 1; an object partly
 * covered by a later one counts only its visible pixels) and how many of them `pred` gives its label.
 */
export function tallyObjects(tallies, s, pred) {
  const n = s.width * s.height;
  if (pred.length !== n) throw new RangeError(`class map of ${pred.length} pixels for a ${s.width}x${s.height} scene`);
  s.objects.forEach((o, k) => {
    const side = objectSide(o);
    const b = tallies[SIZE_BINS.findIndex(([lo, hi]) => side >= lo && side < hi)];
    b.objects++;
    for (let q = 0; q < n; q++) if (s.instances[q] === k + 1) {
      b.pixels++;
      if (pred[q] === o.label) b.right++;
    }
  });
  return tallies;
}

/** The tallies as the cards print them: [{size, objects, fraction}] per bin. */
export const sizeFractions = (tallies) => SIZE_BINS.map(([, , label], k) => ({ size: label, objects: tallies[k].objects, fraction: +(tallies[k].right / tallies[k].pixels).toFixed(4) }));
