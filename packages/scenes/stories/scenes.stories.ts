import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { scene, drawScene, BACKGROUNDS, CLASSES, type Scene, type SceneOptions, type ShapeClass, type BackgroundKind } from '../src/index.js';

interface Args {
  seed: number;
  count: number;
  classes: ShapeClass[];
  background: 'any' | BackgroundKind;
  size: number;
  scale: number;
  touching: 'random' | 'always' | 'never';
}

function optionsOf(a: Args): SceneOptions {
  return {
    size: a.size,
    count: a.count > 0 ? a.count : undefined,
    classes: a.classes.length ? a.classes : undefined,
    background: a.background === 'any' ? undefined : a.background,
    touching: a.touching === 'random' ? undefined : a.touching === 'always',
  };
}

function describe(s: Scene): string {
  const list = s.objects.map((o) => `${o.className} at ${o.box.join(', ')}`).join('; ');
  return `Scene ${s.seed}: ${s.objects.length} objects on a ${s.background} background${list ? `: ${list}` : ''}.`;
}

function canvasFor(label: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.setAttribute('role', 'img');
  c.style.imageRendering = 'pixelated';
  c.style.maxWidth = '100%';
  c.dataset.view = label;
  return c;
}

function figure(title: string, canvas: HTMLCanvasElement): HTMLElement {
  const f = document.createElement('figure');
  f.style.margin = '0';
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  f.append(canvas, cap);
  return f;
}

/** Three views of one scene (image with boxes, instance masks, semantic map), a "New scene" button and the objects' table. */
function playground(a: Args): HTMLElement {
  const root = document.createElement('div');
  root.style.fontFamily = 'system-ui, sans-serif';
  const row = document.createElement('div');
  row.style.display = 'flex';
  row.style.flexWrap = 'wrap';
  row.style.gap = '12px';
  const views = [
    ['image and boxes', { boxes: true }],
    ['instance masks', { masks: true }],
    ['semantic map', { semantic: true }],
  ] as const;
  const canvases = views.map(([label]) => canvasFor(label));
  views.forEach(([label], i) => row.append(figure(label, canvases[i])));
  const bar = document.createElement('p');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'New scene';
  const timing = document.createElement('output');
  timing.setAttribute('aria-live', 'polite');
  timing.style.marginInlineStart = '1em';
  bar.append(button, timing);
  const table = document.createElement('table');
  table.style.borderCollapse = 'collapse';
  table.style.marginTop = '8px';
  let seed = a.seed;
  const show = () => {
    const t0 = performance.now();
    const s = scene(seed, optionsOf(a));
    const t1 = performance.now();
    views.forEach(([, o], i) => drawScene(canvases[i], s, { ...o, scale: a.scale }));
    const t2 = performance.now();
    canvases.forEach((c) => c.setAttribute('aria-label', `${c.dataset.view} of ${describe(s)}`));
    timing.textContent = `seed ${seed}: generated in ${(t1 - t0).toFixed(1)} ms, three views drawn in ${(t2 - t1).toFixed(1)} ms`;
    const pairs = new Set(s.touching.flat());
    table.innerHTML = '<caption style="text-align:start">Objects, bottom to top</caption><tr><th scope="col">id</th><th scope="col">class</th><th scope="col">box x1, y1, x2, y2</th><th scope="col">visible / full pixels</th><th scope="col">touching pair</th></tr>';
    for (const o of s.objects) {
      const tr = document.createElement('tr');
      for (const v of [o.id, CLASSES[o.label], o.box.join(', '), `${o.area} / ${o.fullArea}`, pairs.has(o.id - 1) ? 'yes' : '']) {
        const td = document.createElement('td');
        td.textContent = String(v);
        td.style.padding = '2px 10px 2px 0';
        tr.append(td);
      }
      table.append(tr);
    }
  };
  button.addEventListener('click', () => {
    seed++;
    show();
  });
  root.append(row, bar, table);
  show();
  return root;
}

function gallery(seeds: number[], options: (seed: number) => SceneOptions, draw: Parameters<typeof drawScene>[2]): HTMLElement {
  const root = document.createElement('div');
  root.style.display = 'flex';
  root.style.flexWrap = 'wrap';
  root.style.gap = '8px';
  root.style.fontFamily = 'system-ui, sans-serif';
  for (const seed of seeds) {
    const s = scene(seed, options(seed));
    const c = canvasFor('scene');
    drawScene(c, s, draw);
    c.setAttribute('aria-label', describe(s));
    root.append(figure(`seed ${seed}, ${s.background}`, c));
  }
  return root;
}

const meta: Meta<Args> = {
  title: 'Detection and segmentation/scenes',
  args: { seed: 0, count: 0, classes: ['circle', 'square', 'triangle'], background: 'any', size: 128, scale: 2, touching: 'random' },
  argTypes: {
    seed: { control: { type: 'number', min: 0, step: 1 } },
    count: { control: { type: 'range', min: 0, max: 12, step: 1 }, description: '0: from 2 to 6 at random' },
    classes: { control: 'inline-check', options: ['circle', 'square', 'triangle'] },
    background: { control: 'select', options: ['any', ...BACKGROUNDS] },
    size: { control: { type: 'range', min: 32, max: 256, step: 16 } },
    scale: { control: { type: 'range', min: 1, max: 4, step: 1 } },
    touching: { control: 'inline-radio', options: ['random', 'always', 'never'] },
  },
  render: (a) => playground(a),
};
export default meta;
type Story = StoryObj<Args>;

/** One scene, three views: the image with its boxes, the instance masks, the semantic map. */
export const Playground: Story = {};

/** Two touching squares: one blob in the semantic map, two instances. */
export const TouchingPair: Story = { name: 'Touching pair: semantic vs instance', args: { seed: 5, count: 2, classes: ['square'], touching: 'always', background: 'flat', scale: 3 } };

/** Many objects, so that occlusion happens: each object keeps at least half of itself visible. */
export const Crowded: Story = { args: { seed: 3, count: 10, scale: 3 } };

/** Every background kind: flat, gradient, value noise and crops of the CC0 brick, grass and gravel photos. */
export const Backgrounds: Story = {
  render: () => gallery([0, 1, 2, 3, 4, 5], (seed) => ({ background: BACKGROUNDS[seed] }), { boxes: true, scale: 2 }),
};

/** Twelve seeds as a data set would hold them, with boxes and instance masks. */
export const Gallery: Story = {
  render: () => gallery(Array.from({ length: 12 }, (_, i) => 100 + i), () => ({}), { boxes: true, masks: true, scale: 2 }),
};
