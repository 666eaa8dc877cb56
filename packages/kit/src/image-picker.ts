import { html, nothing, type PropertyValues } from 'lit';
import { property, query, queryAll, state } from 'lit/decorators.js';
import type { ImageSource } from '@convlab/tensor';
import { ConvLabElement } from './base.js';
import { imagePickerStyles } from './image-picker.styles.js';

/** A bundled sample: its text (alt text of the thumbnail) and the image (URL, ImageData, canvas…). */
export interface PickerSample {
  label: string;
  src: string | ImageSource;
}

/** Where an image came from. */
export type ImageOrigin = 'sample' | 'file' | 'drop' | 'paste';

/** Detail of `image-select`. */
export interface ImageSelectDetail {
  /** The image: a sample's `src`, or the uploaded / dropped / pasted file. */
  source: ImageSource | Blob;
  /** The sample's label, or the file's name. */
  label?: string;
  /** The sample's index in `samples` (samples only). */
  index?: number;
  origin: ImageOrigin;
}

/** Layout of a sprite of equal square tiles (row-major), and the class index of each tile. */
export interface SpriteMeta {
  /** Side of a tile, in pixels. */
  tile: number;
  /** Tiles per row of the sprite. */
  columns: number;
  /** Number of tiles to cut. */
  count: number;
  /** Class index of each tile. */
  labels: number[];
}

/**
 * Two sample lists are the same when they hold the same images with the same labels, in order. A host
 * that renders a new array of the same samples on every update (fgsm-demo did, on each epsilon step)
 * must not make the picker drop and re-encode its thumbnails: that cost 30-40 ms per update.
 */
export function sameSamples(a: readonly PickerSample[] | undefined, b: readonly PickerSample[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((s, i) => s.src === b[i].src && s.label === b[i].label);
}

/** A screen with touch only (a phone, a tablet without a mouse): nothing to drag a file with, no Ctrl+V. */
export const TOUCH_ONLY_QUERY = '(hover: none) and (pointer: coarse)';

/**
 * The drop / paste hint, worded for the device: none on a touch-only screen (no drag and drop of
 * files, no keyboard shortcut to paste), Cmd+V (⌘V) on Apple keyboards, Ctrl+V elsewhere.
 */
export function dropPasteHint(touchOnly: boolean, apple: boolean): string {
  if (touchOnly) return '';
  return `or drop an image here, or paste one (${apple ? '⌘V' : 'Ctrl+V'})`;
}

const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp|avif|svg|ico|tiff?)$/i;

/** True for files whose type (or, without a type, whose name) says image. */
export function isImageFile(f: Blob): boolean {
  if (f.type) return f.type.startsWith('image/');
  return typeof File !== 'undefined' && f instanceof File && IMAGE_NAME.test(f.name);
}

/**
 * Cuts a PNG sprite of square tiles (row-major, `columns` per row) into samples for the picker,
 * labelled `labelNames[labels[i]]` (or the class index). Pixels are read without colour-space
 * conversion, so the tiles hold the sprite's exact bytes.
 */
export async function samplesFromSprite(
  spriteUrl: string,
  meta: SpriteMeta,
  labelNames?: readonly string[]
): Promise<{ label: string; src: ImageData }[]> {
  const res = await fetch(spriteUrl);
  if (!res.ok) throw new Error(`Could not load the sample sprite ${spriteUrl}: ${res.status} ${res.statusText}`.trim());
  const bitmap = await createImageBitmap(await res.blob(), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const { tile, columns, count } = meta;
    const rows = Math.ceil(count / columns);
    if (bitmap.width < columns * tile || bitmap.height < rows * tile) {
      throw new Error(
        `The sprite is ${bitmap.width}x${bitmap.height}; ${count} tiles of ${tile}px in ${columns} columns need ${
          columns * tile
        }x${rows * tile}.`
      );
    }
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const out: { label: string; src: ImageData }[] = [];
    for (let i = 0; i < count; i++) {
      const x = (i % columns) * tile;
      const y = Math.floor(i / columns) * tile;
      const cls = meta.labels[i];
      const label = cls === undefined ? `Sample ${i + 1}` : labelNames?.[cls] ?? String(cls);
      out.push({ label, src: ctx.getImageData(x, y, tile, tile) });
    }
    return out;
  } finally {
    bitmap.close();
  }
}

interface Thumb {
  url: string;
  /** Small images are shown pixelated. */
  small: boolean;
}

/**
 * Chooses an input image: bundled samples as thumbnail buttons, an upload button, drag and drop of
 * an image file, or paste from the clipboard while the picker has focus.
 *
 * @summary Choose an image: samples, upload, drop or paste.
 * @tagname convlab-image-picker
 * @fires {CustomEvent<ImageSelectDetail>} image-select - An image was chosen. detail: {source, label?, index?, origin: 'sample' | 'file' | 'drop' | 'paste'}.
 * @csspart zone - The drop zone around everything.
 * @csspart samples - The group of sample thumbnails.
 * @csspart thumb - A sample's button.
 * @csspart upload - The upload button.
 * @csspart error - The error under the upload button ("not an image", or the consumer's `showError`).
 * @cssprop --convlab-thumb-size - Side of a sample thumbnail (default 3.75em: 56px at the default font size, larger in presenter mode).
 */
export class ConvLabImagePicker extends ConvLabElement {
  static override styles = [...ConvLabElement.styles, imagePickerStyles];

  /** Bundled samples (attribute: JSON array of {label, src} with URLs). */
  @property({ type: Array, hasChanged: (a: PickerSample[], b?: PickerSample[]) => !sameSamples(a, b) }) samples: PickerSample[] = [];

  /** Index of the selected sample, or -1. Set it to mark the starting sample (no event). */
  @property({ type: Number, reflect: true }) selected = -1;

  /** Accessible name of the samples group. */
  @property() label = 'Sample images';

  /** Text of the upload button. */
  @property({ attribute: 'upload-label' }) uploadLabel = 'Upload an image…';

  @state() private dragging = false;
  @state() private error = '';
  /** Which thumbnail takes the tab stop (roving tabindex). */
  @state() private focusIndex = 0;

  @query('input[type=file]') private fileInput!: HTMLInputElement;
  @queryAll('.thumb') private thumbButtons!: NodeListOf<HTMLButtonElement>;

  private thumbs = new WeakMap<object, Thumb>();
  private objectUrls: string[] = [];
  private dragDepth = 0;

  /** Whether the screen is touch-only, followed live (a tablet's keyboard cover, a mouse plugged in). */
  private readonly touchQuery = typeof matchMedia === 'function' ? matchMedia(TOUCH_ONLY_QUERY) : undefined;
  private readonly onTouchChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    this.touchQuery?.addEventListener?.('change', this.onTouchChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.touchQuery?.removeEventListener?.('change', this.onTouchChange);
    this.revokeUrls();
  }

  private revokeUrls() {
    for (const u of this.objectUrls) URL.revokeObjectURL(u);
    this.objectUrls = [];
    this.thumbs = new WeakMap();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('samples') && changed.get('samples') !== undefined) this.revokeUrls();
    if (changed.has('selected') && this.selected >= 0) this.focusIndex = this.selected;
    const n = this.samples?.length ?? 0;
    if (this.focusIndex >= n) this.focusIndex = Math.max(0, n - 1);
  }

  private thumbOf(src: PickerSample['src']): Thumb {
    if (typeof src === 'string') return { url: src, small: false };
    if (src instanceof URL) return { url: src.href, small: false };
    const cached = this.thumbs.get(src);
    if (cached) return cached;
    let thumb: Thumb = { url: '', small: false };
    try {
      if (src instanceof HTMLImageElement) {
        thumb = { url: src.currentSrc || src.src, small: false };
      } else if (src instanceof Blob) {
        const url = URL.createObjectURL(src);
        this.objectUrls.push(url);
        thumb = { url, small: false };
      } else {
        const canvas = document.createElement('canvas');
        canvas.width = src.width;
        canvas.height = src.height;
        const ctx = canvas.getContext('2d')!;
        if (src instanceof HTMLCanvasElement || src instanceof OffscreenCanvas || src instanceof ImageBitmap) {
          ctx.drawImage(src, 0, 0);
        } else {
          const data =
            src instanceof ImageData ? src : new ImageData(new Uint8ClampedArray(src.data), src.width, src.height);
          ctx.putImageData(data, 0, 0);
        }
        thumb = { url: canvas.toDataURL('image/png'), small: Math.max(src.width, src.height) <= 64 };
      }
    } catch {
      /* tainted or unreadable: the button shows its label instead */
    }
    this.thumbs.set(src, thumb);
    return thumb;
  }

  /**
   * Shows an error under the upload button (`role="alert"`), where the reader chose the file: for a
   * consumer that could not decode it. The next choice clears it; '' clears it now.
   */
  showError(message: string): void {
    this.error = message;
  }

  /** The error shown under the upload button ('' for none). */
  get errorMessage(): string {
    return this.error;
  }

  private select(detail: ImageSelectDetail) {
    this.error = '';
    this.selected = detail.origin === 'sample' ? detail.index ?? -1 : -1;
    this.emit<ImageSelectDetail>('image-select', detail);
  }

  private pickFile(files: ArrayLike<File> | null | undefined, origin: Exclude<ImageOrigin, 'sample'>): boolean {
    const list = Array.from(files ?? []);
    const file = list.find(isImageFile);
    if (file) {
      this.select({ source: file, label: file.name, origin });
      return true;
    }
    if (list.length) this.error = list.length > 1 ? 'None of those files is an image.' : 'That file is not an image.';
    return false;
  }

  private onSampleClick(index: number) {
    const s = this.samples?.[index];
    if (!s) return;
    this.focusIndex = index;
    this.select({ source: s.src, label: s.label, index, origin: 'sample' });
  }

  private onSamplesKey(e: KeyboardEvent) {
    const n = this.samples?.length ?? 0;
    if (!n) return;
    let i = this.focusIndex;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') i = (i + 1) % n;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') i = (i - 1 + n) % n;
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = n - 1;
    else return;
    e.preventDefault();
    this.focusIndex = i;
    void this.updateComplete.then(() => this.thumbButtons[i]?.focus());
  }

  private onUploadClick() {
    this.fileInput.click();
  }

  private onFileChange(e: Event) {
    e.stopPropagation();
    this.pickFile(this.fileInput.files, 'file');
    this.fileInput.value = ''; // choosing the same file again fires change again
  }

  private hasFiles(e: DragEvent): boolean {
    return Array.from(e.dataTransfer?.types ?? []).includes('Files');
  }

  private onDragEnter(e: DragEvent) {
    if (!this.hasFiles(e)) return;
    e.preventDefault();
    this.dragDepth++;
    this.dragging = true;
  }

  private onDragOver(e: DragEvent) {
    if (!this.hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private onDragLeave(e: DragEvent) {
    if (!this.hasFiles(e)) return;
    this.dragDepth = Math.max(0, this.dragDepth - 1);
    if (this.dragDepth === 0) this.dragging = false;
  }

  private onDrop(e: DragEvent) {
    this.dragDepth = 0;
    this.dragging = false;
    const files = e.dataTransfer?.files;
    if (!files?.length) return;
    e.preventDefault();
    this.pickFile(files, 'drop');
  }

  private onPaste(e: ClipboardEvent) {
    const data = e.clipboardData;
    if (!data) return;
    const files = data.files?.length
      ? Array.from(data.files)
      : Array.from(data.items ?? [])
          .filter((it) => it.kind === 'file')
          .map((it) => it.getAsFile())
          .filter((f): f is File => !!f);
    if (!files.length) return; // plain text: not ours
    e.preventDefault();
    if (!this.pickFile(files, 'paste')) this.error = 'The clipboard holds no image.';
  }

  protected override render() {
    const samples = this.samples ?? [];
    const apple = typeof navigator !== 'undefined' && /Mac|iPhone|iPad|iPod/.test(navigator.platform ?? '');
    const hint = dropPasteHint(!!this.touchQuery?.matches, apple);
    return html`<div
      class="zone ${this.dragging ? 'dragging' : ''}"
      part="zone"
      @dragenter=${this.onDragEnter}
      @dragover=${this.onDragOver}
      @dragleave=${this.onDragLeave}
      @drop=${this.onDrop}
      @paste=${this.onPaste}
    >
      ${samples.length
        ? html`<div
            class="samples"
            part="samples"
            role="toolbar"
            aria-label=${this.label}
            @keydown=${this.onSamplesKey}
          >
            ${samples.map((s, i) => {
              const t = this.thumbOf(s.src);
              return html`<button
                type="button"
                class="thumb"
                part="thumb"
                aria-pressed=${i === this.selected ? 'true' : 'false'}
                tabindex=${i === this.focusIndex ? '0' : '-1'}
                title=${s.label}
                @click=${() => this.onSampleClick(i)}
              >
                ${t.url
                  ? html`<img src=${t.url} alt=${s.label} class=${t.small ? 'small' : ''} draggable="false" />`
                  : html`<span class="alt">${s.label}</span>`}
              </button>`;
            })}
          </div>`
        : nothing}
      <div class="actions">
        <button type="button" part="upload" @click=${this.onUploadClick}>${this.uploadLabel}</button>
        ${hint ? html`<span class="hint">${hint}</span>` : nothing}
        <input
          type="file"
          accept="image/*"
          hidden
          tabindex="-1"
          aria-label=${this.uploadLabel}
          @change=${this.onFileChange}
        />
      </div>
      ${this.error ? html`<p class="error" part="error" role="alert">${this.error}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'image-select': CustomEvent<ImageSelectDetail>;
  }
}
