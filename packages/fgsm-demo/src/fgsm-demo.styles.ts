import { css } from 'lit';

export const fgsmDemoStyles = css`
  :host {
    display: block;
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_fg);
    /* The page's --convlab-canvas-size (set on any ancestor) wins; else this widget's default. */
    --_canvas: var(--convlab-canvas-size, 168px);
  }
  :host([presenter]) {
    --_canvas: var(--convlab-canvas-size, 260px);
  }
  convlab-tensor-canvas,
  convlab-draw-pad {
    --convlab-canvas-size: var(--_canvas);
  }
  .panels {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-start;
    gap: calc(var(--_space) * 2);
    margin-block: var(--_space);
  }
  .panel {
    margin: 0;
    display: grid;
    gap: var(--_space);
    max-width: calc(var(--_canvas) + 2rem);
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
    margin: var(--_space) 0;
  }
  .flipped {
    color: var(--_danger);
    font-weight: 600;
    margin-inline-start: 0.5em;
  }
  .note {
    flex-basis: 100%;
    margin: 0;
  }
`;
