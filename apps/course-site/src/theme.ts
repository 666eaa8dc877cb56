import { widgets } from 'virtual:convlab/widgets';

const THEMED = ['[data-themed]', 'convlab-status', 'convlab-image-picker', 'convlab-tensor-canvas', 'convlab-slider', 'convlab-prob-bars', ...widgets.map((w) => w.tag)].join(', ');

/** Light and dark themes: follows the system until the reader picks one; remembered per browser. */
export function setupTheme(): void {
  const button = document.getElementById('theme-toggle');
  const stored = localStorage.getItem('convlab-theme');
  const prefersDark = matchMedia('(prefers-color-scheme: dark)').matches;
  const apply = (dark: boolean) => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    // Every ConvLab element on the page follows the site's theme.
    for (const el of document.querySelectorAll(THEMED)) {
      el.setAttribute('theme', dark ? 'dark' : 'light');
    }
    button?.setAttribute('aria-pressed', String(dark));
    if (button) button.textContent = dark ? 'Light theme' : 'Dark theme';
  };
  apply(stored ? stored === 'dark' : prefersDark);
  button?.addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme !== 'dark';
    localStorage.setItem('convlab-theme', dark ? 'dark' : 'light');
    apply(dark);
  });
}
