import { expect } from '@open-wc/testing';
import { scene, sceneDigest, drawScene, composeScene, INSTANCE_COLOURS, CLASS_COLOURS, type Scene } from '../src/index.js';
// @ts-expect-error: plain ESM shared with the Node test
import { HASH_CASES } from './cases.mjs';

describe('@convlab/scenes in the browser', () => {
  it('gives byte-identical scenes to Node: the digests match test/fixtures/scene-hashes.json (written by Node)', async () => {
    const expected = await (await fetch(new URL('./fixtures/scene-hashes.json', import.meta.url))).json();
    for (const c of HASH_CASES as { name: string; seeds: number[]; options: object }[]) {
      expect(await sceneDigest(c.seeds.map((s) => scene(s, c.options))), c.name).to.equal(expected[c.name]);
    }
  });

  it('composeScene tints instances and classes, and outlines masks', () => {
    const s = scene(3, { count: 1, background: 'flat', classes: ['square'], minSize: 20, maxSize: 20 });
    const [x1, y1] = s.objects[0].box;
    const inside = ((y1 + 5) * s.width + x1 + 5) * 4;
    const edge = (y1 * s.width + x1) * 4;
    const plain = composeScene(s);
    expect([...plain.subarray(inside, inside + 3)]).to.deep.equal(s.objects[0].color);
    const masks = composeScene(s, { masks: true });
    expect([...masks.subarray(edge, edge + 3)]).to.deep.equal(INSTANCE_COLOURS[0]);
    const c = s.objects[0].color;
    const u8 = (v: number) => Uint8ClampedArray.of(v)[0]; // what a canvas byte holds: rounded, clamped
    expect(masks[inside]).to.equal(u8((c[0] + 2 * INSTANCE_COLOURS[0][0]) / 3));
    expect(masks[0]).to.equal(u8(s.image[0] / 3), 'background dimmed');
    const sem = composeScene(s, { semantic: true });
    expect(sem[inside]).to.equal(u8((c[0] * 2 + CLASS_COLOURS[2][0] * 3) / 5));
    expect(sem[0]).to.equal(u8(s.image[0] / 3), 'background dimmed');
  });

  it('drawScene paints the scene at a scale, with boxes in the instance colours', () => {
    const s = scene(8, { count: 3 });
    const canvas = document.createElement('canvas');
    drawScene(canvas, s, { scale: 3, boxes: true, labels: false });
    expect([canvas.width, canvas.height]).to.deep.equal([384, 384]);
    const ctx = canvas.getContext('2d')!;
    const top = s.objects[s.objects.length - 1];
    const [x1, y1, x2, y2] = top.box;
    const mid = ctx.getImageData(Math.floor(((x1 + x2) / 2) * 3), y1 * 3, 1, 1).data;
    expect([...mid.subarray(0, 3)]).to.deep.equal(INSTANCE_COLOURS[(top.id - 1) % INSTANCE_COLOURS.length]);
    const p = s.objects.length ? ((y1 + y2) >> 1) * s.width + ((x1 + x2) >> 1) : 0;
    if (s.instances[p] === top.id) {
      const px = ctx.getImageData(((x1 + x2) >> 1) * 3 + 1, ((y1 + y2) >> 1) * 3 + 1, 1, 1).data;
      expect([...px.subarray(0, 3)]).to.deep.equal(top.color);
    }
  });

  it('measures generation and drawing time for a "new scene" button (logged, not asserted)', async () => {
    const canvas = document.createElement('canvas');
    document.body.append(canvas);
    const scenes: Scene[] = [];
    for (let i = 0; i < 20; i++) drawScene(canvas, scene(i), { boxes: true, masks: true }); // warm up
    const n = 100;
    let t = performance.now();
    for (let i = 0; i < n; i++) scenes.push(scene(1000 + i));
    const gen = (performance.now() - t) / n;
    t = performance.now();
    for (const s of scenes) drawScene(canvas, s, { boxes: true, masks: true, scale: 1 });
    const draw = (performance.now() - t) / n;
    t = performance.now();
    for (const s of scenes) drawScene(canvas, s, { boxes: true, semantic: true, scale: 3 });
    const draw3 = (performance.now() - t) / n;
    canvas.remove();
    console.log(`scenes timing: generate ${gen.toFixed(2)} ms, drawScene 128x128 ${draw.toFixed(2)} ms, drawScene x3 ${draw3.toFixed(2)} ms (mean of ${n})`);
    expect(gen).to.be.greaterThan(0);
  });
});
