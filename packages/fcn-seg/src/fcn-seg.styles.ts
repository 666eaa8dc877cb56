import { css } from 'lit';

export const fcnSegStyles = css`
  :host {
    --_canvas: var(--convlab-canvas-size, 384px);
  }
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    background: var(--c);
    margin-inline-end: 0.35em;
    vertical-align: -0.05em;
  }
  ul.legend {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em 1.2em;
    list-style: none;
    padding: 0;
    margin: 0 0 var(--_space);
    font-size: 0.9em;
  }
  .key {
    display: inline-block;
    width: 1.6em;
    height: 0.7em;
    vertical-align: -0.05em;
    border: 2px dashed var(--_fg);
  }
  .key.dotted {
    border: 2px dotted #c98a00;
  }
  dl.counts {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.3em 1em;
    margin: 0;
  }
  dl.counts dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  table td {
    font-variant-numeric: tabular-nums;
  }
  tr.mean th,
  tr.mean td {
    font-weight: 700;
  }
  .note {
    font-size: 0.9em;
    color: var(--_muted);
  }
  .sliding {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    margin-block-start: var(--_space);
  }
  .sliding p {
    flex-basis: 100%;
    margin: 0;
  }
  .scene-row {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: calc(var(--_space) * 1.5);
  }
  .scene-row input[type='number'] {
    font: inherit;
    width: 7em;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
  }
  .upload {
    display: grid;
    gap: 0.25em;
  }
  .upload input[type='file'] {
    position: absolute;
    width: 1px;
    height: 1px;
    opacity: 0;
  }
  .upload .button {
    position: relative;
    display: inline-flex;
    align-items: center;
  }
  .error {
    color: var(--_danger);
    font-size: 0.9em;
  }
`;
