// The lecture page: formulas as MathML (KaTeX, no fonts or CSS needed), the widgets, the theme.
import katex from 'katex';
import '@convlab/models';
// Every widget in widgets.json is defined on this page.
import { markReadyWhenWidgetsAre } from './widgets-ready.js';
import { setupTheme } from './theme.js';
import { widgets } from 'virtual:convlab/widgets';

setupTheme();

for (const el of document.querySelectorAll<HTMLElement>('[data-tex], [data-tex-display]')) {
  const display = el.hasAttribute('data-tex-display');
  const tex = el.getAttribute(display ? 'data-tex-display' : 'data-tex') ?? '';
  katex.render(tex, el, { output: 'mathml', displayMode: display, throwOnError: false });
}

// A widget that waits below the fold (loading="lazy") holds about its own height (widgets.json's, the
// height that shows it whole), so that the page hardly moves as the widgets above the reader start.
for (const w of widgets) {
  for (const el of document.querySelectorAll<HTMLElement>(`${w.tag}[loading="lazy"]`)) el.style.setProperty('--convlab-lazy-height', `${w.height}px`);
}

markReadyWhenWidgetsAre();
