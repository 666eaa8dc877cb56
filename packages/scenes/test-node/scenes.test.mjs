// @convlab/scenes in Node: determinism (against the digests in test/fixtures, which the browser test
// checks too), the geometry of what a scene reports, the options and the split seed ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scene, sceneDigest, objectMask, toRgba, SPLITS, splitSeed, sinDeg, cosDeg, Rng, CLASSES, BACKGROUNDS } from '@convlab/scenes';
import { HASH_CASES } from '../test/cases.mjs';

const expected = JSON.parse(readFileSync(new URL('../test/fixtures/scene-hashes.json', import.meta.url), 'utf8'));

test('the same seeds give the digests in test/fixtures/scene-hashes.json (the browser test checks the same file)', async () => {
  assert.deepEqual(Object.keys(expected), HASH_CASES.map((c) => c.name));
  for (const c of HASH_CASES) assert.equal(await sceneDigest(c.seeds.map((s) => scene(s, c.options))), expected[c.name], c.name);
});

test('same seed, same bytes; another seed, another scene', async () => {
  assert.equal(await sceneDigest(scene(42)), await sceneDigest(scene(42)));
  assert.notEqual(await sceneDigest(scene(42)), await sceneDigest(scene(43)));
});

/** Checks everything a scene says about itself against its pixels. */
function checkScene(s) {
  const { width: W, height: H } = s;
  assert.equal(s.image.length, W * H * 3);
  const box = s.objects.map(() => [Infinity, Infinity, -Infinity, -Infinity]);
  const area = s.objects.map(() => 0);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const id = s.instances[p];
      assert.equal(s.semantic[p], id ? s.objects[id - 1].label : 0, `semantic = label of the instance at ${x},${y}`);
      if (!id) continue;
      const o = s.objects[id - 1];
      assert.deepEqual([s.image[3 * p], s.image[3 * p + 1], s.image[3 * p + 2]], o.color, 'an object pixel has its colour');
      area[id - 1]++;
      const b = box[id - 1];
      b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x + 1); b[3] = Math.max(b[3], y + 1);
    }
  s.objects.forEach((o, k) => {
    assert.equal(o.id, k + 1);
    assert.equal(CLASSES[o.label], o.className);
    assert.deepEqual(o.box, box[k], 'box is tight around the visible pixels, x2/y2 exclusive');
    assert.equal(o.area, area[k]);
    assert.ok(o.area >= 12 && o.area >= o.fullArea / 2, `object ${k} keeps at least half of itself visible (${o.area}/${o.fullArea})`);
    assert.equal(objectMask(s, k).reduce((a, v) => a + v, 0), o.area);
  });
  for (const [i, j] of s.touching) {
    assert.equal(s.objects[i].label, s.objects[j].label, 'touching objects share a class');
    let adjacent = false;
    for (let p = 0; p < W * H && !adjacent; p++) {
      if (s.instances[p] !== i + 1) continue;
      const x = p % W;
      adjacent = (x > 0 && s.instances[p - 1] === j + 1) || (x < W - 1 && s.instances[p + 1] === j + 1) || s.instances[p - W] === j + 1 || s.instances[p + W] === j + 1;
    }
    assert.ok(adjacent, `objects ${i} and ${j} are 4-neighbours somewhere`);
  }
}

test('boxes, areas, masks and the semantic map agree with the pixels (200 scenes)', () => {
  let occluded = 0;
  let touching = 0;
  const sizes = [];
  for (let seed = 0; seed < 200; seed++) {
    const s = scene(seed);
    checkScene(s);
    occluded += s.objects.filter((o) => o.area < o.fullArea).length;
    touching += s.touching.length;
    sizes.push(...s.objects.map((o) => o.shape.size));
  }
  assert.ok(occluded > 40, `partial occlusion happens (${occluded} objects)`);
  assert.ok(touching > 40 && touching < 120, `about a third of scenes have a touching pair (${touching}/200)`);
  assert.ok(Math.min(...sizes) >= 10 && Math.max(...sizes) <= 60, 'object sides from 10 to 60 px');
  assert.ok(Math.min(...sizes) <= 12 && Math.max(...sizes) >= 58, 'and the whole range is used');
});

test('touching pairs make semantic and instance maps differ', () => {
  const s = scene(5, { touching: true, count: 2, classes: ['square'] });
  assert.equal(s.touching.length, 1);
  checkScene(s);
  // One connected blob in the semantic map, two instances.
  const W = s.width;
  const seen = new Uint8Array(W * W);
  const start = s.semantic.findIndex((v) => v > 0);
  const stack = [start];
  seen[start] = 1;
  let blob = 0;
  while (stack.length) {
    const p = stack.pop();
    blob++;
    for (const q of [p - 1, p + 1, p - W, p + W])
      if (q >= 0 && q < W * W && !seen[q] && s.semantic[q] && Math.abs((q % W) - (p % W)) <= 1) {
        seen[q] = 1;
        stack.push(q);
      }
  }
  assert.equal(blob, s.objects[0].area + s.objects[1].area);
});

test('options fix the count, the classes, the background and the size', () => {
  let withPair = 0;
  for (let seed = 0; seed < 40; seed++) {
    const s = scene(seed, { count: 5, classes: ['circle', 'triangle'], background: 'grass', size: 96, touching: true });
    checkScene(s);
    assert.equal(s.objects.length, 5);
    assert.equal(s.background, 'grass');
    assert.equal(s.width, 96);
    assert.ok(s.objects.every((o) => o.className !== 'square'));
    withPair += s.touching.length;
  }
  assert.ok(withPair >= 36, `touching: true gives a pair nearly always (${withPair}/40)`);
  assert.equal(scene(1, { count: 0 }).objects.length, 0);
  assert.equal(scene(1, { count: 12, size: 128 }).objects.length, 12);
  assert.equal(scene(3, { touching: false }).touching.length, 0);
  const bgs = new Set(Array.from({ length: 60 }, (_, i) => scene(i).background));
  assert.deepEqual([...bgs].sort(), [...BACKGROUNDS].sort());
});

test('bad options throw a RangeError that names the option', () => {
  assert.throws(() => scene(1, { size: 5 }), /size must be between 16 and 1024/);
  assert.throws(() => scene(1, { count: 99 }), /count must be between 0 and 40/);
  assert.throws(() => scene(1, { classes: ['hexagon'] }), /classes must be/);
  assert.throws(() => scene(1, { background: 'sky' }), /background must be one of/);
  assert.throws(() => scene(-1), /seed must be an integer/);
  assert.throws(() => scene(1.5), /seed must be an integer/);
});

test('split seed ranges are fixed and disjoint', () => {
  const ranges = Object.values(SPLITS).map((r) => [r.start, r.start + r.size]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i][0] >= ranges[i - 1][1]);
  assert.equal(splitSeed('train', 0), 0);
  assert.equal(splitSeed('val', 3), 1_000_003);
  assert.equal(splitSeed('test', 0), 2_000_000);
  assert.throws(() => splitSeed('train', 1_000_000), /train has scenes 0 to 999999/);
  assert.throws(() => splitSeed('dev', 0), /unknown split/);
});

test('own trigonometry agrees with Math.sin to 1e-15; the PRNG is uniform enough', () => {
  for (let d = -720; d <= 720; d++) {
    const r = (((d % 360) + 360) % 360) * (Math.PI / 180);
    assert.ok(Math.abs(sinDeg(d) - Math.sin(r)) < 1e-15, `sin ${d}`);
    assert.ok(Math.abs(cosDeg(d) - Math.cos(r)) < 1e-15, `cos ${d}`);
  }
  assert.equal(sinDeg(90), 1);
  assert.equal(sinDeg(180), 0);
  const r = new Rng(1);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) bins[Math.floor(r.next() * 10)]++;
  assert.ok(bins.every((b) => Math.abs(b - 10000) < 400), `${bins}`);
  assert.notEqual(new Rng(1).u32(), new Rng(2).u32());
});

test('toRgba adds an opaque alpha channel', () => {
  const s = scene(0);
  const rgba = toRgba(s);
  assert.equal(rgba.length, 128 * 128 * 4);
  assert.deepEqual([...rgba.subarray(0, 4)], [s.image[0], s.image[1], s.image[2], 255]);
});
