import { css } from 'lit';

export const gramStyleStyles = css`
  :host {
    display: block;
    --convlab-canvas-size: 200px;
  }
  :host([presenter]) {
    --convlab-canvas-size: 260px;
  }
  h3 {
    font-size: 1em;
    margin: 0 0 0.25em;
  }
  .images {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 210px), 1fr));
    gap: calc(var(--_space) * 2);
    align-items: start;
  }
  figure {
    margin: 0;
    display: grid;
    gap: 0.4em;
    min-width: 0;
  }
  figcaption {
    font-weight: 600;
  }
  .readout {
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
    font-size: 0.9em;
    min-height: 1.3em;
  }
  .error {
    color: var(--_danger);
    font-size: 0.9em;
  }
  button {
    font: inherit;
    padding: 0.35em 0.9em;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: inherit;
    cursor: pointer;
    min-height: 2.25em;
  }
  button.primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    border-color: var(--_accent);
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible {
    outline: var(--_focus-width, 2px) solid var(--_focus-ring);
    outline-offset: 2px;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.4em 0.75em 0.6em;
    margin: 0;
    min-width: 0;
  }
  legend {
    padding: 0 0.3em;
  }
  .layers {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3em 1em;
  }
  section {
    margin-top: calc(var(--_space) * 2);
  }
  .plot {
    width: 100%;
    max-width: 640px;
    height: 180px;
    display: block;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .legend-list {
    display: flex;
    flex-wrap: wrap;
    gap: 0.2em 1em;
    list-style: none;
    padding: 0;
    margin: 0.3em 0 0;
    font-size: 0.85em;
  }
  .swatch {
    display: inline-block;
    width: 1.2em;
    height: 0.25em;
    vertical-align: middle;
    margin-right: 0.3em;
  }
  .grams {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 150px), 1fr));
    gap: var(--_space);
    --convlab-canvas-size: 150px;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.9em;
    margin: 0.25em 0;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
