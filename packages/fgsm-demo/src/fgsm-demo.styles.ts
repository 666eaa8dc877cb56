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
  /* x + perturbation = x' on one line at every width: three columns that shrink (down to a phone's
     390px) rather than wrap, with the operators between them; the predictions in a row below. */
  .equation {
    width: fit-content;
    max-width: 100%;
    margin-block: var(--_space);
  }
  .panels {
    display: grid;
    grid-template-columns: minmax(0, max-content) auto minmax(0, max-content) auto minmax(0, max-content);
    /* caption | image | note under the image: shared rows, so the three images line up whatever
       the captions' heights, and the operators sit in the images' row. */
    grid-template-rows: auto auto auto;
    align-items: start;
    gap: var(--_space) calc(var(--_space) * 2);
  }
  .panels > :nth-child(1) {
    grid-column: 1;
  }
  .panels > :nth-child(2) {
    grid-column: 2;
  }
  .panels > :nth-child(3) {
    grid-column: 3;
  }
  .panels > :nth-child(4) {
    grid-column: 4;
  }
  .panels > :nth-child(5) {
    grid-column: 5;
  }
  .panel {
    margin: 0;
    grid-row: 1 / span 3;
    display: grid;
    grid-template-rows: subgrid;
    grid-template-columns: minmax(0, 1fr);
    align-items: end;
    min-width: 0;
    max-width: calc(var(--_canvas) + 2rem);
    overflow-wrap: anywhere;
  }
  .panel > convlab-tensor-canvas,
  .panel > .scale {
    align-self: start;
  }
  .bars {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: var(--_space) calc(var(--_space) * 2);
    margin-top: var(--_space);
  }
  .bars convlab-prob-bars {
    /* Side by side down to a phone's width (each at least 10em), each at most a panel wide. */
    flex: 1 1 10em;
    min-width: 0;
    max-width: calc(var(--_canvas) + 2rem);
  }
  /* One prediction (before x' exists): under x. */
  .bars convlab-prob-bars:only-child {
    margin-inline-end: auto;
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
    grid-row: 2;
    align-self: center;
    font-size: 1.4em;
    color: var(--_muted);
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
