import { defineConfig, type Plugin } from 'vite';
import { resolve, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readWidgets, writeEmbedPages, convlabWidgets } from '../../scripts/widgets.mjs';

const page = (p: string) => resolve(import.meta.dirname, p);

/**
 * The embed pages' Content-Security-Policy. Each embed page carries it as a <meta> tag (for any
 * static host); the preview server (npm start) also sends it as a header. Scripts come only from the
 * site itself; images and models may also come over HTTPS, from the `src` and `model` URLs an
 * instructor sets (the only requests ConvLab makes beyond its own origin). script-src allows blob:
 * because TF.js's threaded WASM build (used when a page is cross-origin isolated) hands each of its
 * worker threads its start-up script as a blob (importScripts(blob:…)); only code already running
 * on the page can make a blob URL.
 */
export const EMBED_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' https: data: blob:; connect-src 'self' https: data: blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'";

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

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A missing file is a 404 (appType 'mpa': no fallback to the home page, so a missing model or image
 * reads "not found", not "not JSON"). This page says so; for /embed/<name>.html it lists the widgets.
 */
export function notFoundPage(url: string, widgets: { tag: string; title: string }[]): string {
  const path = url.split(/[?#]/)[0];
  const embed = /\/embed\/([^/]*?)(?:\.html)?$/.exec(path);
  const body = embed
    ? `<p>There is no widget called “${escapeHtml(decodeURIComponent(embed[1]))}”. The embed pages are:</p>\n<ul>${widgets
        .map((w) => `<li><a href="./${w.tag}.html">${w.tag}.html</a>: ${escapeHtml(w.title)}</li>`)
        .join('')}</ul>\n<p>The <a href="../builder.html">snippet builder</a> writes a snippet for each.</p>`
    : `<p>Nothing is at <code>${escapeHtml(path)}</code> on this site.</p>\n<p><a href="/">The ConvLab home page</a></p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head><body style="font-family: system-ui, sans-serif; padding: 1rem"><h1>Not found</h1>\n${body}</body></html>\n`;
}

function notFound(): Plugin {
  // Vite's multi-page fallback has already rewritten "/" to "/index.html" and "/lecture" to
  // "/lecture.html" when those files exist; its own HTML middleware (after this one) serves them.
  const handler = (dir: () => string) => (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]);
    if (path.endsWith('.html') && existsSync(join(dir(), path))) return next();
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(req.method === 'HEAD' ? undefined : notFoundPage(req.url ?? '/', readWidgets()));
  };
  return {
    name: 'convlab-not-found',
    // A returned function is a post hook: it runs after the static files and Vite's own middlewares.
    configurePreviewServer: (server) => () => server.middlewares.use(handler(() => resolve(server.config.root, server.config.build.outDir))),
    configureServer: (server) => () => server.middlewares.use(handler(() => server.config.root)),
  };
}

// One embed page per widget in widgets.json, written from one template (scripts/widgets.mjs) into
// embed/ (git-ignored) whenever Vite loads this config: dev, build and preview.
const widgets = readWidgets();
writeEmbedPages(page('embed'), widgets, EMBED_CSP);

/**
 * Cross-origin isolation, which lets TF.js's WASM backend run on several threads (SharedArrayBuffer).
 * The dev server and `npm start` send these; a host serving dist/ may too. require-corp is safe for
 * ConvLab: everything it loads from another origin (an instructor's `src` image or `model`) is a CORS
 * fetch, which require-corp allows without a Cross-Origin-Resource-Policy header. (An embed page in
 * an LMS iframe is isolated only if the LMS page is, so there it runs on one thread either way.)
 */
export const COI_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // Relative base: the built site works from any host path (an LMS iframe, a sub-folder, a file share).
  base: './',
  // Unknown paths are 404s (notFound below), not the home page.
  appType: 'mpa',
  server: { headers: COI_HEADERS },
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
        stress: page('stress.html'),
        ...Object.fromEntries(widgets.map((w) => [`embed/${w.tag}`, page(`embed/${w.tag}.html`)])),
      },
    },
  },
  worker: { format: 'es' },
  plugins: [convlabWidgets(), embedCspHeader(), notFound()],
});
