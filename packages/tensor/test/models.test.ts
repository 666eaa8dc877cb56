import { expect } from '@open-wc/testing';
import {
  ready,
  tf,
  loadModel,
  registerModel,
  registeredModels,
  clearModelCacheForTesting,
  ModelLoadError,
  inputGradient,
  type Tensor4D,
} from '../src/index.js';

const FIX = new URL('./fixtures/', import.meta.url).href;

async function rejection(p: Promise<unknown>): Promise<ModelLoadError> {
  try {
    await p;
  } catch (e) {
    return e as ModelLoadError;
  }
  throw new Error('expected a rejection');
}

// Counts the requests that reach the network layer (a pass-through wrapper around the real fetch).
const requested: string[] = [];
const realFetch = window.fetch.bind(window);
window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  requested.push(String(input instanceof Request ? input.url : input));
  return realFetch(input, init);
};
function requestsFor(path: string): number {
  return requested.filter((u) => u.includes(path)).length;
}

describe('loadModel', () => {
  before(async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
  });
  afterEach(() => clearModelCacheForTesting());

  it('loads a layers model by URL, with its metadata, shape and progress', async () => {
    const seen: number[] = [];
    const m = await loadModel(`${FIX}tiny-conv/model.json`, { onProgress: (f) => seen.push(f) });
    expect(m.kind).to.equal('layers');
    expect(m.inputShape).to.deep.equal([8, 8, 1]);
    expect(m.numClasses).to.equal(3);
    expect(m.meta.labels).to.deep.equal(['zero', 'one', 'two']);
    expect(m.layerNames()).to.include('conv1');
    expect(seen[0]).to.equal(0);
    expect(seen[seen.length - 1]).to.equal(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).to.equal(true);
    const y = tf.tidy(() => m.logits(tf.ones([2, 8, 8, 1]) as Tensor4D));
    expect(y.shape).to.deep.equal([2, 3]);
    y.dispose();
  });

  it('loads once per URL: concurrent and later callers share one model and one download', async () => {
    const url = `${FIX}tiny-conv/model.json?share`;
    const before = requestsFor('tiny-conv/model.json?share');
    const [a, b] = await Promise.all([loadModel(url), loadModel(url)]);
    const c = await loadModel(url);
    expect(a).to.equal(b);
    expect(a).to.equal(c);
    expect(requestsFor('tiny-conv/model.json?share') - before).to.equal(1);
  });

  it('resolves bundled ids that a package registered', async () => {
    registerModel('tiny-test', { url: `${FIX}tiny-conv/model.json`, meta: { name: 'Tiny' } });
    expect(registeredModels()).to.include('tiny-test');
    const m = await loadModel('tiny-test');
    expect(m.id).to.equal('tiny-test');
    expect(m.meta.name).to.equal('tiny');
  });

  it('finds weights that a bundler moved, through the files map of a registered model', async () => {
    // model.json in one folder, its weights.bin in another (as after a bundler renamed the asset).
    registerModel('moved-weights', {
      url: `${FIX}short-weights/model.json`,
      files: { 'weights.bin': `${FIX}tiny-conv/weights.bin` },
    });
    const m = await loadModel('moved-weights');
    expect(m.numClasses).to.equal(3);
  });

  it('maps [0, 1] images into the input range the model declares', async () => {
    const plain = await loadModel(`${FIX}tiny-conv/model.json`);
    const pm1 = await loadModel(`${FIX}tiny-conv-pm1/model.json`);
    expect(pm1.meta.inputRange).to.deep.equal([-1, 1]);
    const x = tf.randomUniform([1, 8, 8, 1]) as Tensor4D;
    const a = tf.tidy(() => plain.logits(tf.sub(tf.mul(x, 2), 1) as Tensor4D));
    const b = pm1.logits(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    expect((await diff.data())[0]).to.be.lessThan(1e-5);
    tf.dispose([x, a, b, diff]);
  });

  it('turns probability outputs into logits that softmax maps back', async () => {
    const m = await loadModel(`${FIX}tiny-conv-softmax/model.json`);
    expect(m.meta.output).to.equal('probabilities');
    const x = tf.randomUniform([2, 8, 8, 1]) as Tensor4D;
    const probs = m.layers!.predict(x) as tf.Tensor;
    const y = m.logits(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(y), probs))));
    expect((await diff.data())[0]).to.be.lessThan(1e-6);
    tf.dispose([x, probs, y, diff]);
  });

  it('reads metadata from a sidecar JSON URL', async () => {
    const blob = new Blob([JSON.stringify({ labels: ['a', 'b', 'c'], name: 'side' })], { type: 'application/json' });
    const m = await loadModel(`${FIX}tiny-conv/model.json`, { meta: URL.createObjectURL(blob) });
    expect(m.meta.labels).to.deep.equal(['a', 'b', 'c']);
    expect(m.meta.name).to.equal('side');
  });

  it('says which bundled ids exist for an unknown id', async () => {
    const e = await rejection(loadModel('nope'));
    expect(e).to.be.instanceOf(ModelLoadError);
    expect(e.code).to.equal('unknown-id');
    expect(e.message).to.match(/No bundled model is called 'nope'/);
  });

  for (const [name, url, code, msg] of [
    ['an HTTP error', 'missing/model.json', 'http', /404/],
    ['malformed model.json', 'malformed/model.json', 'malformed', /not valid JSON/],
    ['a JSON file that is no model', 'not-a-model/model.json', 'malformed', /no modelTopology/],
    ['weights of the wrong size', 'short-weights/model.json', 'weights-size', /468 bytes.*476 bytes/],
    ['an input that is not an image', 'rank2-input/model.json', 'input-shape', /cannot be fed images/],
  ] as const) {
    it(`rejects ${name} with code '${code}'`, async () => {
      const e = await rejection(loadModel(`${FIX}${url}`));
      expect(e).to.be.instanceOf(ModelLoadError);
      expect(e.code).to.equal(code);
      expect(e.message).to.match(msg);
    });
  }

  it("reads an HTML page where model.json or the metadata was asked as 'not found', not 'not valid JSON'", async () => {
    const page = URL.createObjectURL(new Blob(['<!doctype html><title>Home</title>'], { type: 'text/html' }));
    const e = await rejection(loadModel(page));
    expect(e).to.be.instanceOf(ModelLoadError);
    expect(e.code).to.equal('not-found');
    expect(e.message).to.match(/Could not load the model from blob:.*: not found \(the server returned an HTML page instead\)/);
    expect(e.message).to.not.match(/JSON/);
    const m = await rejection(loadModel(`${FIX}tiny-conv/model.json`, { meta: page }));
    expect(m.code).to.equal('not-found');
    expect(m.message).to.match(/the model metadata/);
  });

  it('rejects an unreachable host with code network', async () => {
    const e = await rejection(loadModel('http://127.0.0.1:9/model.json'));
    expect(e.code).to.equal('network');
  });

  it('rejects a model whose channels the caller cannot feed', async () => {
    const e = await rejection(loadModel(`${FIX}tiny-conv/model.json?rgb`, { channels: [3] }));
    expect(e.code).to.equal('input-shape');
    expect(e.message).to.match(/takes 1 channels/);
  });

  it('does not cache failures: a retry fetches again', async () => {
    const url = `${FIX}missing/model.json?retry`;
    await rejection(loadModel(url));
    await rejection(loadModel(url));
    expect(requestsFor('missing/model.json?retry')).to.equal(2);
  });

  it('is abortable, and an abort by one caller does not break another', async () => {
    const url = `${FIX}tiny-conv/model.json?abort`;
    const ac = new AbortController();
    const aborted = loadModel(url, { signal: ac.signal });
    const other = loadModel(url);
    ac.abort();
    const e = await rejection(aborted);
    expect(e.name).to.equal('AbortError');
    const m = await other;
    expect(m.numClasses).to.equal(3);

    const ac2 = new AbortController();
    ac2.abort();
    expect((await rejection(loadModel(url, { signal: ac2.signal }))).name).to.equal('AbortError');
  });

  it('loads a graph model (the converter format of TF Hub models) and matches the same net as a layers model', async () => {
    const g = await loadModel(`${FIX}tiny-graph/model.json`);
    const l = await loadModel(`${FIX}tiny-conv/model.json`);
    expect(g.kind).to.equal('graph');
    expect(g.inputShape).to.deep.equal([8, 8, 1]);
    expect(g.numClasses).to.equal(3);
    expect(g.meta.labels).to.deep.equal(['zero', 'one', 'two']);
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 7) as Tensor4D;
    const base = tf.memory().numTensors;
    const [yg, yl] = [g.logits(x), l.logits(x)];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(yg, yl))).dataSync()[0]);
    expect(diff).to.be.below(1e-4);
    expect(tf.tidy(() => tf.max(tf.abs(yl)).dataSync()[0])).to.be.above(0.01);
    // Input gradients flow through a graph model too (FGSM on a hosted graph model needs them).
    const [gg, gl] = [inputGradient(g.logits, x, [0, 1, 2, 0]), inputGradient(l.logits, x, [0, 1, 2, 0])];
    const gdiff = tf.tidy(() => tf.max(tf.abs(tf.sub(gg, gl))).dataSync()[0]);
    expect(gdiff).to.be.below(1e-4);
    expect(tf.tidy(() => tf.max(tf.abs(gl)).dataSync()[0])).to.be.above(0);
    tf.dispose([yg, yl, gg, gl]);
    expect(tf.memory().numTensors).to.equal(base);
    x.dispose();
  });

  it('leaves no tensors behind after repeated predictions', async () => {
    const m = await loadModel(`${FIX}tiny-conv/model.json`);
    const x = tf.ones([1, 8, 8, 1]) as Tensor4D;
    const base = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const y = m.logits(x);
      await y.data();
      y.dispose();
    }
    expect(tf.memory().numTensors).to.equal(base);
    x.dispose();
  });
});
