import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { tokens } from './tokens.js';
import { sharedStyles } from './shared.styles.js';

/** 'light' or 'dark' forces a theme; '' (the default) follows the page and the system setting. */
export type ConvLabTheme = 'light' | 'dark' | '';

/** 'lazy' defers the element's first render, and so all its work, until it nears the viewport. */
export type ConvLabLoading = 'eager' | 'lazy';

const loadingConverter = {
  fromAttribute: (v: string | null): ConvLabLoading => (v?.trim().toLowerCase() === 'lazy' ? 'lazy' : 'eager'),
  toAttribute: (v: ConvLabLoading): string | null => (v === 'lazy' ? 'lazy' : null),
};

/**
 * How far outside the viewport a lazy element starts (CSS margin of the IntersectionObserver's root):
 * one screen ahead, so that a reader scrolling at a normal pace finds it working.
 */
export const LAZY_ROOT_MARGIN = '100% 0px';

const themeConverter = {
  fromAttribute: (v: string | null): ConvLabTheme => (v === 'light' || v === 'dark' ? v : ''),
  // '' removes the attribute instead of writing theme="".
  toAttribute: (v: ConvLabTheme): string | null => (v === 'light' || v === 'dark' ? v : null),
};

/**
 * Base class of every ConvLab element: design tokens, theme and presenter mode.
 *
 * @cssprop --convlab-font - Font family.
 * @cssprop --convlab-font-size - Base font size (default 0.9375rem).
 * @cssprop --convlab-presenter-font-size - Font size in presenter mode (default 1.5rem).
 * @cssprop --convlab-fg - Text colour.
 * @cssprop --convlab-bg - Background colour.
 * @cssprop --convlab-surface - Background of controls and panels.
 * @cssprop --convlab-border - Border colour of controls.
 * @cssprop --convlab-accent - Accent colour (selection, bars, primary buttons).
 * @cssprop --convlab-accent-fg - Text on the accent colour.
 * @cssprop --convlab-danger - Error colour.
 * @cssprop --convlab-muted - Secondary text colour.
 * @cssprop --convlab-focus-ring - Focus ring colour.
 * @cssprop --convlab-focus-width - Focus ring width (2px; 4px in presenter mode).
 * @cssprop --convlab-radius - Corner radius.
 * @cssprop --convlab-spacing - Base spacing unit.
 * @cssprop --convlab-lazy-height - Height a `loading="lazy"` element keeps until it starts (default 24rem).
 */
export class ConvLabElement extends LitElement {
  static override styles = [tokens, sharedStyles];

  /**
   * Presenter mode for slides and projectors: large type, more contrast, a thicker focus ring. It
   * also applies to the ConvLab parts (`convlab-*`) inside this element.
   */
  @property({ type: Boolean, reflect: true }) presenter = false;

  constructor() {
    super();
    // A controller, so that it runs after every update even where a subclass overrides updated().
    this.addController({ hostUpdated: () => this.sharePresenter() });
  }

  /** Hands presenter mode down to the kit parts in this element's shadow root. */
  private sharePresenter(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement & { presenter?: boolean }>('*')) {
      if (el.localName.startsWith('convlab-') && 'presenter' in el && el.presenter !== this.presenter) el.presenter = this.presenter;
    }
  }

  /**
   * `lazy`: the element renders, loads its model and computes only once it comes within a screen of
   * the viewport (as `<img loading="lazy">`), so that a page with many widgets shows its first screen
   * fast. Until then it keeps a placeholder's height (`--convlab-lazy-height`, default 24rem). `eager`
   * (the default) starts at once. Read when the element is first connected.
   */
  @property({ reflect: true, converter: loadingConverter }) loading: ConvLabLoading = 'eager';

  /** Set while a lazy element waits to come into view (a styling hook: `[data-waiting]`). */
  private waiting?: Promise<void>;

  protected override scheduleUpdate(): void | Promise<unknown> {
    if (!this.hasUpdated && this.loading === 'lazy' && typeof IntersectionObserver !== 'undefined') {
      this.waiting ??= this.whenNearViewport();
      return this.waiting.then(() => super.scheduleUpdate());
    }
    return super.scheduleUpdate();
  }

  /** Resolves once this element is within LAZY_ROOT_MARGIN of the viewport. */
  private whenNearViewport(): Promise<void> {
    this.toggleAttribute('data-waiting', true);
    return new Promise((resolve) => {
      const io = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          io.disconnect();
          this.removeAttribute('data-waiting');
          resolve();
        },
        { rootMargin: LAZY_ROOT_MARGIN },
      );
      io.observe(this);
    });
  }

  /** 'light' or 'dark' forces a theme; empty (default) follows the page's theme and the system. */
  @property({ reflect: true, converter: themeConverter }) theme: ConvLabTheme = '';

  /** Dispatches a bubbling, composed CustomEvent and returns it. */
  protected emit<T>(type: string, detail: T, init: Omit<CustomEventInit<T>, 'detail'> = {}): CustomEvent<T> {
    const event = new CustomEvent<T>(type, { bubbles: true, composed: true, ...init, detail });
    this.dispatchEvent(event);
    return event;
  }
}
