#!/usr/bin/env node
// Write crops of generated scenes for the shapes crop classifier (see lib/crops.mjs):
//   node packages/models/train/make-crops.mjs --split train --count 1500 --out DIR
// DIR/<split>/ gets crops.u8 ([N, 32, 32, 3] bytes), labels.u8 ([N]), targets.f32 ([N, 4]
// little-endian float32) and meta.json (N, seeds, class counts). Scene i has seed splitSeed(split, i).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitSeed, CLASSES } from '@convlab/scenes';
import { sceneCrops, CROP, FG_IOU, BG_IOU, BOX_WEIGHTS } from './lib/crops.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const split = opt('--split', 'train');
const count = Number(opt('--count', 1500));
const out = join(opt('--out', '/tmp/convlab-crops'), split);
mkdirSync(out, { recursive: true });

const pix = [], labels = [], targets = [];
const counts = new Array(CLASSES.length).fill(0);
for (let i = 0; i < count; i++) {
  const { pixels, samples } = await sceneCrops(splitSeed(split, i));
  const u8 = new Uint8Array(pixels.length);
  for (let k = 0; k < pixels.length; k++) u8[k] = Math.round(Math.min(1, Math.max(0, pixels[k])) * 255);
  pix.push(u8);
  for (const s of samples) {
    labels.push(s.label);
    targets.push(...s.target);
    counts[s.label]++;
  }
}
const n = labels.length;
writeFileSync(join(out, 'crops.u8'), Buffer.concat(pix.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
writeFileSync(join(out, 'labels.u8'), Buffer.from(Uint8Array.from(labels)));
writeFileSync(join(out, 'targets.f32'), Buffer.from(Float32Array.from(targets).buffer));
writeFileSync(join(out, 'meta.json'), JSON.stringify({ split, scenes: count, firstSeed: splitSeed(split, 0), n, crop: CROP, classes: CLASSES, counts, fgIou: FG_IOU, bgIou: BG_IOU, boxWeights: BOX_WEIGHTS }, null, 1) + '\n');
console.log(`${split}: ${n} crops from ${count} scenes; per class ${CLASSES.map((c, k) => `${c} ${counts[k]}`).join(', ')}`);
