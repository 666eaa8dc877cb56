// The one list of widgets (widgets.json at the repo root) and what is made from it: the course site's
// embed pages and its `virtual:convlab/*` modules (loaders, manifests, imports), the all-widgets
// bundle's entry, and the lists the tests and the bench loop over. Node built-ins only.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const widgetsFile = join(root, 'widgets.json');

/** Height (px) a snippet gives an iframe when widgets.json names none. */
export const DEFAULT_HEIGHT = 760;

/**
 * widgets.json, checked: each entry has a custom-element `tag` (unique), the npm `package` that
 * defines it, a `title` and a `topic`; `readyEvent` is the event that marks its first result (null:
 * it shows one at once); `height` (optional) is the iframe height in px that shows it whole.
 * @returns {{tag: string, package: string, title: string, topic: string, readyEvent: string | null, height: number}[]}
 */
export function readWidgets(file = widgetsFile) {
  const list = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of widgets`);
  const seen = new Set();
  return list.map((w, i) => {
    const where = `${file}, entry ${i + 1}${w?.tag ? ` (${w.tag})` : ''}`;
    if (typeof w?.tag !== 'string' || !/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(w.tag)) throw new Error(`${where}: "tag" must be a custom element name such as "fgsm-demo"`);
    if (seen.has(w.tag)) throw new Error(`${where}: the tag is listed twice`);
    seen.add(w.tag);
    for (const key of ['package', 'title', 'topic']) {
      if (typeof w[key] !== 'string' || !w[key].trim()) throw new Error(`${where}: "${key}" must be a non-empty string`);
    }
    if (!(w.readyEvent === null || (typeof w.readyEvent === 'string' && w.readyEvent))) throw new Error(`${where}: "readyEvent" must be an event name or null`);
    if (w.height !== undefined && !(Number.isInteger(w.height) && w.height >= 200 && w.height <= 3000)) throw new Error(`${where}: "height" must be a whole number of px in [200, 3000]`);
    return { ...w, height: w.height ?? DEFAULT_HEIGHT };
  });
}

/** The distinct packages, in list order. */
export const packagesOf = (widgets) => [...new Set(widgets.map((w) => w.package))];

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The embed page of one widget (the same page for every widget; only the tag and title differ). */
export function embedHtml(widget, csp) {
  return `<!doctype html>
<!-- Generated from widgets.json by scripts/widgets.mjs (course-site's vite.config.ts): do not edit. -->
<html lang="en" data-theme="light">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}" />
    <title>ConvLab: ${escapeHtml(widget.title)}</title>
    <link rel="stylesheet" href="../src/embed.css" />
  </head>
  <body data-tag="${escapeHtml(widget.tag)}">
    <div id="widget"><p>Loading…</p></div>
    <script type="module" src="../src/embed.ts"></script>
  </body>
</html>
`;
}

/** Writes `<dir>/<tag>.html` for every widget and removes pages of widgets no longer listed. */
export function writeEmbedPages(dir, widgets, csp) {
  mkdirSync(dir, { recursive: true });
  const want = new Set(widgets.map((w) => `${w.tag}.html`));
  for (const f of readdirSync(dir)) if (f.endsWith('.html') && !want.has(f)) rmSync(join(dir, f));
  for (const w of widgets) {
    const file = join(dir, `${w.tag}.html`);
    const html = embedHtml(w, csp);
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {}
    if (old !== html) writeFileSync(file, html);
  }
}

/**
 * Source of the virtual modules (a Vite plugin serves them):
 * - `virtual:convlab/widgets`: `widgets` (the list) and `loaders` (tag -> () => import(package)).
 * - `virtual:convlab/manifests`: `manifests` (package -> its custom-elements.json).
 * - `virtual:convlab/define-all`: imports every widget package (defines every element).
 * - `virtual:convlab/all-exports`: re-exports every widget package (the all-widgets bundle).
 */
export function virtualModules(widgets) {
  const pkgs = packagesOf(widgets);
  const list = JSON.stringify(widgets, null, 2);
  return {
    'virtual:convlab/widgets':
      `export const widgets = ${list};\n` +
      `export const loaders = {\n${widgets.map((w) => `  ${JSON.stringify(w.tag)}: () => import(${JSON.stringify(w.package)}),`).join('\n')}\n};\n`,
    'virtual:convlab/manifests':
      pkgs.map((p, i) => `import m${i} from ${JSON.stringify(`${p}/custom-elements.json`)};`).join('\n') +
      `\nexport const manifests = {\n${pkgs.map((p, i) => `  ${JSON.stringify(p)}: m${i},`).join('\n')}\n};\n`,
    'virtual:convlab/define-all': pkgs.map((p) => `import ${JSON.stringify(p)};`).join('\n') + '\n',
    'virtual:convlab/all-exports': pkgs.map((p) => `export * from ${JSON.stringify(p)};`).join('\n') + '\n',
  };
}

/** A Vite plugin that serves the virtual modules above from widgets.json (re-read on every build). */
export function convlabWidgets() {
  let modules = {};
  return {
    name: 'convlab-widgets',
    buildStart() {
      this.addWatchFile?.(widgetsFile);
      modules = virtualModules(readWidgets());
    },
    resolveId(id) {
      if (id.startsWith('virtual:convlab/')) return `\0${id}`;
    },
    load(id) {
      if (!id.startsWith('\0virtual:convlab/')) return;
      if (!Object.keys(modules).length) modules = virtualModules(readWidgets());
      return modules[id.slice(1)];
    },
  };
}
