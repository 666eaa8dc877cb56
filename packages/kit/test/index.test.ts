import { expect } from '@open-wc/testing';
import * as kit from '../src/index.js';

// This page imports only the entry point: it must export everything and register nothing.
describe('@convlab/kit entry point', () => {
  it('exports the classes and utilities without defining any element', async () => {
    for (const name of [
      'ConvLabElement',
      'ConvLabStatus',
      'ConvLabImagePicker',
      'ConvLabTensorCanvas',
      'ConvLabDrawPad',
      'ConvLabProbBars',
      'ConvLabSlider',
      'tokens',
      'clientToCell',
      'savePng',
      'samplesFromSprite',
      'centreDigit',
    ]) {
      expect(kit, name).to.have.property(name);
    }
    const tags = ['status', 'image-picker', 'tensor-canvas', 'draw-pad', 'prob-bars', 'slider'].map(
      (t) => `convlab-${t}`
    );
    expect(tags.map((t) => customElements.get(t))).to.deep.equal(tags.map(() => undefined));
    await import('../src/define.js');
    expect(customElements.get('convlab-slider')).to.equal(kit.ConvLabSlider);
    expect(customElements.get('convlab-tensor-canvas')).to.equal(kit.ConvLabTensorCanvas);
  });

  it('define.js leaves tags that are already taken alone', async () => {
    // A second copy of the kit on the page: its registration must not throw.
    const url = new URL('../src/define.ts', import.meta.url);
    url.searchParams.set('copy', '2');
    await import(/* @vite-ignore */ url.href);
    expect(customElements.get('convlab-status')).to.equal(kit.ConvLabStatus);
  });
});
