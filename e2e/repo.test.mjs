// The root package.json's scripts point at files that exist (a missing helper script broke
// `npm run bench` once, and no other test ran that command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function scriptsOf(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return Object.entries(pkg.scripts ?? {});
}

const dirs = [root, ...['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p)))].filter((d) =>
  existsSync(join(d, 'package.json')),
);

for (const dir of dirs) {
  test(`scripts of ${dir.slice(root.length + 1) || 'the root'} name files that exist`, () => {
    for (const [name, cmd] of scriptsOf(dir)) {
      for (const m of cmd.matchAll(/\bnode\s+(?:--\S+\s+)*([\w./-]+\.m?[jt]s)\b/g)) {
        assert.ok(existsSync(join(dir, m[1])), `script "${name}" runs ${m[1]}, which does not exist`);
      }
    }
  });
}

test('npm test finds Chromium, installs it as root, or says what to install', async () => {
  const { chromiumPlan } = await import('../scripts/lib.mjs');
  const only = (...paths) => (p) => paths.includes(p);
  assert.deepEqual(chromiumPlan({ chromePath: undefined, exists: only('/usr/bin/chromium'), isRoot: false, hasAptGet: false }), { action: 'use', path: '/usr/bin/chromium' });
  assert.deepEqual(chromiumPlan({ chromePath: '/opt/chrome', exists: only('/opt/chrome'), isRoot: false, hasAptGet: true }), { action: 'use', path: '/opt/chrome' });
  assert.match(chromiumPlan({ chromePath: '/opt/chrome', exists: only(), isRoot: true, hasAptGet: true }).message, /CHROME_PATH is set to \/opt\/chrome, but there is no file there/);
  assert.deepEqual(chromiumPlan({ chromePath: undefined, exists: only(), isRoot: true, hasAptGet: true }), { action: 'install' });
  const notRoot = chromiumPlan({ chromePath: undefined, exists: only(), isRoot: false, hasAptGet: true });
  assert.equal(notRoot.action, 'fail');
  assert.match(notRoot.message, /sudo apt-get install chromium/);
  assert.match(notRoot.message, /CHROME_PATH/);
});

test('npm test finds Firefox for the second-browser pass, installs it as root, or says what to install', async () => {
  const { firefoxPlan } = await import('../scripts/lib.mjs');
  const only = (...paths) => (p) => paths.includes(p);
  assert.deepEqual(firefoxPlan({ firefoxPath: undefined, exists: only('/usr/bin/firefox-esr'), isRoot: false, hasAptGet: false }), { action: 'use', path: '/usr/bin/firefox-esr' });
  assert.deepEqual(firefoxPlan({ firefoxPath: '/opt/firefox/firefox', exists: only('/opt/firefox/firefox'), isRoot: false, hasAptGet: true }), { action: 'use', path: '/opt/firefox/firefox' });
  assert.match(firefoxPlan({ firefoxPath: '/opt/ff', exists: only(), isRoot: true, hasAptGet: true }).message, /FIREFOX_PATH is set to \/opt\/ff, but there is no file there/);
  assert.deepEqual(firefoxPlan({ firefoxPath: undefined, exists: only('/usr/bin/chromium'), isRoot: true, hasAptGet: true }), { action: 'install' });
  const notRoot = firefoxPlan({ firefoxPath: undefined, exists: only(), isRoot: false, hasAptGet: true });
  assert.equal(notRoot.action, 'fail');
  assert.match(notRoot.message, /sudo apt-get install firefox-esr/);
  assert.match(notRoot.message, /FIREFOX_PATH/);
});

// The README's layout table lists every package and app, and the docs' model list every bundled model.
test("the README's layout table lists every package and app", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const rows = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
  const missing = dirs.filter((d) => d !== root).map((d) => d.slice(root.length + 1)).filter((d) => !rows.has(d));
  assert.deepEqual(missing, []);
});

test('the welcome page and the models package name every bundled model', () => {
  const models = readdirSync(join(root, 'packages/models/models')).filter((m) => existsSync(join(root, 'packages/models/models', m, 'card.md')));
  assert.ok(models.length >= 7, models.join(', '));
  const welcome = readFileSync(join(root, 'docs/welcome.mdx'), 'utf8');
  const description = JSON.parse(readFileSync(join(root, 'packages/models/package.json'), 'utf8')).description;
  for (const m of models) {
    assert.ok(welcome.includes(`\`${m}\``), `docs/welcome.mdx names ${m}`);
    assert.ok(new RegExp(`\\b${m}\\b`).test(description), `@convlab/models' description names ${m}`);
  }
});
