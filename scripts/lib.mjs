// Helpers for the root scripts. Node built-ins only: these run before `npm install` has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function log(msg) {
  console.log(`\x1b[1m[convlab]\x1b[0m ${msg}`);
}

/** Chromium flags for headless runs on these machines (WebGL on SwiftShader); CHROME_FLAGS replaces them. */
export function chromeFlags() {
  return (process.env.CHROME_FLAGS ?? '--no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader --disable-background-networking --disable-component-update --no-first-run --disable-background-timer-throttling --disable-renderer-backgrounding --disable-backgrounding-occluded-windows')
    .split(' ')
    .filter(Boolean);
}

/** Installs the workspace's dependencies when node_modules is missing or older than the lock file. */
export function ensureDeps() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh = existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  log('installing dependencies (npm ci)…');
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log('npm ci failed; trying npm install');
    const r2 = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (r2.status !== 0) process.exit(r2.status ?? 1);
  }
}

// The system browsers the tests drive, each from a Debian package (no browser download): Chromium for
// the browser tests and the end-to-end tests, Firefox ESR for the end-to-end pass in a second browser.
const systemBrowsers = {
  chromium: { env: 'CHROME_PATH', path: '/usr/bin/chromium', pkg: 'chromium', need: 'The browser tests need Chromium', hint: 'a Chrome or Chromium binary' },
  firefox: { env: 'FIREFOX_PATH', path: '/usr/bin/firefox-esr', pkg: 'firefox-esr', need: 'The Firefox end-to-end pass (e2e/firefox.test.mjs) needs Firefox', hint: 'a Firefox binary' },
};

function browserPlan(b, { envPath, exists, isRoot, hasAptGet }) {
  const candidate = envPath || b.path;
  if (exists(candidate)) return { action: 'use', path: candidate };
  if (envPath) return { action: 'fail', message: `${b.env} is set to ${envPath}, but there is no file there.` };
  if (!isRoot || !hasAptGet) {
    return {
      action: 'fail',
      message: `${b.need} and none was found at ${b.path}.\nInstall it (Debian/Ubuntu: sudo apt-get install ${b.pkg}), or point ${b.env} at ${b.hint}.`,
    };
  }
  return { action: 'install' };
}

/**
 * What ensureChromium does, decided without side effects: use CHROME_PATH or /usr/bin/chromium when
 * it exists; fail with a message that says what to install; or install Debian's chromium (as root,
 * where apt-get exists).
 */
export function chromiumPlan({ chromePath, exists, isRoot, hasAptGet }) {
  return browserPlan(systemBrowsers.chromium, { envPath: chromePath, exists, isRoot, hasAptGet });
}

/** What ensureFirefox does, decided the same way: FIREFOX_PATH or /usr/bin/firefox-esr, else Debian's firefox-esr. */
export function firefoxPlan({ firefoxPath, exists, isRoot, hasAptGet }) {
  return browserPlan(systemBrowsers.firefox, { envPath: firefoxPath, exists, isRoot, hasAptGet });
}

const machine = () => ({ exists: existsSync, isRoot: typeof process.getuid === 'function' && process.getuid() === 0, hasAptGet: existsSync('/usr/bin/apt-get') });

let aptUpdated = false;
/** apt-get install of one package (after one apt-get update per run); false when either step fails. */
function aptInstall(pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [...(aptUpdated ? [] : [['update', '-qq']]), ['install', '-y', '-qq', pkg]];
  for (const args of steps) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed.`);
      return false;
    }
    if (args[0] === 'update') aptUpdated = true;
  }
  return true;
}

/**
 * Makes sure a Chromium is there for the browser tests: CHROME_PATH, else /usr/bin/chromium; as root
 * it installs Debian's chromium with apt-get; otherwise it stops and says what to install.
 * Returns the path and sets CHROME_PATH for child processes.
 */
export function ensureChromium() {
  const plan = chromiumPlan({ chromePath: process.env.CHROME_PATH, ...machine() });
  if (plan.action === 'use') {
    process.env.CHROME_PATH = plan.path;
    return plan.path;
  }
  if (plan.action === 'fail') {
    console.error(plan.message);
    process.exit(1);
  }
  log("installing Debian's chromium with apt-get (needed by the browser tests)…");
  if (!aptInstall('chromium')) {
    console.error('Install chromium by hand or set CHROME_PATH.');
    process.exit(1);
  }
  process.env.CHROME_PATH = '/usr/bin/chromium';
  return '/usr/bin/chromium';
}

/**
 * Makes sure a Firefox is there for the end-to-end pass in a second browser (e2e/firefox.test.mjs):
 * FIREFOX_PATH, else /usr/bin/firefox-esr; as root it installs Debian's firefox-esr with apt-get.
 * Unlike Chromium, a missing Firefox does not stop `npm test`: only that one e2e file needs it, and it
 * fails saying what to install (the message is printed here too). Returns the path or undefined, and
 * sets FIREFOX_PATH for child processes.
 */
export function ensureFirefox() {
  const plan = firefoxPlan({ firefoxPath: process.env.FIREFOX_PATH, ...machine() });
  if (plan.action === 'use') {
    process.env.FIREFOX_PATH = plan.path;
    return plan.path;
  }
  if (plan.action === 'fail') {
    console.error(plan.message);
    return undefined;
  }
  log("installing Debian's firefox-esr with apt-get (needed by the Firefox end-to-end pass)…");
  if (!aptInstall('firefox-esr')) {
    console.error('Install firefox-esr by hand or set FIREFOX_PATH; e2e/firefox.test.mjs will fail until then.');
    return undefined;
  }
  process.env.FIREFOX_PATH = '/usr/bin/firefox-esr';
  return '/usr/bin/firefox-esr';
}

/** Runs a command, echoing its output, and resolves with its exit code and output. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { TURBO_TELEMETRY_DISABLED: '1', STORYBOOK_DISABLE_TELEMETRY: '1', ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (stream) => (d) => {
      out += d;
      if (!opts.quiet) stream.write(d);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

export function bin(name) {
  return join(root, 'node_modules', '.bin', name);
}
