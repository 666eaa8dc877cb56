/**
 * Boxes, the torchvision way. A box is `[x1, y1, x2, y2]` in pixels (torchvision's convention;
 * width = x2 - x1, no "+ 1"), rows of an `[N, 4]` tensor. TF.js's image ops (cropAndResize,
 * nonMaxSuppression) use `[y1, x1, y2, x2]`: convert at the edge with `xyxyToYxyx`, never inside the math.
 */
import { tf, type Tensor1D, type Tensor2D } from './tf.js';

/** torchvision's `BoxCoder` clamp: dw and dh are at most log(1000 / 16) before exp() when decoding. */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

export type BoxWeights = readonly [number, number, number, number];

function columns(b: Tensor2D): [Tensor2D, Tensor2D, Tensor2D, Tensor2D] {
  return tf.split(b, 4, 1) as [Tensor2D, Tensor2D, Tensor2D, Tensor2D];
}

/** A boxes argument as an `[N, 4]` float32 tensor (plain arrays are converted; tensors pass through). */
export function asBoxes(b: Tensor2D | readonly (readonly number[])[]): Tensor2D {
  if (b instanceof tf.Tensor) return b;
  return b.length ? tf.tensor2d(b as number[][], [b.length, 4], 'float32') : tf.zeros([0, 4]);
}

/** Area `(x2 - x1) * (y2 - y1)` of each box (torchvision `box_area`). `[N, 4]` -> `[N]`. */
export function boxArea(boxes: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = columns(boxes);
    return tf.reshape(tf.mul(tf.sub(x2, x1), tf.sub(y2, y1)), [-1]) as Tensor1D;
  });
}

/**
 * Pairwise intersection over union (torchvision `box_iou`): `[N, 4]` and `[M, 4]` -> `[N, M]`,
 * IoU = |a ∩ b| / (|a| + |b| - |a ∩ b|), the intersection `max(0, min(x2) - max(x1)) * max(0, min(y2) - max(y1))`.
 * Two empty boxes give 0 / 0 = NaN, as in torchvision.
 */
export function boxIou(a: Tensor2D, b: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const areaA = tf.reshape(boxArea(a), [-1, 1]);
    const areaB = tf.reshape(boxArea(b), [1, -1]);
    const [ax1, ay1, ax2, ay2] = columns(a); // [N, 1]
    const [bx1, by1, bx2, by2] = columns(b).map((c) => tf.reshape(c, [1, -1])); // [1, M]
    const w = tf.relu(tf.sub(tf.minimum(ax2, bx2), tf.maximum(ax1, bx1)));
    const h = tf.relu(tf.sub(tf.minimum(ay2, by2), tf.maximum(ay1, by1)));
    const inter = tf.mul(w, h);
    return tf.div(inter, tf.sub(tf.add(areaA, areaB), inter)) as Tensor2D;
  });
}

/**
 * The regression targets of boxes `gt` relative to `anchors` (torchvision `BoxCoder.encode_single`,
 * row by row; `[N, 4]`, `[N, 4]` -> `[N, 4]`), with w = x2 - x1 and centre x = x1 + w / 2:
 *   dx = wx (gx - ax) / aw,  dy = wy (gy - ay) / ah,  dw = ww log(gw / aw),  dh = wh log(gh / ah).
 * `weights` (wx, wy, ww, wh): the RPN uses (1, 1, 1, 1), Faster R-CNN's box head (10, 10, 5, 5).
 */
export function encodeBoxes(gt: Tensor2D, anchors: Tensor2D, weights: BoxWeights = [1, 1, 1, 1]): Tensor2D {
  return tf.tidy(() => {
    const [gx1, gy1, gx2, gy2] = columns(gt);
    const [ax1, ay1, ax2, ay2] = columns(anchors);
    const aw = tf.sub(ax2, ax1);
    const ah = tf.sub(ay2, ay1);
    const gw = tf.sub(gx2, gx1);
    const gh = tf.sub(gy2, gy1);
    const acx = tf.add(ax1, tf.mul(0.5, aw));
    const acy = tf.add(ay1, tf.mul(0.5, ah));
    const gcx = tf.add(gx1, tf.mul(0.5, gw));
    const gcy = tf.add(gy1, tf.mul(0.5, gh));
    const [wx, wy, ww, wh] = weights;
    return tf.concat(
      [
        tf.div(tf.mul(wx, tf.sub(gcx, acx)), aw),
        tf.div(tf.mul(wy, tf.sub(gcy, acy)), ah),
        tf.mul(ww, tf.log(tf.div(gw, aw))),
        tf.mul(wh, tf.log(tf.div(gh, ah))),
      ],
      1,
    ) as Tensor2D;
  });
}

/**
 * Boxes from regression deltas relative to `anchors` (torchvision `BoxCoder.decode_single`, one
 * delta row per anchor): dw and dh are divided by their weights and clamped at `clip`
 * (log(1000 / 16)) before exp(), then cx = dx aw + acx, w = exp(dw) aw, x1 = cx - w / 2, x2 = cx + w / 2.
 */
export function decodeBoxes(deltas: Tensor2D, anchors: Tensor2D, weights: BoxWeights = [1, 1, 1, 1], clip = BBOX_XFORM_CLIP): Tensor2D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = columns(anchors);
    const aw = tf.sub(x2, x1);
    const ah = tf.sub(y2, y1);
    const acx = tf.add(x1, tf.mul(0.5, aw));
    const acy = tf.add(y1, tf.mul(0.5, ah));
    const [ddx, ddy, ddw, ddh] = columns(deltas);
    const [wx, wy, ww, wh] = weights;
    const dw = tf.minimum(tf.div(ddw, ww), clip);
    const dh = tf.minimum(tf.div(ddh, wh), clip);
    const cx = tf.add(tf.mul(tf.div(ddx, wx), aw), acx);
    const cy = tf.add(tf.mul(tf.div(ddy, wy), ah), acy);
    const hw = tf.mul(0.5, tf.mul(tf.exp(dw), aw));
    const hh = tf.mul(0.5, tf.mul(tf.exp(dh), ah));
    return tf.concat([tf.sub(cx, hw), tf.sub(cy, hh), tf.add(cx, hw), tf.add(cy, hh)], 1) as Tensor2D;
  });
}

/** Clamps boxes into an image of `[height, width]` (torchvision `clip_boxes_to_image`). */
export function clipBoxes(boxes: Tensor2D, [height, width]: readonly [number, number]): Tensor2D {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = columns(boxes);
    const cx = (t: Tensor2D) => tf.clipByValue(t, 0, width);
    const cy = (t: Tensor2D) => tf.clipByValue(t, 0, height);
    return tf.concat([cx(x1), cy(y1), cx(x2), cy(y2)], 1) as Tensor2D;
  });
}

/** `[x1, y1, x2, y2]` -> TF.js's `[y1, x1, y2, x2]` (and back: the swap is its own inverse). */
export function xyxyToYxyx(boxes: Tensor2D): Tensor2D {
  return tf.tidy(() => tf.gather(boxes, tf.tensor1d([1, 0, 3, 2], 'int32'), 1) as Tensor2D);
}
