/**
 * The sample images of <gram-style>: CC0 photos for the content, and textures for the style (the
 * grey CC0 textures, and two colourful patterns drawn here by seeded code, so that a style's colours
 * can be seen to move into the photo).
 */
import { texturePixels } from '@convlab/scenes';
import { mulberry32 } from '@convlab/tensor';

export interface Sample {
  name: string;
  label: string;
  /** A URL, or a function that draws the image (ImageData). */
  src: string | (() => ImageData);
}

// Written out per file so that bundlers see and copy them.
const PHOTO = {
  chelsea: new URL('../assets/chelsea.jpg', import.meta.url).href,
  coffee: new URL('../assets/coffee.jpg', import.meta.url).href,
  astronaut: new URL('../assets/astronaut.jpg', import.meta.url).href,
  brick: new URL('../assets/brick.jpg', import.meta.url).href,
};

/** A 128x128 grey texture of @convlab/scenes as RGBA. */
function grey(name: 'grass' | 'gravel'): () => ImageData {
  return () => {
    const g = texturePixels(name);
    const out = new ImageData(128, 128);
    for (let i = 0; i < g.length; i++) {
      out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = g[i];
      out.data[4 * i + 3] = 255;
    }
    return out;
  };
}

/** Stained glass: Voronoi cells in a warm and blue palette, with dark lead lines between them. */
export function mosaic(size = 256, seed = 7): ImageData {
  const next = mulberry32(seed);
  const palette = [
    [214, 69, 65], [242, 156, 56], [247, 220, 111], [52, 110, 183], [36, 59, 120], [88, 163, 153], [233, 236, 239],
  ];
  const n = 60;
  const pts = Array.from({ length: n }, () => ({ x: next() * size, y: next() * size, c: palette[Math.floor(next() * palette.length)] }));
  const out = new ImageData(size, size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d1 = Infinity,
        d2 = Infinity,
        best = pts[0];
      for (const p of pts) {
        const d = (p.x - x) ** 2 + (p.y - y) ** 2;
        if (d < d1) {
          d2 = d1;
          d1 = d;
          best = p;
        } else if (d < d2) d2 = d;
      }
      const edge = Math.sqrt(d2) - Math.sqrt(d1) < 2.2;
      const i = 4 * (y * size + x);
      const shade = 0.85 + 0.15 * Math.sin(x * 0.3 + y * 0.2);
      out.data[i] = edge ? 25 : best.c[0] * shade;
      out.data[i + 1] = edge ? 22 : best.c[1] * shade;
      out.data[i + 2] = edge ? 30 : best.c[2] * shade;
      out.data[i + 3] = 255;
    }
  }
  return out;
}

/** Swirling bands of blue, teal and cream, with short brush-like strokes. */
export function waves(size = 256, seed = 3): ImageData {
  const next = mulberry32(seed);
  const ph = Array.from({ length: 4 }, () => next() * 6.28);
  const out = new ImageData(size, size);
  const cols = [[20, 42, 95], [38, 110, 160], [120, 190, 200], [240, 232, 205]];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size,
        v = y / size;
      const t = Math.sin(9 * v + 3 * Math.sin(6 * u + ph[0]) + ph[1]) * 0.5 + 0.5;
      const stroke = 0.08 * Math.sin(60 * (u + 0.3 * v) + 4 * Math.sin(20 * v + ph[2]));
      const s = Math.min(0.999, Math.max(0, t + stroke)) * (cols.length - 1);
      const k = Math.floor(s),
        f = s - k;
      const a = cols[k],
        b = cols[Math.min(k + 1, cols.length - 1)];
      const i = 4 * (y * size + x);
      for (let c = 0; c < 3; c++) out.data[i + c] = a[c] + (b[c] - a[c]) * f;
      out.data[i + 3] = 255;
    }
  }
  return out;
}

export const CONTENT_SAMPLES: readonly Sample[] = [
  { name: 'chelsea', label: 'Cat (photo)', src: PHOTO.chelsea },
  { name: 'coffee', label: 'Coffee (photo)', src: PHOTO.coffee },
  { name: 'astronaut', label: 'Astronaut (photo)', src: PHOTO.astronaut },
];

export const STYLE_SAMPLES: readonly Sample[] = [
  { name: 'mosaic', label: 'Mosaic (drawn by code)', src: () => mosaic() },
  { name: 'waves', label: 'Waves (drawn by code)', src: () => waves() },
  { name: 'brick', label: 'Brick (grey texture)', src: PHOTO.brick },
  { name: 'grass', label: 'Grass (grey texture)', src: grey('grass') },
  { name: 'gravel', label: 'Gravel (grey texture)', src: grey('gravel') },
];

/** Every sample by name (content and style images can be used in either role). */
export const SAMPLES: Record<string, Sample> = Object.fromEntries([...CONTENT_SAMPLES, ...STYLE_SAMPLES].map((s) => [s.name, s]));
