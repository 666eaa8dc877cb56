import { css } from 'lit';

/**
 * Layout shared by the widgets that show an image with panels beside it (<anchor-viewer>,
 * <detection-pipeline>): the host's font and canvas size (--convlab-canvas-size; larger in presenter
 * mode), a row of view buttons (.views, aria-pressed), the figure with its pixelated canvas.image
 * and caption, a side column (.side) and its tables. Put it before the widget's own styles.
 */
export const widgetLayoutStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --_canvas: var(--convlab-canvas-size, 480px);
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 560px);
  }
  .views {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
    margin-block: var(--_space);
  }
  button,
  .button {
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.3em 0.75em;
    min-height: 2.25em;
    cursor: pointer;
  }
  button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  button:focus-visible,
  .button:focus-within,
  canvas:focus-visible,
  input:focus-visible,
  select:focus-visible {
    outline: var(--_focus-width, 2px) solid var(--_focus-ring);
    outline-offset: 2px;
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
    max-width: min(100%, var(--_canvas));
  }
  canvas.image {
    width: min(100%, var(--_canvas));
    height: auto;
    aspect-ratio: 1;
    image-rendering: pixelated;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: crosshair;
    touch-action: none;
    background: var(--_surface);
  }
  figcaption {
    font-size: 0.9em;
    color: var(--_muted);
  }
  .side {
    flex: 1 1 16rem;
    min-width: 0;
  }
  table {
    border-collapse: collapse;
    font-size: 0.9em;
    width: 100%;
  }
  caption {
    text-align: start;
    margin-block-end: 0.4em;
    color: var(--_muted);
  }
  th,
  td {
    text-align: start;
    padding: 0.2em 0.5em;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
  }
`;
