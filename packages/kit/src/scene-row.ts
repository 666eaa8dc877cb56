import { html, nothing, type TemplateResult } from 'lit';

export interface SceneRowOptions {
  /** The scene's seed shown in the number field. */
  seed: number;
  /** A message under the upload button (a file that is not an image), or ''. */
  uploadError: string;
  onNewScene: () => void;
  /** The reader typed a seed (the element shows that scene instead of an uploaded image). */
  onSeed: (seed: number) => void;
  onFile: (file: File | undefined) => void;
  /** More controls at the end of the row. */
  extra?: TemplateResult | typeof nothing;
}

/**
 * The row the scene widgets share (<anchor-viewer>, <detection-pipeline>, <fcn-seg>): New scene,
 * the seed, and an upload button with its message. Style it with sceneWidgetStyles.
 */
export function sceneRow(o: SceneRowOptions): TemplateResult {
  return html`<div class="scene-row">
    <button type="button" @click=${o.onNewScene}>New scene</button>
    <label class="field">Seed <input type="number" min="0" step="1" .value=${String(o.seed)} @change=${(e: Event) => o.onSeed(Number((e.target as HTMLInputElement).value))} /></label>
    <span class="upload">
      <label class="button">Upload an image…<input type="file" accept="image/*" @change=${(e: Event) => o.onFile((e.target as HTMLInputElement).files?.[0])} /></label>
      ${o.uploadError ? html`<span class="error" role="alert">${o.uploadError}</span>` : nothing}
    </span>
    ${o.extra ?? nothing}
  </div>`;
}
