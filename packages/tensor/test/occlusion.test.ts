import { expect } from '@open-wc/testing';
import { tf, occlusionMap, occlusionPositions, occludedCopies, probabilityRows, classifierProbabilities, boxBlur, type Tensor4D } from '../src/index.js';
import { describeOnEachBackend } from './helpers.js';

// A linear two-class model on 6x5 grey images: z_k = w_k . vec(x), so
// P(1 | x) = sigma((w_1 - w_0) . vec(x)) in closed form for any occluded copy.
const H = 6,
  W = 5;
const w0 = Array.from({ length: H * W }, (_, i) => Math.sin(i));
const w1 = Array.from({ length: H * W }, (_, i) => Math.cos(1.3 * i));
const f = (x: Tensor4D) => tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0], H * W]), tf.transpose(tf.tensor2d([w0, w1]))) as tf.Tensor2D);
const image = Array.from({ length: H * W }, (_, i) => ((i * 7) % 11) / 10);

function expectedP1(y0: number, x0: number, patch: number, fill: number): number {
  let z = 0;
  for (let i = 0; i < H * W; i++) {
    const y = Math.floor(i / W),
      x = i % W;
    const v = y >= y0 && y < y0 + patch && x >= x0 && x < x0 + patch ? fill : image[i];
    z += (w1[i] - w0[i]) * v;
  }
  return 1 / (1 + Math.exp(-z));
}

describeOnEachBackend('occlusionMap', () => {
  it('places patches so that the last rows and columns are covered', () => {
    expect(occlusionPositions(28, 6, 2)).to.have.length(12); // 0, 2, …, 22: the 144 positions
    expect(occlusionPositions(10, 4, 4)).to.deep.equal([0, 4, 6]);
    expect(occlusionPositions(10, 4, 3)).to.deep.equal([0, 3, 6]);
    expect(occlusionPositions(224, 32, 16)).to.have.length(13);
    expect(occlusionPositions(5, 5, 1)).to.deep.equal([0]);
  });

  it('matches the closed form of a linear model at every position', async () => {
    const x = tf.tensor4d(image, [1, H, W, 1]);
    const patch = 2,
      stride = 2,
      fill = 0.3;
    const r = await occlusionMap(classifierProbabilities(f), x, 1, { patch, stride, fill, batchSize: 4 });
    expect([r.rows, r.cols]).to.deep.equal([3, 3]);
    expect(r.ys).to.deep.equal([0, 2, 4]);
    expect(r.xs).to.deep.equal([0, 2, 3]);
    for (let row = 0; row < r.rows; row++) {
      for (let col = 0; col < r.cols; col++) {
        expect(r.probabilities[row * r.cols + col], `(${row}, ${col})`).to.be.closeTo(expectedP1(r.ys[row], r.xs[col], patch, fill), 1e-5);
      }
    }
    expect(r.baseline).to.be.closeTo(expectedP1(-99, -99, 0, 0), 1e-5);
    const drops = Array.from(r.drop);
    expect(r.mostSensitive.drop).to.equal(Math.max(...drops));
    expect(r.min).to.equal(Math.min(...r.probabilities));
    x.dispose();
  });

  it('evaluates in batches, one call per batch, and reports progress', async () => {
    const x = tf.zeros([1, 28, 28, 1]) as Tensor4D;
    let calls = 0;
    const seen: number[] = [];
    const g = (imgs: Tensor4D) => {
      calls++;
      return tf.tidy(() => tf.softmax(tf.stack([tf.mean(imgs, [1, 2, 3]), tf.zeros([imgs.shape[0]])], 1)) as tf.Tensor2D);
    };
    const r = await occlusionMap(g, x, 0, { patch: 6, stride: 2, fill: 1, batchSize: 32, onProgress: (p) => seen.push(p.done) });
    expect(r.rows * r.cols).to.equal(144);
    expect(calls).to.equal(1 + Math.ceil(144 / 32));
    expect(r.calls).to.equal(calls);
    expect(seen).to.deep.equal([32, 64, 96, 128, 144]);
    x.dispose();
  });

  it('works through a black-box function that returns plain arrays', async () => {
    const x = tf.tensor4d(image, [1, H, W, 1]);
    const blackBox = async (imgs: Tensor4D) => {
      const p = classifierProbabilities(f)(imgs) as tf.Tensor2D;
      const rows = (await p.array()) as number[][];
      p.dispose();
      return rows;
    };
    const a = await occlusionMap(blackBox, x, 1, { patch: 3, stride: 1, fill: 0 });
    const b = await occlusionMap(classifierProbabilities(f), x, 1, { patch: 3, stride: 1, fill: 0 });
    Array.from(a.probabilities).forEach((p, i) => expect(p).to.be.closeTo(b.probabilities[i], 1e-6));
    x.dispose();
  });

  it("supports 'mean' and image fills", async () => {
    const x = tf.tensor4d(image, [1, H, W, 1]) as Tensor4D;
    const mean = image.reduce((a, v) => a + v, 0) / image.length;
    const r = await occlusionMap(classifierProbabilities(f), x, 1, { patch: 2, stride: 3, fill: 'mean' });
    expect(r.probabilities[0]).to.be.closeTo(expectedP1(0, 0, 2, mean), 1e-5);
    const blurred = boxBlur(x, 3);
    const rb = await occlusionMap(classifierProbabilities(f), x, 1, { patch: H > W ? W : H, stride: 1, fill: blurred });
    expect(rb.probabilities.every(Number.isFinite)).to.equal(true);
    tf.dispose([x, blurred]);
  });

  it('rejects bad input with clear messages', async () => {
    const x = tf.zeros([1, H, W, 1]) as Tensor4D;
    const p = classifierProbabilities(f);
    const msg = async (o: Promise<unknown>) => o.then(() => '', (e: Error) => e.message);
    expect(await msg(occlusionMap(p, x, 0, { patch: 9, stride: 1 }))).to.match(/between 1 and 5|larger than the image/);
    expect(await msg(occlusionMap(p, x, 0, { patch: 2, stride: 0 }))).to.match(/stride must be at least 1/);
    expect(await msg(occlusionMap(p, x, 7, { patch: 2, stride: 1 }))).to.match(/Class 7 is out of range: the model has 2 classes/);
    const ac = new AbortController();
    ac.abort();
    expect(await msg(occlusionMap(p, x, 0, { patch: 2, stride: 1, signal: ac.signal }))).to.match(/abort/i);
    x.dispose();
  });

  it('makes occluded copies: the square at each position takes the fill, the rest is x', async () => {
    const x = tf.tidy(() => tf.div(tf.reshape(tf.range(1, 1 + 5 * 4 * 2), [1, 5, 4, 2]), 100)) as Tensor4D;
    const copies = occludedCopies(x, [{ y: 0, x: 0 }, { y: 3, x: 2 }], 2, 0.5);
    expect(copies.shape).to.deep.equal([2, 5, 4, 2]);
    const v = (await copies.array()) as number[][][][];
    const xv = (await x.array()) as number[][][][];
    for (let k = 0; k < 2; k++) {
      const [y0, x0] = k === 0 ? [0, 0] : [3, 2];
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 4; j++)
          for (let c = 0; c < 2; c++) {
            const inside = i >= y0 && i < y0 + 2 && j >= x0 && j < x0 + 2;
            expect(v[k][i][j][c]).to.be.closeTo(inside ? 0.5 : xv[0][i][j][c], 1e-6);
          }
    }
    const mean = occludedCopies(x, [{ y: 1, x: 1 }], 1, 'mean');
    const m = tf.tidy(() => tf.mean(x, [1, 2]).arraySync() as number[][]);
    expect(((await mean.array()) as number[][][][])[0][1][1][1]).to.be.closeTo(m[0][1], 1e-6);
    tf.dispose([x, copies, mean]);
  });

  it('reads the rows of a probability function, from a tensor or plain arrays, and checks their count', async () => {
    const t = tf.tensor2d([[0.2, 0.8], [0.6, 0.4]]);
    expect(await probabilityRows(t, 2)).to.deep.equal([[0.2, 0.8], [0.6, 0.4]].map((r) => r.map((v) => Math.fround(v))));
    expect(t.isDisposed, 'a returned tensor is disposed').to.equal(true);
    expect(await probabilityRows([Float32Array.of(1, 0)], 1)).to.deep.equal([[1, 0]]);
    let msg = '';
    await probabilityRows([[1, 0]], 3).catch((e: Error) => (msg = e.message));
    expect(msg).to.match(/1 rows for 3 images/);
  });

  it('leaves no tensor behind after 50 full maps', async () => {
    const x = tf.tensor4d(image, [1, H, W, 1]);
    const p = classifierProbabilities(f);
    const base = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await occlusionMap(p, x, 1, { patch: 2, stride: 1, fill: 'mean', batchSize: 7 });
    await occlusionMap(p, x, 9, { patch: 2, stride: 1 }).catch(() => undefined);
    expect(tf.memory().numTensors).to.equal(base);
    x.dispose();
  });
});
