// `npm start`: installs what is missing, builds everything, and serves the course site and the
// Storybook build on localhost (vite preview for both), printing both URLs.
import { ensureDeps, run, bin, log, root } from './lib.mjs';
import { spawn } from 'node:child_process';

ensureDeps();
const build = await run(bin('turbo'), ['run', 'build', '--output-logs=errors-only']);
if (build.code !== 0) process.exit(build.code);
const sb = await run(bin('storybook'), ['build', '-o', 'storybook-static', '--quiet', '--disable-telemetry']);
if (sb.code !== 0) process.exit(sb.code);

const sitePort = Number(process.env.SITE_PORT ?? 5173);
const docsPort = Number(process.env.DOCS_PORT ?? 6006);
const host = process.env.HOST ?? '127.0.0.1';
const serve = (args) =>
  spawn(bin('vite'), ['preview', '--strictPort', '--host', host, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const site = serve(['apps/course-site', '--port', String(sitePort)]);
const docs = serve(['--outDir', 'storybook-static', '--port', String(docsPort)]);

log(`course site: http://${host === '0.0.0.0' ? 'localhost' : host}:${sitePort}/`);
log(`Storybook:   http://${host === '0.0.0.0' ? 'localhost' : host}:${docsPort}/`);
log('Ctrl+C stops both.');
const stop = () => {
  site.kill();
  docs.kill();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of [site, docs]) child.on('exit', (code) => code && code !== 0 && (log(`a server stopped (exit ${code})`), stop()));
