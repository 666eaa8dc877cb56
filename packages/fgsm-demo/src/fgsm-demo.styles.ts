import { css } from 'lit';

export const fgsmDemoStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    --convlab-canvas-size: 168px;
  }
  :host([presenter]) {
    --convlab-canvas-size: 260px;
  }
  .panels {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    gap: calc(var(--_spacing) * 2);
    margin-block: var(--_spacing);
  }
  .panel {
    margin: 0;
    display: grid;
    gap: var(--_spacing);
    max-width: calc(var(--convlab-canvas-size) + 2rem);
  }
  figcaption {
    font-weight: 600;
  }
  .sym {
    font-family: 'Cambria Math', 'STIX Two Math', serif;
    font-style: italic;
    font-size: 1.15em;
  }
  .muted,
  .scale {
    color: var(--_muted);
    font-weight: normal;
    font-size: 0.85em;
    margin: 0;
  }
  .op {
    align-self: center;
    font-size: 1.4em;
    color: var(--_muted);
    padding-bottom: 4rem;
  }
  .readout {
    margin: var(--_spacing) 0;
  }
  .flipped {
    color: var(--_danger);
    font-weight: 600;
    margin-inline-start: 0.5em;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: calc(var(--_spacing) * 1.5);
  }
  .field {
    display: grid;
    gap: 0.25em;
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
  .note {
    flex-basis: 100%;
    margin: 0;
  }
`;
