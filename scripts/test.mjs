// `npm test`: installs what is missing, then runs every suite: the package builds, the Node tests,
// the browser tests in Chromium (webgl, wasm and cpu), the docs builds (Storybook and the course
// site) and the end-to-end tests. Ends with one line: "tests: N passed, N failed".
import { ensureDeps, ensureChromium, run, bin, log } from './lib.mjs';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const t0 = Date.now();
ensureDeps();
const chrome = ensureChromium();
log(`Chromium: ${chrome}`);

let passed = 0;
let failed = 0;
const steps = [];

async function step(name, cmd, args, count, env) {
  log(`— ${name}`);
  const s = Date.now();
  const r = await run(cmd, args, { env });
  const ok = r.code === 0;
  const counted = count ? count(r.out) : { p: ok ? 1 : 0, f: ok ? 0 : 1 };
  // A runner that exits non-zero without reporting a failed test still counts as a failure.
  if (!ok && counted.f === 0) counted.f = 1;
  passed += counted.p;
  failed += counted.f;
  steps.push({ name, ok, secs: ((Date.now() - s) / 1000).toFixed(1), ...counted });
  return ok;
}

const nodeCount = (out) => ({
  p: Number(out.match(/^# pass (\d+)/m)?.[1] ?? 0),
  f: Number(out.match(/^# fail (\d+)/m)?.[1] ?? 0),
});
const wtrCount = (out) => {
  const all = [...out.matchAll(/(\d+) passed, (\d+) failed/g)];
  const last = all[all.length - 1];
  return { p: Number(last?.[1] ?? 0), f: Number(last?.[2] ?? 0) };
};

const built = await step('build (turbo: packages, custom-elements.json, course site)', bin('turbo'), ['run', 'build', '--output-logs=errors-only']);
if (built) {
  const nodeTests = readdirSync(join(root, 'packages'))
    .map((p) => `packages/${p}/test-node`)
    .filter((d) => existsSync(join(root, d)));
  await step('Node tests (cpu backend)', process.execPath, ['--test', ...nodeTests], nodeCount);
  await step('browser tests (Chromium: webgl, wasm, cpu)', bin('web-test-runner'), [], wtrCount);
  await step('browser tests, cross-origin isolated (WASM threads)', bin('web-test-runner'), [], wtrCount, { WTR_COI: '1' });
  await step('Storybook build', bin('storybook'), ['build', '-o', 'storybook-static', '--quiet', '--disable-telemetry']);
  await step('end-to-end tests (built course site, playwright-core)', process.execPath, ['--test', 'e2e/'], nodeCount);
}

console.log('\n  step                                                   result   passed  failed   secs');
for (const s of steps) {
  console.log(`  ${s.name.padEnd(55)} ${(s.ok ? 'ok' : 'FAILED').padEnd(8)} ${String(s.p).padStart(6)} ${String(s.f).padStart(7)} ${s.secs.padStart(6)}`);
}
console.log(`\n  total time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && steps.every((s) => s.ok) ? 0 : 1);
