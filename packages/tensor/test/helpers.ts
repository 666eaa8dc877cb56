import { expect } from '@open-wc/testing';
import { ready, tf, type Tensor2D, type Tensor4D } from '../src/index.js';

/**
 * Runs a suite once per backend on one page: ready() makes its one choice, then each copy of the
 * suite switches TF.js to its backend and checks that it really runs there.
 */
export function describeOnEachBackend(name: string, body: () => void, backends: readonly ('webgl' | 'wasm' | 'cpu')[] = ['webgl', 'wasm', 'cpu']): void {
  for (const backend of backends) {
    describe(`${name} on ${backend}`, () => {
      before(async () => {
        await ready({ prefer: 'webgl' });
        expect(await tf.setBackend(backend)).to.equal(true);
        expect(tf.getBackend()).to.equal(backend);
      });
      body();
    });
  }
}

/** A small conv net with weights fixed by formula (no RNG), the same on every backend. */
export function tinyNet() {
  const w = (shape: number[], k: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(0.7 * i + k)), shape);
  };
  const k1 = w([3, 3, 1, 4], 1);
  const k2 = w([3, 3, 4, 8], 2);
  const d = w([7 * 7 * 8, 10], 3);
  const f = (x: Tensor4D): Tensor2D =>
    tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(tf.conv2d(h as Tensor4D, k2 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'valid');
      return tf.matMul(tf.reshape(h, [x.shape[0], -1]), d as Tensor2D) as Tensor2D;
    });
  return { f, dispose: () => tf.dispose([k1, k2, d]) };
}

export function digitLikeInput(): Tensor4D {
  return tf.tidy(() => {
    const v = Float32Array.from({ length: 28 * 28 }, (_, i) => {
      const r = Math.floor(i / 28),
        c = i % 28;
      return Math.exp(-((r - 14) ** 2 + (c - 12) ** 2) / 40);
    });
    return tf.tensor4d(v, [1, 28, 28, 1]);
  });
}

/** Forward logits and the gradient of the class-3 cross-entropy w.r.t. the input. */
export async function forwardAndGradient(): Promise<{ logits: Float32Array; grad: Float32Array }> {
  const net = tinyNet();
  const x = digitLikeInput();
  const label = tf.tidy(() => tf.oneHot(tf.tensor1d([3], 'int32'), 10));
  const logits = net.f(x);
  const g = tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(label, net.f(xi as Tensor4D)))(x);
  const out = { logits: (await logits.data()) as Float32Array, grad: (await g.data()) as Float32Array };
  tf.dispose([x, label, logits, g]);
  net.dispose();
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

export function pngBlob(w: number, h: number, paint: (ctx: OffscreenCanvasRenderingContext2D) => void): Promise<Blob> {
  const c = new OffscreenCanvas(w, h);
  const ctx = c.getContext('2d')!;
  paint(ctx);
  return c.convertToBlob({ type: 'image/png' });
}
