// An LMS embed page renders one widget from its query string: /embed/fgsm-demo.html?epsilon=0.1&sample=3.
// Light by default; theme=dark or theme=auto (the system's setting) choose.
// Only the element's own attributes are taken from the query; the page posts its height to the
// parent window so that public/embed.js (or any listener) can size the iframe.
// The widgets and their loaders come from widgets.json (scripts/widgets.mjs).
import '@convlab/models';
import { widgets, loaders } from 'virtual:convlab/widgets';

const tag = document.body.dataset.tag ?? '';
const mount = document.getElementById('widget')!;

function fail(message: string): void {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.className = 'embed-error';
  p.textContent = message;
  mount.replaceChildren(p);
}

function postHeight(): void {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  const id = new URLSearchParams(location.search).get('embed-id') ?? undefined;
  // ready: the widget has its first result (the snippet builder offers a height only then).
  const ready = document.body.dataset.ready === 'true';
  if (parent !== window) parent.postMessage({ type: 'convlab:height', height, id, tag, ready }, '*');
}

async function main(): Promise<void> {
  const load = loaders[tag];
  const widget = widgets.find((w) => w.tag === tag);
  if (!load || !widget) return fail(`Unknown widget '${tag}'.`);
  await load();
  const ctor = customElements.get(tag) as (CustomElementConstructor & { observedAttributes?: string[] }) | undefined;
  const allowed = new Set(ctor?.observedAttributes ?? []);
  const el = document.createElement(tag);
  const params = new URLSearchParams(location.search);
  const ignored: string[] = [];
  // Light unless the query says otherwise: an LMS page is light whatever the student's system is.
  // theme=dark forces dark; theme=auto follows the system setting.
  const theme = params.get('theme') ?? 'light';
  if (!['light', 'dark', 'auto'].includes(theme)) ignored.push(`theme=${theme} (light, dark or auto; light used)`);
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else {
    document.documentElement.dataset.theme = theme === 'dark' ? 'dark' : 'light';
    el.setAttribute('theme', theme === 'dark' ? 'dark' : 'light');
  }
  for (const [k, v] of params) {
    if (k === 'embed-id' || k === 'theme') continue;
    if (allowed.has(k)) el.setAttribute(k, v);
    else ignored.push(k);
  }
  if (ignored.length) console.warn(`[convlab embed] ignoring unknown parameter(s) for <${tag}>: ${ignored.join(', ')}`);
  mount.replaceChildren(el);
  new ResizeObserver(postHeight).observe(document.documentElement);
  postHeight();
  // Ready for a reader (and the end-to-end tests) once the widget has a first result.
  const mark = () => {
    document.body.dataset.ready = 'true';
    postHeight();
  };
  if (widget.readyEvent) el.addEventListener(widget.readyEvent, mark, { once: true });
  else await ((el as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete ?? Promise.resolve()).then(mark);
}

main().catch((e) => fail(`The widget could not start: ${(e as Error).message}`));
