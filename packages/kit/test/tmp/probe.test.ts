import { expect } from '@open-wc/testing';
import { ready, tf } from '@convlab/tensor';
it('ready', async () => {
  console.log('importing ok');
  const info = await ready();
  console.log('backend', info.name, info.reason);
  expect(tf.getBackend()).to.be.a('string');
});
