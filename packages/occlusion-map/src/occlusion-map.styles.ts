import { css } from 'lit';

export const occlusionMapStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --convlab-canvas-size: 280px;
  }
  :host([presenter]) {
    --convlab-canvas-size: 400px;
  }
  .layout {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_spacing) * 3);
    margin-block: var(--_spacing);
  }
  figure {
    margin: 0;
    display: grid;
    gap: var(--_spacing);
    align-content: start;
  }
  .main {
    max-width: calc(var(--convlab-canvas-size) + 4rem);
  }
  canvas.map {
    width: var(--convlab-canvas-size);
    height: auto;
    aspect-ratio: 1;
    image-rendering: pixelated;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: crosshair;
    touch-action: none;
    background: var(--_surface);
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
  .hint {
    margin: 0;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .badge {
    display: inline-block;
    margin-inline-start: 0.4em;
    padding: 0 0.45em;
    border-radius: 999px;
    background: var(--_fg);
    color: var(--_bg);
    font-size: 0.8em;
    font-weight: 600;
  }
  .warning {
    color: var(--_danger);
    margin: var(--_spacing) 0;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_spacing) * 1.5);
    align-items: flex-end;
  }
  .field {
    display: grid;
    gap: 0.25em;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.4em;
  }
  select {
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
    min-height: 2em;
  }
  .source {
    flex-basis: 100%;
    display: grid;
    gap: var(--_spacing);
  }
  .tabs {
    display: flex;
    gap: 0.25em;
  }
  .tabs button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
`;
