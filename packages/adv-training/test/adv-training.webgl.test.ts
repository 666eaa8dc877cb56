import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { AdvTraining, CurveCompleteDetail } from '../src/index.js';

describe('<adv-training> on WebGL', function () {
  // SwiftShader compiles a shader for every new op and shape: the first epoch is slow here (not on a GPU).
  this.timeout(400000);
  it('trains the toy networks on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = await fixture<AdvTraining>(html`<adv-training epochs="1" points="20"></adv-training>`);
    const d = ((await oneEvent(el, 'curve-complete')) as CustomEvent<CurveCompleteDetail>).detail;
    expect(d.mode).to.equal('toy');
    if (d.mode === 'toy') {
      expect(d.history).to.have.length(1);
      expect(d.history[0].adversarial.loss).to.be.greaterThan(0);
    }
    expect(tf.getBackend()).to.equal('webgl');
  });
});
