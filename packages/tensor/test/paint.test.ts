import { expect } from '@open-wc/testing';
import { tf, colorize, colormapLut, toCanvas, paintOverlay, resolveRange, colormapGradient } from '../src/index.js';
import { describeOnEachBackend } from './helpers.js';

function pixel(c: HTMLCanvasElement, x: number, y: number): number[] {
  return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
}

describeOnEachBackend('paint', () => {
  it('maps the ends of viridis and the middle of the diverging map', () => {
    const lut = colormapLut('viridis');
    expect(Array.from(lut.slice(0, 3))).to.deep.equal([0x44, 0x01, 0x54]);
    expect(Array.from(lut.slice(765, 768))).to.deep.equal([0xfd, 0xe7, 0x25]);
    const [neg, zero, pos] = [0, 1, 2].map((i) => Array.from(colorize([-2, 0, 2], 'diverging', [-2, 2]).slice(i * 4, i * 4 + 4)));
    expect(neg[2]).to.be.greaterThan(neg[0]); // blue for negative
    expect(pos[0]).to.be.greaterThan(pos[2]); // red for positive
    expect(zero.slice(0, 3).every((v) => v > 235)).to.equal(true); // near white at 0
    expect(colormapGradient('grey')).to.equal('linear-gradient(to right, #000000, #ffffff)');
  });

  it('resolves value ranges', () => {
    expect(resolveRange([1, -3, 2], 'auto')).to.deep.equal([-3, 2]);
    expect(resolveRange([1, -3, 2], 'symmetric')).to.deep.equal([-3, 3]);
    expect(resolveRange([5, 5], 'auto')).to.deep.equal([4.5, 5.5]);
    expect(resolveRange([5, 5], [0, 10])).to.deep.equal([0, 10]);
  });

  it('paints a small map crisply upscaled (nearest neighbour)', async () => {
    const t = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const c = document.createElement('canvas');
    const r = await toCanvas(t, c, { colormap: 'grey', scale: 8 });
    expect([c.width, c.height]).to.deep.equal([16, 16]);
    expect(r.range).to.deep.equal([0, 1]);
    expect(pixel(c, 0, 0)).to.deep.equal([0, 0, 0, 255]);
    expect(pixel(c, 7, 7)).to.deep.equal([0, 0, 0, 255]);
    expect(pixel(c, 8, 0)).to.deep.equal([255, 255, 255, 255]);
    expect(pixel(c, 15, 8)).to.deep.equal([0, 0, 0, 255]);
    t.dispose();
  });

  it('paints RGB tensors and lays a heat map over an image', async () => {
    const img = tf.fill([1, 4, 4, 3], 0.5);
    const map = tf.tensor2d([
      [0, 0],
      [0, 1],
    ]);
    const c = document.createElement('canvas');
    await toCanvas(img, c);
    expect(pixel(c, 1, 1).slice(0, 3).every((v) => Math.abs(v - 128) <= 1)).to.equal(true);
    const r = await paintOverlay(c, img, map, { alpha: 1, colormap: 'grey', scale: 2 });
    expect([r.width, r.height]).to.deep.equal([8, 8]);
    expect(pixel(c, 7, 7)).to.deep.equal([255, 255, 255, 255]);
    expect(pixel(c, 0, 0)).to.deep.equal([0, 0, 0, 255]);
    tf.dispose([img, map]);
  });

  it('rejects shapes it cannot paint', async () => {
    const t = tf.zeros([2, 2, 2, 1]);
    let err: Error | undefined;
    try {
      await toCanvas(t, document.createElement('canvas'));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/Cannot paint a tensor of shape \[2, 2, 2, 1\]/);
    t.dispose();
  });

  it('does not leak tensors when painting repeatedly', async () => {
    const t = tf.randomUniform([28, 28]);
    const c = document.createElement('canvas');
    await toCanvas(t, c);
    const base = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await toCanvas(t, c, { colormap: 'diverging', range: 'symmetric', scale: 4 });
    expect(tf.memory().numTensors).to.equal(base);
    t.dispose();
  });
});
