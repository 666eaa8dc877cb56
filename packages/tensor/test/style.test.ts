import { expect } from '@open-wc/testing';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  tf,
  gram,
  positionOuterProduct,
  partialGram,
  layerwiseValueAndGrad,
  layerVjp,
  applyLayer,
  type EncoderLayer,
  styleLoss,
  contentLoss,
  totalLoss,
  featureSize,
  encode,
  randomVgg,
  encoderFromLayersModel,
  disposeEncoder,
  adamStep,
  disposeAdam,
  Lbfgs,
  StyleTransfer,
  noiseImage,
  type Tensor,
  type Tensor4D,
} from '../src/index.js';
import { describeOnEachBackend, maxAbsDiff } from './helpers.js';

/** A smooth test image [1, s, s, 3] in [0, 1], the same everywhere. */
function smooth(s: number, k = 0): Tensor4D {
  return tf.tidy(() => {
    const v = Float32Array.from({ length: s * s * 3 }, (_, i) => {
      const c = i % 3,
        p = Math.floor(i / 3),
        r = Math.floor(p / s),
        q = p % s;
      return 0.5 + 0.4 * Math.sin(0.9 * r + 0.5 * q + 1.7 * c + k);
    });
    return tf.tensor4d(v, [1, s, s, 3]);
  });
}

describeOnEachBackend('style transfer math', () => {
  it('gram: a 2x2 Gram matrix worked by hand, G = F^T F over positions', async () => {
    // 3 positions (H=1, W=3), 2 channels: rows (1,0), (0,1), (1,1) -> G = [[2,1],[1,2]].
    const F = tf.tensor4d([1, 0, 0, 1, 1, 1], [1, 1, 3, 2]);
    const G = gram(F);
    expect(G.shape).to.deep.equal([2, 2]);
    expect(Array.from(await G.data())).to.deep.equal([2, 1, 1, 2]);
    // (1,2), (3,4): [[1+9, 2+12], [2+12, 4+16]] = [[10, 14], [14, 20]].
    const F2 = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const G2 = gram(F2);
    expect(Array.from(await G2.data())).to.deep.equal([10, 14, 14, 20]);
    expect(featureSize(F)).to.deep.equal({ N: 2, M: 3 });
    tf.dispose([F, G, F2, G2]);
  });

  it('outer products: the (N,1)x(1,N) term of one position, and partial sums that end at G', async () => {
    // Positions (1,0), (0,1), (1,1) as [1, 1, 3, 2].
    const F = tf.tensor4d([1, 0, 0, 1, 1, 1], [1, 1, 3, 2]);
    const o = positionOuterProduct(F, 0, 2);
    expect(Array.from(await o.data())).to.deep.equal([1, 1, 1, 1]);
    const p1 = partialGram(F, 1);
    expect(Array.from(await p1.data())).to.deep.equal([1, 0, 0, 0]);
    const p2 = partialGram(F, 2);
    expect(Array.from(await p2.data())).to.deep.equal([1, 0, 0, 1]);
    const p3 = partialGram(F, 3);
    const G = gram(F);
    expect(Array.from(await p3.data())).to.deep.equal(Array.from(await G.data()));
    tf.dispose([F, o, p1, p2, p3, G]);
  });

  it('styleLoss: 1/(4 N^2 M^2) sum (G - Ghat)^2 with N = 2, M = 3 is 10/144', async () => {
    const G = tf.tensor2d([2, 1, 1, 2], [2, 2]);
    const Ghat = tf.zeros([2, 2]);
    const E = styleLoss(G, Ghat, 2, 3);
    expect((await E.data())[0]).to.be.closeTo(10 / 144, 1e-7);
    // Equal Gram matrices: no style loss.
    const E0 = styleLoss(G, G, 2, 3);
    expect((await E0.data())[0]).to.equal(0);
    tf.dispose([G, Ghat, E, E0]);
  });

  it('contentLoss: 1/2 sum (F - P)^2 is 2.5 for (1,2,3) against (0,2,5)', async () => {
    const F = tf.tensor1d([1, 2, 3]);
    const P = tf.tensor1d([0, 2, 5]);
    const L = contentLoss(F, P);
    expect((await L.data())[0]).to.be.closeTo(2.5, 1e-7);
    tf.dispose([F, P, L]);
  });

  it('totalLoss = alpha L_content + beta sum_l w_l E_l', async () => {
    const base = tf.memory().numTensors;
    const a = tf.tensor4d([1, 0, 0, 1, 1, 1], [1, 1, 3, 2]); // G = [[2,1],[1,2]]
    const b = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]); // G = [[10,14],[14,20]]
    const P = tf.tensor4d([0, 0, 0, 1, 1, 1], [1, 1, 3, 2]);
    const targets = { grams: { a: tf.zeros([2, 2]) as tf.Tensor2D, b: tf.tensor2d([10, 14, 14, 19], [2, 2]) }, contentLayer: 'a', content: P };
    const p = totalLoss({ a, b }, targets, { alpha: 2, beta: 3, layers: { a: 0.25, b: 0.75 } });
    // E_a = 10/144; E_b = 1/(4*4*4) = 1/64; content = 1/2 * 1 = 0.5.
    expect((await p.content.data())[0]).to.be.closeTo(0.5, 1e-7);
    expect((await p.style.a.data())[0]).to.be.closeTo(10 / 144, 1e-7);
    expect((await p.style.b.data())[0]).to.be.closeTo(1 / 64, 1e-7);
    expect((await p.total.data())[0]).to.be.closeTo(2 * 0.5 + 3 * (0.25 * (10 / 144) + 0.75 / 64), 1e-6);
    tf.dispose([p.total, p.content, p.style.a, p.style.b, a, b, P, targets.grams.a, targets.grams.b]);
    expect(tf.memory().numTensors).to.equal(base);
  });

  it('gradients: dE/dF = F (G - Ghat) / (N^2 M^2) and dL/dF = F - P, as on paper', async () => {
    const F = tf.tensor2d([0.5, -1, 2, 0.3, 1.5, 0.7, -0.2, 0.9], [4, 2]); // M = 4, N = 2
    const Ghat = tf.tensor2d([1, 0.5, 0.5, 2], [2, 2]);
    const P = tf.tensor2d([0, 0, 1, 1, 2, 2, 3, 3], [4, 2]);
    const gE = tf.grad((f: Tensor) => styleLoss(gram(f), Ghat, 2, 4))(F);
    const want = tf.tidy(() => tf.div(tf.matMul(F, tf.sub(gram(F), Ghat)), 4 * 16));
    expect(maxAbsDiff(await gE.data(), await want.data())).to.be.below(1e-5);
    const gC = tf.grad((f: Tensor) => contentLoss(f, P))(F);
    const diff = tf.sub(F, P);
    expect(maxAbsDiff(await gC.data(), await diff.data())).to.be.below(1e-6);
    tf.dispose([F, Ghat, P, gE, want, gC, diff]);
  });

  it('the total loss through a random VGG: gradient w.r.t. the image matches finite differences', async () => {
    const enc = randomVgg({ seed: 3, widths: [4, 6], depths: [1, 1] });
    const content = smooth(8, 0);
    const style = smooth(8, 2);
    const x0 = smooth(8, 1);
    const st = new StyleTransfer(enc, content, style, { styleLayers: ['block1_conv1', 'block2_conv1'], contentLayer: 'block2_conv1', alpha: 1, beta: 50 });
    const f = (x: Tensor) => {
      const feats = encode(enc, x as Tensor4D, ['block1_conv1', 'block2_conv1']);
      const p = totalLoss(feats, st.targets, { alpha: 1, beta: 50 });
      tf.dispose([p.content, ...Object.values(p.style)]);
      return p.total;
    };
    const g = tf.grad(f)(x0);
    const gv = await g.data();
    const xv = await x0.data();
    const h = 1e-2;
    const at = async (v: Float32Array) => {
      const t = tf.tensor4d(v, x0.shape);
      const l = tf.tidy(() => f(t));
      const r = (await l.data())[0];
      tf.dispose([t, l]);
      return r;
    };
    let checked = 0;
    for (const i of [0, 17, 40, 101, 150, 191]) {
      const up = Float32Array.from(xv);
      const dn = Float32Array.from(xv);
      up[i] += h;
      dn[i] -= h;
      const fd = ((await at(up)) - (await at(dn))) / (2 * h);
      expect(Math.abs(fd - gv[i]), `coordinate ${i}: fd ${fd} vs grad ${gv[i]}`).to.be.below(0.03 * Math.max(Math.abs(gv[i]), 1e-3) + 2e-4);
      checked++;
    }
    expect(checked).to.equal(6);
    tf.dispose([g, content, style, x0]);
    st.dispose();
    disposeEncoder(enc);
  });

  it('layerwiseValueAndGrad (one layer per task) gives tf.valueAndGrad\'s value and gradient, and frees its tensors', async () => {
    const enc = randomVgg({ seed: 5, widths: [4, 6], depths: [2, 1] });
    const x = smooth(12, 1);
    const t = smooth(12, 2);
    const names = ['block1_conv1', 'block2_conv1'];
    const targets = tf.tidy(() => {
      const f = encode(enc, t, names);
      return { grams: { block1_conv1: gram(f.block1_conv1), block2_conv1: gram(f.block2_conv1) }, contentLayer: 'block2_conv1', content: tf.mul(f.block2_conv1, 0.5) as Tensor4D };
    });
    const lossOf = (f: Record<string, Tensor4D>) => {
      const p = totalLoss(f, targets, { alpha: 1, beta: 100 });
      return p.total;
    };
    const whole = tf.valueAndGrad((xi: Tensor) => lossOf(encode(enc, xi as Tensor4D, names)))(x);
    const base = tf.memory().numTensors;
    let pauses = 0;
    const parts = await layerwiseValueAndGrad(enc, x, names, lossOf, async () => {
      pauses++;
    });
    expect(tf.memory().numTensors).to.equal(base + 2);
    // Forward: 4 layers up to block2_conv1; backward: the same 4.
    expect(pauses).to.equal(8);
    expect((await parts.value.data())[0]).to.be.closeTo((await whole.value.data())[0], 1e-4 * (await whole.value.data())[0]);
    const g1 = await whole.grad.data();
    const scale = Math.max(...Array.from(g1, Math.abs));
    expect(maxAbsDiff(await parts.grad.data(), g1)).to.be.below(1e-4 * scale);
    tf.dispose([parts.value, parts.grad, whole.value, whole.grad, x, t, targets.content, ...Object.values(targets.grams)]);
    disposeEncoder(enc);
  });

  it('layerVjp: a convolution\'s input gradient as a forward convolution matches tf.grad (same / valid padding, even kernel, dilation, with and without ReLU); average pooling too', async () => {
    const h = tf.tidy(() => tf.concat([tf.sub(smooth(9, 1), 0.5), tf.sub(smooth(9, 2), 0.5)], 3) as Tensor4D); // [1, 9, 9, 6]
    const cases: [number, number, 'same' | 'valid', number, boolean][] = [
      [3, 3, 'same', 1, true],
      [3, 3, 'valid', 1, false],
      [2, 4, 'same', 1, true],
      [3, 3, 'same', 2, false],
      [3, 2, 'valid', 2, false],
    ];
    for (const [kh, kw, padding, d, relu] of cases) {
      const kernel = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from({ length: kh * kw * 6 * 5 }, (_, i) => Math.sin(1.3 * i)), [kh, kw, 6, 5]), 3) as Tensor4D);
      const layer: EncoderLayer = { kind: 'conv', name: 'c', kernel, bias: tf.tensor1d([0.1, -0.2, 0, 0.3, -0.05]), relu, strides: [1, 1], padding, dilation: [d, d] };
      const y = tf.tidy(() => applyLayer(layer, h));
      const dy = tf.tidy(() => tf.reshape(tf.sin(tf.mul(tf.range(0, y.size), 0.7)), y.shape) as Tensor4D);
      const ours = tf.tidy(() => layerVjp(layer, h, y, dy));
      expect(ours.shape, `${kh}x${kw} ${padding} d${d}`).to.deep.equal(h.shape);
      if (d === 1) {
        const theirs = tf.grad((hi: Tensor) => applyLayer(layer, hi as Tensor4D))(h, dy);
        const t = await theirs.data();
        const scale = Math.max(...Array.from(t, Math.abs));
        expect(maxAbsDiff(await ours.data(), t), `${kh}x${kw} ${padding} d${d} relu ${relu}`).to.be.below(1e-5 * scale + 1e-6);
        theirs.dispose();
      } else {
        // TF.js has no gradient for dilated convolutions: the adjoint identity <A h, dy> = <h, A^T dy>.
        const lhs = tf.tidy(() => tf.sum(tf.mul(tf.sub(y, applyLayer(layer, tf.zerosLike(h))), dy)));
        const rhs = tf.tidy(() => tf.sum(tf.mul(h, ours)));
        const [l, r] = [(await lhs.data())[0], (await rhs.data())[0]];
        expect(r, `${kh}x${kw} ${padding} dilation ${d}`).to.be.closeTo(l, 1e-4 * Math.max(1, Math.abs(l)));
        tf.dispose([lhs, rhs]);
      }
      tf.dispose([kernel, layer.bias!, y, dy, ours]);
    }
    // Average pooling over 2x2 windows (the random VGG's), and 3x3 windows with stride 2 (TF.js's gradient).
    for (const [size, stride] of [[2, 2], [3, 2]]) {
      const pool: EncoderLayer = { kind: 'pool', name: 'p', type: 'avg', size: [size, size], strides: [stride, stride], padding: 'valid' };
      const hp = size === 2 ? tf.slice(h, [0, 0, 0, 0], [1, 8, 8, 6]) : h;
      const y = tf.tidy(() => applyLayer(pool, hp as Tensor4D));
      const dy = tf.tidy(() => tf.reshape(tf.cos(tf.mul(tf.range(0, y.size), 0.3)), y.shape) as Tensor4D);
      const ours = tf.tidy(() => layerVjp(pool, hp as Tensor4D, y, dy));
      const theirs = tf.grad((hi: Tensor) => applyLayer(pool, hi as Tensor4D))(hp, dy);
      expect(maxAbsDiff(await ours.data(), await theirs.data()), `avg pool ${size}/${stride}`).to.be.below(1e-6);
      tf.dispose([y, dy, ours, theirs, ...(hp === h ? [] : [hp])]);
    }
    h.dispose();
  });

  it('randomVgg: the same seed gives the same weights; another seed, others; VGG19 layer names', async () => {
    const a = randomVgg({ seed: 7, widths: [3, 4], depths: [2, 1] });
    const b = randomVgg({ seed: 7, widths: [3, 4], depths: [2, 1] });
    const c = randomVgg({ seed: 8, widths: [3, 4], depths: [2, 1] });
    expect(a.layers.map((l) => l.name)).to.deep.equal(['block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_pool']);
    const k = (e: typeof a) => (e.layers[0] as { kernel: Tensor4D }).kernel.data();
    expect(Array.from(await k(a))).to.deep.equal(Array.from(await k(b)));
    expect(maxAbsDiff(await k(a), await k(c))).to.be.above(0.01);
    // He initialisation: std of the first layer ~ sqrt(2 / 27).
    const big = randomVgg({ seed: 1, widths: [64], depths: [1] });
    const w = await (big.layers[0] as { kernel: Tensor4D }).kernel.data();
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).to.be.closeTo(Math.sqrt(2 / 27), 0.02);
    [a, b, c, big].forEach(disposeEncoder);
  });

  it('encoderFromLayersModel: the conv chain of a layers model gives the model\'s own activations', async () => {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ name: 'block1_conv1', inputShape: [null, null, 3] as unknown as number[], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2 }));
    m.add(tfl.layers.conv2d({ name: 'block2_conv1', filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.globalAveragePooling2d({ name: 'gap' }));
    const x = smooth(8);
    const enc = encoderFromLayersModel(m, { upTo: ['block1_conv1', 'block2_conv1'], pool: 'keep' });
    expect(enc.layers.map((l) => l.name)).to.deep.equal(['block1_conv1', 'block1_pool', 'block2_conv1']);
    const sub = tfl.model({ inputs: m.inputs, outputs: m.getLayer('block2_conv1').output as tfl.SymbolicTensor });
    const want = sub.predict(x) as Tensor;
    const got = tf.tidy(() => encode(enc, x, ['block2_conv1']).block2_conv1);
    expect(maxAbsDiff(await got.data(), await want.data())).to.be.below(1e-4);
    // Asking past the Flatten layer: an error that names it.
    expect(() => encoderFromLayersModel(m, { upTo: ['nope'] })).to.throw(/GlobalAveragePooling2D/);
    tf.dispose([x, want, got]);
    disposeEncoder(enc);
    m.dispose();
  });

  it('adamStep matches tf.train.adam on a quadratic, step by step', async () => {
    const target = tf.tensor1d([1, -2, 0.5]);
    const v = tf.variable(tf.tensor1d([0, 0, 0]));
    const opt = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
    let x: Tensor = tf.tensor1d([0, 0, 0]);
    let state;
    for (let i = 0; i < 5; i++) {
      opt.minimize(() => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar);
      const g = tf.tidy(() => tf.mul(tf.sub(x, target), 2));
      const r = adamStep(x, g, state, { lr: 0.1 });
      disposeAdam(state);
      tf.dispose([x, g]);
      x = r.x;
      state = r.state;
    }
    expect(maxAbsDiff(await x.data(), await v.data())).to.be.below(1e-5);
    disposeAdam(state);
    opt.dispose();
    tf.dispose([x, v, target]);
  });

  it('L-BFGS minimises an ill-conditioned quadratic to its solution A^-1 b, and beats gradient steps', async () => {
    const base = tf.memory().numTensors;
    // A = diag(1, 10, 100) plus a coupling; f = 1/2 x'Ax - b'x.
    const A = tf.tensor2d([1, 0.5, 0, 0.5, 10, 1, 0, 1, 100], [3, 3]);
    const b = tf.tensor2d([1, 2, 3], [3, 1]);
    const fg = (x: Tensor) => {
      const g = tf.tidy(() => tf.sub(tf.matMul(A, x as tf.Tensor2D), b));
      const value = tf.tidy(() => tf.sub(tf.mul(0.5, tf.sum(tf.mul(x, tf.matMul(A, x as tf.Tensor2D)))), tf.sum(tf.mul(b, x))) as tf.Scalar);
      return { value, grad: g };
    };
    const opt = new Lbfgs({ history: 5 });
    let x: Tensor = tf.zeros([3, 1]);
    let evaluations = 0;
    for (let i = 0; i < 30; i++) {
      const r = await opt.step(fg, x);
      x.dispose();
      x = r.x;
      evaluations += r.info.evaluations;
    }
    // Solved by hand with Cramer's rule: A^-1 b.
    const det = 1 * (10 * 100 - 1) - 0.5 * (0.5 * 100 - 0) ;
    const x1 = (1 * (1000 - 1) - 0.5 * (2 * 100 - 3 * 1)) / det;
    const x2 = (1 * (2 * 100 - 3) - 1 * (0.5 * 100 - 0)) / det;
    const x3 = (1 * (10 * 3 - 2 * 1) - 0.5 * (0.5 * 3 - 0) + 1 * (0.5 * 1 - 0)) / det;
    expect(maxAbsDiff(await x.data(), [x1, x2, x3])).to.be.below(1e-3);
    expect(evaluations).to.be.below(60);
    // Plain gradient descent with the largest stable step (2/lambda_max ~ 0.02) is far off after 30 steps.
    let y: Tensor = tf.zeros([3, 1]);
    for (let i = 0; i < 30; i++) {
      const r = fg(y);
      const ny = tf.tidy(() => tf.sub(y, tf.mul(r.grad, 0.019)));
      tf.dispose([y, r.value, r.grad]);
      y = ny;
    }
    expect(maxAbsDiff(await y.data(), [x1, x2, x3])).to.be.above(0.05);
    opt.dispose();
    tf.dispose([x, y, A, b]);
    expect(tf.memory().numTensors).to.equal(base);
  });

  it('StyleTransfer: Adam and L-BFGS both lower the loss; the losses add up; no tensor left behind', async () => {
    const base = tf.memory().numTensors;
    const enc = randomVgg({ seed: 2, widths: [6, 8], depths: [1, 1] });
    const content = smooth(16, 0);
    const style = smooth(16, 3);
    for (const [optimizer, pause] of [['adam', undefined], ['lbfgs', undefined], ['adam', () => Promise.resolve()]] as const) {
      const st = new StyleTransfer(enc, content, style, {
        pause,
        styleLayers: ['block1_conv1', 'block2_conv1'],
        contentLayer: 'block2_conv1',
        alpha: 1,
        beta: 1e3,
        optimizer,
        start: 'noise',
        lr: 0.05,
      });
      const first = await st.step();
      expect(first.step).to.equal(1);
      expect(first.style).to.have.length(2);
      expect(first.total).to.be.closeTo(first.content + 1e3 * 0.5 * (first.style[0] + first.style[1]), 1e-3 * first.total);
      let last = first;
      for (let i = 0; i < 15; i++) last = await st.step();
      expect(last.step).to.equal(16);
      expect(last.total, optimizer).to.be.below(first.total * 0.7);
      const [lo, hi] = await Promise.all([tf.min(st.image), tf.max(st.image)].map(async (t) => {
        const v = (await t.data())[0];
        t.dispose();
        return v;
      }));
      expect(lo).to.be.at.least(0);
      expect(hi).to.be.at.most(1);
      const { current, target } = st.grams('block1_conv1');
      expect(current.shape).to.deep.equal([6, 6]);
      tf.dispose([current, target]);
      st.update({ alpha: 2 });
      await st.step();
      st.reset('content');
      expect(st.stepCount).to.equal(0);
      expect(maxAbsDiff(await st.image.data(), await content.data())).to.equal(0);
      st.dispose();
    }
    tf.dispose([content, style]);
    disposeEncoder(enc);
    expect(tf.memory().numTensors).to.equal(base);
  });

  it('noiseImage is seeded', async () => {
    const a = noiseImage(4, 4, 5);
    const b = noiseImage(4, 4, 5);
    const c = noiseImage(4, 4, 6);
    expect(Array.from(await a.data())).to.deep.equal(Array.from(await b.data()));
    expect(maxAbsDiff(await a.data(), await c.data())).to.be.above(0.1);
    tf.dispose([a, b, c]);
  });
});
