/** The tables beside <anchor-viewer>'s image: the selected cell's anchors and the four losses. */
import { html, nothing } from 'lit';
import type { DetectorLosses } from '@convlab/tensor';

export const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');

export interface CellAnchor {
  box: number[];
  ratio: number;
  size: number;
  label: 'positive' | 'negative' | 'ignored' | 'none';
  colour: string;
  iou: number;
  /** σ(logit) of the RPN, when the anchors view shows the trained shapes. */
  objectness?: number;
}

/** The cell's anchors with ratio, size, IoU with the best ground-truth box, label and objectness. */
export function anchorTable(rows: readonly CellAnchor[], cell: { row: number; col: number }, fg: number, bg: number) {
  return html`<table class="anchors">
    <caption>Anchors of cell (${cell.row}, ${cell.col}): positive at IoU ≥ ${fmt(fg)}, negative below ${fmt(bg)}</caption>
    <thead><tr><th scope="col">ratio h/w</th><th scope="col">size</th><th scope="col">IoU</th><th scope="col">label</th>${rows[0]?.objectness !== undefined ? html`<th scope="col">objectness</th>` : nothing}</tr></thead>
    <tbody>
      ${rows.map(
        (a) => html`<tr>
          <td>${a.ratio}</td><td>${a.size}</td><td>${fmt(a.iou)}</td>
          <td><span class="swatch" style="--c: ${a.colour}"></span>${a.label === 'none' ? '–' : a.label}</td>
          ${a.objectness !== undefined ? html`<td>${fmt(a.objectness)}</td>` : nothing}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The four losses, named as on the slide and as torchvision logs them, with what each is taken over. */
export function lossTable(L: DetectorLosses, seed: number) {
  const rows: [string, string, number, string][] = [
    ['RPN classification', 'loss_objectness', L.rpnObjectness, `BCE over ${L.rpnSample.pos.length + L.rpnSample.neg.length} sampled anchors`],
    ['RPN regression', 'loss_rpn_box_reg', L.rpnBox, `smooth L1 of ${L.rpnSample.pos.length} positive anchors' offsets`],
    ['Head classification', 'loss_classifier', L.headClassifier, `cross-entropy over ${L.headSample.pos.length + L.headSample.neg.length} sampled RoIs`],
    ['Head regression', 'loss_box_reg', L.headBox, `smooth L1 of ${L.headSample.pos.length} positive RoIs' offsets`],
  ];
  return html`<table class="losses">
    <caption>The four losses for this scene (sampler seed ${seed})</caption>
    <tbody>${rows.map(([name, tv, v, how]) => html`<tr><th scope="row">${name} <br /><code>${tv}</code></th><td class="value">${fmt(v, 4)}</td><td>${how}</td></tr>`)}</tbody>
  </table>`;
}
