import { html, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ConvLabElement } from './base.js';
import { sliderStyles } from './slider.styles.js';

/** Detail of the slider's `input` and `change` events. */
export interface SliderValueDetail {
  value: number;
}

/** The slider's `input` / `change` event (the names are the DOM's own, so they are not in GlobalEventHandlersEventMap). */
export type SliderValueEvent = CustomEvent<SliderValueDetail>;

/** Decimals of a step: 0.05 -> 2, 1 -> 0, 1e-3 -> 3. */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) return 2;
  const s = String(step);
  const e = s.match(/e-(\d+)$/);
  if (e) return Number(e[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/**
 * A labelled number: a range input and a number field kept in sync. A number typed out of range is
 * clamped when committed. Keys, as the ARIA slider pattern has them, on both inputs: arrows move
 * one step, PageUp / PageDown `page-steps` steps (default 10), Home / End go to min / max.
 *
 * @summary A labelled slider with a number field.
 * @tagname convlab-slider
 * @fires {CustomEvent<SliderValueDetail>} input - While the value changes (dragging, typing). A CustomEvent with detail {value}; bubbles and is composed.
 * @fires {CustomEvent<SliderValueDetail>} change - When a change is committed (release, Enter, blur). detail {value}.
 * @csspart label - The label.
 * @csspart range - The range input.
 * @csspart number - The number field.
 * @csspart unit - The unit after the number.
 */
export class ConvLabSlider extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, sliderStyles];

  /** The label of both inputs. */
  @property() label = '';

  /** Smallest value. */
  @property({ type: Number }) min = 0;

  /** Largest value. */
  @property({ type: Number }) max = 1;

  /** Step between values. */
  @property({ type: Number }) step = 0.01;

  /** The current value (clamped to [min, max] when shown). */
  @property({ type: Number }) value = 0;

  /** Unit shown after the number ("px", "%", "ε"). */
  @property() unit = '';

  /** Decimals shown in the number field; default: those of `step`. */
  @property({ type: Number }) digits?: number;

  /** Steps moved by PageUp / PageDown (default 10). */
  @property({ type: Number, attribute: 'page-steps' }) pageSteps = 10;

  @query('#range') private rangeInput!: HTMLInputElement;
  @query('#number') private numberInput!: HTMLInputElement;

  private get lo(): number {
    return Math.min(Number(this.min), Number(this.max));
  }

  private get hi(): number {
    return Math.max(Number(this.min), Number(this.max));
  }

  private get decimals(): number {
    const d = Number(this.digits);
    return this.digits !== undefined && this.digits !== null && Number.isFinite(d) && d >= 0
      ? Math.min(20, Math.round(d))
      : decimalsOf(Number(this.step));
  }

  /** Clamps to [min, max]; NaN gives min. */
  clamp(v: number): number {
    return Number.isFinite(v) ? Math.min(this.hi, Math.max(this.lo, v)) : this.lo;
  }

  private format(v: number): string {
    return this.clamp(v).toFixed(this.decimals);
  }

  private set(v: number, events: ('input' | 'change')[]) {
    const next = this.clamp(v);
    const changed = next !== this.value;
    this.value = next;
    // Keep both fields showing the committed value even when the property did not change.
    if (this.numberInput) this.numberInput.value = this.format(next);
    if (this.rangeInput) this.rangeInput.value = String(next);
    for (const type of events) {
      if (type === 'input' && !changed) continue;
      this.emit<SliderValueDetail>(type, { value: next });
    }
  }

  /** PageUp / PageDown (pageSteps steps) and Home / End (min / max), on either input; the browser's own keys otherwise. */
  private onKeyDown(e: KeyboardEvent) {
    const step = Number(this.step) > 0 ? Number(this.step) : (this.hi - this.lo) / 100;
    const pages = Number.isFinite(Number(this.pageSteps)) && Number(this.pageSteps) > 0 ? Number(this.pageSteps) : 10;
    const page = step * pages;
    const cur = this.clamp(Number(this.value));
    let next: number;
    switch (e.key) {
      case 'PageUp':
        next = cur + page;
        break;
      case 'PageDown':
        next = cur - page;
        break;
      case 'Home':
        next = this.lo;
        break;
      case 'End':
        next = this.hi;
        break;
      default:
        return;
    }
    e.preventDefault();
    // Stay on the step grid (from min), without float dust: 0.1 + 0.05 is 0.15, not 0.15000000000000002.
    if (e.key === 'PageUp' || e.key === 'PageDown') next = Number((this.lo + Math.round((next - this.lo) / step) * step).toFixed(this.decimals + 2));
    this.set(next, ['input', 'change']);
  }

  private onRangeInput(e: Event) {
    e.stopPropagation(); // the native input event is composed: replace it with ours
    this.set(Number(this.rangeInput.value), ['input']);
  }

  private onRangeChange(e: Event) {
    e.stopPropagation();
    this.set(Number(this.rangeInput.value), ['input', 'change']);
  }

  private onNumberInput(e: Event) {
    e.stopPropagation();
    const raw = this.numberInput.value;
    const v = Number(raw);
    // Follow the typing only while it is a whole in-range number; commit clamps.
    if (raw.trim() !== '' && Number.isFinite(v) && v >= this.lo && v <= this.hi && v !== this.value) {
      this.value = v;
      if (this.rangeInput) this.rangeInput.value = String(v);
      this.emit<SliderValueDetail>('input', { value: v });
    }
  }

  private onNumberChange(e: Event) {
    e.stopPropagation();
    const raw = this.numberInput.value.trim();
    const v = raw === '' ? this.value : Number(raw);
    this.set(Number.isFinite(v) ? v : this.value, ['input', 'change']);
  }

  protected override render() {
    const v = this.clamp(Number(this.value));
    const text = this.format(v);
    const valueText = this.unit ? `${text} ${this.unit}` : text;
    return html`<div class="row">
      <label id="label" for="range" part="label">${this.label}</label>
      <input
        id="range"
        part="range"
        type="range"
        min=${this.lo}
        max=${this.hi}
        step=${this.step > 0 ? this.step : 'any'}
        .value=${live(String(v))}
        aria-valuetext=${valueText}
        @keydown=${this.onKeyDown}
        @input=${this.onRangeInput}
        @change=${this.onRangeChange}
      />
      <span class="number">
        <input
          id="number"
          part="number"
          type="number"
          inputmode="decimal"
          min=${this.lo}
          max=${this.hi}
          step=${this.step > 0 ? this.step : 'any'}
          .value=${live(text)}
          aria-labelledby="label${this.unit ? ' unit' : ''}"
          @keydown=${this.onKeyDown}
          @input=${this.onNumberInput}
          @change=${this.onNumberChange}
        />
        ${this.unit ? html`<span class="unit" id="unit" part="unit">${this.unit}</span>` : nothing}
      </span>
    </div>`;
  }
}
