import { css } from 'lit';

export const probBarsStyles = css`
  :host {
    display: block;
    min-width: 12em;
  }
  .heading {
    margin: 0 0 calc(var(--_space) / 2);
    font-weight: 600;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: calc(var(--_space) / 2);
  }
  li {
    display: grid;
    grid-template-columns: minmax(2.5em, max-content) 1fr 4.2em;
    align-items: center;
    gap: var(--_space);
  }
  li.extra {
    border-top: 1px dashed var(--_border);
    padding-top: calc(var(--_space) / 2);
  }
  .label {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .track {
    display: block;
    height: 0.9em;
    border-radius: 2px;
    background: var(--_surface);
    box-shadow: inset 0 0 0 1px var(--_border);
    overflow: hidden;
  }
  .fill {
    display: block;
    height: 100%;
    background: var(--_accent);
  }
  .pct {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  li.marked .label {
    font-weight: 700;
  }
  li.marked .label::before {
    content: '▸ ';
  }
  li.marked .fill {
    /* Stripes: the mark reads without colour too. */
    background: repeating-linear-gradient(
      -45deg,
      var(--_danger) 0 4px,
      color-mix(in srgb, var(--_danger) 65%, var(--_bg)) 4px 8px
    );
  }
  .empty {
    color: var(--_muted);
    margin: 0;
  }
`;
