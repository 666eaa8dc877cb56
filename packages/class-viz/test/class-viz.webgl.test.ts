import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '@convlab/models';
import '../src/index.js';
import type { ClassViz, DoneDetail } from '../src/index.js';

describe('<class-viz> on WebGL', () => {
  it('runs the ascent on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = await fixture<ClassViz>(html`<class-viz target-class="4" steps="30"></class-viz>`);
    const d = ((await oneEvent(el, 'done')) as CustomEvent<DoneDetail>).detail;
    expect(d.classes).to.deep.equal([4]);
    expect(d.step).to.equal(30);
    expect(tf.getBackend()).to.equal('webgl');
  });
});
