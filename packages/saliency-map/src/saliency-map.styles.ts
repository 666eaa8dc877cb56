import { css } from 'lit';

export const saliencyMapStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --_canvas: var(--convlab-canvas-size, 160px);
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 240px);
  }
  convlab-tensor-canvas,
  convlab-draw-pad {
    --convlab-canvas-size: var(--_canvas);
  }
  .caption {
    margin: var(--_space) 0;
  }
  .maps {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 2);
  }
  figure {
    margin: 0;
    display: grid;
    gap: var(--_space);
    align-content: start;
    padding: calc(var(--_space) / 2);
    border: 2px solid transparent;
    border-radius: var(--_radius);
  }
  figure.explained {
    border-color: var(--_accent);
  }
  figcaption {
    font-weight: 600;
    max-width: var(--_canvas);
    display: grid;
  }
  .muted {
    color: var(--_muted);
    font-weight: 400;
    font-size: 0.85em;
    white-space: pre;
  }
  canvas.overlay {
    width: var(--_canvas);
    height: auto;
    aspect-ratio: 1;
    image-rendering: pixelated;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5em;
    margin-block: var(--_space);
    font-size: 0.85em;
    color: var(--_muted);
  }
  .legend .bar {
    width: 6em;
    height: 0.8em;
    border-radius: 2px;
  }
  .legend .gap {
    width: 1em;
  }
  .diagram {
    margin-block: calc(var(--_space) * 2);
    padding: var(--_space);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .diagram h3 {
    margin: 0 0 var(--_space);
    font-size: 1em;
  }
  .rules {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
  }
  .rules button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  .grids {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 2);
    margin-block: var(--_space);
  }
  .grid-title {
    font-size: 0.85em;
    max-width: 12em;
    margin-bottom: 0.25em;
  }
  table.grid {
    border-collapse: collapse;
  }
  table.grid td {
    width: 2.2em;
    height: 2.2em;
    text-align: center;
    border: 1px solid var(--_border);
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  /* The same sides as the signed maps' diverging colour map: red positive, blue negative. */
  td.pos {
    background: color-mix(in srgb, #b2182b 30%, transparent);
  }
  td.neg {
    background: color-mix(in srgb, #2166ac 30%, transparent);
  }
  td.zero {
    color: var(--_muted);
  }
  td.off {
    background: color-mix(in srgb, var(--_muted) 35%, transparent);
  }
  .explain {
    margin: 0;
    max-width: 48em;
  }
`;
