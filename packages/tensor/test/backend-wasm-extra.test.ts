import { expect } from '@open-wc/testing';
import { ready } from '../src/index.js';

describe('wasm backend features', () => {
  it('uses SIMD, and no threads when the page is not cross-origin isolated', async () => {
    const info = await ready({ prefer: 'wasm' });
    expect(info.name).to.equal('wasm');
    expect(info.wasm?.simd).to.equal(true);
    expect(info.wasm?.threads).to.equal(crossOriginIsolated);
  });
});
