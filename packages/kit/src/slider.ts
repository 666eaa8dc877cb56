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
 * clamped when committed.
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
          @input=${this.onNumberInput}
          @change=${this.onNumberChange}
        />
        ${this.unit ? html`<span class="unit" id="unit" part="unit">${this.unit}</span>` : nothing}
      </span>
    </div>`;
  }
}
