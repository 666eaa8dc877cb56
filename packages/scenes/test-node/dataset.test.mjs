// The data set command: writes train / val / test from disjoint seed ranges in a layout numpy reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scene } from '@convlab/scenes';

const script = fileURLToPath(new URL('../scripts/write-dataset.mjs', import.meta.url));
const reader = fileURLToPath(new URL('../scripts/read_scenes.py', import.meta.url));

/** A minimal .npy reader: header dict and the data bytes. */
function readNpy(path) {
  const buf = readFileSync(path);
  assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const len = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + len).toString('latin1');
  assert.equal((10 + len) % 64, 0, 'header padded to 64 bytes');
  const descr = header.match(/'descr': '([^']+)'/)[1];
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  return { descr, shape, data: buf.subarray(10 + len) };
}

test('writes each split from its own seed range, byte for byte the scenes of those seeds', () => {
  const out = mkdtempSync(join(tmpdir(), 'scenes-'));
  try {
    const firstSeed = {};
    for (const split of ['train', 'val', 'test']) {
      execFileSync(process.execPath, [script, '--split', split, '--count', '6', '--out', out, '--size', '64', '--quiet']);
      const dir = join(out, split);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
      const images = readNpy(join(dir, 'images.npy'));
      const semantic = readNpy(join(dir, 'semantic.npy'));
      const instances = readNpy(join(dir, 'instances.npy'));
      const boxes = readNpy(join(dir, 'boxes.npy'));
      const labels = readNpy(join(dir, 'labels.npy'));
      const offsets = readNpy(join(dir, 'offsets.npy'));
      const seeds = readNpy(join(dir, 'seeds.npy'));
      assert.deepEqual([images.descr, images.shape], ['|u1', [6, 64, 64, 3]]);
      assert.deepEqual([semantic.descr, semantic.shape], ['|u1', [6, 64, 64]]);
      assert.deepEqual(instances.shape, [6, 64, 64]);
      assert.equal(boxes.descr, '<f4');
      assert.equal(labels.descr, '<i8');
      const seedList = Array.from(new BigInt64Array(seeds.data.buffer.slice(seeds.data.byteOffset, seeds.data.byteOffset + 48)), Number);
      const off = Array.from(new BigInt64Array(offsets.data.buffer.slice(offsets.data.byteOffset, offsets.data.byteOffset + 56)), Number);
      const box = new Float32Array(boxes.data.buffer.slice(boxes.data.byteOffset, boxes.data.byteOffset + boxes.data.length));
      const lab = Array.from(new BigInt64Array(labels.data.buffer.slice(labels.data.byteOffset, labels.data.byteOffset + labels.data.length)), Number);
      assert.equal(meta.split, split);
      assert.deepEqual(meta.seeds, [seedList[0], seedList[5]]);
      firstSeed[split] = seedList[0];
      seedList.forEach((seed, i) => {
        const s = scene(seed, { size: 64 });
        assert.deepEqual(images.data.subarray(i * 64 * 64 * 3, (i + 1) * 64 * 64 * 3), Buffer.from(s.image), `image ${i}`);
        assert.deepEqual(semantic.data.subarray(i * 4096, (i + 1) * 4096), Buffer.from(s.semantic));
        assert.deepEqual(instances.data.subarray(i * 4096, (i + 1) * 4096), Buffer.from(s.instances));
        assert.equal(off[i + 1] - off[i], s.objects.length);
        s.objects.forEach((o, k) => {
          assert.deepEqual(Array.from(box.subarray(4 * (off[i] + k), 4 * (off[i] + k) + 4)), o.box);
          assert.equal(lab[off[i] + k], o.label);
        });
      });
      assert.equal(off[6], lab.length);
    }
    assert.deepEqual(firstSeed, { train: 0, val: 1_000_000, test: 2_000_000 });
    // numpy reads it (the README's snippet lives in scripts/read_scenes.py), when numpy is installed.
    const py = spawnSync('/usr/bin/python3', ['-c', 'import numpy']);
    if (py.status === 0) {
      const r = execFileSync('/usr/bin/python3', [reader, join(out, 'val')], { encoding: 'utf8' });
      assert.match(r, /val: 6 scenes \(64, 64, 3\) uint8/);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('refuses bad arguments with a message that says which', () => {
  const run = (...args) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  let r = run('--split', 'dev', '--count', '3', '--out', '/tmp/x');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--split must be one of train, val, test/);
  r = run('--split', 'val', '--count', '200000', '--out', '/tmp/x');
  assert.match(r.stderr, /val has 100000 scenes/);
  r = run('--split', 'val', '--count', 'many', '--out', '/tmp/x');
  assert.match(r.stderr, /--count must be a positive integer/);
  r = run('--split', 'val', '--count', '3');
  assert.match(r.stderr, /--out DIR is required/);
  r = run('--split', 'val', '--count', '3', '--out', '/tmp/x', '--size', '8');
  assert.match(r.stderr, /size must be between 16 and 1024/);
  assert.equal(existsSync('/tmp/x/val'), false);
});
