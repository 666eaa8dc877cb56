import { css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { ConvLabElement } from './base.js';

/** 'settings': what a widget used instead of a bad setting. 'info': a remark about the input or the model. */
export type NoticeKind = 'settings' | 'info';

/**
 * A quiet, visible remark in a widget: small muted text with an (i) mark, in a polite live region
 * (`role="status"`). Used for settings that were clamped or defaulted ("epsilon=5 is above the
 * maximum 1: using 1.") and for remarks about the input ("Your image was inverted…"). Never for
 * failures: those are errors (`<convlab-status state="error">` or an alert next to the control).
 *
 * @summary A quiet notice: settings that were corrected, remarks about the input.
 * @tagname convlab-notice
 * @slot - Extra content after the messages (for example a picture of the input as the model sees it).
 * @csspart notice - The notice box.
 */
export class ConvLabNotice extends ConvLabElement {
  static override styles = [
    ...ConvLabElement.styles,
    css`
      :host {
        display: block;
        background: transparent;
      }
      :host([hidden]) {
        display: none;
      }
      .notice {
        display: flex;
        gap: 0.5em;
        align-items: flex-start;
        margin: 0.25em 0;
        color: var(--_muted);
        font-size: 0.875em;
        line-height: 1.35;
      }
      .mark {
        flex: none;
        display: inline-grid;
        place-items: center;
        width: 1.25em;
        height: 1.25em;
        border: 1px solid currentColor;
        border-radius: 50%;
        font-size: 0.8em;
        font-style: normal;
        font-weight: 700;
        margin-top: 0.1em;
      }
      ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .body {
        display: grid;
        gap: 0.25em;
        min-width: 0;
      }
    `,
  ];

  /** The messages, one per line. Property; the attribute takes a single message. */
  @property({
    converter: { fromAttribute: (v: string | null) => (v ? [v] : []), toAttribute: (v: string[]) => v.join(' ') },
  })
  messages: string[] = [];

  /** What the messages are about: 'settings' (read out as "Settings: …") or 'info'. */
  @property({ reflect: true }) kind: NoticeKind = 'info';

  protected override render() {
    const m = this.messages ?? [];
    const slotted = this.querySelector(':scope > *') !== null;
    if (!m.length && !slotted) return html`<div role="status"></div>`;
    return html`<div class="notice" part="notice" role="status">
      <i class="mark" aria-hidden="true">i</i>
      <div class="body">
        ${m.length
          ? html`<ul>
              ${m.map((t) => html`<li>${this.kind === 'settings' ? html`<span class="visually-hidden">Setting: </span>` : nothing}${t}</li>`)}
            </ul>`
          : nothing}
        <slot></slot>
      </div>
    </div>`;
  }
}
