import { defineConfig, type Plugin } from 'vite';
import { resolve } from 'node:path';
import { readWidgets, writeEmbedPages, convlabWidgets } from '../../scripts/widgets.mjs';

const page = (p: string) => resolve(import.meta.dirname, p);

/**
 * The embed pages' Content-Security-Policy. Each embed page carries it as a <meta> tag (for any
 * static host); the preview server (npm start) also sends it as a header. Scripts come only from the
 * site itself; images and models may also come over HTTPS, from the `src` and `model` URLs an
 * instructor sets (the only requests ConvLab makes beyond its own origin).
 */
export const EMBED_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data: blob:; connect-src 'self' https: data: blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'";

function embedCspHeader(): Plugin {
  return {
    name: 'convlab-embed-csp',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.includes('/embed/')) res.setHeader('Content-Security-Policy', EMBED_CSP);
        next();
      });
    },
  };
}

// One embed page per widget in widgets.json, written from one template (scripts/widgets.mjs) into
// embed/ (git-ignored) whenever Vite loads this config: dev, build and preview.
const widgets = readWidgets();
writeEmbedPages(page('embed'), widgets, EMBED_CSP);

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
      output: {
        // TF.js and Lit in chunks of their own: shared by every page and cached across them.
        codeSplitting: {
          groups: [
            { name: 'tfjs', test: /[\\/]node_modules[\\/](@tensorflow|long|seedrandom)[\\/]/, priority: 30 },
            { name: 'lit', test: /[\\/]node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]/, priority: 20 },
          ],
        },
      },
      input: {
        index: page('index.html'),
        lecture: page('lecture.html'),
        slides: page('slides.html'),
        builder: page('builder.html'),
        ...Object.fromEntries(widgets.map((w) => [`embed/${w.tag}`, page(`embed/${w.tag}.html`)])),
      },
    },
  },
  worker: { format: 'es' },
  plugins: [convlabWidgets(), embedCspHeader()],
});
