import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
import '../src/index.js';
import type { DetectionPipeline, PipelineResultDetail } from '../src/detection-pipeline.js';

describe('<detection-pipeline> on WebGL', () => {
  it('runs the fully convolutional sliding window on the webgl backend (no silent fallback)', async () => {
    await ready({ prefer: 'webgl' });
    expect(tf.getBackend()).to.equal('webgl');
    const el = document.createElement('detection-pipeline') as DetectionPipeline;
    el.setAttribute('window-sizes', '64');
    const done = oneEvent(el, 'pipeline-result');
    (await fixture(html`<div></div>`)).append(el);
    const d = ((await done) as CustomEvent<PipelineResultDetail>).detail;
    expect(d).to.deep.include({ method: 'window-conv', passes: 1 });
    expect(tf.getBackend()).to.equal('webgl');
  });
});
