import { expect } from '@open-wc/testing';

// Count WebGL contexts that stay alive: each getContext('webgl'/'webgl2') that succeeds, minus the
// ones lost again (the backend probe loses its throw-away context at once).
let live = 0;
for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: Function }[]) {
  const orig = proto.getContext;
  proto.getContext = function (this: unknown, type: string, ...rest: unknown[]) {
    const ctx = orig.call(this, type, ...rest);
    if (ctx && /^(webgl2?|experimental-webgl)$/.test(type) && !(ctx as { __counted?: boolean }).__counted) {
      (ctx as { __counted?: boolean }).__counted = true;
      live++;
      const lose = (ctx as WebGLRenderingContext).getExtension('WEBGL_lose_context');
      if (lose) {
        const l = lose.loseContext.bind(lose);
        lose.loseContext = () => {
          live--;
          l();
        };
      }
    }
    return ctx;
  };
}

type TensorModule = typeof import('../src/index.js');

describe('two separately built bundles on one page', () => {
  it('share one TF.js engine, one backend decision and one WebGL context', async () => {
    const a = (await import('/__bundles/tensor-a.js' as string)) as TensorModule;
    const infoA = await a.ready({ prefer: 'webgl' });
    const b = (await import('/__bundles/tensor-b.js' as string)) as TensorModule;
    const infoB = await b.ready({ prefer: 'webgl' });
    expect(a.tf, 'the bundles carry separate copies of TF.js').to.not.equal(b.tf);
    expect(infoB).to.equal(infoA);
    expect(a.tf.engine()).to.equal(b.tf.engine());
    expect(b.tf.getBackend()).to.equal('webgl');
    // A tensor made by one bundle is an input to the other's ops.
    const x = a.tf.tensor1d([1, 2, 3]);
    const y = b.tf.mul(x, 2);
    expect(Array.from(await y.data())).to.deep.equal([2, 4, 6]);
    expect(b.tf.memory().numTensors).to.equal(a.tf.memory().numTensors);
    a.tf.dispose([x, y]);
    expect(live, 'WebGL contexts alive').to.equal(1);
  });
});
