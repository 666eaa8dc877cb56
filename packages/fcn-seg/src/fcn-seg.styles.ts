import { css } from 'lit';

export const fcnSegStyles = css`
  :host {
    --_canvas: var(--convlab-canvas-size, 384px);
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
`;
