// The lecture page: formulas as MathML (KaTeX, no fonts or CSS needed), the widgets, the theme.
import katex from 'katex';
import '@convlab/models';
import '@convlab/fgsm-demo';
import '@convlab/occlusion-map';
import { setupTheme } from './theme.js';

setupTheme();

for (const el of document.querySelectorAll<HTMLElement>('[data-tex], [data-tex-display]')) {
  const display = el.hasAttribute('data-tex-display');
  const tex = el.getAttribute(display ? 'data-tex-display' : 'data-tex') ?? '';
  katex.render(tex, el, { output: 'mathml', displayMode: display, throwOnError: false });
}

// The page is ready for a reader (and for the end-to-end test) once every widget has a first result.
const firsts = [
  new Promise((r) => document.getElementById('fgsm')?.addEventListener('prediction-change', r, { once: true })),
  new Promise((r) => document.getElementById('occlusion')?.addEventListener('map-complete', r, { once: true })),
];
void Promise.all(firsts).then(() => (document.body.dataset.ready = 'true'));
