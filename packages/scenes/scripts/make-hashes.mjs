// Writes test/fixtures/scene-hashes.json: the SHA-256 of the scenes of test/cases.mjs, computed in
// Node. The Node test recomputes them (a changed generator must regenerate this file on purpose) and
// the browser test checks that Chromium produces the very same bytes.
// Run: npm run hashes -w @convlab/scenes
import { writeFileSync } from 'node:fs';
import { scene, sceneDigest } from '../dist/index.js';
import { HASH_CASES } from '../test/cases.mjs';

const out = {};
for (const c of HASH_CASES) out[c.name] = await sceneDigest(c.seeds.map((s) => scene(s, c.options)));
writeFileSync(new URL('../test/fixtures/scene-hashes.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(out);
