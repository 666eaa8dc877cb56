import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { SaliencyMap, SaliencyChangeDetail } from '../src/index.js';

describe('<saliency-map> on WebGL', () => {
  it('computes the three maps on the webgl backend (no silent fallback)', async function () {
    // Shader compilation on SwiftShader is slow on a busy 2-core machine.
    this.timeout(600000);
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('saliency-map') as SaliencyMap;
    el.setAttribute('sample', '10');
    const changed = oneEvent(el, 'saliency-change');
    (await fixture(html`<div></div>`)).append(el);
    // An error state ends the wait at once with its message (instead of a timeout).
    const failed = new Promise<never>((_, no) => {
      const status = () => el.shadowRoot?.querySelector('convlab-status') as (HTMLElement & { message: string }) | null;
      const t = setInterval(() => {
        if (status()?.getAttribute('state') === 'error') {
          clearInterval(t);
          no(new Error(`error state: ${status()!.message}`));
        }
      }, 200);
      void changed.then(() => clearInterval(t));
    });
    const d = ((await Promise.race([changed, failed])) as CustomEvent<SaliencyChangeDetail>).detail;
    expect(d.classIndex).to.equal(1);
    for (const r of ['gradient', 'deconvnet', 'guided'] as const) expect(d.maxAbs[r]).to.be.above(0);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
