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

/**
 * What ensureChromium does, decided without side effects: use CHROME_PATH or /usr/bin/chromium when
 * it exists; fail with a message that says what to install; or install Debian's chromium (as root,
 * where apt-get exists).
 */
export function chromiumPlan({ chromePath, exists, isRoot, hasAptGet }) {
  const candidate = chromePath || '/usr/bin/chromium';
  if (exists(candidate)) return { action: 'use', path: candidate };
  if (chromePath) return { action: 'fail', message: `CHROME_PATH is set to ${chromePath}, but there is no file there.` };
  if (!isRoot || !hasAptGet) {
    return {
      action: 'fail',
      message:
        'The browser tests need Chromium and none was found at /usr/bin/chromium.\n' +
        'Install it (Debian/Ubuntu: sudo apt-get install chromium), or point CHROME_PATH at a Chrome or Chromium binary.',
    };
  }
  return { action: 'install' };
}

/**
 * Makes sure a Chromium is there for the browser tests: CHROME_PATH, else /usr/bin/chromium; as root
 * it installs Debian's chromium with apt-get; otherwise it stops and says what to install.
 * Returns the path and sets CHROME_PATH for child processes.
 */
export function ensureChromium() {
  const plan = chromiumPlan({
    chromePath: process.env.CHROME_PATH,
    exists: existsSync,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasAptGet: existsSync('/usr/bin/apt-get'),
  });
  if (plan.action === 'use') {
    process.env.CHROME_PATH = plan.path;
    return plan.path;
  }
  if (plan.action === 'fail') {
    console.error(plan.message);
    process.exit(1);
  }
  log("installing Debian's chromium with apt-get (needed by the browser tests)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install chromium by hand or set CHROME_PATH.`);
      process.exit(1);
    }
  }
  process.env.CHROME_PATH = '/usr/bin/chromium';
  return '/usr/bin/chromium';
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
