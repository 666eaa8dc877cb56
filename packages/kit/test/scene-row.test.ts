import { expect, fixture, html } from '@open-wc/testing';
import { render } from 'lit';
import { ready, tf } from '@convlab/tensor';
import '../src/define.js';
import { sceneRow, sceneRowFor, readSceneImage, readUpload } from '../src/scene-row.js';

/** A 2×2 PNG made on a canvas: red, green / blue, white. */
async function png(): Promise<File> {
  const c = document.createElement('canvas');
  c.width = c.height = 2;
  const ctx = c.getContext('2d')!;
  ctx.putImageData(new ImageData(Uint8ClampedArray.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]), 2, 2), 0, 0);
  const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
  return new File([blob], 'tiny.png', { type: 'image/png' });
}

describe('scene widgets: sceneRow, readSceneImage, readUpload', () => {
  before(async () => {
    await ready();
  });

  it('reads scene pixels and an uploaded image to [0, 1] tensors and RGBA, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const px = { image: [0, 128, 255, 10, 20, 30], width: 2, height: 1 };
    const a = await readSceneImage(px);
    expect(a.image.shape).to.deep.equal([1, 2, 3]);
    expect(Array.from(await a.image.data()).map((v) => Math.round(v * 255))).to.deep.equal(px.image);
    expect(Array.from(a.rgba)).to.deep.equal([0, 128, 255, 255, 10, 20, 30, 255]);
    a.image.dispose();
    const b = await readUpload(await png(), 4);
    if ('error' in b) throw new Error(b.error);
    expect(b.image.shape).to.deep.equal([4, 4, 3]);
    expect(Array.from(b.rgba.slice(0, 4))).to.deep.equal([255, 0, 0, 255]);
    b.image.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('says why an upload is refused: not an image, or not decodable', async () => {
    const text = await readUpload(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    expect(text).to.deep.equal({ error: 'notes.txt is not an image: the previous image stays.' });
    const broken = await readUpload(new File(['not a png'], 'broken.png', { type: 'image/png' }));
    expect('error' in broken && broken.error).to.match(/^broken\.png could not be read \(.+\): the previous image stays\.$/);
  });

  it('renders the row: New scene, the seed, the upload, its message and extra controls', async () => {
    const calls: string[] = [];
    const holder = await fixture<HTMLDivElement>(html`<div></div>`);
    const draw = (err: string) =>
      render(
        sceneRow({ seed: 7, uploadError: err, onNewScene: () => calls.push('new'), onSeed: (s) => calls.push(`seed ${s}`), onFile: (f) => calls.push(`file ${f?.name}`), extra: html`<button class="x">More</button>` }),
        holder,
      );
    draw('');
    expect(holder.querySelector('[role=alert]')).to.equal(null);
    (holder.querySelector('button') as HTMLButtonElement).click();
    const seed = holder.querySelector('input[type=number]') as HTMLInputElement;
    expect(seed.value).to.equal('7');
    seed.value = '12';
    seed.dispatchEvent(new Event('change'));
    expect(holder.querySelector('button.x')).to.not.equal(null);
    expect(calls).to.deep.equal(['new', 'seed 12']);
    draw('notes.txt is not an image: the previous image stays.');
    expect(holder.querySelector('[role=alert]')!.textContent).to.contain('notes.txt');
  });

  it('sceneRowFor drives a widget: New scene, and a typed seed that replaces an image by URL', async () => {
    const host = { seed: 4, src: 'photo.png', newScenes: 0, newScene() { this.newScenes++; } };
    const files: (string | undefined)[] = [];
    const holder = await fixture<HTMLDivElement>(html`<div></div>`);
    render(sceneRowFor(host, '', (f) => files.push(f?.name)), holder);
    (holder.querySelector('button') as HTMLButtonElement).click();
    expect(host.newScenes).to.equal(1);
    const seed = holder.querySelector('input[type=number]') as HTMLInputElement;
    expect(seed.value).to.equal('4');
    seed.value = '9';
    seed.dispatchEvent(new Event('change'));
    expect(host).to.include({ seed: 9, src: '' });
  });
});
