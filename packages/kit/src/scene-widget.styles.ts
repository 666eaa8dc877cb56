import { css } from 'lit';

/**
 * The parts the scene widgets share (<anchor-viewer>, <detection-pipeline>, <fcn-seg>): class
 * swatches and colour legends, the counts list, the detections list, the row with the scene's seed
 * and the upload button, and the message under it. Goes after widgetLayoutStyles.
 */
export const sceneWidgetStyles = css`
  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    background: var(--c);
    margin-inline-end: 0.35em;
    vertical-align: -0.05em;
  }
  .legend {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    min-width: 10em;
  }
  .legend .bar {
    flex: 1;
    height: 0.8em;
    min-width: 6em;
    border-radius: 2px;
  }
  dl.counts {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.3em 1em;
    margin: 0;
  }
  dl.counts dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  ol.dets {
    margin: 0;
    padding-inline-start: 1.4em;
  }
  .scene-row {
    flex-basis: 100%;
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: calc(var(--_space) * 1.5);
  }
  .scene-row input[type='number'] {
    font: inherit;
    width: 7em;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.25em 0.5em;
  }
  .upload {
    display: grid;
    gap: 0.25em;
  }
  .upload input[type='file'] {
    position: absolute;
    width: 1px;
    height: 1px;
    opacity: 0;
  }
  .upload .button {
    position: relative;
    display: inline-flex;
    align-items: center;
  }
  .error {
    color: var(--_danger);
    font-size: 0.9em;
  }
`;
