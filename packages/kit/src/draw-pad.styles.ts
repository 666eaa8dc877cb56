import { css } from 'lit';

export const drawPadStyles = css`
  :host {
    --_size: var(--convlab-canvas-size, 224px);
    display: inline-block;
    width: var(--_size);
    max-width: 100%;
    vertical-align: top;
  }
  .surface {
    position: relative;
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
  canvas:focus-visible {
    outline: var(--_focus-width, 2px) solid var(--_focus-ring, currentColor);
    outline-offset: 2px;
  }
  .pen {
    position: absolute;
    width: 10%;
    height: 10%;
    transform: translate(-50%, -50%);
    border: 2px solid var(--_accent);
    border-radius: 50%;
    pointer-events: none;
  }
  .pen.down {
    background: color-mix(in srgb, var(--_accent) 40%, transparent);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
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
