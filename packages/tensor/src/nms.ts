/**
 * Non-maximum suppression, torchvision's semantics (`torchvision.ops.nms`, `batched_nms`): a box is
 * dropped only when its IoU with an already kept box is strictly greater than the threshold.
 * TF.js's `tf.image.nonMaxSuppression` drops it at equality too (`iou >= threshold`), and takes
 * boxes as `[y1, x1, y2, x2]`; at an IoU exactly equal to the threshold the two keep different boxes.
 */
import { tf, type Tensor1D, type Tensor2D } from './tf.js';

type Boxes = Tensor2D | readonly (readonly number[])[] | ArrayLike<number>;
type Scores = Tensor1D | ArrayLike<number>;

async function flatBoxes(b: Boxes): Promise<Float32Array> {
  if (b instanceof tf.Tensor) return Float32Array.from(await b.data());
  const first = (b as ArrayLike<unknown>)[0];
  if (Array.isArray(first)) return Float32Array.from((b as readonly (readonly number[])[]).flat());
  return Float32Array.from(b as ArrayLike<number>);
}

async function flatScores(s: Scores): Promise<Float32Array> {
  return s instanceof tf.Tensor ? Float32Array.from(await s.data()) : Float32Array.from(s);
}

/**
 * The greedy loop on plain arrays (boxes flattened, 4 numbers per box), in float32 like
 * torchvision's CPU kernel: visit boxes by decreasing score (equal scores: lower index first), keep
 * a box unless IoU(box, kept) > iouThreshold for some kept box. Returns kept indices by decreasing score.
 */
export function nmsIndices(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number): number[] {
  const f = Math.fround;
  const n = scores.length;
  if (boxes.length !== 4 * n) throw new RangeError(`nms(): ${boxes.length / 4} boxes but ${n} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const area = new Float32Array(n);
  for (let i = 0; i < n; i++) area[i] = f(f(boxes[4 * i + 2] - boxes[4 * i]) * f(boxes[4 * i + 3] - boxes[4 * i + 1]));
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  const thr = f(iouThreshold);
  for (let a = 0; a < n; a++) {
    const i = order[a];
    if (suppressed[i]) continue;
    keep.push(i);
    for (let b = a + 1; b < n; b++) {
      const j = order[b];
      if (suppressed[j]) continue;
      const w = Math.max(0, f(Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j])));
      const h = Math.max(0, f(Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1])));
      const inter = f(w * h);
      const iou = f(inter / f(f(area[i] + area[j]) - inter));
      if (iou > thr) suppressed[j] = 1;
    }
  }
  return keep;
}

/**
 * `torchvision.ops.nms(boxes, scores, iouThreshold)`: boxes `[N, 4]` as `[x1, y1, x2, y2]`, scores
 * `[N]`; the indices of the kept boxes, by decreasing score. Drops a box only when its IoU with a
 * kept box is > iouThreshold (strictly). Tensors are read asynchronously; arrays are used as they are.
 */
export async function nms(boxes: Boxes, scores: Scores, iouThreshold: number): Promise<number[]> {
  return nmsIndices(await flatBoxes(boxes), await flatScores(scores), iouThreshold);
}

/**
 * `torchvision.ops.batched_nms`: NMS within each class only (boxes of different classes never
 * suppress each other). Returns kept indices by decreasing score (equal scores: lower index first).
 */
export async function batchedNms(boxes: Boxes, scores: Scores, classes: Tensor1D | ArrayLike<number>, iouThreshold: number): Promise<number[]> {
  const b = await flatBoxes(boxes);
  const s = await flatScores(scores);
  const c = classes instanceof tf.Tensor ? await classes.data() : classes;
  if (c.length !== s.length) throw new RangeError(`batchedNms(): ${s.length} scores but ${c.length} classes`);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < s.length; i++) {
    const g = groups.get(c[i]) ?? [];
    g.push(i);
    groups.set(c[i], g);
  }
  const keep: number[] = [];
  for (const idx of groups.values()) {
    const gb = new Float32Array(idx.length * 4);
    idx.forEach((i, k) => gb.set(b.subarray(4 * i, 4 * i + 4), 4 * k));
    for (const k of nmsIndices(gb, idx.map((i) => s[i]), iouThreshold)) keep.push(idx[k]);
  }
  return keep.sort((x, y) => s[y] - s[x] || x - y);
}
