import { css } from 'lit';

/** Controls shared by the kit's elements: buttons, focus rings, visually hidden text. */
export const sharedStyles = css`
  /* The element paints its own background, so its text stays readable whichever theme the page has. */
  :host {
    box-sizing: border-box;
    background-color: var(--_bg);
    color: var(--_fg);
  }
  /* A lazy element that has not started yet holds its place, so that the page does not jump and the
     elements below it are not all 'in view' at once. */
  :host([data-waiting]) {
    display: block;
    min-height: var(--convlab-lazy-height, 24rem);
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  button,
  input {
    font: inherit;
    color: inherit;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    min-height: 2em;
    padding: 0.25em 0.8em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_fg);
    cursor: pointer;
  }
  button:hover {
    border-color: var(--_accent);
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  :focus-visible {
    outline: var(--_focus-width) solid var(--_focus-ring);
    outline-offset: 2px;
  }
  @media (forced-colors: active) {
    :focus-visible {
      outline-color: Highlight;
    }
  }
`;
