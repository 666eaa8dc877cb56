import { expect } from '@open-wc/testing';
import { fromImage, prepareInput, borderMean, tf, ImageLoadError, LUMA } from '../src/index.js';
import { pngBlob, describeOnEachBackend } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<ImageLoadError> {
  try {
    await p;
  } catch (e) {
    return e as ImageLoadError;
  }
  throw new Error('expected a rejection');
}

describeOnEachBackend('fromImage', () => {
  it('turns ImageData into NHWC floats in [0, 1]', async () => {
    const data = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 51, 102, 153, 255]);
    const t = await fromImage(new ImageData(data, 2, 2));
    expect(t.shape).to.deep.equal([1, 2, 2, 3]);
    const v = Array.from(await t.data());
    expect(v.slice(0, 3)).to.deep.equal([1, 0, 0]);
    expect(v[9]).to.be.closeTo(0.2, 1e-6);
    expect(v[11]).to.be.closeTo(0.6, 1e-6);
    t.dispose();
  });

  it('gives one channel as BT.601 luminance', async () => {
    const data = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    const t = await fromImage(new ImageData(data, 2, 2), { channels: 1 });
    expect(t.shape).to.deep.equal([1, 2, 2, 1]);
    const v = Array.from(await t.data());
    expect(v[0]).to.be.closeTo(LUMA[0], 1e-5);
    expect(v[1]).to.be.closeTo(LUMA[1], 1e-5);
    expect(v[2]).to.be.closeTo(LUMA[2], 1e-5);
    expect(v[3]).to.be.closeTo(1, 1e-5);
    t.dispose();
  });

  it('reads a canvas, a Blob, a File, an <img>, an ImageBitmap, an OffscreenCanvas and a URL at the requested size', async () => {
    const blob = await pngBlob(40, 20, (ctx) => {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 20, 20);
      ctx.fillStyle = '#000';
      ctx.fillRect(20, 0, 20, 20);
    });
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.src = url;
    const canvas = document.createElement('canvas');
    canvas.width = 40;
    canvas.height = 20;
    canvas.getContext('2d')!.drawImage(await createImageBitmap(blob), 0, 0);
    // And the sources a drop or a worker hands over: a File, an ImageBitmap, an OffscreenCanvas.
    const file = new File([blob], 'halves.png', { type: 'image/png' });
    const bitmap = await createImageBitmap(blob);
    const offscreen = new OffscreenCanvas(40, 20);
    offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
    for (const src of [blob, url, img, canvas, file, bitmap, offscreen]) {
      const t = await fromImage(src, { size: [10, 20], channels: 1 });
      expect(t.shape).to.deep.equal([1, 10, 20, 1]);
      const v = await t.data();
      expect(v[5 * 20 + 2], 'left half is white').to.be.closeTo(1, 0.02);
      expect(v[5 * 20 + 17], 'right half is black').to.be.closeTo(0, 0.02);
      t.dispose();
    }
    URL.revokeObjectURL(url);
  });

  it("crops the centre with fit: 'cover' and letterboxes with 'contain'", async () => {
    const blob = await pngBlob(30, 10, (ctx) => {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, 30, 10);
      ctx.fillStyle = '#fff';
      ctx.fillRect(10, 0, 10, 10);
    });
    const cover = await fromImage(blob, { size: 10, channels: 1, fit: 'cover' });
    expect(Math.min(...(await cover.data()))).to.be.greaterThan(0.9);
    const contain = await fromImage(blob, { size: 30, channels: 1, fit: 'contain' });
    const c = await contain.data();
    expect(c[0], 'letterbox band is black').to.be.lessThan(0.05);
    expect(c[15 * 30 + 15], 'centre is the white middle').to.be.greaterThan(0.9);
    tf.dispose([cover, contain]);
  });

  it('downscales a very large image on the canvas before it reaches the GPU', async () => {
    const big = new OffscreenCanvas(4000, 3000);
    const t = await fromImage(big);
    expect(t.shape).to.deep.equal([1, 768, 1024, 3]);
    t.dispose();
    const t2 = await fromImage(big, { maxSide: 200, channels: 1 });
    expect(t2.shape).to.deep.equal([1, 150, 200, 1]);
    t2.dispose();
  });

  it('rejects a non-image with a typed error', async () => {
    const e = await rejection(fromImage(new Blob(['hello'], { type: 'text/plain' })));
    expect(e).to.be.instanceOf(ImageLoadError);
    expect(e.code).to.equal('not-an-image');
    expect(e.message).to.match(/not an image/);
  });

  it('rejects a corrupt image with a decode error', async () => {
    const e = await rejection(fromImage(new Blob([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], { type: 'image/png' })));
    expect(e).to.be.instanceOf(ImageLoadError);
    expect(e.code).to.equal('decode');
  });

  it('rejects a broken <img> with a decode error', async () => {
    const img = new Image();
    img.src = '/packages/tensor/test/fixtures/does-not-exist.png';
    const e = await rejection(fromImage(img));
    expect(e.code).to.equal('decode');
  });

  it('tells an HTTP error from a network failure', async () => {
    const http = await rejection(fromImage('/packages/tensor/test/fixtures/missing.png'));
    expect(http.code).to.equal('http');
    expect(http.message).to.match(/404/);
    const net = await rejection(fromImage('http://127.0.0.1:9/x.png'));
    expect(net.code).to.equal('network');
  });

  it('reads an HTML page where an image was asked as "not found", not "not an image"', async () => {
    const page = URL.createObjectURL(new Blob(['<!doctype html><title>Home</title>'], { type: 'text/html; charset=utf-8' }));
    const e = await rejection(fromImage(page));
    expect(e).to.be.instanceOf(ImageLoadError);
    expect(e.code).to.equal('not-found');
    expect(e.message).to.match(/not found \(the server returned an HTML page instead\)/);
    expect(e.message).to.not.match(/not an image/);
  });

  it('rejects unsupported sources and sizes', async () => {
    expect((await rejection(fromImage(42 as never))).code).to.equal('unsupported-source');
    expect((await rejection(fromImage(new ImageData(2, 2), { size: 0 }))).code).to.equal('bad-size');
  });

  it('prepares an input for a model: a light-background image is inverted for a light-on-dark model only', async () => {
    // A dark stroke on white paper, 40 x 40.
    const paper = new ImageData(40, 40);
    for (let i = 0; i < 40 * 40; i++) {
      const [y, x] = [Math.floor(i / 40), i % 40];
      const ink = x >= 18 && x < 22 && y >= 8 && y < 32;
      paper.data.set(ink ? [10, 10, 10, 255] : [245, 245, 245, 255], i * 4);
    }
    const b = tf.tidy(() => borderMean(tf.fill([1, 4, 4, 1], 0.25) as tf.Tensor4D));
    expect((await b.data())[0]).to.be.closeTo(0.25, 1e-6);
    b.dispose();
    const mnistLike = { inputShape: [28, 28, 1] as [number, number, number], meta: { polarity: 'light-on-dark' as const, labels: [], inputRange: [0, 1] as [number, number], output: 'logits' as const } };
    const a = await prepareInput(mnistLike, paper);
    expect(a.inverted).to.equal(true);
    expect(a.x.shape).to.deep.equal([1, 28, 28, 1]);
    const v = await a.x.data();
    expect(v[0], 'the paper becomes the dark background').to.be.below(0.1);
    expect(v[14 * 28 + 14], 'the ink becomes the light stroke').to.be.above(0.8);
    const plain = await prepareInput({ ...mnistLike, meta: { ...mnistLike.meta, polarity: undefined } }, paper);
    expect(plain.inverted).to.equal(false);
    expect((await plain.x.data())[0]).to.be.above(0.9);
    // Already light on dark: left alone.
    const again = await prepareInput(mnistLike, new ImageData(new Uint8ClampedArray(28 * 28 * 4).map((_, i) => (i % 4 === 3 ? 255 : 0)), 28, 28));
    expect(again.inverted).to.equal(false);
    tf.dispose([a.x, plain.x, again.x]);
  });

  it('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) (await fromImage(new ImageData(8, 8), { size: 4, channels: 1 })).dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });
});
