import { expect } from '@open-wc/testing';
import {
  tf,
  loadModel,
  modelLayers,
  convLayers,
  layerKernel,
  normalizeKernels,
  layerActivations,
  penultimateLayer,
  spriteToBatch,
  layerReceptiveField,
  receptiveBox,
  unitMaxima,
  topPatches,
  LayerError,
  type Tensor4D,
} from '../src/index.js';
import '@convlab/models';
import { describeOnEachBackend } from './helpers.js';

describeOnEachBackend('filters and top patches', () => {
  it('normalises kernels per filter and per layer (hand-worked numbers)', async () => {
    // Two 1x2 filters on one channel: f0 = [0.5, -1], f1 = [0.1, 0.2]; kernel [kh=1, kw=2, c=1, f=2].
    const k = tf.tensor4d([0.5, 0.1, -1, 0.2], [1, 2, 1, 2]);
    const a = normalizeKernels(k, 'filter');
    expect(Array.from(await a.tiles.data())).to.deep.equal([0.5, -1, 0.5, 1]);
    expect(Array.from(await a.scale.data()).map((v) => +v.toFixed(6))).to.deep.equal([1, 0.2]);
    const b = normalizeKernels(k, 'layer');
    expect(Array.from(await b.tiles.data()).map((v) => +v.toFixed(6))).to.deep.equal([0.5, -1, 0.1, 0.2]);
    tf.dispose([k, a.tiles, a.scale, b.tiles, b.scale]);
  });

  it('reads the layers, kernels and activations of the digits model', async () => {
    const m = await loadModel('digits');
    const before = tf.memory().numTensors;
    expect(convLayers(m).map((l) => [l.name, l.filters, l.inChannels, l.kernel.join('x')])).to.deep.equal([
      ['conv1', 16, 1, '3x3'],
      ['conv2', 32, 16, '3x3'],
      ['conv3', 64, 32, '3x3'],
    ]);
    expect(modelLayers(m).find((l) => l.name === 'pool2')!.outputShape).to.deep.equal([7, 7, 32]);
    expect(penultimateLayer(m).name).to.equal('features');
    const x = tf.tidy(() => tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7)) as Tensor4D;
    const k = layerKernel(m, 'conv1');
    const diff = tf.tidy(() => {
      const b = m.layers!.getLayer('conv1').getWeights()[1];
      const direct = tf.relu(tf.add(tf.conv2d(x, k, 1, 'same'), b));
      return tf.max(tf.abs(tf.sub(layerActivations(m, 'conv1', x), direct))).dataSync()[0];
    });
    expect(diff).to.be.below(1e-4);
    const f = tf.tidy(() => layerActivations(m, 'features', x).shape);
    expect(f).to.deep.equal([2, 64]);
    tf.dispose([x, k]);
    expect(() => layerKernel(m, 'pool1')).to.throw(LayerError, /no convolution layer called 'pool1'.*conv1, conv2, conv3/);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('cuts a sprite into a batch of tiles, row-major', async () => {
    // A 2x3 sprite of 2x2 tiles, tile n filled with n.
    const rows = [
      [0, 0, 1, 1, 2, 2],
      [0, 0, 1, 1, 2, 2],
      [3, 3, 4, 4, 5, 5],
      [3, 3, 4, 4, 5, 5],
    ];
    const s = tf.tensor2d(rows);
    const b = spriteToBatch(s, 2, 3, 5);
    expect(b.shape).to.deep.equal([5, 2, 2, 1]);
    const v = (await b.array()) as number[][][][];
    expect(v.map((t) => t.flat(2))).to.deep.equal([0, 1, 2, 3, 4].map((n) => [n, n, n, n]));
    tf.dispose([s, b]);
  });

  it('gives the receptive fields of the digits model (3, 8, 18 pixels for conv1..conv3)', async () => {
    const m = await loadModel('digits');
    const rf = (name: string) => layerReceptiveField(m, name).rows;
    expect([rf('conv1').size, rf('pool1').size, rf('conv2').size, rf('pool2').size, rf('conv3').size]).to.deep.equal([3, 4, 8, 10, 18]);
    expect([rf('conv1').jump, rf('conv2').jump, rf('conv3').jump]).to.deep.equal([1, 2, 4]);
    // conv3 unit (0, 0): centre 1.5, 18 wide -> [-7, 10], clipped to [0, 10]; unit (6, 6): centre 25.5 -> [17, 27].
    const c3 = layerReceptiveField(m, 'conv3');
    expect(receptiveBox(c3, 0, 0, [28, 28])).to.deep.equal([0, 0, 10, 10]);
    expect(receptiveBox(c3, 6, 3, [28, 28])).to.deep.equal([17, 5, 27, 22]);
    expect(() => layerReceptiveField(m, 'features')).to.throw(LayerError, /no spatial output/);
  });

  it('finds the images and positions where a unit responds most, for every unit in one pass', async () => {
    const m = await loadModel('digits');
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.randomUniform([10, 28, 28, 1], 0, 1, 'float32', 3)) as Tensor4D;
    const progress: number[] = [];
    const r = await unitMaxima(m, 'conv2', x, { batchSize: 4, onProgress: (d) => progress.push(d) });
    expect(progress).to.deep.equal([4, 8, 10]);
    expect([r.count, r.units, ...r.mapSize]).to.deep.equal([10, 32, 14, 14]);
    // Against the activations computed directly.
    const a = tf.tidy(() => layerActivations(m, 'conv2', x).arraySync() as number[][][][]);
    const top = topPatches(r, 7, 3);
    const best = a.map((img) => Math.max(...img.flat().map((c) => c[7])));
    const sorted = [...best].sort((p, q) => q - p);
    expect(top.map((t) => t.value)).to.deep.equal(sorted.slice(0, 3).map((v) => Math.fround(v)));
    for (const t of top) expect(a[t.index][t.i][t.j][7]).to.be.closeTo(t.value, 1e-6);
    expect(() => topPatches(r, 32, 3)).to.throw(LayerError, /no unit 32.*0 to 31/);
    x.dispose();
    const ac = new AbortController();
    ac.abort();
    const y = tf.zeros([4, 28, 28, 1]) as Tensor4D;
    let err: unknown;
    await unitMaxima(m, 'conv2', y, { signal: ac.signal }).catch((e) => (err = e));
    expect((err as Error).name).to.equal('AbortError');
    y.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });
});
