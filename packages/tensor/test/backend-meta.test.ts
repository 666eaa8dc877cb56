import { expect } from '@open-wc/testing';
import { ready, tf } from '../src/index.js';

describe('page-level backend choice', () => {
  it('follows <meta name="convlab-backend">', async () => {
    const meta = document.createElement('meta');
    meta.name = 'convlab-backend';
    meta.content = 'cpu';
    document.head.append(meta);
    const info = await ready();
    expect(info.name).to.equal('cpu');
    expect(info.forced).to.equal(true);
    expect(tf.getBackend()).to.equal('cpu');
    expect(info.reason).to.match(/requested by the page/);
  });
});
