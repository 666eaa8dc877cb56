// Writes test/fixtures/selective-search.json: the SHA-256 of selective search's output (boxes,
// ranks, every hierarchy's merges) on a few test scenes, computed in Node. test/selective-search.test.ts
// recomputes it in Chromium and test-node/selective-search.test.mjs in Node: the same image gives the
// same proposals in both. A change to the algorithm changes the digests: rerun this on purpose
// (after building the package): node packages/tensor/scripts/make-selective-search-fixture.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selectiveSearch } from '@convlab/tensor';
import { scene } from '@convlab/scenes';
import { selectiveSearchDigest, FIXTURE_CASES } from '../test/selective-search-digest.mjs';

const cases = [];
for (const c of FIXTURE_CASES) {
  const s = scene(c.seed);
  const r = selectiveSearch({ data: s.image, width: s.width, height: s.height }, c.options);
  cases.push({ ...c, boxes: r.boxes.length, merges: r.hierarchies.map((h) => h.steps.length), first: r.boxes.slice(0, 3), digest: await selectiveSearchDigest(r) });
}
const out = fileURLToPath(new URL('../test/fixtures/selective-search.json', import.meta.url));
writeFileSync(out, `{"note": "written by scripts/make-selective-search-fixture.mjs in Node", "cases": [\n${cases.map((c) => ' ' + JSON.stringify(c)).join(',\n')}\n]}\n`);
console.log(`wrote ${out}`);
