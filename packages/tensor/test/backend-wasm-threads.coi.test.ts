import { expect } from '@open-wc/testing';
import { ready, tf, backendInfo } from '../src/index.js';
import { tinyNet, digitLikeInput } from './helpers.js';

// Served cross-origin isolated (the runner's WTR_COI=1 pass). wasmThreads: true starts TF.js's threaded
// build even where TF.js computes on one thread (hardwareConcurrency < 4, as on a 2-core runner).
describe('WASM threads, opted in, on a cross-origin isolated page', () => {
  it('runs the WASM backend with SIMD and threads, and computes', async () => {
    expect(self.crossOriginIsolated, 'the page is cross-origin isolated').to.equal(true);
    const info = await ready({ prefer: 'wasm', wasmThreads: true });
    expect(tf.getBackend()).to.equal('wasm');
    const pool = Math.max(1, Math.min(8, Math.floor((navigator.hardwareConcurrency || 1) / 2)));
    expect(info.wasm).to.deep.equal({ simd: true, threads: true, threadCount: pool });
    expect(backendInfo()?.reason).to.match(new RegExp(`; ${pool} threads?$`));
    const net = tinyNet();
    const x = digitLikeInput();
    const y = net.f(x);
    expect(y.shape).to.deep.equal([1, 10]);
    expect(Array.from(await y.data()).every(Number.isFinite)).to.equal(true);
    tf.dispose([x, y]);
    net.dispose();
  });
});
