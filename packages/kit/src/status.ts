import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { BackendInfo } from '@convlab/tensor';
import { ConvLabElement } from './base.js';
import { statusStyles } from './status.styles.js';

export type StatusState = 'loading' | 'ready' | 'running' | 'error';

/** The part of @convlab/tensor's BackendInfo the status shows. */
export type StatusBackend = Pick<BackendInfo, 'name' | 'reason'> | { name: string; reason: string };

/**
 * The states of a widget's async work: loading (with progress), running, error (with a retry) and
 * ready, plus a small (i) that opens to say TF.js runs without a GPU, and why (not in presenter mode).
 *
 * @summary Loading / running / error states, with progress and retry.
 * @tagname convlab-status
 * @slot - Shown in the ready state (nothing by default).
 * @fires {CustomEvent<undefined>} retry - The reader pressed "Try again" in the error state. No detail.
 * @csspart progress - The progress bar's container (loading).
 * @csspart busy - The busy indicator (running).
 * @csspart alert - The error box (error).
 * @csspart retry - The "Try again" button.
 * @csspart backend - The (i) disclosure that says the widget runs without a GPU, and why.
 */
export class ConvLabStatus extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, statusStyles];

  /** Which state to show. */
  @property({ reflect: true }) state: StatusState = 'ready';

  /** Loading progress, 0..1; negative or unset for an indeterminate bar. */
  @property({ type: Number }) progress?: number;

  /** What is happening, or what went wrong ("Loading model…", an error message). */
  @property() message = '';

  /** In the error state, offer a "Try again" button that fires `retry`. */
  @property({ type: Boolean, reflect: true }) retryable = false;

  /** The retry button's text: say what it does ("Load the model again", "Start again from sample 3"). */
  @property({ attribute: 'retry-label' }) retryLabel = 'Try again';

  /**
   * The TF.js backend in use (`backendInfo()` from @convlab/tensor). When it is not WebGL, a small
   * (i) opens to say the widget runs without a GPU, and why; nothing in presenter mode (slides).
   * Property only.
   */
  @property({ attribute: false }) backend?: StatusBackend;

  private renderState() {
    switch (this.state) {
      case 'loading': {
        const p = this.progress;
        const determinate = typeof p === 'number' && Number.isFinite(p) && p >= 0;
        const pct = determinate ? Math.round(Math.min(1, p) * 100) : undefined;
        const text = this.message || 'Loading…';
        return html`<div class="progress ${determinate ? '' : 'indeterminate'}" part="progress">
          <span class="text">${text}${pct === undefined ? '' : ` ${pct}%`}</span>
          <div
            class="track"
            role="progressbar"
            aria-label=${text}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=${pct ?? nothing}
          >
            <div class="fill" style=${pct === undefined ? '' : `width: ${pct}%`}></div>
          </div>
        </div>`;
      }
      case 'running':
        return html`<div class="box busy" part="busy" role="status" aria-busy="true">
          <span class="spinner" aria-hidden="true"></span><span>${this.message || 'Working…'}</span>
        </div>`;
      case 'error':
        return html`<div class="alert" part="alert" role="alert">
          <span><strong>Error:</strong> ${this.message || 'Something went wrong.'}</span>
          ${this.retryable
            ? html`<button type="button" part="retry" @click=${this.onRetry}>${this.retryLabel || 'Try again'}</button>`
            : nothing}
        </div>`;
      default:
        return html`<slot></slot>`;
    }
  }

  private renderBackend() {
    const b = this.backend;
    if (!b || b.name === 'webgl' || this.presenter) return nothing;
    const name = b.name.toUpperCase();
    return html`<details class="backend" part="backend">
      <summary title="How this widget computes"><span class="mark" aria-hidden="true">i</span><span class="visually-hidden">How this widget computes</span></summary>
      <p>Running without GPU (${name}): ${b.reason}.</p>
    </details>`;
  }

  protected override render() {
    return html`${this.renderState()}${this.renderBackend()}`;
  }

  private onRetry() {
    this.emit('retry', undefined);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    retry: CustomEvent<undefined>;
  }
}
