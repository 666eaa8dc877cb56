// One test runner for every package: Debian Chromium through puppeteer-core (no browser download),
// TypeScript through esbuild, and the CommonJS fixes TF.js needs. Started by `npm test`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import rollupCommonjs from '@rollup/plugin-commonjs';
import { chromeLauncher } from '@web/test-runner-chrome';
import { chromeFlags } from './scripts/lib.mjs';
import { defaultReporter } from '@web/test-runner';
import { writeFileSync } from 'node:fs';

const commonjs = fromRollup(rollupCommonjs);

// seedrandom is CJS and tfjs does `import * as seedrandom` + `seedrandom.alea(...)`: the rollup
// commonjs adapter can't synthesize that named export, so serve an esbuild-made ESM shim.
const { outputFiles } = await build({
  stdin: {
    contents:
      "import sr from 'seedrandom'; export default sr; export const { alea, xor128, xorwow, xorshift7, xor4096, tychei } = sr;",
    resolveDir: process.cwd(),
  },
  bundle: true,
  format: 'esm',
  write: false,
  external: ['crypto'],
  platform: 'browser',
});
const seedrandomShim = {
  name: 'seedrandom-esm-shim',
  resolveImport({ source }) {
    if (source === 'seedrandom') return '/__shims/seedrandom.js';
  },
  serve(ctx) {
    if (ctx.path === '/__shims/seedrandom.js') return { body: outputFiles[0].text, type: 'js' };
  },
};

// Two separately built bundles of @convlab/tensor (each with its own copy of TF.js inside), for the
// test that two bundles on one page share one engine and one WebGL context. Built on first request.
const bundles = new Map();
const separateBundles = {
  name: 'separate-tensor-bundles',
  async serve(ctx) {
    const m = ctx.path.match(/^\/__bundles\/tensor-(a|b)\.js$/);
    if (!m) return;
    if (!bundles.has(m[1])) {
      const r = await build({
        entryPoints: [fileURLToPath(new URL('./packages/tensor/src/index.ts', import.meta.url))],
        bundle: true,
        format: 'esm',
        write: false,
        platform: 'browser',
        target: 'es2022',
        external: ['fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks', 'url', 'util'],
        banner: { js: `/* bundle ${m[1]} */` },
        logLevel: 'silent',
      });
      bundles.set(m[1], r.outputFiles[0].text);
    }
    return { body: bundles.get(m[1]), type: 'js' };
  },
};

// Cross-origin isolation (COOP + COEP, which WASM threads need): files named *.coi.test.ts run in a
// separate pass with WTR_COI=1, where every response carries the two headers (the runner's page
// has no per-file URL to key them on). The default pass leaves those files out.
const coi = process.env.WTR_COI === '1';
const coiHeaders = async (ctx, next) => {
  await next();
  if (coi) {
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  }
};

const flags = chromeFlags();

// How long each test file took (with concurrency 1, the time between two files finishing): written
// to test-timings.json (git-ignored) so the slowest files can be found when CI grows.
function timingReporter() {
  let last = Date.now();
  const rows = [];
  return {
    onTestRunStarted() {
      last = Date.now();
    },
    reportTestFileResults({ testFile }) {
      const now = Date.now();
      rows.push({ file: testFile.replace(process.cwd() + '/', ''), seconds: (now - last) / 1000 });
      last = now;
    },
    onTestRunFinished() {
      rows.sort((a, b) => b.seconds - a.seconds);
      writeFileSync(coi ? 'test-timings.coi.json' : 'test-timings.json', JSON.stringify(rows, null, 1));
    },
  };
}

export default {
  files: coi
    ? [process.env.WTR_FILES ?? 'packages/*/test/**/*.coi.test.ts']
    : [process.env.WTR_FILES ?? 'packages/*/test/**/*.test.ts', '!packages/*/test/**/*.coi.test.ts'],
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  nodeResolve: { exportConditions: ['browser', 'import', 'default'] },
  concurrency: Number(process.env.WTR_CONCURRENCY ?? 1),
  reporters: [defaultReporter(), timingReporter()],
  middleware: [coiHeaders],
  plugins: [
    seedrandomShim,
    separateBundles,
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.base.json', import.meta.url)) }),
    commonjs({
      include: ['**/node_modules/long/**', '**/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/**'],
      ignore: ['crypto', 'fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'url', 'util'],
      strictRequires: false,
    }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: flags },
      // Each test page in a browser context (a window) of its own: two pages of one window are two
      // tabs, and the one behind is hidden, where requestAnimationFrame never fires (checked: a
      // second tab stops the first one's frames; a page in a new context stays visible). With two
      // test files at a time, a widget that waits for a frame would otherwise hang.
      createPage: async ({ browser }) => (await browser.createBrowserContext()).newPage(),
    }),
  ],
  testFramework: { config: { timeout: 120000 } },
  browserStartTimeout: 60000,
  testsFinishTimeout: 1200000,
};
