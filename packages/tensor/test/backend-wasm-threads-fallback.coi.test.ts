import { expect } from '@open-wc/testing';
import { ready, tf, backendInfo, wasmThreadCount } from '../src/index.js';
import { tinyNet, digitLikeInput } from './helpers.js';

// A page whose pthread workers cannot start (here: their start-up script is not where ready() is told
// it is, as when a bundler drops the asset or a CSP blocks it) must not hang: ready() sees a worker
// fail and starts WASM again on one thread, with a console warning, well before its 20 s timeout.
describe('WASM threads that cannot start (cross-origin isolated page)', () => {
  it('falls back to one thread without hanging, says why, and computes', async () => {
    expect(self.crossOriginIsolated, 'the page is cross-origin isolated').to.equal(true);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    };
    // Emscripten rethrows each worker's error on the page; mocha's window.onerror would count those as
    // this test's failure, so it is set aside while the workers fail.
    const mochaOnError = window.onerror;
    window.onerror = () => true;
    const swallow = (ev: ErrorEvent) => ev.preventDefault();
    addEventListener('error', swallow);
    const t0 = performance.now();
    let info;
    try {
      info = await ready({
        prefer: 'wasm',
        wasmThreads: true,
        wasmPaths: {
          'tfjs-backend-wasm.wasm': new URL('../wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
          'tfjs-backend-wasm-simd.wasm': new URL('../wasm/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
          'tfjs-backend-wasm-threaded-simd.wasm': new URL('../wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
          'tfjs-backend-wasm-threaded-simd.js': './no-such-threaded-script.js',
        },
      });
    } finally {
      console.warn = warn;
    }
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    removeEventListener('error', swallow);
    window.onerror = mochaOnError;
    expect(ms, 'a worker error ends the wait, not the 20 s timeout').to.be.below(15000);
    expect(tf.getBackend()).to.equal('wasm');
    expect(info.wasm).to.deep.equal({ simd: true, threads: false, threadCount: 1 });
    expect(backendInfo()?.reason).to.match(/one thread \(WASM threads failed: a worker failed/);
    expect(wasmThreadCount()).to.equal(1);
    expect(warnings.some((w) => /WASM threads failed/.test(w)), warnings.join('\n')).to.equal(true);
    const net = tinyNet();
    const x = digitLikeInput();
    const y = net.f(x);
    expect(Array.from(await y.data()).every(Number.isFinite)).to.equal(true);
    tf.dispose([x, y]);
    net.dispose();
  });
});
