import { expect } from '@open-wc/testing';
import { ready, loadModel, tf, type Tensor4D } from '../src/index.js';

const FIX = new URL('./fixtures/', import.meta.url).href;

// A page script (or a story) that asks for a model while a widget's ready() is still starting the
// WASM backend used to fail with "Backend 'wasm' has not yet been initialized".
describe('loadModel while ready() is starting a backend', () => {
  it('waits for the decision and builds the model on the chosen backend', async () => {
    // Hold the WASM binary for a second, so the model's files arrive while the backend is starting.
    const realFetch = window.fetch;
    const seen: string[] = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      seen.push(url);
      if (url.endsWith('.wasm')) await new Promise((r) => setTimeout(r, 1000));
      return realFetch(input, init);
    };
    const deciding = ready();
    let model: Awaited<ReturnType<typeof loadModel>>;
    try {
      model = await loadModel(`${FIX}tiny-conv/model.json?during-ready`);
    } finally {
      await deciding.catch(() => {});
      window.fetch = realFetch;
    }
    expect(seen.some((u) => u.endsWith('.wasm')), `the WASM binary went through fetch: ${seen.join(', ')}`).to.equal(true);
    const info = await deciding;
    expect(tf.getBackend()).to.equal(info.name);
    const [h, w, c] = model.inputShape;
    const out = tf.tidy(() => model.logits(tf.zeros([1, h, w, c]) as Tensor4D));
    expect(out.shape[0]).to.equal(1);
    out.dispose();
  });
});
