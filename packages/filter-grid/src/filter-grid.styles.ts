import { css } from 'lit';

export const filterGridStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --_canvas: var(--convlab-canvas-size, 224px);
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 320px);
  }
  convlab-tensor-canvas,
  convlab-draw-pad {
    --convlab-canvas-size: var(--_canvas);
  }
  .layout {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 3);
    margin-block: var(--_space);
  }
  figure {
    margin: 0;
    display: grid;
    gap: var(--_space);
    align-content: start;
    min-width: 0;
  }
  .tiles {
    flex: 1 1 300px;
    max-width: 480px;
  }
  canvas.grid {
    width: 100%;
    height: auto;
    image-rendering: pixelated;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  canvas.grid:focus-visible {
    outline: var(--_focus-width, 3px) solid var(--_focus-ring);
    outline-offset: 2px;
  }
  .legend {
    display: flex;
    align-items: center;
    gap: 0.5em;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .legend .bar {
    flex: 1;
    height: 0.8em;
    border-radius: 2px;
  }
  .readout,
  .hint,
  .note,
  .bias {
    margin: 0;
  }
  .hint,
  .note {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .numbers {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
    align-items: start;
    max-width: calc(var(--_canvas) + 8rem);
  }
  .bias {
    flex-basis: 100%;
    font-size: 0.9em;
  }
  table.weights {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    font-size: 0.8em;
  }
  table.weights caption {
    text-align: start;
    color: var(--_muted);
  }
  table.weights td {
    border: 1px solid var(--_border);
    padding: 0.1em 0.3em;
    text-align: end;
  }
  table.weights td.neg {
    color: var(--_accent);
  }
  fieldset.normalize {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.75em 0.5em;
    margin: 0;
    max-width: 32em;
  }
  .field-group {
    display: grid;
    gap: 0.25em;
  }
  .warning {
    color: var(--_danger);
    margin: 0;
    max-width: 32em;
  }
`;
