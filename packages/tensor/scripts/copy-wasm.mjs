// Copies the TF.js WASM binaries (and the threaded build's factory script) next to the package (packages/tensor/wasm/) so that
// src/backend.ts and dist/backend.js can both reach them as new URL('../wasm/…', import.meta.url):
// bundlers (Vite) then emit them as assets, and a page needs no CDN.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const from = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const to = join(here, '..', 'wasm');
mkdirSync(to, { recursive: true });
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(from, f), join(to, f));
}
// TF.js's own threaded factory script, unmodified: the WASM pthread workers load it (importScripts)
// instead of the factory's function text, which minifiers break (see src/backend.ts).
const threaded = 'tfjs-backend-wasm-threaded-simd.js';
copyFileSync(join(from, '..', 'wasm-out', threaded), join(to, threaded));
