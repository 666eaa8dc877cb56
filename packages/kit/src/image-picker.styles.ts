import { css } from 'lit';

export const imagePickerStyles = css`
  :host {
    --_thumb: var(--convlab-thumb-size, 3.75em);
    display: block;
  }
  .zone {
    display: grid;
    gap: var(--_space);
    padding: var(--_space);
    border: 2px dashed transparent;
    border-radius: var(--_radius);
    transition: border-color 0.15s, background-color 0.15s;
  }
  .zone.dragging {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 12%, transparent);
  }
  .samples {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) / 2);
  }
  .thumb {
    padding: 2px;
    min-height: 0;
    border: 2px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    line-height: 0;
  }
  .thumb[aria-pressed='true'] {
    border-color: var(--_accent);
    box-shadow: 0 0 0 2px var(--_accent);
  }
  .thumb img,
  .thumb .alt {
    display: block;
    width: var(--_thumb);
    height: var(--_thumb);
    object-fit: cover;
    border-radius: calc(var(--_radius) / 2);
  }
  .thumb img.small {
    image-rendering: pixelated;
  }
  .thumb .alt {
    display: grid;
    place-items: center;
    line-height: 1.1;
    font-size: 0.75em;
    overflow: hidden;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
  }
  .hint {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .error {
    margin: 0;
    padding: calc(var(--_space) / 2) var(--_space);
    border-inline-start: 4px solid var(--_danger);
    color: var(--_fg);
    background: var(--_surface);
  }
`;
