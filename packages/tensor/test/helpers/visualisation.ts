// Models and helpers for the saliency and class-visualisation tests.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor4D, type ReluRule } from '../../src/index.js';

/**
 * The hand-worked case: x = (1, 2) as a 1×1 image with 2 channels.
 *   conv 1×1, ReLU fused:  a = x1 - x2 = -1 (off),  b = x1 + x2 = 3 (on);   h1 = (0, 3)
 *   dense, ReLU fused:     p = a + b = 3 (on),       q = a - b = -3 (off);  h2 = (3, 0)
 *   logits:                S0 = -p + 2q = -3,        S1 = p + q = 3
 * Backward for S0, g = dS0/dh2 = (-1, 2):
 *   gradient:  (-1, 2)·[on, off] = (-1, 0) -> h1: (-1, -1)·[off, on] = (0, -1) -> x: -1·(1, 1) = (-1, -1)
 *   deconvnet: relu(-1, 2) = (0, 2) -> h1: (2, -2) -> relu (2, 0) -> x: 2·(1, -1) = (2, -2)
 *   guided:    (-1, 0) then g > 0: (0, 0) -> x: (0, 0)
 * For S1, g = (1, 1):
 *   gradient:  (1, 0) -> h1 (1, 1)·[off, on] = (0, 1) -> x: (1, 1)
 *   deconvnet: (1, 1) -> h1 (2, 0) -> (2, 0) -> x: (2, -2)
 *   guided:    (1, 0) -> (1, 1) -> (0, 1) -> x: (1, 1)
 * If the rule missed the dense layer's fused ReLU, deconvnet for S0 would give (0, 0), not (2, -2).
 */
export const EXPECTED: Record<number, Record<ReluRule, number[]>> = {
  0: { gradient: [-1, -1], deconvnet: [2, -2], guided: [0, 0] },
  1: { gradient: [1, 1], deconvnet: [2, -2], guided: [1, 1] },
};

export function handNet(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [1, 1, 2], filters: 2, kernelSize: 1, activation: 'relu', useBias: false, name: 'c1' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 2, activation: 'relu', useBias: false, name: 'd1' }),
      tfl.layers.dense({ units: 2, useBias: false, name: 'out' }),
    ],
  });
  // Kernel [in, out]: a = x1 - x2, b = x1 + x2; p = a + b, q = a - b; S0 = -p + 2q, S1 = p + q.
  m.getLayer('c1').setWeights([tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2])]);
  m.getLayer('d1').setWeights([tf.tensor2d([1, 1, 1, -1], [2, 2])]);
  m.getLayer('out').setWeights([tf.tensor2d([-1, 1, 2, 1], [2, 2])]);
  return m;
}

/** The same function with separate ReLU and Activation('relu') layers instead of fused ones. */
export function handNetSeparate(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [1, 1, 2], filters: 2, kernelSize: 1, useBias: false, name: 'c1' }),
      tfl.layers.reLU({ name: 'r1' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, name: 'd1' }),
      tfl.layers.activation({ activation: 'relu', name: 'r2' }),
      tfl.layers.dense({ units: 2, useBias: false, name: 'out', activation: 'softmax' }),
    ],
  });
  m.getLayer('c1').setWeights([tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2])]);
  m.getLayer('d1').setWeights([tf.tensor2d([1, 1, 1, -1], [2, 2])]);
  m.getLayer('out').setWeights([tf.tensor2d([-1, 1, 2, 1], [2, 2])]);
  return m;
}

/** A small conv net with fixed weights (no RNG) and ReLUs fused into every conv and dense layer. */
export function smallConvNet(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 6, activation: 'relu', name: 'fc' }),
      tfl.layers.dense({ units: 3, name: 'logits' }),
    ],
  });
  for (const [k, l] of m.layers.entries()) {
    const ws = l.getWeights();
    if (!ws.length) continue;
    // getWeights() hands out the variables' own tensors: not to be disposed.
    l.setWeights(ws.map((w, j) => tf.tensor(Float32Array.from({ length: w.size }, (_, i) => 0.5 * Math.sin(1.3 * i + 2 * k + j) + (j ? 0.05 : 0)), w.shape)));
  }
  return m;
}

export function smoothImage(h = 8, w = 8): Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: h * w }, (_, i) => 0.5 + 0.4 * Math.sin(0.9 * i) * Math.cos(0.3 * i)),
    [1, h, w, 1],
  );
}

/**
 * Finite differences of a scalar function of the image at every pixel: the central difference where
 * the function is smooth within eps (the forward and backward differences agree), null at a kink
 * (a ReLU input or a max-pool tie within eps of switching), where no gradient is defined.
 */
export async function finiteDifferences(f: (x: Tensor4D) => tf.Tensor, x: Tensor4D, eps = 1e-3): Promise<(number | null)[]> {
  const base = await x.data();
  const at = async (v: Float32Array) => {
    const y = tf.tidy(() => f(tf.tensor4d(v, x.shape)));
    const r = (await y.data())[0];
    y.dispose();
    return r;
  };
  const f0 = await at(Float32Array.from(base));
  const out: (number | null)[] = [];
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    const fp = await at(plus);
    const fm = await at(minus);
    const fwd = (fp - f0) / eps;
    const bwd = (f0 - fm) / eps;
    out.push(Math.abs(fwd - bwd) > 0.02 * Math.max(0.1, Math.abs(fwd) + Math.abs(bwd)) ? null : (fp - fm) / (2 * eps));
  }
  return out;
}

