import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { FgsmDemo, PredictionChangeDetail } from '../src/index.js';

describe('<fgsm-demo> on WebGL', () => {
  it('runs the attack on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = await fixture<FgsmDemo>(html`<fgsm-demo sample="0" epsilon="0.2"></fgsm-demo>`);
    const d = ((await oneEvent(el, 'prediction-change')) as CustomEvent<PredictionChangeDetail>).detail;
    expect(d.clean.label).to.equal('0');
    expect(tf.getBackend()).to.equal('webgl');
    expect(el.gradientCalls).to.equal(1);
  });
});
