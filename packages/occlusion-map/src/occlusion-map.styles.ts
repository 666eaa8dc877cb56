import { css } from 'lit';

export const occlusionMapStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    /* The page's --convlab-canvas-size (set on any ancestor) wins; else this widget's default. */
    --_canvas: var(--convlab-canvas-size, 280px);
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 400px);
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
  }
  .main {
    max-width: calc(var(--_canvas) + 4rem);
  }
  canvas.map {
    width: var(--_canvas);
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
  .legend-note {
    margin: 0.25em 0 0;
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
`;
