// The built custom-elements.json files (run `npm run build` first) list what every element inherits
// from ConvLabElement: the presenter and theme attributes and the --convlab-* CSS properties. The
// widget packages get them from @convlab/kit through scripts/cem-inherit.mjs (cem analyze reads only
// a package's own sources); Storybook's controls and docs tables and the snippet builder read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWidgets } from '../scripts/widgets.mjs';

const root = join(import.meta.dirname, '..');
// package folder -> the tags widgets.json lists for it.
const WIDGETS = {};
for (const w of readWidgets()) (WIDGETS[w.package.replace(/^@convlab\//, '')] ??= []).push(w.tag);
const INHERITED_CSS = ['--convlab-fg', '--convlab-bg', '--convlab-accent', '--convlab-font-size'];

function manifest(pkg) {
  const dir = join(root, 'packages', pkg);
  const field = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).customElements;
  assert.ok(field, `packages/${pkg}/package.json has a "customElements" field`);
  const file = join(dir, field);
  assert.ok(existsSync(file), `packages/${pkg}/${field} is missing: run \`npm run build\` first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

const elements = (m) => m.modules.flatMap((mod) => mod.declarations ?? []).filter((d) => d.tagName);

function assertInherits(decl, where, from) {
  const attrs = new Map((decl.attributes ?? []).map((a) => [a.name, a]));
  for (const name of ['presenter', 'theme']) {
    const attr = attrs.get(name);
    assert.ok(attr, `<${decl.tagName}> in ${where} lists the "${name}" attribute (has: ${[...attrs.keys()].join(', ')})`);
    assert.equal(attr.inheritedFrom?.name, 'ConvLabElement', `<${decl.tagName}>'s "${name}" is marked as inherited from ConvLabElement`);
    if (from) assert.equal(attr.inheritedFrom.package, from, `<${decl.tagName}>'s "${name}" names the package it comes from`);
    const member = (decl.members ?? []).find((m) => m.name === name && m.kind === 'field');
    assert.ok(member, `<${decl.tagName}> in ${where} lists the "${name}" property`);
    assert.equal(member.attribute, name);
  }
  assert.equal(attrs.get('presenter').type?.text, 'boolean');
  const css = new Set((decl.cssProperties ?? []).map((c) => c.name));
  for (const name of INHERITED_CSS) assert.ok(css.has(name), `<${decl.tagName}> in ${where} lists the CSS property ${name}`);
}

for (const [pkg, tags] of Object.entries(WIDGETS)) {
  test(`packages/${pkg}/custom-elements.json lists what its elements inherit from @convlab/kit`, () => {
    const found = elements(manifest(pkg));
    assert.deepEqual(found.map((d) => d.tagName).sort(), [...tags].sort());
    for (const decl of found) {
      assertInherits(decl, `packages/${pkg}`, '@convlab/kit');
      // Own items stay as cem wrote them: not marked as inherited, listed once.
      assert.ok(decl.attributes.some((a) => !a.inheritedFrom), `<${decl.tagName}> keeps its own attributes`);
      const names = decl.attributes.map((a) => a.name);
      assert.deepEqual(names, [...new Set(names)], `<${decl.tagName}> lists each attribute once`);
    }
  });
}

test('the kit elements list presenter, theme and the --convlab-* properties (inherited within the package)', () => {
  const found = elements(manifest('kit'));
  assert.ok(found.length >= 5, 'the kit declares its elements');
  for (const decl of found) assertInherits(decl, 'packages/kit', undefined);
});

test('every element package other than the kit runs scripts/cem-inherit.mjs after cem analyze', () => {
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', pkg, 'package.json');
    if (pkg === 'kit' || !existsSync(file)) continue;
    const build = JSON.parse(readFileSync(file, 'utf8')).scripts?.build ?? '';
    if (!/\bcem analyze\b/.test(build)) continue;
    assert.match(build, /cem analyze[^&]*&&\s*node \.\.\/\.\.\/scripts\/cem-inherit\.mjs/, `packages/${pkg}'s build completes its manifest`);
  }
});
