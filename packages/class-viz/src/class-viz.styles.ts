import { css } from 'lit';

export const classVizStyles = css`
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
  .images.grid convlab-tensor-canvas {
    --convlab-canvas-size: calc(var(--_canvas) / 2.5);
  }
  .caption,
  .readout {
    margin: var(--_space) 0;
  }
  .layout {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 2);
    align-items: flex-start;
  }
  .images {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
    max-width: calc(var(--_canvas) * 2.2);
  }
  figure {
    margin: 0;
    display: grid;
    gap: 0.25em;
    justify-items: start;
  }
  figcaption {
    font-size: 0.85em;
  }
  .muted {
    color: var(--_muted);
  }
  .plot svg {
    width: 240px;
    max-width: 100%;
    height: auto;
  }
  .plot .frame {
    fill: var(--_surface);
    stroke: var(--_border);
  }
  polyline {
    fill: none;
    stroke-width: 2;
  }
  polyline.score,
  .key.score {
    stroke: var(--_accent);
    background: var(--_accent);
  }
  polyline.norm {
    stroke: var(--_muted);
    stroke-dasharray: 4 3;
  }
  .key {
    display: inline-block;
    width: 1.2em;
    height: 0.25em;
    vertical-align: middle;
  }
  .key.norm {
    background: var(--_muted);
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    flex-basis: 100%;
  }
  .error {
    color: var(--_danger);
    align-self: center;
  }
  button.primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
`;
