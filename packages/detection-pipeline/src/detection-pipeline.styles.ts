import { css } from 'lit';

export const detectionPipelineStyles = css`
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    background: var(--c);
    margin-inline-end: 0.35em;
    vertical-align: -0.05em;
  }
  .legend {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    min-width: 10em;
  }
  .legend .bar {
    flex: 1 1 auto;
    height: 0.8em;
    min-width: 6em;
    border-radius: 2px;
  }
  dl.counts {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.3em 1em;
    margin: 0;
  }
  dl.counts dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  ol.dets {
    margin: 0;
    padding-inline-start: 1.4em;
  }
  .scene-row {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: calc(var(--_space) * 1.5);
  }
  .scene-row input[type='number'] {
    font: inherit;
    width: 7em;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
  }
  .upload {
    display: grid;
    gap: 0.25em;
  }
  .upload input[type='file'] {
    position: absolute;
    width: 1px;
    height: 1px;
    opacity: 0;
  }
  .upload .button {
    position: relative;
    display: inline-flex;
    align-items: center;
  }
  canvas.roi {
    width: 100%;
    max-width: 36rem;
    height: auto;
    image-rendering: pixelated;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  figure.roi {
    max-width: 100%;
  }
  .tables {
    display: grid;
    gap: calc(var(--_space) * 2);
    margin-block: var(--_space);
    overflow-x: auto;
  }
  td.num {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .controls select {
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
  }
  .error {
    color: var(--_danger);
    font-size: 0.9em;
  }
`;
