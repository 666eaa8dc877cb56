/**
 * A small SVG line chart (accuracy in [0, 1] against epochs or epsilon), drawn by Lit: it scales with
 * its box, reads in both themes (currentColor and the kit's tokens) and carries a text alternative.
 */
import { svg, html, nothing } from 'lit';

export interface Series {
  label: string;
  /** y values in [0, 1]; undefined leaves a gap (not measured yet). */
  values: (number | undefined)[];
  /** x of each value (default 0, 1, 2, …). */
  xs?: number[];
  colour: string;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel?: string;
  /** x range; default [first x, last x] over all series. */
  xRange?: [number, number];
  /** A vertical marker (the current epsilon). */
  marker?: number;
  /** Text alternative. */
  description: string;
}

const W = 320;
const H = 180;
const PAD = { l: 34, r: 8, t: 8, b: 28 };

export function lineChart(series: Series[], o: ChartOptions) {
  const allX = series.flatMap((s) => s.xs ?? s.values.map((_, i) => i));
  const [x0, x1] = o.xRange ?? [Math.min(0, ...allX), Math.max(1, ...allX)];
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => PAD.t + (1 - y) * (H - PAD.t - PAD.b);
  const path = (s: Series) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === undefined || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      const x = (s.xs ?? [])[i] ?? i;
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const xTicks = niceTicks(x0, x1);
  return html`<figure class="chart">
    <figcaption>${o.title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${o.description} preserveAspectRatio="xMidYMid meet">
      ${yTicks.map(
        (t) => svg`<line class="grid" x1=${PAD.l} x2=${W - PAD.r} y1=${sy(t)} y2=${sy(t)}></line>
          <text class="tick" x=${PAD.l - 4} y=${sy(t) + 3} text-anchor="end">${Math.round(t * 100)}%</text>`,
      )}
      ${xTicks.map((t) => svg`<text class="tick" x=${sx(t)} y=${H - PAD.b + 12} text-anchor="middle">${fmt(t)}</text>`)}
      <text class="axis" x=${(PAD.l + W - PAD.r) / 2} y=${H - 3} text-anchor="middle">${o.xLabel}</text>
      ${o.marker !== undefined ? svg`<line class="marker" x1=${sx(o.marker)} x2=${sx(o.marker)} y1=${PAD.t} y2=${H - PAD.b}></line>` : nothing}
      ${series.map(
        (s) => svg`<path d=${path(s)} fill="none" stroke=${s.colour} stroke-width="2" stroke-dasharray=${s.dashed ? '5 3' : 'none'}></path>`,
      )}
    </svg>
    <ul class="key">
      ${series.map(
        (s) => html`<li>
          <svg viewBox="0 0 24 8" aria-hidden="true" width="24" height="8"><line x1="0" x2="24" y1="4" y2="4" stroke=${s.colour} stroke-width="2" stroke-dasharray=${s.dashed ? '5 3' : 'none'}></line></svg>
          ${s.label}
        </li>`,
      )}
    </ul>
  </figure>`;
}

function fmt(v: number): string {
  return String(Number.parseFloat(v.toPrecision(3)));
}

/** About five round ticks over [lo, hi]. */
function niceTicks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toFixed(10)));
  return out;
}
