import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { render } from 'lit';
import '@convlab/models';
import '../src/index.js';
import type { TopPatches, PatchesCompleteDetail } from '../src/index.js';

const HOSTED = '/packages/models/fixtures/hosted-224';

describe('<top-patches> with a hosted model', () => {
  it('starts the pool with the src image (a hosted model ships none) and searches it', async function () {
    this.timeout(300000);
    const holder = document.createElement('div');
    render(html`<top-patches model-url="${HOSTED}/model.json" model-meta="${HOSTED}/meta.json" src="/apps/course-site/public/photos/chelsea.jpg" layer="conv1"></top-patches>`, holder);
    const el = holder.querySelector('top-patches') as TopPatches;
    const done = oneEvent(el, 'patches-complete');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<PatchesCompleteDetail>).detail;
    expect([d.layer, d.count, d.patches.length]).to.deep.equal(['conv1', 1, 1]);
    // conv1 of the fixture: 3x3, stride 4, 'same' padding: a 3x3 field.
    const [y0, x0, y1, x1] = d.patches[0].box;
    expect([y1 - y0 + 1, x1 - x0 + 1]).to.deep.equal([3, 3]);
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.match(/Searched 1 image \(1 yours\)/);
  });
});
