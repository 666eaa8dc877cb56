import { expect } from '@open-wc/testing';
import { ready, tf, backendInfo, wasmThreadCount } from '../src/index.js';

// A page turns WASM threads off with <meta name="convlab-wasm-threads" content="off"> even where it is
// cross-origin isolated (here, with the runner's WTR_COI=1 pass): one thread, and the reason says why.
describe('<meta name="convlab-wasm-threads" content="off"> on a cross-origin isolated page', () => {
  it('keeps WASM to one thread, says so, and computes', async () => {
    expect(self.crossOriginIsolated).to.equal(true);
    const meta = document.createElement('meta');
    meta.name = 'convlab-wasm-threads';
    meta.content = 'off';
    document.head.append(meta);
    const info = await ready({ prefer: 'wasm' });
    meta.remove();
    expect(tf.getBackend()).to.equal('wasm');
    expect(info.wasm).to.deep.equal({ simd: true, threads: false, threadCount: 1 });
    expect(backendInfo()?.reason).to.match(/one thread \(the page says <meta name="convlab-wasm-threads" content="off">\)/);
    expect(wasmThreadCount()).to.equal(1);
    const y = tf.tidy(() => tf.conv2d(tf.ones([1, 8, 8, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same'));
    expect((await y.data())[9]).to.equal(18);
    y.dispose();
  });
});
