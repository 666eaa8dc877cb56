import { expect } from '@open-wc/testing';
import {
  ready,
  tf,
  loadModel,
  fromImage,
  inputGradient,
  robustnessCurve,
  clearModelCacheForTesting,
  ModelLoadError,
  type Tensor4D,
  type LoadedModel,
} from '@convlab/tensor';
import { MODEL_URLS, samplesFor, BUNDLED_MODEL_IDS, type SamplesIndex } from '../src/index.js';

const here = (p: string) => new URL(p, import.meta.url).href;

/** The card's TF.js accuracy on the whole test set, and its count of correct shipped samples (percent). */
async function cardAccuracy(id: string): Promise<{ test: number; samples: number }> {
  const card = await (await fetch(here(`../models/${id}/card.md`))).text();
  const m = card.match(/Test accuracy \(TF\.js\) \| \*\*([\d.]+)%\*\*/);
  const s = card.match(/Shipped samples \(TF\.js\) \| \*\*(\d+)\/100\*\*/);
  if (!m || !s) throw new Error(`no accuracy in the ${id} card`);
  return { test: Number(m[1]), samples: Number(s[1]) };
}

/** The shipped sprite cut into a [100, 28, 28, 1] batch with the tensor ops alone. */
async function sampleBatch(id: string): Promise<{ x: Tensor4D; labels: number[] }> {
  const s = samplesFor(id)!;
  const index = (await (await fetch(s.json)).json()) as SamplesIndex;
  const sprite = await fromImage(s.png, { channels: 1 });
  const { tile, columns } = index;
  const rows = Math.ceil(index.count / columns);
  const x = tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(sprite, [rows, tile, columns, tile]), [0, 2, 1, 3]), [rows * columns, tile, tile, 1]),
  ) as Tensor4D;
  sprite.dispose();
  return { x, labels: index.labels };
}

async function accuracy(m: LoadedModel, x: Tensor4D, labels: number[]): Promise<number> {
  const pred = tf.tidy(() => tf.argMax(m.logits(x), 1));
  const p = Array.from(await pred.data());
  pred.dispose();
  return (100 * p.filter((v, i) => v === labels[i]).length) / labels.length;
}

for (const backend of ['webgl', 'wasm'] as const) {
  describe(`bundled models on ${backend}`, () => {
    before(async () => {
      await ready({ prefer: 'webgl' });
      expect(await tf.setBackend(backend)).to.equal(true);
      expect(tf.getBackend()).to.equal(backend);
    });
    afterEach(() => clearModelCacheForTesting());

    for (const id of BUNDLED_MODEL_IDS) {
      it(`${id}: loads by id and by URL, with its labels and shape`, async () => {
        const byId = await loadModel(id);
        expect(byId.id).to.equal(id);
        expect(byId.inputShape).to.deep.equal([28, 28, 1]);
        expect(byId.numClasses).to.equal(10);
        expect(byId.meta.labels).to.have.length(10);
        expect(byId.layerNames()).to.include.members(['conv1', 'features', 'logits']);
        clearModelCacheForTesting();
        const byUrl = await loadModel(MODEL_URLS[id]);
        expect(byUrl.numClasses).to.equal(10);
        expect(byUrl.meta.labels).to.deep.equal(byId.meta.labels);
      });

      it(`${id}: reaches its card's accuracy on the 100 shipped samples`, async () => {
        const m = await loadModel(id);
        const { x, labels } = await sampleBatch(id);
        const acc = await accuracy(m, x, labels);
        x.dispose();
        const card = await cardAccuracy(id);
        console.log(`${id} on ${backend}: ${acc}% of the 100 shipped samples (card: ${card.samples}/100 of them, ${card.test}% of 10,000)`);
        // Exactly the card's figure for these 100 images (computed by the same weights on Node's cpu backend)…
        expect(acc, `sample accuracy ${acc}% vs the card's ${card.samples}/100`).to.equal(card.samples);
        // …which is within the binomial spread of a 100-image estimate (about 3 points at 92%) of the test accuracy.
        expect(acc).to.be.at.least(Math.min(100, card.test) - 3);
      });

      it(`${id}: TF.js logits match the PyTorch logits stored by the exporter to 1e-4`, async () => {
        const m = await loadModel(id);
        const parity = await (await fetch(here(`../models/${id}/parity.json`))).json();
        const x = tf.tidy(() => tf.div(tf.tensor4d(parity.images.flat(), parity.shape), 255)) as Tensor4D;
        const y = m.logits(x);
        const got = (await y.array()) as number[][];
        tf.dispose([x, y]);
        let max = 0;
        got.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - parity.logits[i][j])))));
        expect(max).to.be.lessThan(1e-4);
      });

      it(`${id}: input gradients work and leave no tensor behind`, async () => {
        const m = await loadModel(id);
        const { x, labels } = await sampleBatch(id);
        const one = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as Tensor4D;
        const g0 = inputGradient((t) => m.logits(t), one, labels[0]);
        expect(Array.from(await g0.data()).some((v) => Math.abs(v) > 0)).to.equal(true);
        g0.dispose();
        const base = tf.memory().numTensors;
        for (let i = 0; i < 10; i++) {
          const g = inputGradient((t) => m.logits(t), one, labels[0]);
          await g.data();
          g.dispose();
        }
        expect(tf.memory().numTensors).to.equal(base);
        tf.dispose([x, one]);
      });
    }
  });
}

// PGD over 100 images is 20 backward passes of the CNN: on WASM here (SwiftShader WebGL would take minutes).
describe('digits-robust under attack (wasm)', () => {
  before(async () => {
    await ready({ prefer: 'webgl' });
    expect(await tf.setBackend('wasm')).to.equal(true);
  });

  it('digits-robust: its card\'s PGD robust accuracy on the shipped samples, far above the clean model\'s', async () => {
    const card = await (await fetch(here('../models/digits-robust/card.md'))).text();
    const m = card.match(/Robust accuracy \(TF\.js\) \| \*\*(\d+)\/100\*\* shipped samples under PGD-(\d+) at ε = ([\d.]+)/);
    const step = card.match(/(\d+) steps of α = ([\d.]+) from a uniform random start/);
    if (!m || !step) throw new Error('no robust accuracy in the digits-robust card');
    const [cardRobust, steps, eps, alpha] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(step[2])];
    const { x, labels } = await sampleBatch('digits-robust');
    const measure = async (id: string) => {
      const model = await loadModel(id);
      const [acc] = await robustnessCurve((t) => model.logits(t), x, labels, [eps], { attack: 'pgd', steps, alpha });
      return Math.round(acc * 100);
    };
    const robust = await measure('digits-robust');
    const plain = await measure('digits');
    x.dispose();
    console.log(`PGD-${steps} at eps ${eps} on wasm, 100 shipped samples: digits-robust ${robust}/100 (card ${cardRobust}/100), digits ${plain}/100`);
    // Within a few images of the card's figure (measured on wasm in Node; PGD can tip a borderline image either way)…
    expect(Math.abs(robust - cardRobust), `robust ${robust} vs card ${cardRobust}`).to.be.at.most(3);
    // …and the clean model falls where the robust one holds.
    expect(robust).to.be.greaterThan(plain + 25);
  });
});

describe('hosted models by URL (fixture: random 224x224x3 -> 1000 classes)', () => {
  before(async () => {
    await ready();
  });

  it('loads with a metadata sidecar and classifies a photo-sized input', async () => {
    const url = here('../fixtures/hosted-224/model.json');
    const m = await loadModel(url, { meta: here('../fixtures/hosted-224/meta.json'), channels: [3] });
    expect(m.inputShape).to.deep.equal([224, 224, 3]);
    expect(m.numClasses).to.equal(1000);
    expect(m.meta.labels[999], 'names from the labels file the sidecar points at').to.equal('synthetic 999');
    expect(m.meta.labels).to.have.length(1000);
    const img = await fromImage(new OffscreenCanvas(640, 480), { size: 224 });
    const y = m.logits(img);
    expect(y.shape).to.deep.equal([1, 1000]);
    tf.dispose([img, y]);
  });

  it('takes class names from a labels URL or list, a text file with one name per line, and warns on a wrong count', async () => {
    const url = here('../fixtures/hosted-224/model.json');
    const lines = URL.createObjectURL(new Blob([Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n'], { type: 'text/plain' }));
    const a = await loadModel(`${url}?text-labels`, { meta: { labels: lines }, channels: [3] });
    expect([a.meta.labels[0], a.meta.labels[999]]).to.deep.equal(['line 0', 'line 999']);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => warnings.push(msg);
    try {
      const b = await loadModel(`${url}?short-labels`, { meta: { labels: ['a', 'b'] }, channels: [3] });
      expect(b.meta.labels[5]).to.equal('class 5');
      expect(warnings.join(' ')).to.match(/2 class names for a model with 1000 classes/);
    } finally {
      console.warn = warn;
    }
    const err = await loadModel(`${url}?missing-labels`, { meta: { labels: here('../fixtures/hosted-224/nope.json') }, channels: [3] }).then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(err?.code).to.equal('http');
    expect(err?.message).to.match(/class names/);
  });

  for (const [dir, code] of [
    ['malformed', 'malformed'],
    ['short-weights', 'weights-size'],
    ['bad-input', 'input-shape'],
  ] as const) {
    it(`rejects the broken fixture ${dir} with code ${code}`, async () => {
      const err = await loadModel(here(`../fixtures/broken/${dir}/model.json`)).then(
        () => undefined,
        (e: ModelLoadError) => e,
      );
      expect(err).to.be.instanceOf(ModelLoadError);
      expect(err!.code).to.equal(code);
    });
  }
});
