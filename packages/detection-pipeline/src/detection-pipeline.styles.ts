import { css } from 'lit';

export const detectionPipelineStyles = css`
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
`;
