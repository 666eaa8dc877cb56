import { defineConfig } from 'vite';
import { resolve } from 'node:path';

const page = (p: string) => resolve(import.meta.dirname, p);

export default defineConfig({
  // Relative base: the built site works from any host path (an LMS iframe, a sub-folder, a file share).
  base: './',
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
    // No inline module-preload polyfill: the embed pages allow no inline script.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: page('index.html'),
        lecture: page('lecture.html'),
        slides: page('slides.html'),
        'embed/fgsm-demo': page('embed/fgsm-demo.html'),
        'embed/fgsm-linear': page('embed/fgsm-linear.html'),
        'embed/occlusion-map': page('embed/occlusion-map.html'),
      },
    },
  },
  worker: { format: 'es' },
});
