import { html, css, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { linearFgsm, formatSum, type LinearFgsmResult } from '@convlab/tensor';
import { ConvLabElement, SettingsNotices } from '@convlab/kit';
import '@convlab/kit/define.js';

const SLIDE_X = [1, -2, -2, 3, -1, 2, -2, -3];
const SLIDE_W = [2, -1, -1, -1, 2, -1, -1, 1];

/** A comma- (or space-) separated list of numbers; undefined when empty or any entry is not a finite number. */
function parseNumbers(s: string): number[] | undefined {
  const v = String(s ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number);
  return v.length && v.every(Number.isFinite) ? v : undefined;
}
function parseList(s: string, fallback: number[]): number[] {
  return parseNumbers(s) ?? fallback;
}
const fmt = (v: number) => String(Number.parseFloat(v.toFixed(4)));

export interface LinearChangeDetail {
  epsilon: number;
  logit: number;
  probability: number;
}

/**
 * The course's worked FGSM example on logistic regression, `P(y = 1 | x) = sigma(w . x + b)`:
 * moving each `x_i` by `eps` in the direction of `sign(w_i)` raises `w . x` by `eps * ||w||_1`. The
 * table shows `x`, `w` and `x'` for the chosen `eps`, the sums written out term by term as the slide
 * writes them, and sigma of each. The student can edit x, w, b and eps.
 *
 * @summary FGSM on logistic regression, worked term by term.
 * @tagname fgsm-linear
 * @fires linear-change - After the student edits x, w, b or eps: `{epsilon, logit, probability}` of x'.
 */
export class FgsmLinear extends ConvLabElement {
  static override styles = [
    ...ConvLabElement.styles,
    css`
      :host {
        display: block;
        font-family: var(--_font);
        font-size: var(--_font-size);
        color: var(--_fg);
      }
      .scroll {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        padding: 0.2em 0.45em;
        text-align: right;
        border-bottom: 1px solid var(--_border);
      }
      th[scope='row'] {
        text-align: left;
        font-family: 'Cambria Math', 'STIX Two Math', serif;
        font-style: italic;
      }
      input {
        width: 4.2em;
        font: inherit;
        text-align: right;
        color: inherit;
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      .sum {
        font-family: ui-monospace, 'SF Mono', Menlo, monospace;
        overflow-wrap: anywhere;
      }
      .p {
        font-weight: 700;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: calc(var(--_space) * 2);
        align-items: flex-end;
      }
    `,
  ];

  /** The input x, comma-separated (default: the slide's 1, -2, -2, 3, -1, 2, -2, -3; not a list of numbers: the slide's, with a notice). */
  @property() x = SLIDE_X.join(', ');

  /** The weights w, comma-separated (default: the slide's 2, -1, -1, -1, 2, -1, -1, 1). */
  @property() w = SLIDE_W.join(', ');

  /** The bias b (not a number: 0, with a notice). */
  @property({ type: Number }) b = 0;

  /** The step eps, 0..1 (outside or not a number: clamped or 0.1, with a notice in the widget). */
  @property({ type: Number, reflect: true }) epsilon = 0.1;

  /** Allow editing x, w and b in the table (the default); `editable="false"` locks it. */
  @property({
    reflect: true,
    converter: {
      // A boolean that defaults to true: only the value "false" turns it off.
      fromAttribute: (v: string | null) => v !== 'false',
      toAttribute: (v: boolean) => (v ? null : 'false'),
    },
  })
  editable = true;

  private result?: LinearFgsmResult;
  private error = '';
  /** Settings that were clamped or defaulted, shown as a quiet notice (the kit's rule). */
  private readonly settings = new SettingsNotices(this);

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('epsilon')) this.epsilon = this.settings.number('epsilon', { min: 0, max: 1, default: 0.1 });
    if (changed.has('b')) this.b = this.settings.number('b', { default: 0 });
    for (const [k, slide] of [['x', SLIDE_X], ['w', SLIDE_W]] as const) {
      if (!changed.has(k)) continue;
      const ok = parseNumbers(this[k]) !== undefined;
      this.settings.set(k, ok ? undefined : `${k}="${this[k]}" is not a list of numbers: using the slide's ${slide.join(', ')}.`);
    }
    const xs = parseList(this.x, SLIDE_X);
    const ws = parseList(this.w, SLIDE_W);
    if (xs.length !== ws.length) {
      this.error = `x has ${xs.length} entries but w has ${ws.length}: they must have the same length.`;
      this.result = undefined;
      return;
    }
    this.error = '';
    this.result = linearFgsm(ws, xs, Number(this.b) || 0, this.epsilon);
  }

  private edit(which: 'x' | 'w', i: number, value: string): void {
    const v = Number(value);
    if (!Number.isFinite(v)) return;
    const list = parseList(which === 'x' ? this.x : this.w, which === 'x' ? SLIDE_X : SLIDE_W);
    list[i] = v;
    if (which === 'x') this.x = list.join(', ');
    else this.w = list.join(', ');
    this.changed();
  }

  private async changed(): Promise<void> {
    await this.updateComplete;
    if (!this.result) return;
    this.emit<LinearChangeDetail>('linear-change', {
      epsilon: this.epsilon,
      logit: this.result.adversarial.logit,
      probability: this.result.adversarial.probability,
    });
  }

  private cell(which: 'x' | 'w', i: number, v: number) {
    return this.editable
      ? html`<input type="number" step="0.1" .value=${fmt(v)} aria-label="${which} ${i + 1}" @change=${(e: Event) => this.edit(which, i, (e.target as HTMLInputElement).value)} />`
      : fmt(v);
  }

  protected override render() {
    if (!this.result) return html`${this.settings.render()}<p role="alert">${this.error}</p>`;
    const r = this.result;
    const n = r.direction.length;
    const b = Number(this.b) || 0;
    const bias = b ? (b > 0 ? `+${fmt(b)}` : fmt(b)) : '';
    const w = r.original.products.map((p, i) => (r.original.x[i] === 0 ? 0 : p / r.original.x[i]));
    return html`
      ${this.settings.render()}
      <div class="scroll">
        <table>
          <caption class="visually-hidden">
            x, w and the adversarial x′ = x + ε · sign(w)
          </caption>
          <thead>
            <tr>
              <th scope="col">i</th>
              ${Array.from({ length: n }, (_, i) => html`<th scope="col">${i + 1}</th>`)}
            </tr>
          </thead>
          <tbody>
            <tr><th scope="row">x</th>${r.original.x.map((v, i) => html`<td>${this.cell('x', i, v)}</td>`)}</tr>
            <tr><th scope="row">w</th>${w.map((v, i) => html`<td>${this.cell('w', i, v)}</td>`)}</tr>
            <tr><th scope="row">x′</th>${r.adversarial.x.map((v) => html`<td>${fmt(v)}</td>`)}</tr>
          </tbody>
        </table>
      </div>
      <p>
        <span class="sum">w·x${bias ? ' + b' : ''} = ${formatSum(r.original.products)}${bias} = ${fmt(r.original.logit)}</span>,
        σ(${fmt(r.original.logit)}) = <span class="p">${r.original.probability.toFixed(4)}</span>
      </p>
      <p aria-live="polite">
        <span class="sum">w·x′${bias ? ' + b' : ''} = ${formatSum(r.adversarial.products)}${bias} = ${fmt(r.adversarial.logit)}</span>,
        σ(${fmt(r.adversarial.logit)}) = <span class="p">${r.adversarial.probability.toFixed(4)}</span>
      </p>
      <div class="row">
        <convlab-slider
          label="Epsilon (ε)"
          min="0"
          max="1"
          step="0.05"
          digits="2"
          .value=${this.epsilon}
          @input=${(e: CustomEvent<{ value: number }>) => {
            this.epsilon = e.detail.value;
            this.changed();
          }}
          ?presenter=${this.presenter}
        ></convlab-slider>
        ${this.editable
          ? html`<label>b <input type="number" step="0.1" .value=${fmt(b)} @change=${(e: Event) => {
              this.b = Number((e.target as HTMLInputElement).value) || 0;
              this.changed();
            }} /></label>`
          : nothing}
      </div>
      <p>Each step of ε adds ε · ‖w‖₁ = ε · ${fmt(w.reduce((a, v) => a + Math.abs(v), 0))} to the score, though no x<sub>i</sub> moves by more than ε.</p>
    `;
  }
}
