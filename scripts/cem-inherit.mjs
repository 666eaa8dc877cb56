// Completes a package's custom-elements.json with what its classes inherit from classes in other
// packages. Run by an element package's build, in its directory, after `cem analyze`:
//
//   cem analyze --litelement ... && node ../../scripts/cem-inherit.mjs
//
// `cem analyze` reads only the package's own sources, so <fgsm-demo> (which extends ConvLabElement
// from @convlab/kit) got no `presenter` / `theme` attributes and none of the `--convlab-*` CSS
// properties. Its `--dependencies` option does find @convlab/kit's manifest and copies the items,
// but marks them `inheritedFrom: {module: 'src/base.ts'}`, a path in the wrong package, and prints
// resolver errors for every dynamic import in the dependencies' dist/. This script instead reads
// the superclass package's own manifest (its package.json "customElements" field), so it needs
// that package built first (turbo's `dependsOn: ["^build"]` does that), and marks each copied item
// `inheritedFrom: {name, package, module}` as the schema's Reference has it. Items a class already
// declares (same name) are kept as they are. Running it twice changes nothing.
//
// Usage: node cem-inherit.mjs [path/to/custom-elements.json]   (default: ./custom-elements.json)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const KINDS = ['attributes', 'members', 'events', 'slots', 'cssParts', 'cssProperties', 'cssStates'];

const manifestPath = resolve(process.argv[2] ?? 'custom-elements.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
// Packages resolve from the working directory (the package being built), as its imports do.
const require = createRequire(resolve('package.json'));

/** package name -> its manifest, or null when the package has none (lit, for instance). */
const external = new Map();
function manifestOf(pkg) {
  if (external.has(pkg)) return external.get(pkg);
  let found = null;
  let pkgJsonPath;
  try {
    pkgJsonPath = require.resolve(`${pkg}/package.json`);
  } catch {
    // A package whose exports hide package.json: walk up from its entry point instead.
    try {
      let dir = dirname(require.resolve(pkg));
      while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
      pkgJsonPath = resolve(dir, 'package.json');
    } catch {
      pkgJsonPath = undefined;
    }
  }
  if (pkgJsonPath) {
    const field = JSON.parse(readFileSync(pkgJsonPath, 'utf8')).customElements;
    if (field) {
      const file = resolve(dirname(pkgJsonPath), field);
      if (!existsSync(file)) {
        throw new Error(`cem-inherit: ${pkg} names its manifest ${field}, which does not exist yet: build ${pkg} first`);
      }
      found = JSON.parse(readFileSync(file, 'utf8'));
    }
  }
  external.set(pkg, found);
  return found;
}

const classLike = (d) => d.kind === 'class' || d.kind === 'mixin';

/** Finds a declaration by reference: {name, module} in `where` (a manifest), or {name, package}. */
function lookup(ref, where) {
  if (ref.package) {
    const m = manifestOf(ref.package);
    if (!m) return null;
    const hits = m.modules.flatMap((mod) => (mod.declarations ?? []).filter((d) => classLike(d) && d.name === ref.name).map((decl) => ({ decl, mod })));
    // Prefer the declaration the package exports, if the name is declared more than once.
    const exported = hits.find(({ mod }) => (mod.exports ?? []).some((e) => e.name === ref.name));
    const hit = exported ?? hits[0];
    return hit ? { ...hit, pkg: ref.package, manifest: m } : null;
  }
  const norm = (p) => (p ?? '').replace(/^\/+/, '').replace(/\.js$/, '');
  for (const mod of where.modules) {
    if (ref.module && norm(mod.path).replace(/\.ts$/, '') !== norm(ref.module).replace(/\.ts$/, '')) continue;
    const decl = (mod.declarations ?? []).find((d) => classLike(d) && d.name === ref.name);
    if (decl) return { decl, mod, pkg: null, manifest: where };
  }
  return null;
}

const sameItem = (kind, a, b) => a.name === b.name && (kind !== 'members' || !!a.static === !!b.static);

/**
 * Adds to `decl` (declared in `manifest`, the manifest of package `pkg`, null for this package)
 * what its superclass and mixins carry from other packages, following the chain through packages.
 */
const done = new Set();
function complete(decl, manifest, pkg) {
  if (done.has(decl)) return;
  done.add(decl);
  for (const ref of [...(decl.mixins ?? []), ...(decl.superclass ? [decl.superclass] : [])]) {
    // A reference without a package is to a module of the package that declares `decl`.
    const hit = lookup(ref.package || !pkg ? ref : { ...ref, package: pkg }, manifest);
    if (!hit) continue; // LitElement, HTMLElement, or a package without a manifest
    complete(hit.decl, hit.manifest, hit.pkg);
    copy(decl, hit, hit.pkg === pkg);
  }
}

function copy(decl, { decl: from, pkg, mod }, samePackage) {
  for (const kind of KINDS) {
    for (const item of from[kind] ?? []) {
      if ((decl[kind] ?? []).some((own) => sameItem(kind, own, item))) continue;
      // Within one package cem has copied everything but what came from other packages.
      if (samePackage && !item.inheritedFrom?.package) continue;
      const inheritedFrom = item.inheritedFrom
        ? { ...item.inheritedFrom, package: item.inheritedFrom.package ?? pkg }
        : { name: from.name, package: pkg, module: mod.path };
      (decl[kind] ??= []).push({ ...item, inheritedFrom });
    }
  }
}

for (const mod of manifest.modules ?? []) {
  for (const decl of mod.declarations ?? []) if (classLike(decl)) complete(decl, manifest, null);
}

writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
