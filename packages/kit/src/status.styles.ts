import { css } from 'lit';

export const statusStyles = css`
  :host {
    display: block;
  }
  .box {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
  }
  .progress {
    display: grid;
    gap: calc(var(--_space) / 2);
    min-width: 12em;
  }
  .track {
    position: relative;
    height: 0.5em;
    overflow: hidden;
    border-radius: 999px;
    background: var(--_surface);
    box-shadow: inset 0 0 0 1px var(--_border);
  }
  .fill {
    height: 100%;
    background: var(--_accent);
    transition: width 0.2s;
  }
  .indeterminate .fill {
    width: 35%;
    animation: slide 1.2s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      transform: translateX(-100%);
    }
    to {
      transform: translateX(300%);
    }
  }
  .busy {
    color: var(--_muted);
  }
  .spinner {
    width: 0.9em;
    height: 0.9em;
    border: 2px solid var(--_border);
    border-top-color: var(--_accent);
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner,
    .indeterminate .fill {
      animation-duration: 3s;
    }
  }
  .alert {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space);
    padding: var(--_space) calc(var(--_space) * 1.5);
    border: 1px solid var(--_danger);
    border-inline-start-width: 4px;
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_fg);
  }
  .alert strong {
    color: var(--_danger);
  }
  .backend {
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    margin-top: calc(var(--_space) / 4);
    font-size: 0.8em;
    color: var(--_muted);
  }
  .backend summary {
    list-style: none;
    cursor: pointer;
    border-radius: 50%;
    padding: 0.1em;
  }
  .backend summary::-webkit-details-marker {
    display: none;
  }
  .backend .mark {
    display: inline-grid;
    place-items: center;
    width: 1.3em;
    height: 1.3em;
    border: 1px solid currentColor;
    border-radius: 50%;
    font-weight: 700;
    font-style: normal;
  }
  .backend p {
    margin: 0.25em 0 0;
    text-align: end;
  }
`;
