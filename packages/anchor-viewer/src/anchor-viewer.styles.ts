import { css } from 'lit';

export const anchorViewerStyles = css`
  td.value {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
    font-size: 1.1em;
  }
`;
