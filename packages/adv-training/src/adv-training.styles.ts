import { css } from 'lit';

export const advTrainingStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    /* The page's --convlab-canvas-size (set on any ancestor) wins; else this widget's default. */
    --_canvas: var(--convlab-canvas-size, 260px);
    --_a: #2563eb;
    --_b: #c2410c;
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 380px);
  }
  convlab-tensor-canvas {
    --convlab-canvas-size: calc(var(--_canvas) * 0.6);
  }
  .planes,
  .compare,
  .digits-top {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 2);
    margin-block: var(--_space);
    align-items: flex-start;
  }
  figure {
    margin: 0;
    display: grid;
    gap: calc(var(--_space) * 0.5);
    align-content: start;
    max-width: 100%;
  }
  figcaption {
    font-weight: 600;
  }
  canvas.plane {
    width: var(--_canvas);
    max-width: 100%;
    height: auto;
    aspect-ratio: 1;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: crosshair;
    touch-action: none;
  }
  canvas.plane:focus-visible {
    outline: var(--_focus-width, 2px) solid var(--_focus-ring);
    outline-offset: 2px;
  }
  .pair {
    display: flex;
    gap: var(--_space);
    flex-wrap: wrap;
  }
  .pair p {
    margin: 0.2em 0 0;
  }
  .muted {
    color: var(--_muted);
    font-weight: normal;
    font-size: 0.85em;
    margin: 0;
  }
  .stats,
  .readout,
  .legend,
  .cost p {
    margin: 0;
  }
  .legend {
    font-size: 0.85em;
    color: var(--_muted);
  }
  .broken {
    color: var(--_danger);
    font-weight: 600;
  }
  .flipped {
    color: var(--_danger);
  }
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    margin-inline-end: 0.4em;
    vertical-align: -0.05em;
  }
  .dot {
    display: inline-block;
    width: 0.7em;
    height: 0.7em;
    vertical-align: -0.05em;
  }
  .dot.a {
    border-radius: 50%;
    background: var(--_a);
  }
  .dot.b {
    background: var(--_b);
    transform: rotate(45deg) scale(0.85);
  }
  .chart {
    margin: 0;
    width: min(100%, 30rem);
  }
  .chart figcaption {
    font-weight: 600;
    font-size: 0.95em;
  }
  .chart svg {
    width: 100%;
    height: auto;
    display: block;
  }
  .chart .grid {
    stroke: var(--_border);
    stroke-width: 1;
  }
  .chart .tick,
  .chart .axis {
    fill: var(--_muted);
    font-size: 10px;
  }
  .chart .marker {
    stroke: var(--_fg);
    stroke-width: 1;
    stroke-dasharray: 2 2;
  }
  .key {
    list-style: none;
    padding: 0;
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em 1em;
    font-size: 0.8em;
  }
  .key li {
    display: flex;
    align-items: center;
    gap: 0.35em;
  }
  .cost {
    display: grid;
    gap: var(--_space);
    max-width: 24rem;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em;
  }
  .tabs {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
    margin-block: var(--_space);
  }
  .buttons button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  button.primary {
    font-weight: 600;
  }
  convlab-image-picker {
    flex-basis: 100%;
  }
`;
