import { css } from 'lit';

export const tsneMapStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --_map: 360px;
  }
  :host([presenter]) {
    --_map: 440px;
  }
  convlab-draw-pad {
    --convlab-canvas-size: 200px;
  }
  .maps {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) * 3);
    margin-block: var(--_space);
  }
  figure.panel {
    margin: 0;
    display: grid;
    gap: var(--_space);
    align-content: start;
    width: min(var(--_map), 100%);
  }
  .stage {
    position: relative;
  }
  canvas.map {
    width: 100%;
    height: auto;
    aspect-ratio: 1;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: crosshair;
    display: block;
  }
  canvas.map:focus-visible {
    outline: var(--_focus-width) solid var(--_focus-ring);
    outline-offset: 2px;
  }
  .thumb {
    position: absolute;
    display: grid;
    justify-items: center;
    gap: 2px;
    padding: 4px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    pointer-events: none;
    font-size: 0.8em;
    z-index: 1;
  }
  .thumb canvas {
    width: 56px;
    height: 56px;
    image-rendering: pixelated;
    background: #000;
  }
  .readout,
  .placed,
  .hint {
    margin: 0;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .key {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em 0.9em;
    padding: 0;
    margin: 0 0 var(--_space);
    font-size: 0.85em;
  }
  .dot {
    display: inline-block;
    width: 0.75em;
    height: 0.75em;
    border-radius: 50%;
    margin-inline-end: 0.3em;
    vertical-align: -0.05em;
  }
  .field-group,
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
  }
  .field-group {
    flex-direction: column;
    align-items: start;
  }
  .warning {
    color: var(--_danger);
    margin: 0;
  }
`;
