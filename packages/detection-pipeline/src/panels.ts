/** The cost tables of <detection-pipeline>: this scene's rows, and the batch's totals when measured. */
import { html, nothing } from 'lit';
import { splitSeed } from '@convlab/scenes';
import { METHODS, type MethodKey, type MethodRow } from './batch.js';

export const METHOD_LABEL: Record<MethodKey, string> = {
  'window-each': 'Sliding window, one pass per window',
  'window-conv': 'Sliding window, fully convolutional',
  'r-cnn': 'R-CNN (a pass per proposal)',
  'fast-r-cnn': 'Fast R-CNN (RoI pooling)',
  'faster-r-cnn': 'Faster R-CNN (RPN proposals)',
};

export const fmt = (v: number | null | undefined, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

function row(k: MethodKey, r?: MethodRow) {
  return html`<tr>
    <th scope="row">${METHOD_LABEL[k]}</th>
    <td class="num">${r ? r.passes.toLocaleString('en') : '—'}</td>
    <td class="num">${r ? fmt(r.ms) : '—'}${r?.proposalMs ? html` <span class="muted">+ ${fmt(r.proposalMs)} search</span>` : nothing}</td>
    <td class="num">${r ? fmt(r.map, 3) : '—'}</td>
  </tr>`;
}

const head = html`<thead><tr><th scope="col">Method</th><th scope="col">Forward passes</th><th scope="col">ms</th><th scope="col">mAP@0.5</th></tr></thead>`;

/** This scene's table (a row per method computed so far) and, after a batch, its totals. */
export function costTable(rows: Partial<Record<MethodKey, MethodRow>>, batch: Partial<Record<MethodKey, MethodRow>> | undefined, what: 'scene' | 'image', sameScores?: number) {
  return html`<div class="tables" part="table">
    <table>
      <caption>This ${what} (a row fills when its step runs)${sameScores !== undefined ? html`; one pass per window and the convolutional pass differ by at most ${sameScores.toExponential(1)}` : nothing}</caption>
      ${head}
      <tbody>${METHODS.map((k) => row(k, rows[k]))}</tbody>
    </table>
    ${batch
      ? html`<table>
          <caption>${batch['r-cnn']?.scenes} test scenes (seeds ${splitSeed('test', 0)}…), totals</caption>
          ${head}
          <tbody>${METHODS.map((k) => row(k, batch[k]))}</tbody>
        </table>`
      : nothing}
  </div>`;
}
