import { Rng } from './rng.js';
import { cosDeg, sinDeg } from './trig.js';
import { BACKGROUNDS, paintBackground, type BackgroundKind, type Rgb } from './backgrounds.js';

/** The object classes, in label order: label k (1-based) is `CLASSES[k]`; label 0 is the background. */
export const CLASSES = ['background', 'circle', 'square', 'triangle'] as const;
export type ShapeClass = 'circle' | 'square' | 'triangle';
export const SHAPE_CLASSES: readonly ShapeClass[] = ['circle', 'square', 'triangle'];

/** A box `[x1, y1, x2, y2]` in pixels, torchvision's convention; x2, y2 exclusive (width = x2 - x1). */
export type Box = [number, number, number, number];

export interface SceneObject {
  /** Its value in `Scene.instances` (index in `objects` + 1). Objects are listed bottom to top. */
  id: number;
  /** 1 circle, 2 square, 3 triangle (`CLASSES[label]`). */
  label: number;
  className: ShapeClass;
  /** Tight box around the visible pixels: `[minX, minY, maxX + 1, maxY + 1]`. */
  box: Box;
  /** Visible pixels (after occlusion by objects above it). */
  area: number;
  /** Pixels of the whole shape before occlusion. */
  fullArea: number;
  color: Rgb;
  /** Geometry: the shape's bounding square in pixels (left, top, side) and, for triangles, its rotation in degrees. */
  shape: { left: number; top: number; size: number; angle: number };
}

export interface Scene {
  seed: number;
  width: number;
  height: number;
  /** RGB bytes, row-major, `height * width * 3`. */
  image: Uint8ClampedArray;
  /** Class label of every pixel (0 = background), `height * width`. */
  semantic: Uint8Array;
  /** Instance id of every pixel (0 = background, k = `objects[k - 1]`), `height * width`. */
  instances: Uint8Array;
  objects: SceneObject[];
  background: BackgroundKind;
  /** Pairs of object indices of the same class whose masks touch (4-neighbours) without overlapping. */
  touching: [number, number][];
}

export interface SceneOptions {
  /** Side of the square image in pixels, 16 to 1024 (default 128). */
  size?: number;
  /** Number of objects, or an inclusive range to draw it from (default [2, 6]; at most 40). */
  count?: number | [number, number];
  /** Classes to draw from (default all three). */
  classes?: readonly ShapeClass[];
  /** Background kind, or a list to draw it from (default every kind). */
  background?: BackgroundKind | readonly BackgroundKind[];
  /** Smallest and largest object side in pixels (default 10 and 60, scaled by size / 128). */
  minSize?: number;
  maxSize?: number;
  /**
   * Whether the scene includes two touching objects of the same class (true / false), or the
   * probability that it does (default 0.35). Needs a count of at least 2.
   */
  touching?: boolean | number;
}

/** A shape rasterised into its own bitmap, placed at integer offset (x0, y0). */
interface Raster {
  x0: number;
  y0: number;
  w: number;
  h: number;
  bits: Uint8Array;
  area: number;
}

/** Pixel (i, j) of a d x d square belongs to the shape when its centre (i + 0.5, j + 0.5) is inside. */
function rasterShape(cls: ShapeClass, d: number, angle: number): Raster {
  const bits = new Uint8Array(d * d);
  let area = 0;
  if (cls === 'square') {
    bits.fill(1);
    area = d * d;
  } else if (cls === 'circle') {
    // (2i + 1 - d)^2 + (2j + 1 - d)^2 <= d^2: the centre test scaled by 4, in integers.
    for (let j = 0; j < d; j++)
      for (let i = 0; i < d; i++) {
        const a = 2 * i + 1 - d;
        const b = 2 * j + 1 - d;
        if (a * a + b * b <= d * d) {
          bits[j * d + i] = 1;
          area++;
        }
      }
  } else {
    // Equilateral triangle inscribed in the circle of diameter d, rotated by `angle` degrees.
    const r = d / 2;
    const vx: number[] = [];
    const vy: number[] = [];
    for (let k = 0; k < 3; k++) {
      vx.push(r + r * sinDeg(angle + 120 * k));
      vy.push(r - r * cosDeg(angle + 120 * k));
    }
    for (let j = 0; j < d; j++)
      for (let i = 0; i < d; i++) {
        const px = i + 0.5;
        const py = j + 0.5;
        let pos = 0;
        let neg = 0;
        for (let k = 0; k < 3; k++) {
          const k2 = (k + 1) % 3;
          const e = (vx[k2] - vx[k]) * (py - vy[k]) - (vy[k2] - vy[k]) * (px - vx[k]);
          if (e > 0) pos++;
          else if (e < 0) neg++;
        }
        if (pos === 0 || neg === 0) {
          bits[j * d + i] = 1;
          area++;
        }
      }
  }
  return { x0: 0, y0: 0, w: d, h: d, bits, area };
}

function clampInt(v: unknown, lo: number, hi: number, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`scene(): ${name} must be a number, got ${String(v)}`);
  const r = Math.round(v);
  if (r < lo || r > hi) throw new RangeError(`scene(): ${name} must be between ${lo} and ${hi}, got ${v}`);
  return r;
}

/** Resolved, validated options (exported for the data set writer's metadata). */
export function resolveOptions(options: SceneOptions = {}) {
  const size = clampInt(options.size, 16, 1024, 128, 'size');
  const scale = size / 128;
  let countRange: [number, number];
  if (Array.isArray(options.count)) {
    countRange = [clampInt(options.count[0], 0, 40, 2, 'count[0]'), clampInt(options.count[1], 0, 40, 6, 'count[1]')];
    if (countRange[0] > countRange[1]) throw new RangeError(`scene(): count range [${options.count}] is empty`);
  } else {
    const c = clampInt(options.count, 0, 40, -1, 'count');
    countRange = c < 0 ? [2, 6] : [c, c];
  }
  const classes = options.classes ?? SHAPE_CLASSES;
  if (!classes.length || classes.some((c) => !SHAPE_CLASSES.includes(c)))
    throw new RangeError(`scene(): classes must be a non-empty list of ${SHAPE_CLASSES.join(', ')}; got ${JSON.stringify(classes)}`);
  const bgs = options.background === undefined ? BACKGROUNDS : typeof options.background === 'string' ? [options.background] : options.background;
  if (!bgs.length || bgs.some((b) => !BACKGROUNDS.includes(b)))
    throw new RangeError(`scene(): background must be one of ${BACKGROUNDS.join(', ')}; got ${JSON.stringify(options.background)}`);
  const minSize = clampInt(options.minSize, 4, size, Math.max(4, Math.round(10 * scale)), 'minSize');
  const maxSize = clampInt(options.maxSize, minSize, size, Math.max(minSize, Math.min(size, Math.round(60 * scale))), 'maxSize');
  const t = options.touching;
  const touching = t === undefined ? 0.35 : t === true ? 1 : t === false ? 0 : Math.min(1, Math.max(0, Number(t) || 0));
  return { size, countRange, classes: [...classes], backgrounds: [...bgs], minSize, maxSize, touching };
}

/** Whether two colours are far enough apart to tell by eye (sum of absolute channel differences). */
function distinct(a: Rgb, b: Rgb, min: number): boolean {
  return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) >= min;
}

/**
 * A seeded scene of circles, squares and triangles: the same seed and options give the same bytes
 * in every JavaScript engine (own PRNG, integer and basic-arithmetic rasterisation, no Math.sin).
 *
 * Objects are drawn bottom to top; an object partly hidden by later ones keeps only its visible
 * pixels in `instances` (and at least half of its shape stays visible). With probability
 * `options.touching`, the two topmost objects are a pair of the same class whose masks touch.
 */
export function scene(seed: number, options: SceneOptions = {}): Scene {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`scene(): seed must be an integer in [0, 2^32), got ${seed}`);
  const o = resolveOptions(options);
  const rng = new Rng(seed);
  const W = o.size;
  const H = o.size;
  const n = W * H;
  const count = rng.int(o.countRange[0], o.countRange[1]);
  const background = rng.pick(o.backgrounds);
  const wantTouching = count >= 2 && rng.next() < o.touching;
  const image = new Uint8ClampedArray(n * 3);
  paintBackground(image, W, H, background, rng);
  const bg = image.slice();
  const instances = new Uint8Array(n);
  const full: number[] = []; // whole-shape area per object
  const visible: number[] = [];
  const placed: { cls: ShapeClass; raster: Raster; angle: number; color: Rgb }[] = [];

  // Pixels of each existing object that raster r (at its offset) would cover.
  const covered = (r: Raster) => {
    const hit = new Array<number>(placed.length).fill(0);
    for (let j = 0; j < r.h; j++) {
      const row = (r.y0 + j) * W + r.x0;
      for (let i = 0; i < r.w; i++) if (r.bits[j * r.w + i]) {
        const id = instances[row + i];
        if (id) hit[id - 1]++;
      }
    }
    return hit;
  };
  const fits = (r: Raster) => r.x0 >= 0 && r.y0 >= 0 && r.x0 + r.w <= W && r.y0 + r.h <= H;
  // An object may be covered as long as at least half of it (and 12 pixels) stays visible.
  const keepsOthersVisible = (hit: number[]) => hit.every((c, k) => visible[k] - c >= Math.max(12, full[k] / 2));

  const commit = (cls: ShapeClass, r: Raster, angle: number, avoid: number[] = []) => {
    // A colour that stands out from the background under the shape and from what it overlaps.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    const under = new Uint8Array(placed.length + 1);
    for (let j = 0; j < r.h; j++)
      for (let i = 0; i < r.w; i++) if (r.bits[j * r.w + i]) {
        const p = (r.y0 + j) * W + r.x0 + i;
        s0 += bg[3 * p];
        s1 += bg[3 * p + 1];
        s2 += bg[3 * p + 2];
        under[instances[p]] = 1;
      }
    const sum: Rgb = [Math.round(s0 / r.area), Math.round(s1 / r.area), Math.round(s2 / r.area)];
    const below: number[] = [];
    for (let k = 1; k < under.length; k++) if (under[k]) below.push(k - 1);
    let color: Rgb = [0, 0, 0];
    for (let attempt = 0; attempt < 24; attempt++) {
      color = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
      if (distinct(color, sum, 160) && [...below, ...avoid].every((k) => distinct(color, placed[k].color, 120))) break;
      if (attempt === 23) color = sum.map((v) => (v < 128 ? 255 : 0)) as Rgb;
    }
    const id = placed.length + 1;
    for (let j = 0; j < r.h; j++)
      for (let i = 0; i < r.w; i++) if (r.bits[j * r.w + i]) {
        const p = (r.y0 + j) * W + r.x0 + i;
        if (instances[p]) visible[instances[p] - 1]--;
        instances[p] = id;
        image[3 * p] = color[0];
        image[3 * p + 1] = color[1];
        image[3 * p + 2] = color[2];
      }
    placed.push({ cls, raster: r, angle, color });
    full.push(r.area);
    visible.push(r.area);
  };

  const newShape = (cls: ShapeClass, shrink: number) => {
    const hi = Math.max(o.minSize, o.maxSize - shrink);
    const d = rng.int(o.minSize, hi);
    const angle = cls === 'triangle' ? rng.int(0, 359) : 0;
    return { r: rasterShape(cls, d, angle), angle };
  };

  const free = wantTouching ? count - 2 : count;
  for (let k = 0; k < free; k++) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const cls = rng.pick(o.classes);
      const { r, angle } = newShape(cls, Math.floor(attempt / 20) * 4);
      r.x0 = rng.int(0, W - r.w);
      r.y0 = rng.int(0, H - r.h);
      if (keepsOthersVisible(covered(r))) {
        commit(cls, r, angle);
        break;
      }
    }
  }

  const touching: [number, number][] = [];
  if (wantTouching) {
    pair: for (let attempt = 0; attempt < 100; attempt++) {
      const cls = rng.pick(o.classes);
      const a = newShape(cls, Math.floor(attempt / 10) * 4);
      a.r.x0 = rng.int(0, W - a.r.w);
      a.r.y0 = rng.int(0, H - a.r.h);
      const hitA = covered(a.r);
      if (!keepsOthersVisible(hitA)) continue;
      const b = newShape(cls, Math.floor(attempt / 10) * 4);
      // Start with b centred on a, then slide it one pixel at a time along an axis until it no longer
      // overlaps a: the last overlapping pixel and its shifted copy are 4-neighbours, so they touch.
      const dir = rng.int(0, 3);
      for (let turn = 0; turn < 4; turn++) {
        const [dx, dy] = [[1, 0], [0, 1], [-1, 0], [0, -1]][(dir + turn) % 4];
        const r = { ...b.r, x0: a.r.x0 + ((a.r.w - b.r.w) >> 1), y0: a.r.y0 + ((a.r.h - b.r.h) >> 1) };
        const overlapsA = () => {
          for (let j = 0; j < r.h; j++)
            for (let i = 0; i < r.w; i++) {
              if (!r.bits[j * r.w + i]) continue;
              const ai = r.x0 + i - a.r.x0;
              const aj = r.y0 + j - a.r.y0;
              if (ai >= 0 && aj >= 0 && ai < a.r.w && aj < a.r.h && a.r.bits[aj * a.r.w + ai]) return true;
            }
          return false;
        };
        if (!overlapsA()) continue;
        while (overlapsA()) {
          r.x0 += dx;
          r.y0 += dy;
        }
        if (!fits(r)) continue;
        // a and b are disjoint, so what they hide of each object below is the sum of the two.
        const hitB = covered(r);
        if (keepsOthersVisible(hitA.map((h, k) => h + hitB[k]))) {
          commit(cls, a.r, a.angle);
          commit(cls, r, b.angle, [placed.length - 1]);
          touching.push([placed.length - 2, placed.length - 1]);
          break pair;
        }
      }
    }
  }

  const semantic = new Uint8Array(n);
  const m = placed.length;
  const labelOf = Uint8Array.from([0, ...placed.map((q) => CLASSES.indexOf(q.cls))]);
  const bx1 = new Int32Array(m + 1).fill(W);
  const by1 = new Int32Array(m + 1).fill(H);
  const bx2 = new Int32Array(m + 1).fill(-1);
  const by2 = new Int32Array(m + 1).fill(-1);
  const areas = new Int32Array(m + 1);
  for (let y = 0, p = 0; y < H; y++)
    for (let x = 0; x < W; x++, p++) {
      const id = instances[p];
      if (!id) continue;
      semantic[p] = labelOf[id];
      areas[id]++;
      if (x < bx1[id]) bx1[id] = x;
      if (x > bx2[id]) bx2[id] = x;
      if (y < by1[id]) by1[id] = y;
      by2[id] = y;
    }
  const boxes = placed.map((_, k) => [bx1[k + 1], by1[k + 1], bx2[k + 1], by2[k + 1]]);
  const objects: SceneObject[] = placed.map((p, k) => ({
    id: k + 1,
    label: CLASSES.indexOf(p.cls),
    className: p.cls,
    box: [boxes[k][0], boxes[k][1], boxes[k][2] + 1, boxes[k][3] + 1],
    area: areas[k + 1],
    fullArea: full[k],
    color: p.color,
    shape: { left: p.raster.x0, top: p.raster.y0, size: p.raster.w, angle: p.angle },
  }));
  return { seed, width: W, height: H, image, semantic, instances, objects, background, touching };
}

/** The binary mask (1 = visible pixel of the object) of `scene.objects[index]`, `height * width`. */
export function objectMask(s: Scene, index: number): Uint8Array {
  const id = index + 1;
  const m = new Uint8Array(s.width * s.height);
  for (let p = 0; p < m.length; p++) m[p] = s.instances[p] === id ? 1 : 0;
  return m;
}

/** The scene's image as RGBA bytes (for ImageData). */
export function toRgba(s: Scene, out = new Uint8ClampedArray(s.width * s.height * 4)): Uint8ClampedArray {
  for (let p = 0, n = s.width * s.height; p < n; p++) {
    out[4 * p] = s.image[3 * p];
    out[4 * p + 1] = s.image[3 * p + 1];
    out[4 * p + 2] = s.image[3 * p + 2];
    out[4 * p + 3] = 255;
  }
  return out;
}
