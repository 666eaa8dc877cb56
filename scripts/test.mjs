// `npm test`: installs what is missing, then runs every suite: the package builds, the Node tests,
// the browser tests in Chromium (webgl, wasm and cpu), the docs builds (Storybook and the course
// site) and the end-to-end tests (Chromium; the embed pages in Firefox ESR too). Ends with one
// line: "tests: N passed, N failed".
import { ensureDeps, ensureChromium, ensureFirefox, run, bin, log } from './lib.mjs';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const t0 = Date.now();
ensureDeps();
const chrome = ensureChromium();
log(`Chromium: ${chrome}`);
// Firefox drives one e2e file (e2e/firefox.test.mjs); without it that file fails and says why.
log(`Firefox: ${ensureFirefox() ?? 'missing (e2e/firefox.test.mjs will fail)'}`);

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
  steps.push({ name, ok, secs: ((Date.now() - s) / 1000).toFixed(1), ...counted, why: ok ? [] : failures(r.out) });
  return ok;
}

/**
 * The failed tests in a node:test (TAP) step's output, each with the first lines of its error, so that
 * the end of a long log says what failed and why (a whole file that failed outside its tests, an
 * unhandled rejection say, is reported under the file's path). TODO tests are left out.
 */
function failures(out) {
  const lines = out.split('\n');
  const found = [];
  const KEY = /^\s*(location|failureType|error|code|expected|actual|operator|stack|duration_ms|name):/;
  lines.forEach((line, i) => {
    if (!/^\s*not ok \d+ - /.test(line) || /# TODO/.test(line)) return;
    const detail = [];
    let keep = false; // inside a key worth showing (its value may run over several lines)
    for (let j = i + 1; j < lines.length && detail.length < 10 && !/^\s*\.\.\.\s*$/.test(lines[j]); j++) {
      const key = lines[j].match(KEY)?.[1];
      if (key) keep = !['stack', 'duration_ms', 'name'].includes(key);
      if (keep && lines[j].trim() !== '---') detail.push(lines[j].trim().slice(0, 300));
    }
    found.push([line.trim().slice(0, 300), ...detail]);
  });
  // Errors outside any test (an unhandled rejection after a test ended): node:test prints them as
  // '# Error: ...' lines, and the file fails with only 'test failed' under its name.
  for (const line of lines) if (/^\s*# Error: /.test(line)) found.push([line.trim().slice(0, 600)]);
  return found.slice(0, 12);
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
  // Two test files (pages, or e2e files) at a time: much of each file's time is waiting on timers,
  // frames and the network, so two at once use a 2-core machine far better than one.
  await step('browser tests (Chromium: webgl, wasm, cpu)', bin('web-test-runner'), [], wtrCount, { WTR_CONCURRENCY: process.env.WTR_CONCURRENCY ?? '2' });
  await step('browser tests, cross-origin isolated (WASM threads)', bin('web-test-runner'), [], wtrCount, { WTR_COI: '1' });
  await step('Storybook build', bin('storybook'), ['build', '-o', 'storybook-static', '--quiet', '--disable-telemetry']);
  // `npm start` rebuilds what the other e2e files serve, so its test runs alone, after them.
  const e2e = readdirSync(join(root, 'e2e'))
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => `e2e/${f}`);
  const alone = ['e2e/start.test.mjs'];
  await step('end-to-end tests (built course site; Chromium, Firefox)', process.execPath, ['--test', '--test-concurrency=2', ...e2e.filter((f) => !alone.includes(f))], nodeCount);
  await step('end-to-end test of npm start', process.execPath, ['--test', ...alone], nodeCount);
}

console.log('\n  step                                                   result   passed  failed   secs');
for (const s of steps) {
  console.log(`  ${s.name.padEnd(55)} ${(s.ok ? 'ok' : 'FAILED').padEnd(8)} ${String(s.p).padStart(6)} ${String(s.f).padStart(7)} ${s.secs.padStart(6)}`);
}
for (const s of steps.filter((x) => x.why.length)) {
  console.log(`\n  failed in "${s.name}":`);
  for (const [head, ...rest] of s.why) console.log(`    ${head}\n${rest.map((l) => `      ${l}`).join('\n')}`);
}
console.log(`\n  total time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && steps.every((s) => s.ok) ? 0 : 1);
