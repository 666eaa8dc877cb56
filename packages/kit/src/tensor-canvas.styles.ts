import { css } from 'lit';

export const tensorCanvasStyles = css`
  :host {
    --_size: var(--convlab-canvas-size, 224px);
    display: inline-block;
    width: var(--_size);
    max-width: 100%;
    vertical-align: top;
  }
  .frame {
    position: relative;
    margin-inline: auto;
    border-radius: 2px;
    touch-action: none;
  }
  .frame.empty {
    aspect-ratio: 1;
    background: var(--_surface);
    box-shadow: inset 0 0 0 1px var(--_border);
  }
  .frame.empty canvas {
    display: none;
  }
  :host([interactive]) .frame {
    cursor: crosshair;
  }
  canvas {
    display: block;
    width: 100%;
    height: auto;
    image-rendering: pixelated;
    image-rendering: crisp-edges;
    image-rendering: pixelated;
  }
  .cell {
    position: absolute;
    pointer-events: none;
    outline: 2px solid #ffffff;
    box-shadow: 0 0 0 3px #000000, inset 0 0 0 1px #000000;
  }
  :host([presenter]) .cell {
    outline-width: 3px;
    box-shadow: 0 0 0 5px #000000, inset 0 0 0 1px #000000;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    margin-top: calc(var(--_space) / 2);
  }
  .error {
    margin: calc(var(--_space) / 2) 0 0;
    color: var(--_danger);
  }
`;
