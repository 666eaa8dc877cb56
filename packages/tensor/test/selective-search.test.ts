// Selective search in Chromium: the same proposals as in Node (digests written by Node in
// test/fixtures/selective-search.json), and a hand-checkable case. The algorithm's own tests run
// in Node (test-node/selective-search.test.mjs); it is plain JavaScript, no TF.js backend involved.
import { expect } from '@open-wc/testing';
import { scene } from '@convlab/scenes';
import { selectiveSearch } from '../src/index.js';
// @ts-expect-error plain JavaScript module shared with Node
import { selectiveSearchDigest, FIXTURE_CASES } from './selective-search-digest.mjs';

interface FixtureCase {
  seed: number;
  options: Record<string, unknown>;
  boxes: number;
  merges: number[];
  first: number[][];
  digest: string;
}

describe('selective search in the browser', () => {
  let fx: { cases: FixtureCase[] };
  before(async () => {
    fx = await (await fetch(new URL('./fixtures/selective-search.json', import.meta.url))).json();
  });

  it('gives the same boxes, ranks and merges as Node on the fixture scenes', async () => {
    expect(fx.cases.map((c) => c.seed)).to.deep.equal(FIXTURE_CASES.map((c: { seed: number }) => c.seed));
    for (const c of fx.cases) {
      const s = scene(c.seed);
      const r = selectiveSearch({ data: s.image, width: s.width, height: s.height }, c.options);
      expect(r.boxes.length, `seed ${c.seed}`).to.equal(c.boxes);
      expect(r.hierarchies.map((h) => h.steps.length)).to.deep.equal(c.merges);
      expect(r.boxes.slice(0, 3)).to.deep.equal(c.first);
      expect(await selectiveSearchDigest(r), `seed ${c.seed}`).to.equal(c.digest);
    }
  });

  it('finds two flat squares on a flat background exactly, from RGBA pixels (ImageData layout)', () => {
    const W = 40;
    const H = 32;
    const data = new Uint8ClampedArray(W * H * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const c = x >= 4 && x < 14 && y >= 5 && y < 15 ? [220, 40, 40] : x >= 22 && x < 34 && y >= 10 && y < 26 ? [240, 230, 20] : [30, 60, 90];
        data.set([...c, 255], (y * W + x) * 4);
      }
    }
    const r = selectiveSearch({ data, width: W, height: H });
    const keys = r.boxes.map((b) => b.join());
    expect(keys).to.include('4,5,14,15');
    expect(keys).to.include('22,10,34,26');
  });
});
