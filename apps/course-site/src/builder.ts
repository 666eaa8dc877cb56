// Snippet builder for instructors: choose a widget, set its attributes with a live preview (the real
// embed page in a sandboxed iframe), copy an iframe snippet (LMS) or an element snippet (pages that
// allow scripts). The widgets come from widgets.json, each one's attributes from its package's
// custom-elements.json.
import { widgets } from 'virtual:convlab/widgets';
import { manifests } from 'virtual:convlab/manifests';
import { setupTheme } from './theme.js';

setupTheme();

interface ManifestAttribute {
  name: string;
  type?: { text: string };
  default?: string;
  description?: string;
}
interface Manifest {
  modules: { declarations?: { tagName?: string; summary?: string; attributes?: ManifestAttribute[] }[] }[];
}

interface Field {
  name: string;
  kind: 'number' | 'boolean' | 'text' | 'select';
  options?: string[];
  defaultValue: string;
  description: string;
}

/**
 * Choices the manifest cannot spell out (type aliases). The manifests list the attributes every widget
 * inherits from ConvLabElement (presenter, theme): scripts/cem-inherit.mjs adds them at build time.
 */
const OPTIONS: Record<string, string[]> = {
  model: ['digits', 'fashion'],
  mode: ['untargeted', 'targeted', 'iterative'],
  fill: ['grey', 'black', 'mean', 'blurred'],
  // In an iframe: light by default; dark; auto follows the student's system setting.
  theme: ['', 'dark', 'auto'],
};

const WIDGETS = widgets.map((w) => ({ ...w, manifest: manifests[w.package] as Manifest }));

export function fieldsOf(manifest: Manifest, tag: string): { summary: string; fields: Field[] } {
  const decl = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
  const attrs = decl?.attributes ?? [];
  const fields = attrs.map((a): Field => {
    const type = a.type?.text ?? 'string';
    const defaultValue = (a.default ?? '').replace(/^'(.*)'$/, '$1');
    const options = OPTIONS[a.name];
    const kind = options ? 'select' : type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'text';
    return { name: a.name, kind, options, defaultValue, description: a.description ?? '' };
  });
  return { summary: decl?.summary ?? '', fields };
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A manifest description as written: its `code spans` (formulas, values) become <code>. */
function withCode(text: string): Node[] {
  return text.split(/`([^`]*)`/).map((part, i) => {
    if (!(i % 2)) return document.createTextNode(part);
    const code = document.createElement('code');
    code.textContent = part;
    return code;
  });
}
const widgetSelect = $<HTMLSelectElement>('widget');
const fieldset = $<HTMLFieldSetElement>('attributes');
const preview = $<HTMLIFrameElement>('preview');
const heightInput = $<HTMLInputElement>('height');

// One group per course topic; each option is the widget's full title (its tag is shown below the menu).
for (const topic of new Set(WIDGETS.map((w) => w.topic))) {
  const group = document.createElement('optgroup');
  group.label = topic;
  for (const w of WIDGETS.filter((x) => x.topic === topic)) group.append(new Option(w.title, w.tag));
  widgetSelect.append(group);
}

/** Where the snippet's height comes from: the widget's default until the preview has its first result. */
let heightSource: 'default' | 'measured' | 'typed' = 'default';
const heightStatus = $('height-status');
function setHeightStatus(): void {
  const w = WIDGETS.find((x) => x.tag === widgetSelect.value)!;
  heightStatus.textContent =
    heightSource === 'typed'
      ? 'Your height.'
      : heightSource === 'measured'
        ? `Measured from the preview (its first result shown): ${heightInput.value} px.`
        : `Waiting for the preview's first result; until then ${heightInput.value} px${heightInput.value === String(w.height) ? ", this widget's usual height" : ''}.`;
}

function renderFields(): void {
  const w = WIDGETS.find((x) => x.tag === widgetSelect.value)!;
  const { summary, fields } = fieldsOf(w.manifest, w.tag);
  $('widget-summary').replaceChildren(...withCode(`\`<${w.tag}>\`${summary ? `: ${summary}` : ''}`));
  if (heightSource !== 'typed') {
    heightSource = 'default';
    heightInput.value = String(w.height);
  }
  fieldset.replaceChildren(fieldset.querySelector('legend')!);
  for (const f of fields) {
    const label = document.createElement('label');
    const id = `attr-${f.name}`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'select') {
      input = document.createElement('select');
      for (const o of f.options!) input.add(new Option(o === '' ? '(default)' : o, o, false, o === f.defaultValue));
    } else {
      input = document.createElement('input');
      input.type = f.kind === 'boolean' ? 'checkbox' : f.kind === 'number' ? 'number' : 'text';
      if (f.kind === 'boolean') (input as HTMLInputElement).checked = f.defaultValue === 'true';
      else {
        input.value = f.defaultValue;
        if (f.kind === 'number') (input as HTMLInputElement).step = 'any';
      }
    }
    input.id = id;
    input.name = f.name;
    input.dataset.default = f.defaultValue;
    input.dataset.kind = f.kind;
    if (f.kind === 'boolean') {
      label.className = 'check';
      label.append(input, ` ${f.name}`);
    } else {
      label.append(f.name, input);
    }
    const description = f.name === 'theme' ? 'In the iframe: light by default; dark, or auto (the student\'s system setting).' : f.description;
    if (description) {
      const hint = document.createElement('span');
      hint.className = 'hint';
      hint.id = `${id}-hint`;
      hint.append(...withCode(description));
      input.setAttribute('aria-describedby', hint.id);
      label.append(hint);
    }
    fieldset.append(label);
  }
  update();
}

/** The attributes that differ from their defaults, in form order. */
export function changedAttributes(): [string, string][] {
  const out: [string, string][] = [];
  for (const el of fieldset.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
    const def = el.dataset.default ?? '';
    if (el.dataset.kind === 'boolean') {
      const on = (el as HTMLInputElement).checked;
      if (on !== (def === 'true')) out.push([el.name, on ? '' : 'false']);
    } else if (el.value !== def) out.push([el.name, el.value]);
  }
  return out;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

let timer = 0;
function update(): void {
  const tag = widgetSelect.value;
  const attrs = changedAttributes();
  const query = new URLSearchParams(attrs.map(([k, v]) => [k, v === '' ? 'true' : v])).toString();
  const embedUrl = new URL(`embed/${tag}.html${query ? `?${query}` : ''}`, document.baseURI).href;
  const widget = WIDGETS.find((w) => w.tag === tag)!;
  const height = Math.max(200, Math.round(Number(heightInput.value)) || widget.height);
  // The height is in the snippet itself, so the iframe shows the widget whole with no script (an LMS
  // strips scripts); embed.js, where a page allows it, then follows the content's height.
  $<HTMLTextAreaElement>('iframe-snippet').value =
    `<iframe src="${escapeHtml(embedUrl)}" title="${escapeHtml(widget.title)}" style="width:100%;height:${height}px;border:0" sandbox="allow-scripts allow-same-origin" loading="lazy"></iframe>`;
  $('embed-js').textContent = `<script src="${new URL('embed.js', document.baseURI).href}"></script>`;
  // theme="auto" is the iframe's word for the element's default (follow the page and the system).
  const attrText = attrs
    .filter(([k, v]) => !(k === 'theme' && v === 'auto'))
    .map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`))
    .join('');
  $<HTMLTextAreaElement>('element-snippet').value =
    `<script type="module" src="${new URL('cdn/convlab.js', document.baseURI).href}"></script>\n<${tag}${attrText}></${tag}>`;
  preview.style.height = `${height}px`;
  setHeightStatus();
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    if (preview.src !== embedUrl) preview.src = embedUrl;
  }, 250);
}

// The preview page posts its height (as every embed page does). Once it has its first result
// (ready), that height (+16 px of margin) becomes the snippet's, until the instructor types one;
// while it loads, the widget's usual height from widgets.json stands.
heightInput.addEventListener('input', () => (heightSource = 'typed'));
window.addEventListener('message', (e) => {
  const d = e.data as { type?: string; height?: number; ready?: boolean };
  if (e.source !== preview.contentWindow || d?.type !== 'convlab:height' || typeof d.height !== 'number' || !d.ready) return;
  if (heightSource !== 'typed') {
    heightSource = 'measured';
    heightInput.value = String(Math.max(200, Math.ceil(d.height) + 16));
    update();
  }
});

widgetSelect.addEventListener('change', renderFields);
// A new setting reloads the preview: its height is measured again once the new page is ready.
const reset = () => {
  if (heightSource === 'measured') heightSource = 'default';
  update();
};
fieldset.addEventListener('input', reset);
fieldset.addEventListener('change', reset);
heightInput.addEventListener('input', update);

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-copy]')) {
  button.addEventListener('click', async () => {
    const area = $<HTMLTextAreaElement>(button.dataset.copy!);
    try {
      await navigator.clipboard.writeText(area.value);
    } catch {
      area.select();
      document.execCommand('copy');
    }
    $('copied').textContent = `${button.textContent!.replace('Copy ', '')} copied.`;
  });
}

renderFields();
document.body.dataset.ready = 'true';
