import type { Rng } from './rng.js';
import { TEXTURE_DATA, TEXTURE_SIZE } from './textures-data.js';

/** Every background a scene can have. */
export const BACKGROUNDS = ['flat', 'gradient', 'noise', 'brick', 'grass', 'gravel'] as const;
export type BackgroundKind = (typeof BACKGROUNDS)[number];
export type Rgb = [number, number, number];

const textures = new Map<string, Uint8Array>();

/** A texture's 128x128 grey bytes, decoded from base64 once (no image decoder involved). */
export function texturePixels(name: 'brick' | 'grass' | 'gravel'): Uint8Array {
  let t = textures.get(name);
  if (!t) {
    const s = atob(TEXTURE_DATA[name]);
    t = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) t[i] = s.charCodeAt(i);
    textures.set(name, t);
  }
  return t;
}

export function randomColour(rng: Rng): Rgb {
  return [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
}

/** Mirror-tiles an index into [0, n): 0 1 … n-1 n-1 … 1 0 0 1 …, so crops have no seams. */
function reflect(i: number, n: number): number {
  const m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

/** Paints background `kind` into `rgb` (RGB bytes, w x h), drawing every random number from `rng`. */
export function paintBackground(rgb: Uint8ClampedArray, w: number, h: number, kind: BackgroundKind, rng: Rng): void {
  const n = w * h;
  if (kind === 'flat') {
    const c = randomColour(rng);
    for (let i = 0; i < n; i++) {
      rgb[3 * i] = c[0];
      rgb[3 * i + 1] = c[1];
      rgb[3 * i + 2] = c[2];
    }
    return;
  }
  if (kind === 'gradient') {
    const c0 = randomColour(rng);
    const c1 = randomColour(rng);
    // Direction: an integer vector, so t is an exact rational; rounding is Math.round of exact doubles.
    let dx = rng.int(-4, 4);
    const dy = rng.int(-4, 4);
    if (dx === 0 && dy === 0) dx = 1;
    const corners = [0, dx * (w - 1), dy * (h - 1), dx * (w - 1) + dy * (h - 1)];
    const lo = Math.min(...corners);
    const span = Math.max(...corners) - lo;
    for (let y = 0, i = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i++) {
        const t = x * dx + y * dy - lo;
        for (let c = 0; c < 3; c++) rgb[3 * i + c] = c0[c] + Math.round(((c1[c] - c0[c]) * t) / span);
      }
    }
    return;
  }
  if (kind === 'noise') {
    // Value noise: random grey levels on a lattice, bilinearly interpolated in integers, plus grain.
    const c0 = randomColour(rng);
    const c1 = randomColour(rng);
    const cell = rng.int(6, 20);
    const gw = Math.floor((w - 1) / cell) + 2;
    const gh = Math.floor((h - 1) / cell) + 2;
    const lattice = new Uint8Array(gw * gh);
    for (let i = 0; i < lattice.length; i++) lattice[i] = rng.int(0, 255);
    const grain = rng.int(0, 40);
    const cc = cell * cell;
    for (let y = 0, i = 0; y < h; y++) {
      const gy = Math.floor(y / cell);
      const fy = y - gy * cell;
      for (let x = 0; x < w; x++, i++) {
        const gx = Math.floor(x / cell);
        const fx = x - gx * cell;
        const a = lattice[gy * gw + gx];
        const b = lattice[gy * gw + gx + 1];
        const c = lattice[(gy + 1) * gw + gx];
        const d = lattice[(gy + 1) * gw + gx + 1];
        const top = a * (cell - fx) + b * fx;
        const bottom = c * (cell - fx) + d * fx;
        let v = Math.floor((top * (cell - fy) + bottom * fy) / cc);
        if (grain) v = Math.min(255, Math.max(0, v + rng.int(-grain, grain)));
        for (let k = 0; k < 3; k++) rgb[3 * i + k] = c0[k] + Math.round(((c1[k] - c0[k]) * v) / 255);
      }
    }
    return;
  }
  // A crop of a texture photo: random offset in the mirror-tiled plane, one of 8 orientations, tinted.
  const tex = texturePixels(kind);
  const S = TEXTURE_SIZE;
  const ox = rng.int(0, 2 * S - 1);
  const oy = rng.int(0, 2 * S - 1);
  const orient = rng.int(0, 7);
  const tint: Rgb = [rng.int(110, 255), rng.int(110, 255), rng.int(110, 255)];
  const lift = rng.int(0, 60);
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      let u = orient & 1 ? w - 1 - x : x;
      let v = orient & 2 ? h - 1 - y : y;
      if (orient & 4) [u, v] = [v, u];
      const g = tex[reflect(v + oy, S) * S + reflect(u + ox, S)];
      const level = lift + Math.floor((g * (255 - lift)) / 255);
      for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.floor((tint[k] * level) / 255);
    }
  }
}
