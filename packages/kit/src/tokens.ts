/**
 * Design tokens for every ConvLab element (Material Web's pattern): pages and slides theme the
 * widgets through public `--convlab-*` custom properties; inside the shadow roots the elements
 * only read the private `--_*` copies that this stylesheet resolves on `:host`.
 *
 * Resolution order, first match wins:
 *  1. a public `--convlab-*` property set by the page (on the element or any ancestor: custom
 *     properties inherit through shadow boundaries, so this works in every browser);
 *  2. `theme="dark"` / `theme="light"` on the element itself;
 *  3. `theme` / `data-theme` ("dark" or "light") on an ancestor (`:host-context`: Chromium and
 *     WebKit only; in Firefox use the public properties or the element's own attribute; with
 *     mixed nested ancestors, dark wins);
 *  4. the reader's system setting (`prefers-color-scheme`).
 *
 * `presenter` (large type, more contrast, a thicker focus ring) stacks on either theme.
 */
import { css, unsafeCSS, type CSSResult } from 'lit';

/** The colour tokens that change between light and dark. Keys are the token names without prefix. */
export type ColorToken =
  | 'fg'
  | 'bg'
  | 'surface'
  | 'border'
  | 'accent'
  | 'accent-fg'
  | 'danger'
  | 'muted'
  | 'focus-ring';

/** Light palette. Text colours reach WCAG AA (4.5:1) on bg and surface; border reaches 3:1. */
export const lightPalette: Readonly<Record<ColorToken, string>> = {
  fg: '#1a1d21',
  bg: '#ffffff',
  surface: '#f1f3f6',
  border: '#6b7480',
  accent: '#0a58ca',
  'accent-fg': '#ffffff',
  danger: '#b42318',
  muted: '#545e69',
  'focus-ring': '#0a58ca',
};

/** Dark palette, same contrast targets on a dark background. */
export const darkPalette: Readonly<Record<ColorToken, string>> = {
  fg: '#e8eaed',
  bg: '#16181c',
  surface: '#23272e',
  border: '#8b949e',
  accent: '#7cb0ff',
  'accent-fg': '#0b1220',
  danger: '#ff8a80',
  muted: '#aab2bc',
  'focus-ring': '#9cc3ff',
};

const colors = (p: Readonly<Record<ColorToken, string>>, scheme: 'light' | 'dark') =>
  unsafeCSS(
    (Object.keys(p) as ColorToken[]).map((k) => `--_${k}: var(--convlab-${k}, ${p[k]});`).join('\n') +
      `\ncolor-scheme: var(--convlab-color-scheme, ${scheme});`
  );

const light = colors(lightPalette, 'light');
const dark = colors(darkPalette, 'dark');

/**
 * The tokens stylesheet: put it first in an element's `static styles`.
 * Public properties (all optional): `--convlab-font`, `--convlab-font-size`, `--convlab-fg`,
 * `--convlab-bg`, `--convlab-surface`, `--convlab-border`, `--convlab-accent`, `--convlab-accent-fg`,
 * `--convlab-danger`, `--convlab-muted`, `--convlab-focus-ring`, `--convlab-focus-width`,
 * `--convlab-radius`, `--convlab-spacing`, `--convlab-color-scheme`, `--convlab-presenter-font-size`.
 */
export const tokens: CSSResult = css`
  :host {
    ${light}
    --_font: var(--convlab-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_font-size: var(--convlab-font-size, 0.9375rem);
    --_radius: var(--convlab-radius, 6px);
    --_space: var(--convlab-spacing, 0.5rem);
    --_focus-width: var(--convlab-focus-width, 2px);
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.4;
    color: var(--_fg);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
  /* One selector per rule: a browser without :host-context drops only that rule. A page-level
     theme on an ancestor beats the system setting; the element's own attribute beats both. */
  :host-context([data-theme='light']) {
    ${light}
  }
  :host-context([theme='light']) {
    ${light}
  }
  :host-context([data-theme='dark']) {
    ${dark}
  }
  :host-context([theme='dark']) {
    ${dark}
  }
  :host([theme='dark']) {
    ${dark}
  }
  :host([theme='light']) {
    ${light}
  }
  :host([presenter]) {
    --_font-size: var(--convlab-presenter-font-size, 1.5rem);
    --_focus-width: var(--convlab-focus-width, 4px);
    --_muted: var(--convlab-muted, var(--_fg));
    --_border: var(--convlab-border, var(--_fg));
    line-height: 1.3;
  }
  :host([hidden]) {
    display: none !important;
  }
`;
