#!/usr/bin/env node
// Writes a detection / segmentation data set of generated scenes as .npy files that numpy and
// PyTorch read directly (layout in README.md, "Data set files").
//
//   npm run scenes -w @convlab/scenes -- --split train --count 20000 --out DIR [--size 128] [--start 0]
//
// Scene i of a split has seed SPLITS[split].start + start + i: train, val and test never share a seed.
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scene, resolveOptions, splitSeed, SPLITS, CLASSES, sceneDigest } from '../dist/index.js';

const usage = 'usage: npm run scenes -w @convlab/scenes -- --split train|val|test --count N --out DIR [--size 128] [--start 0]';
let args;
try {
  args = parseArgs({
    options: {
      split: { type: 'string' },
      count: { type: 'string' },
      out: { type: 'string' },
      size: { type: 'string', default: '128' },
      start: { type: 'string', default: '0' },
      quiet: { type: 'boolean', default: false },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const fail = (msg) => {
  console.error(`scenes: ${msg}\n${usage}`);
  process.exit(2);
};
if (!args.split || !(args.split in SPLITS)) fail(`--split must be one of ${Object.keys(SPLITS).join(', ')}`);
if (!args.out) fail('--out DIR is required');
const count = Number(args.count);
const start = Number(args.start);
if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive integer, got ${args.count}`);
if (!Number.isInteger(start) || start < 0) fail(`--start must be a non-negative integer, got ${args.start}`);
if (start + count > SPLITS[args.split].size) fail(`${args.split} has ${SPLITS[args.split].size} scenes; --start + --count = ${start + count}`);
let options;
try {
  options = { size: Number(args.size) };
  resolveOptions(options);
} catch (e) {
  fail(e.message);
}
const size = options.size;

/** A .npy (format 1.0) header for a C-ordered array. */
function npyHeader(descr, shape) {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const h = Buffer.alloc(total, 0x20);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1;
  h[7] = 0;
  h.writeUInt16LE(total - 10, 8);
  h.write(dict, 10, 'latin1');
  h[total - 1] = 0x0a;
  return h;
}

function npyFile(path, descr, shape) {
  const fd = openSync(path, 'w');
  writeSync(fd, npyHeader(descr, shape));
  return fd;
}

const dir = resolve(args.out, args.split);
mkdirSync(dir, { recursive: true });
const images = npyFile(join(dir, 'images.npy'), '|u1', [count, size, size, 3]);
const semantic = npyFile(join(dir, 'semantic.npy'), '|u1', [count, size, size]);
const instances = npyFile(join(dir, 'instances.npy'), '|u1', [count, size, size]);

const boxes = [];
const labels = [];
const offsets = new BigInt64Array(count + 1);
const seeds = new BigInt64Array(count);
const BATCH = 128;
const imgBuf = Buffer.alloc(BATCH * size * size * 3);
const semBuf = Buffer.alloc(BATCH * size * size);
const insBuf = Buffer.alloc(BATCH * size * size);
const first = [];
const t0 = performance.now();
let inBatch = 0;
const flush = () => {
  writeSync(images, imgBuf, 0, inBatch * size * size * 3);
  writeSync(semantic, semBuf, 0, inBatch * size * size);
  writeSync(instances, insBuf, 0, inBatch * size * size);
  inBatch = 0;
};
for (let i = 0; i < count; i++) {
  const seed = splitSeed(args.split, start + i);
  const s = scene(seed, options);
  if (i < 10) first.push(s);
  seeds[i] = BigInt(seed);
  imgBuf.set(s.image, inBatch * size * size * 3);
  semBuf.set(s.semantic, inBatch * size * size);
  insBuf.set(s.instances, inBatch * size * size);
  for (const o of s.objects) {
    boxes.push(...o.box);
    labels.push(BigInt(o.label));
  }
  offsets[i + 1] = BigInt(labels.length);
  if (++inBatch === BATCH) flush();
  if (!args.quiet && (i + 1) % 2000 === 0) process.stderr.write(`scenes: ${i + 1}/${count} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
if (inBatch) flush();
[images, semantic, instances].forEach(closeSync);

const small = (name, descr, shape, data) => writeFileSync(join(dir, name), Buffer.concat([npyHeader(descr, shape), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
small('boxes.npy', '<f4', [labels.length, 4], Float32Array.from(boxes));
small('labels.npy', '<i8', [labels.length], BigInt64Array.from(labels));
small('offsets.npy', '<i8', [count + 1], offsets);
small('seeds.npy', '<i8', [count], seeds);
const seconds = (performance.now() - t0) / 1000;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const meta = {
  format: 'convlab-scenes/1',
  generator: `${pkg.name}@${pkg.version}`,
  split: args.split,
  count,
  seeds: [Number(seeds[0]), Number(seeds[count - 1])],
  size,
  options,
  classes: CLASSES,
  objects: labels.length,
  box_format: 'x1, y1, x2, y2 in pixels; x2, y2 exclusive (width = x2 - x1)',
  files: {
    'images.npy': `uint8 (${count}, ${size}, ${size}, 3) RGB`,
    'semantic.npy': `uint8 (${count}, ${size}, ${size}) class label per pixel, 0 = background`,
    'instances.npy': `uint8 (${count}, ${size}, ${size}) instance id per pixel, 0 = background; id k is object offsets[i] + k - 1`,
    'boxes.npy': `float32 (${labels.length}, 4)`,
    'labels.npy': `int64 (${labels.length},) 1 circle, 2 square, 3 triangle`,
    'offsets.npy': `int64 (${count + 1},) objects of scene i are rows offsets[i]:offsets[i + 1] of boxes and labels`,
    'seeds.npy': `int64 (${count},) the seed of each scene`,
  },
  digest_first_10: await sceneDigest(first),
  seconds: Number(seconds.toFixed(2)),
};
writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
console.log(`scenes: wrote ${count} ${args.split} scenes (${labels.length} objects) to ${dir} in ${seconds.toFixed(1)} s`);
