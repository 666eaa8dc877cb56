import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/define.js';
import type { ConvLabImagePicker, ImageSelectDetail } from '../src/image-picker.js';
import { samplesFromSprite, isImageFile } from '../src/image-picker.js';

const thumbs = (el: Element) => Array.from(el.shadowRoot!.querySelectorAll('.thumb')) as HTMLButtonElement[];
const zone = (el: Element) => el.shadowRoot!.querySelector('[part=zone]') as HTMLElement;

function solid(value: number, size = 4): ImageData {
  const img = new ImageData(size, size);
  for (let i = 0; i < img.data.length; i += 4) img.data.set([value, value, value, 255], i);
  return img;
}

async function pngFile(name = 'digit.png'): Promise<File> {
  const c = document.createElement('canvas');
  c.width = c.height = 8;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#f00';
  ctx.fillRect(0, 0, 8, 8);
  const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

function transfer(...files: File[]): DataTransfer {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  return dt;
}

function drag(type: string, dataTransfer: DataTransfer): DragEvent {
  return new DragEvent(type, { dataTransfer, bubbles: true, composed: true, cancelable: true });
}

function countEvents(el: HTMLElement): ImageSelectDetail[] {
  const seen: ImageSelectDetail[] = [];
  el.addEventListener('image-select', (e) => seen.push(e.detail));
  return seen;
}

describe('<convlab-image-picker>', () => {
  it('renders sample thumbnails as pressed-state buttons with alt text, and is accessible', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    el.samples = [
      { label: 'Digit 3', src: solid(30) },
      { label: 'Digit 7', src: solid(70) },
    ];
    await el.updateComplete;
    const buttons = thumbs(el);
    expect(buttons.length).to.equal(2);
    expect(buttons.map((b) => b.querySelector('img')!.alt)).to.deep.equal(['Digit 3', 'Digit 7']);
    expect(buttons[0].querySelector('img')!.src).to.match(/^data:image\/png/);
    expect(buttons.map((b) => b.getAttribute('aria-pressed'))).to.deep.equal(['false', 'false']);
    const upload = el.shadowRoot!.querySelector('[part=upload]') as HTMLButtonElement;
    expect(upload.textContent).to.contain('Upload an image');
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    expect(input.accept).to.equal('image/*');
    await expect(el).to.be.accessible();
  });

  it('reads samples and selected from attributes, and reflects selected', async () => {
    const el = await fixture<ConvLabImagePicker>(
      html`<convlab-image-picker
        samples='[{"label":"Cat","src":"data:image/gif;base64,R0lGODlhAQABAAAAACw="},{"label":"Dog","src":"data:image/gif;base64,R0lGODlhAQABAAAAACw="}]'
        selected="1"
      ></convlab-image-picker>`
    );
    expect(el.samples.map((s) => s.label)).to.deep.equal(['Cat', 'Dog']);
    expect(el.selected).to.equal(1);
    expect(thumbs(el).map((b) => b.getAttribute('aria-pressed'))).to.deep.equal(['false', 'true']);
    el.selected = 0;
    await el.updateComplete;
    expect(el.getAttribute('selected')).to.equal('0');
  });

  it('fires image-select once for a sample click, with the sample, and marks it pressed', async () => {
    const a = solid(10);
    const b = solid(200);
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    el.samples = [
      { label: 'a', src: a },
      { label: 'b', src: b },
    ];
    await el.updateComplete;
    const seen = countEvents(el);
    setTimeout(() => thumbs(el)[1].click());
    const ev = await oneEvent(el, 'image-select');
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(ev.detail).to.deep.equal({ source: b, label: 'b', index: 1, origin: 'sample' });
    expect(ev.detail.source).to.equal(b);
    await el.updateComplete;
    expect(seen.length).to.equal(1);
    expect(el.selected).to.equal(1);
    expect(thumbs(el).map((x) => x.getAttribute('aria-pressed'))).to.deep.equal(['false', 'true']);
  });

  it('moves between samples with the arrow keys (one tab stop) and picks with Enter', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    el.samples = [0, 1, 2].map((i) => ({ label: `s${i}`, src: solid(i * 50) }));
    await el.updateComplete;
    expect(thumbs(el).map((b) => b.tabIndex)).to.deep.equal([0, -1, -1]);
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(thumbs(el)[0]);
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' });
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(thumbs(el)[2]);
    const ev = oneEvent(el, 'image-select');
    await sendKeys({ press: 'Enter' });
    expect((await ev).detail.index).to.equal(2);
    // Tab leaves the samples for the upload button.
    await sendKeys({ press: 'Tab' });
    expect((el.shadowRoot!.activeElement as HTMLElement).getAttribute('part')).to.equal('upload');
  });

  it('fires image-select for a dropped image file, with a visible drop highlight while dragging', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    const file = await pngFile();
    const dt = transfer(file);
    zone(el).dispatchEvent(drag('dragenter', dt));
    zone(el).dispatchEvent(drag('dragover', dt));
    await el.updateComplete;
    expect(zone(el).classList.contains('dragging')).to.equal(true);
    expect(getComputedStyle(zone(el)).borderTopStyle).to.equal('dashed');
    const seen = countEvents(el);
    const ev = oneEvent(el, 'image-select');
    const drop = drag('drop', dt);
    zone(el).dispatchEvent(drop);
    const { detail } = await ev;
    expect(drop.defaultPrevented).to.equal(true);
    expect(detail.origin).to.equal('drop');
    expect(detail.source).to.equal(file);
    expect(detail.label).to.equal('digit.png');
    await el.updateComplete;
    expect(zone(el).classList.contains('dragging')).to.equal(false);
    expect(seen.length).to.equal(1);
    expect(el.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
  });

  it('shows an alert and fires nothing for a dropped text file', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    const seen = countEvents(el);
    zone(el).dispatchEvent(drag('drop', transfer(new File(['hello'], 'notes.txt', { type: 'text/plain' }))));
    await el.updateComplete;
    expect(seen.length).to.equal(0);
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).to.equal('That file is not an image.');
    await expect(el).to.be.accessible();
    // A good file afterwards clears the message.
    zone(el).dispatchEvent(drag('drop', transfer(await pngFile())));
    await el.updateComplete;
    expect(seen.length).to.equal(1);
    expect(el.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
  });

  it('fires image-select for an uploaded file', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    const file = await pngFile('upload.png');
    input.files = transfer(file).files;
    const ev = oneEvent(el, 'image-select');
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const { detail } = await ev;
    expect(detail).to.deep.equal({ source: file, label: 'upload.png', origin: 'file' });
  });

  it('fires image-select for an image pasted while it has focus', async () => {
    const el = await fixture<ConvLabImagePicker>(html`<convlab-image-picker></convlab-image-picker>`);
    const upload = el.shadowRoot!.querySelector('[part=upload]') as HTMLButtonElement;
    upload.focus();
    const file = await pngFile('clip.png');
    const ev = oneEvent(el, 'image-select');
    const paste = new ClipboardEvent('paste', {
      clipboardData: transfer(file),
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    upload.dispatchEvent(paste);
    const { detail } = await ev;
    expect(detail.origin).to.equal('paste');
    expect(detail.source).to.equal(file);
    expect(paste.defaultPrevented).to.equal(true);
    // Pasting plain text is none of its business.
    const seen = countEvents(el);
    const dt = new DataTransfer();
    dt.setData('text/plain', 'hello');
    upload.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, composed: true }));
    await el.updateComplete;
    expect(seen.length).to.equal(0);
    expect(el.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
  });

  it('tells image files apart by type, or by name when there is no type', () => {
    expect(isImageFile(new File([''], 'a.png', { type: 'image/png' }))).to.equal(true);
    expect(isImageFile(new File([''], 'a.jpg'))).to.equal(true);
    expect(isImageFile(new File([''], 'a.txt'))).to.equal(false);
    expect(isImageFile(new File([''], 'a.png', { type: 'text/plain' }))).to.equal(false);
  });
});

describe('samplesFromSprite', () => {
  it('cuts a generated sprite into tiles with the right pixels and labels', async () => {
    // 5 tiles of 4x4 in 3 columns (2 rows): tile i is grey 40 (i + 1) with a white top-left pixel.
    const c = document.createElement('canvas');
    c.width = 12;
    c.height = 8;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 12, 8);
    for (let i = 0; i < 5; i++) {
      const x = (i % 3) * 4;
      const y = Math.floor(i / 3) * 4;
      const v = 40 * (i + 1);
      ctx.fillStyle = `rgb(${v}, ${v}, ${v})`;
      ctx.fillRect(x, y, 4, 4);
      ctx.fillStyle = '#fff';
      ctx.fillRect(x, y, 1, 1);
    }
    const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
    const url = URL.createObjectURL(blob);
    try {
      const names = ['zero', 'one', 'two', 'three', 'four', 'five'];
      const samples = await samplesFromSprite(url, { tile: 4, columns: 3, count: 5, labels: [3, 1, 4, 1, 5] }, names);
      expect(samples.map((s) => s.label)).to.deep.equal(['three', 'one', 'four', 'one', 'five']);
      samples.forEach((s, i) => {
        expect([s.src.width, s.src.height]).to.deep.equal([4, 4]);
        expect(Array.from(s.src.data.slice(0, 4))).to.deep.equal([255, 255, 255, 255]);
        const v = 40 * (i + 1);
        expect(Array.from(s.src.data.slice(4, 8))).to.deep.equal([v, v, v, 255]);
        expect(Array.from(s.src.data.slice(60, 64))).to.deep.equal([v, v, v, 255]);
      });
      const plain = await samplesFromSprite(url, { tile: 4, columns: 3, count: 2, labels: [7, 9] });
      expect(plain.map((s) => s.label)).to.deep.equal(['7', '9']);
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  it('rejects a sprite too small for its tiles', async () => {
    const c = document.createElement('canvas');
    c.width = c.height = 4;
    const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
    const url = URL.createObjectURL(blob);
    let error: Error | undefined;
    try {
      await samplesFromSprite(url, { tile: 4, columns: 3, count: 5, labels: [] });
    } catch (e) {
      error = e as Error;
    } finally {
      URL.revokeObjectURL(url);
    }
    expect(error?.message).to.contain('need 12x8');
  });
});
