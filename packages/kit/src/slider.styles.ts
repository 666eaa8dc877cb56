import { css } from 'lit';

export const sliderStyles = css`
  :host {
    display: block;
  }
  .row {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: var(--_space);
  }
  label {
    flex: 1 0 100%;
  }
  input[type='range'] {
    flex: 1 1 10em;
    min-width: 6em;
    margin: 0;
    accent-color: var(--_accent);
  }
  :host([presenter]) input[type='range'] {
    height: 2em;
  }
  .number {
    display: inline-flex;
    align-items: center;
    gap: 0.25em;
  }
  input[type='number'] {
    width: 6em;
    padding: 0.2em 0.4em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    font-variant-numeric: tabular-nums;
  }
  .unit {
    color: var(--_muted);
  }
`;
