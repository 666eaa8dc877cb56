import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { convlabWidgets } from '../../scripts/widgets.mjs';

// One ESM entry (convlab.js) with TF.js, Lit and every widget inside; model files, sample sprites and
// the WASM binaries are emitted as assets and found relative to the bundle. (An app build with a JS
// entry, not library mode: library mode would inline every asset as base64.)
export default defineConfig({
  base: './',
  // The widget packages inside come from widgets.json (virtual:convlab/all-exports).
  plugins: [convlabWidgets()],
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: resolve(import.meta.dirname, 'src/convlab.ts'),
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: 'convlab.js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        codeSplitting: false,
      },
    },
  },
});
