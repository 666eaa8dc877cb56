import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ready } from '@convlab/tensor';
// The built package (its worker is dist/style-worker.js), on a cross-origin isolated page (the
// runner's WTR_COI=1 pass) that opts in to WASM threads: the worker follows the page and starts TF.js's
// threaded WASM build inside itself (its thread pool is workers started from the worker).
import '../dist/index.js';
import type { GramStyle, GramStepDetail } from '../dist/index.js';

const VGG19_NAMES = new URL('./fixtures/vgg19-names/model.json', import.meta.url).href;

describe('<gram-style> worker with WASM threads (cross-origin isolated page)', () => {
  it('starts the threaded build in the worker and steps; the loss falls', async () => {
    expect(self.crossOriginIsolated).to.equal(true);
    const info = await ready({ prefer: 'wasm', wasmThreads: true });
    expect(info.wasm?.threads).to.equal(true);
    const el = await fixture<GramStyle>(
      html`<gram-style encoder-url=${VGG19_NAMES} encoder-preprocess="centered" steps="3" size="128" content="coffee" style-image="waves" content-layer="block2_conv2" style-layers="block1_conv1,block2_conv1,block3_conv1"></gram-style>`,
    );
    const status = () => el.shadowRoot!.querySelector('convlab-status')!;
    await waitUntil(() => !!(el as unknown as { st?: unknown }).st && status().getAttribute('state') === 'ready', 'ready', { timeout: 90000 });
    const session = (el as unknown as { st: { where: string; reason: string; wasmThreads: boolean } }).st;
    expect(session.where).to.equal('worker');
    // The worker's ready() says whether TF.js's threaded WASM build runs there.
    expect(session.wasmThreads, `the worker runs the threaded build (${session.reason})`).to.equal(true);
    const steps: GramStepDetail[] = [];
    el.addEventListener('step', (e) => steps.push(e.detail));
    const done = oneEvent(el, 'done');
    el.run();
    await done;
    expect(steps.map((s) => s.where)).to.deep.equal(['worker', 'worker', 'worker']);
    expect(steps[0].backend).to.equal('wasm');
    expect(steps[2].total).to.be.below(steps[0].total);
    el.remove();
  });
});
