// Per-object scoring of a segmenter's class map on a generated scene (@convlab/scenes), shared by
// train/evaluate-fcn.mjs (the card's figures) and test-node/fcn.test.mjs (the lesson's property,
// measured in the test): the fraction of each object's pixels given its class, binned by the object's
// size (its box's longer side), pooled and class-balanced; and the same for "blind" pixels, whose
// whole receptive field lies inside their own object (the field sees one flat colour, no outline).

/** [lowest side, first side above, label] in pixels. */
export const SIZE_BINS = [[0, 24, 'small (side < 24 px)'], [24, 40, 'medium (24-39 px)'], [40, Infinity, 'large (>= 40 px)']];

/** Object classes of the scenes (label 1..3; 0 is the background). */
const OBJECT_LABELS = [1, 2, 3];

const tally = () => ({ objects: 0, pixels: 0, right: 0, classPixels: [0, 0, 0, 0], classRight: [0, 0, 0, 0] });

/** Empty tallies, one per size bin. */
export const sizeTallies = () => SIZE_BINS.map(tally);

/** The longer side of an object's box (x1, y1, x2, y2; x2, y2 exclusive). */
export const objectSide = (o) => Math.max(o.box[2] - o.box[0], o.box[3] - o.box[1]);

function count(t, label, ok) {
  t.pixels++;
  t.classPixels[label]++;
  if (ok) {
    t.right++;
    t.classRight[label]++;
  }
}

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
    for (let q = 0; q < n; q++) if (s.instances[q] === k + 1) count(b, o.label, pred[q] === o.label);
  });
  return tallies;
}

/**
 * The pixels of a scene's objects whose (2 r + 1)-square field (r = (field - 1) / 2) lies wholly inside
 * their own object (and the image): a network with that field sees one flat colour there. Row-major
 * indices, with their object's label.
 */
export function blindPixels(s, r) {
  const { width: W, height: H } = s;
  const out = [];
  for (let y = r; y < H - r; y++) for (let x = r; x < W - r; x++) {
    const id = s.instances[y * W + x];
    if (!id) continue;
    let inside = true;
    for (let dy = -r; dy <= r && inside; dy++) for (let dx = -r; dx <= r; dx++) if (s.instances[(y + dy) * W + x + dx] !== id) {
      inside = false;
      break;
    }
    if (inside) out.push([y * W + x, s.objects[id - 1].label]);
  }
  return out;
}

/** Empty tallies of blind pixels. */
export const blindTally = tally;

/** Adds the blind pixels of a scene (from blindPixels) to a tally: how many `pred` gets right. */
export function tallyBlind(t, pixels, pred) {
  for (const [q, label] of pixels) count(t, label, pred[q] === label);
  return t;
}

/** Mean over the object classes (those with at least `min` pixels) of the fraction of their pixels right. */
export function classBalanced(t, min = 1) {
  const fr = OBJECT_LABELS.filter((c) => t.classPixels[c] >= min).map((c) => t.classRight[c] / t.classPixels[c]);
  return fr.length ? fr.reduce((a, b) => a + b, 0) / fr.length : NaN;
}

/**
 * The tallies as the cards print them: [{size, objects, fraction, balanced}] per bin; `balanced` is
 * class-balanced (the mean of circle, square and triangle's fractions), which a net that guesses one
 * class wherever it cannot tell does not inflate.
 */
export const sizeFractions = (tallies) => SIZE_BINS.map(([, , label], k) => ({
  size: label,
  objects: tallies[k].objects,
  fraction: +(tallies[k].right / tallies[k].pixels).toFixed(4),
  balanced: +classBalanced(tallies[k]).toFixed(4),
}));
