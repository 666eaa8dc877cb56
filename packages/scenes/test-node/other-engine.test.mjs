// Same seed, same bytes in another JavaScript engine: the generator, bundled by esbuild, runs inside
// QuickJS (compiled to WebAssembly, from quickjs-emscripten), whose Math library and number handling
// owe nothing to V8 (Node and Chromium both run V8). Both engines hash the same scenes with the same
// plain-JavaScript hash, and the hashes must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { getQuickJS } from 'quickjs-emscripten';
import { fileURLToPath } from 'node:url';

// A 64-bit (two-lane FNV-1a style) hash of every byte of each scene, written so both engines run it.
const hashSource = `
globalThis.hashScenes = function (list) {
  let a = 0x811c9dc5 | 0, b = 0x01000193 | 0;
  for (const [seed, options] of list) {
    const s = ConvLabScenes.scene(seed, options);
    const bytes = ConvLabScenes.sceneBytes(s);
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 0x01000193);
      b = Math.imul(b ^ bytes[i] ^ (i & 255), 0x5bd1e995);
    }
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
};`;

// QuickJS has no atob or TextEncoder; these plain versions stand in for them there.
const shims = `
globalThis.atob = globalThis.atob || function (s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '', bits = 0, acc = 0;
  for (const ch of s) { if (ch === '=') break; acc = (acc << 6) | abc.indexOf(ch); bits += 6; if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); } }
  return out;
};
globalThis.TextEncoder = globalThis.TextEncoder || class { encode(str) { const u = unescape(encodeURIComponent(str)); const a = new Uint8Array(u.length); for (let i = 0; i < u.length; i++) a[i] = u.charCodeAt(i); return a; } };`;

const CASES = [
  ...Array.from({ length: 24 }, (_, i) => [i, {}]),
  ...['flat', 'gradient', 'noise', 'brick', 'grass', 'gravel'].map((b, i) => [100 + i, { background: b }]),
  [7, { classes: ['triangle'], count: 8, touching: true }],
  [11, { size: 200 }],
  [13, { size: 64, count: [1, 3] }],
  [4294967295, {}],
];

test('QuickJS and V8 generate the same bytes for the same seeds', async () => {
  const { outputFiles } = await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'ConvLabScenes',
    write: false,
    target: 'es2020',
    logLevel: 'silent',
  });
  const bundle = outputFiles[0].text;

  // V8 (this Node), through the very same bundle.
  const v8 = new Function(`${bundle}\n${hashSource}\nreturn hashScenes;`)()(CASES);

  const QuickJS = await getQuickJS();
  const vm = QuickJS.newContext();
  try {
    vm.runtime.setMemoryLimit(512 * 1024 * 1024);
    for (const code of [shims, bundle, hashSource]) vm.unwrapResult(vm.evalCode(code)).dispose();
    const r = vm.unwrapResult(vm.evalCode(`hashScenes(${JSON.stringify(CASES)})`));
    const quick = vm.getString(r);
    r.dispose();
    assert.match(quick, /^[0-9a-f]{16}$/);
    assert.equal(quick, v8, 'QuickJS and V8 disagree about a scene');
    // The hash does see a difference: one other seed changes it.
    const other = vm.unwrapResult(vm.evalCode(`hashScenes(${JSON.stringify([[1, {}], ...CASES.slice(1)])})`));
    assert.notEqual(vm.getString(other), quick);
    other.dispose();
  } finally {
    vm.dispose();
  }
});
