import { expect } from '@open-wc/testing';
import { ready, backendInfo, probeGpu, tf } from '../src/index.js';

describe('automatic backend choice', () => {
  it('detects that WebGL runs on SwiftShader here', () => {
    const gpu = probeGpu();
    expect(gpu.webgl).to.equal(true);
    expect(gpu.renderer).to.match(/swiftshader/i);
    expect(gpu.software).to.equal(true);
  });

  it('picks WASM over software WebGL and says why', async () => {
    const info = await ready();
    expect(info.name).to.equal('wasm');
    expect(tf.getBackend()).to.equal('wasm');
    expect(info.forced).to.equal(false);
    expect(info.reason).to.match(/software renderer/);
    expect(info.reason).to.match(/swiftshader/i);
    expect(info.startupMs).to.be.greaterThan(0);
  });

  it('decides once per page: later calls share the decision', async () => {
    const a = await ready();
    const warned: string[] = [];
    const orig = console.warn;
    console.warn = (...m: unknown[]) => warned.push(m.join(' '));
    try {
      const b = await ready({ prefer: 'cpu' });
      await new Promise((r) => setTimeout(r, 0));
      expect(b).to.equal(a);
      expect(backendInfo()).to.equal(a);
      expect(tf.getBackend()).to.equal('wasm');
      expect(warned.join('\n')).to.match(/already chosen \(wasm\)/);
    } finally {
      console.warn = orig;
    }
  });
});
