import { css } from 'lit';

export const drawPadStyles = css`
  :host {
    --_size: var(--convlab-canvas-size, 224px);
    display: inline-block;
    width: var(--_size);
    max-width: 100%;
    vertical-align: top;
  }
  canvas {
    display: block;
    width: 100%;
    height: auto;
    aspect-ratio: 1;
    border-radius: var(--_radius);
    box-shadow: 0 0 0 1px var(--_border);
    background: #000000;
    touch-action: none;
    cursor: crosshair;
  }
  .actions {
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: var(--_space);
    margin-top: calc(var(--_space) / 2);
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85em;
  }
`;
