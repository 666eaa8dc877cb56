// `npm start`: installs what is missing, builds everything, and serves the course site and the
// Storybook build on localhost. It prints one line per step, and the two URLs last, once both
// servers answer. A step that fails prints its own output and stops.
import { ensureDeps, run, bin, log, root } from './lib.mjs';
import { join } from 'node:path';

const seconds = (t0) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

/** Runs one build step quietly; on failure prints what the tool said and exits with its code. */
async function step(what, cmd, args) {
  const t0 = performance.now();
  log(`${what}…`);
  const r = await run(cmd, args, { quiet: true });
  if (r.code !== 0) {
    process.stderr.write(r.out.slice(-20000));
    log(`${what} failed (exit ${r.code}).`);
    process.exit(r.code);
  }
  log(`${what}: done in ${seconds(t0)}.`);
}

ensureDeps();
await step('building the packages and the course site', bin('turbo'), ['run', 'build', '--output-logs=errors-only']);
await step('building Storybook', bin('storybook'), ['build', '-o', 'storybook-static', '--quiet', '--disable-telemetry']);

const sitePort = Number(process.env.SITE_PORT ?? 5173);
const docsPort = Number(process.env.DOCS_PORT ?? 6006);
const host = process.env.HOST ?? '127.0.0.1';
const shown = host === '0.0.0.0' ? 'localhost' : host;

// vite preview for both (loaded only now: lib.mjs runs before `npm install` has). appType 'mpa':
// a missing file is a 404, never the home page (the course site's config sets it and serves a page
// that says what is missing).
const { preview } = await import('vite');
const opts = (port, headers) => ({ preview: { port, host, strictPort: true, headers }, logLevel: 'silent' });
// The course site is served cross-origin isolated, so that TF.js's WASM backend runs on several
// threads (see COI_HEADERS in apps/course-site/vite.config.ts; the dev server sends the same).
const coi = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
let servers = [];
try {
  servers = [
    await preview({ root: join(root, 'apps/course-site'), ...opts(sitePort, coi) }),
    await preview({ root, configFile: false, appType: 'mpa', build: { outDir: 'storybook-static' }, ...opts(docsPort) }),
  ];
} catch (e) {
  log(`a server could not start: ${e.message} (set SITE_PORT / DOCS_PORT to free ports).`);
  process.exit(1);
}

const urls = [`http://${shown}:${sitePort}/`, `http://${shown}:${docsPort}/`];
// Both answer before the URLs are printed.
const deadline = Date.now() + 30000;
for (const url of urls) {
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      log(`${url} does not answer.`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

log(`course site: ${urls[0]}`);
log(`Storybook:   ${urls[1]}`);
log('Ctrl+C stops both.');
const stop = async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
