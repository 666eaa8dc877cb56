// The all-widgets bundle carries TF.js once, and every asset it refers to is beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWidgets, packagesOf } from '../../../scripts/widgets.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const js = existsSync(join(dist, 'convlab.js')) ? readFileSync(join(dist, 'convlab.js'), 'utf8') : '';
const count = (s) => js.split(s).length - 1;

test('convlab.js exists (npm run build -w @convlab/all)', () => {
  assert.ok(js.length > 100000);
});

test('TF.js is inside exactly once', () => {
  // Strings that each TF.js package contains once: a second copy of a package would double them.
  assert.equal(count('Reusing existing backend factory'), 1, 'tfjs-core');
  assert.equal(count('Provided weight data has no target variable'), 1, 'tfjs-layers');
  assert.ok(count('WEBGL_VERSION') >= 1, 'tfjs-backend-webgl');
  assert.ok(count('WASM_HAS_SIMD_SUPPORT') >= 1, 'tfjs-backend-wasm');
});

const widgets = readWidgets();

test('it depends on every widget package in widgets.json (so turbo builds them first)', () => {
  const deps = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')).dependencies ?? {};
  const missing = packagesOf(widgets).filter((p) => !(p in deps));
  assert.deepEqual(missing, [], `add to packages/all/package.json "dependencies": ${missing.join(', ')}`);
});

test('every widget in widgets.json is defined by it', () => {
  for (const tag of [...widgets.map((w) => w.tag), 'convlab-status', 'convlab-tensor-canvas']) {
    assert.ok(new RegExp(`["'\`]${tag}["'\`]`).test(js), tag);
  }
});

test('the assets it names are beside it', () => {
  const names = [...js.matchAll(/assets\/([\w.-]+\.(?:wasm|json|bin|png))/g)].map((m) => m[1]);
  assert.ok(names.length >= 9, `found ${names.length} asset references`);
  for (const n of new Set(names)) assert.ok(existsSync(join(dist, 'assets', n)), n);
});
