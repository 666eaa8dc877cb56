// Crops of generated scenes for the shapes crop classifier (issue 13 item 2), shared by
// make-crops.mjs (training files) and evaluate-crops.mjs (test accuracy): which boxes to cut from a
// scene, their labels (max-IoU object >= 0.5: its class; < 0.4: background; between: skipped) and
// box-regression targets (torchvision's BoxCoder with Fast R-CNN's weights 10, 10, 5, 5), and the
// crop pixels from @convlab/tensor's warpCrops (the function the widget uses: same sampling).
import { scene } from '@convlab/scenes';
import { mulberry32, warpCrops, iouOf } from '@convlab/tensor';
import { tf, useCpu } from './tf.mjs';

export const CROP = 32;
export const FG_IOU = 0.5;
export const BG_IOU = 0.4;
export const BOX_WEIGHTS = [10, 10, 5, 5];

/** BoxCoder.encode of gt relative to box (w = x2 - x1). */
export function encode([gx1, gy1, gx2, gy2], [ax1, ay1, ax2, ay2], [wx, wy, ww, wh] = BOX_WEIGHTS) {
  const aw = ax2 - ax1, ah = ay2 - ay1, gw = gx2 - gx1, gh = gy2 - gy1;
  return [wx * ((gx1 + gw / 2) - (ax1 + aw / 2)) / aw, wy * ((gy1 + gh / 2) - (ay1 + ah / 2)) / ah, ww * Math.log(gw / aw), wh * Math.log(gh / ah)];
}

/** BoxCoder.decode. */
export function decode([dx, dy, dw, dh], [ax1, ay1, ax2, ay2], [wx, wy, ww, wh] = BOX_WEIGHTS) {
  const aw = ax2 - ax1, ah = ay2 - ay1;
  const cx = (dx / wx) * aw + ax1 + aw / 2, cy = (dy / wy) * ah + ay1 + ah / 2;
  const w = Math.exp(Math.min(dw / ww, Math.log(1000 / 16))) * aw, h = Math.exp(Math.min(dh / wh, Math.log(1000 / 16))) * ah;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

function clip([x1, y1, x2, y2], S) {
  return [Math.max(0, x1), Math.max(0, y1), Math.min(S, x2), Math.min(S, y2)];
}

/** Boxes sampled around and away from the scene's objects, with labels and targets (seeded by the scene's seed). */
export function sampleBoxes(sc) {
  const rnd = mulberry32(sc.seed * 7919 + 17);
  const U = (a, b) => a + (b - a) * rnd();
  const S = sc.width;
  const cands = [];
  for (const o of sc.objects) {
    const [x1, y1, x2, y2] = o.box;
    const w = x2 - x1, h = y2 - y1, cx = x1 + w / 2, cy = y1 + h / 2;
    for (let k = 0; k < 2; k++) {
      // a proposal-like box: jittered centre and sides
      const jw = w * Math.exp(U(-0.25, 0.25)), jh = h * Math.exp(U(-0.25, 0.25));
      const jx = cx + U(-0.15, 0.15) * w, jy = cy + U(-0.15, 0.15) * h;
      cands.push([jx - jw / 2, jy - jh / 2, jx + jw / 2, jy + jh / 2]);
      // a window-like square around it
      const s = Math.max(w, h) * Math.exp(U(-0.2, 0.4));
      const sx = cx + U(-0.2, 0.2) * s, sy = cy + U(-0.2, 0.2) * s;
      cands.push([sx - s / 2, sy - s / 2, sx + s / 2, sy + s / 2]);
    }
    // a near miss: the box shifted by most of its size (a hard background)
    const ang = U(0, 2 * Math.PI), d = U(0.6, 1.1);
    cands.push([x1 + Math.cos(ang) * d * w, y1 + Math.sin(ang) * d * h, x2 + Math.cos(ang) * d * w, y2 + Math.sin(ang) * d * h]);
  }
  const nbg = 2 * sc.objects.length + 4;
  for (let k = 0; k < nbg; k++) {
    const s = Math.exp(U(Math.log(12), Math.log(96)));
    const a = k % 2 ? 1 : Math.exp(U(-0.5, 0.5));
    const w = s * a, h = s / a;
    const x = U(0, S - w), y = U(0, S - h);
    cands.push([x, y, x + w, y + h]);
  }
  const out = [];
  for (const c0 of cands) {
    const c = clip(c0, S);
    if (c[2] - c[0] < 6 || c[3] - c[1] < 6) continue;
    let best = -1, bi = 0;
    sc.objects.forEach((o, i) => {
      const v = iouOf(c, o.box);
      if (v > bi) { bi = v; best = i; }
    });
    if (bi >= FG_IOU) out.push({ box: c, label: sc.objects[best].label, target: encode(sc.objects[best].box, c), gt: sc.objects[best].box, iou: bi });
    else if (bi < BG_IOU) out.push({ box: c, label: 0, target: [0, 0, 0, 0], gt: null, iou: bi });
  }
  return out;
}

/** The scene as a [S, S, 3] float tensor in [0, 1]. */
export function sceneTensor(sc) {
  return tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(sc.image), [sc.height, sc.width, 3]), 255));
}

/** Crops of scene `seed`: { pixels: Float32Array [n, 32, 32, 3] in [0, 1], samples }. */
export async function sceneCrops(seed) {
  await useCpu();
  const sc = scene(seed);
  const samples = sampleBoxes(sc);
  const img = sceneTensor(sc);
  const crops = warpCrops(img, samples.map((s) => s.box), CROP);
  const pixels = await crops.data();
  img.dispose();
  crops.dispose();
  return { pixels, samples, scene: sc };
}
