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
  theme: ['', 'light', 'dark'],
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
const widgetSelect = $<HTMLSelectElement>('widget');
const fieldset = $<HTMLFieldSetElement>('attributes');
const preview = $<HTMLIFrameElement>('preview');
const heightInput = $<HTMLInputElement>('height');

for (const w of WIDGETS) widgetSelect.add(new Option(`<${w.tag}>: ${w.title}`, w.tag));

function renderFields(): void {
  const w = WIDGETS.find((x) => x.tag === widgetSelect.value)!;
  const { summary, fields } = fieldsOf(w.manifest, w.tag);
  $('widget-summary').textContent = summary;
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
    if (f.description) {
      const hint = document.createElement('span');
      hint.className = 'hint';
      hint.id = `${id}-hint`;
      hint.textContent = f.description;
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
  const height = Math.max(200, Number(heightInput.value) || 760);
  const title = WIDGETS.find((w) => w.tag === tag)!.title;
  $<HTMLTextAreaElement>('iframe-snippet').value =
    `<iframe src="${escapeHtml(embedUrl)}" title="${escapeHtml(title)}" width="100%" height="${height}" style="border: 0; max-width: 100%;" sandbox="allow-scripts allow-same-origin" loading="lazy"></iframe>`;
  const attrText = attrs.map(([k, v]) => (v === '' ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`)).join('');
  $<HTMLTextAreaElement>('element-snippet').value =
    `<script type="module" src="${new URL('cdn/convlab.js', document.baseURI).href}"></script>\n<${tag}${attrText}></${tag}>`;
  preview.style.height = `${height}px`;
  clearTimeout(timer);
  timer = window.setTimeout(() => {
    if (preview.src !== embedUrl) preview.src = embedUrl;
  }, 250);
}

// The preview page posts its height (as every embed page does): size the preview to it, and suggest
// that height for the snippet until the instructor types one.
let heightTouched = false;
heightInput.addEventListener('input', () => (heightTouched = true));
window.addEventListener('message', (e) => {
  const d = e.data as { type?: string; height?: number };
  if (e.source !== preview.contentWindow || d?.type !== 'convlab:height' || typeof d.height !== 'number') return;
  if (!heightTouched) {
    heightInput.value = String(Math.ceil(d.height) + 16);
    update();
  }
});

widgetSelect.addEventListener('change', renderFields);
fieldset.addEventListener('input', update);
fieldset.addEventListener('change', update);
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
