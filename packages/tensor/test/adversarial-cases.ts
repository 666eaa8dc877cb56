// Cases shared by the browser suite (webgl, wasm) and worked by hand.
import { expect } from '@open-wc/testing';
import {
  tf,
  fgsm,
  fgsmStep,
  gradientSign,
  iterativeFgsm,
  minimumFlipEpsilon,
  linearFgsm,
  formatSum,
  sigmoid,
  type Classifier,
  type Tensor4D,
} from '../src/index.js';

// The slide's logistic-regression example.
export const SLIDE = { x: [1, -2, -2, 3, -1, 2, -2, -3], w: [2, -1, -1, -1, 2, -1, -1, 1], b: 0 };

/**
 * A two-class linear classifier on 2x2 grey images: logits z_k = w_k . vec(x). For the softmax
 * cross-entropy with true class 0, grad_x L = (p_0 - 1) w_0 + p_1 w_1 = p_1 (w_1 - w_0), so
 * sign(grad) = sign(w_1 - w_0): known by hand.
 */
export const W0 = [1, -2, 0.5, 3];
export const W1 = [-1, 2, 2.5, -1];
export const linear2: Classifier = (x) =>
  tf.tidy(() => tf.matMul(tf.reshape(x, [x.shape[0], 4]), tf.transpose(tf.tensor2d([W0, W1]))) as tf.Tensor2D);

export function adversarialCases() {
  it("reproduces the slide: sigma(w.x) = sigma(-2) = 0.1192, and 0.2689, 0.5, 0.7311 for eps = 0.1, 0.2, 0.3", () => {
    const r0 = linearFgsm(SLIDE.w, SLIDE.x, SLIDE.b, 0);
    expect(r0.original.logit).to.equal(-2);
    expect(r0.original.probability.toFixed(4)).to.equal('0.1192');
    const want = { 0.1: [-1, '0.2689'], 0.2: [0, '0.5000'], 0.3: [1, '0.7311'] } as const;
    for (const [eps, [logit, p]] of Object.entries(want)) {
      const r = linearFgsm(SLIDE.w, SLIDE.x, SLIDE.b, Number(eps));
      expect(r.adversarial.logit, `logit at eps ${eps}`).to.equal(logit);
      expect(r.adversarial.probability.toFixed(4), `sigma at eps ${eps}`).to.equal(p);
    }
  });

  it('writes the eps = 0.1 sum term by term as the slide does', () => {
    const r = linearFgsm(SLIDE.w, SLIDE.x, SLIDE.b, 0.1);
    expect(r.adversarial.x).to.deep.equal([1.1, -2.1, -2.1, 2.9, -0.9, 1.9, -2.1, -2.9]);
    expect(formatSum(r.adversarial.products)).to.equal('2.2+2.1+2.1-2.9-1.8-1.9+2.1-2.9');
    expect(formatSum(r.original.products)).to.equal('2+2+2-3-2-2+2-3');
    expect(r.direction).to.deep.equal([1, -1, -1, -1, 1, -1, -1, 1]);
    expect(sigmoid(0)).to.equal(0.5);
  });

  it('takes the sign of a gradient known by hand, untargeted and targeted', async () => {
    const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8], [1, 2, 2, 1]);
    const d = gradientSign(linear2, x, 0);
    const expected = W1.map((w1, i) => Math.sign(w1 - W0[i]));
    expect(Array.from(await d.data())).to.deep.equal(expected);
    // Targeted at class 1: -sign(grad L(x, 1)) = -sign(p_0 (w_0 - w_1)) = sign(w_1 - w_0) as well.
    const dt = gradientSign(linear2, x, 1, { targeted: true });
    expect(Array.from(await dt.data())).to.deep.equal(expected);
    tf.dispose([x, d, dt]);
  });

  it('steps by eps along the sign and clips to the valid range', async () => {
    const x = tf.tensor4d([0.2, 0.4, 0.6, 0.95], [1, 2, 2, 1]) as Tensor4D;
    const adv = fgsm(linear2, x, 0, 0.1);
    // direction = sign(w1 - w0) = [-1, 1, 1, -1]
    const v = Array.from(await adv.data());
    [0.1, 0.5, 0.7, 0.85].forEach((e, i) => expect(v[i]).to.be.closeTo(e, 1e-6));
    const big = fgsmStep(x, tf.tensor4d([-1, 1, 1, -1], [1, 2, 2, 1]), 0.5);
    expect(Array.from(await big.data()).map((q) => +q.toFixed(6))).to.deep.equal([0, 0.9, 1, 0.45]);
    tf.dispose([x, adv, big]);
  });

  it('keeps iterative FGSM inside the eps-ball and raises the loss', async () => {
    const x = tf.tensor4d([0.5, 0.5, 0.5, 0.5], [1, 2, 2, 1]) as Tensor4D;
    const adv = iterativeFgsm(linear2, x, 0, { epsilon: 0.2, steps: 5 });
    const v = Array.from(await adv.data());
    expect(Math.max(...v.map((q) => Math.abs(q - 0.5)))).to.be.at.most(0.2 + 1e-6);
    const p = tf.tidy(() => tf.softmax(linear2(adv)));
    const p0 = tf.tidy(() => tf.softmax(linear2(x)));
    expect((await p.data())[0]).to.be.lessThan((await p0.data())[0]);
    tf.dispose([x, adv, p, p0]);
  });

  it('finds the smallest eps that flips the label, matching the closed form', async () => {
    // x = 0.5 everywhere: z_0 = 0.5 * sum(w0) = 1.25, z_1 = 0.5 * sum(w1) = 1.25 + ... computed below.
    const x = tf.tensor4d([0.5, 0.1, 0.5, 0.9], [1, 2, 2, 1]) as Tensor4D;
    const d = gradientSign(linear2, x, 0);
    const r = await minimumFlipEpsilon(linear2, x, d, 0, { tolerance: 1e-4 });
    // Closed form while no pixel clips: z_1 - z_0 = (w1-w0).x + eps * ||w1 - w0||_1 = 0.
    const dw = W1.map((w, i) => w - W0[i]);
    const xv = [0.5, 0.1, 0.5, 0.9];
    const eps = -dw.reduce((a, w, i) => a + w * xv[i], 0) / dw.reduce((a, w) => a + Math.abs(w), 0);
    expect(r).to.not.equal(null);
    expect(r!.label).to.equal(1);
    expect(r!.epsilon).to.be.closeTo(eps, 2e-4);
    tf.dispose([x, d]);
  });

  it('leaves no tensor behind', async () => {
    const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8], [1, 2, 2, 1]) as Tensor4D;
    const base = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.dispose([gradientSign(linear2, x, 0), fgsm(linear2, x, 1, 0.1, { targeted: true }), iterativeFgsm(linear2, x, 0, { epsilon: 0.1, steps: 3 })]);
      await minimumFlipEpsilon(linear2, x, tf.ones([1, 2, 2, 1]) as Tensor4D, 0).then(() => undefined);
    }
    // minimumFlipEpsilon does not own its direction; the ones() above are ours to count.
    expect(tf.memory().numTensors - base).to.equal(20);
    x.dispose();
  });
}
