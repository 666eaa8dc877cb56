import { css } from 'lit';

export const topPatchesStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --_patch: 56px;
    --_full: var(--convlab-canvas-size, 224px);
  }
  :host([presenter]) {
    --_patch: 80px;
    --_full: var(--convlab-canvas-size, 320px);
  }
  convlab-draw-pad {
    --convlab-canvas-size: 200px;
  }
  .caption,
  .readout,
  .hint {
    margin: 0.25em 0;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.85em;
    flex-basis: 100%;
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
    min-width: 0;
  }
  .ranked {
    flex: 1 1 260px;
    max-width: 560px;
  }
  ol.patches {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  button.patch {
    display: grid;
    justify-items: center;
    gap: 2px;
    padding: 3px;
    min-width: 0;
    font-variant-numeric: tabular-nums;
    font-size: 0.8em;
  }
  button.patch[aria-pressed='true'] {
    border-color: var(--_accent);
    box-shadow: 0 0 0 2px var(--_accent);
  }
  canvas.patch {
    width: var(--_patch);
    height: var(--_patch);
    image-rendering: pixelated;
    background: #000;
  }
  canvas.full {
    width: var(--_full);
    height: auto;
    image-rendering: pixelated;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: #000;
  }
  .whole {
    max-width: calc(var(--_full) + 4rem);
  }
  .grid {
    list-style: none;
    padding: 0;
    display: grid;
    gap: 2px;
    max-height: 480px;
    overflow: auto;
    margin-block: var(--_space);
  }
  button.unit-row {
    width: 100%;
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding: 2px 4px;
    justify-content: start;
  }
  button.unit-row[aria-current='true'] {
    border-color: var(--_accent);
  }
  .unit-label {
    min-width: 2.5em;
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  canvas.row {
    height: 36px;
    width: auto;
    max-width: 100%;
    image-rendering: pixelated;
    background: #000;
  }
  .field-group {
    display: grid;
    gap: 0.25em;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .warning {
    color: var(--_danger);
    margin: 0;
    max-width: 32em;
  }
`;
