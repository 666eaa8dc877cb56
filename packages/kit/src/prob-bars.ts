import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ConvLabElement } from './base.js';
import { probBarsStyles } from './prob-bars.styles.js';

/** Parses a `labels` attribute: a JSON array, or comma-separated text. */
export function parseLabels(value: string | null): string[] {
  const v = (value ?? '').trim();
  if (!v) return [];
  if (v.startsWith('[')) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      /* fall back to commas */
    }
  }
  return v.split(',').map((s) => s.trim());
}

/** "98.2%": a probability as a percentage with one decimal. */
export function formatPercent(p: number): string {
  return `${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%`;
}

/**
 * The top-k classes of a prediction as labelled horizontal bars with percentages. The top-1 is
 * announced politely to screen readers: at once when the class changes, and its new confidence
 * once the values have settled (not on every frame of a drag), so the line never keeps an old figure.
 *
 * @summary Top-k class probabilities as bars, with the top-1 announced.
 * @tagname convlab-prob-bars
 * @csspart heading - The heading.
 * @csspart list - The list of bars.
 * @csspart item - One row (label, bar, percentage).
 * @csspart bar - A bar's filled part.
 */
export class ConvLabProbBars extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, probBarsStyles];

  /** Class names, by class index (attribute: JSON array or comma-separated). */
  @property({ converter: { fromAttribute: parseLabels } }) labels: string[] = [];

  /** Probabilities by class index, 0..1 (attribute: JSON array). */
  @property({ type: Array }) probabilities: number[] = [];

  /** How many classes to show, most probable first. */
  @property({ type: Number, reflect: true }) top = 5;

  /** A class index to mark (the true or target class); shown below the top-k if it is not among them. -1 for none. */
  @property({ type: Number, reflect: true }) highlight = -1;

  /** What the mark means, read by screen readers ("true class", "target"). */
  @property({ attribute: 'highlight-label' }) highlightLabel = 'marked';

  /** Heading above the bars. */
  @property() heading = '';

  /**
   * How long the values must rest before a new confidence of the same top-1 class is announced, in
   * ms (a new class is announced at once).
   */
  static settleMs = 500;

  /** Live-region text: the top-1 class and confidence, as last announced. */
  @state() private announcement = '';
  private announcedIndex = -1;
  private settleTimer?: ReturnType<typeof setTimeout>;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.settleTimer);
  }

  private labelOf(i: number): string {
    return this.labels[i] ?? String(i);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('probabilities') || changed.has('labels')) {
      const p = this.probabilities ?? [];
      let best = -1;
      for (let i = 0; i < p.length; i++) if (best < 0 || p[i] > p[best]) best = i;
      const text = best < 0 ? '' : `Prediction: ${this.labelOf(best)}, ${formatPercent(p[best])}`;
      clearTimeout(this.settleTimer);
      if (best !== this.announcedIndex) {
        this.announcedIndex = best;
        this.announcement = text;
      } else if (text !== this.announcement) {
        // Same class, another confidence: say it when the values rest (a drag updates every frame).
        this.settleTimer = setTimeout(() => (this.announcement = text), (this.constructor as typeof ConvLabProbBars).settleMs);
      }
    }
  }

  protected override render() {
    const p = this.probabilities ?? [];
    const order = Array.from(p, (v, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    const k = Math.max(0, Math.min(p.length, Math.round(Number(this.top) || 0)));
    const shown = order.slice(0, k);
    const h = this.highlight;
    const extra = h >= 0 && h < p.length && !shown.includes(h) ? [h] : [];
    const headingId = this.heading ? 'heading' : undefined;
    const row = (i: number, isExtra: boolean) => {
      const marked = i === h;
      const pct = formatPercent(p[i]);
      return html`<li role="listitem" class="${marked ? 'marked' : ''} ${isExtra ? 'extra' : ''}" part="item">
        <span class="label">${this.labelOf(i)}</span>
        <span class="track" aria-hidden="true"
          ><span class="fill" part="bar" style="width: ${Math.max(0, Math.min(1, p[i])) * 100}%"></span
        ></span>
        <span class="pct"
          ><span class="visually-hidden">: </span>${pct}${marked
            ? html`<span class="visually-hidden"> (${this.highlightLabel})</span>`
            : nothing}</span
        >
      </li>`;
    };
    return html`${this.heading ? html`<p class="heading" id="heading" part="heading">${this.heading}</p>` : nothing}
      ${p.length
        ? html`<ol role="list" part="list" aria-labelledby=${headingId ?? nothing}>
            ${shown.map((i) => row(i, false))}${extra.map((i) => row(i, true))}
          </ol>`
        : html`<p class="empty">No prediction yet.</p>`}
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">${this.announcement}</p>`;
  }
}
