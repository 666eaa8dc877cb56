// @convlab/models/detector.js: every file of the shapes detector is named literally (so bundlers copy
// it) and exists, and detectorFetch sends the loader's relative requests to those URLs (in Node they
// are the files themselves; in a Vite build they are the renamed copies: checked by the built site,
// Storybook and the bench page, which load the detector through this module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DETECTOR_URL, DETECTOR_FILES, detectorFetch } from '@convlab/models/detector.js';

test('DETECTOR_FILES names detector.json, the four model.json files and their weights, all present', () => {
  assert.equal(DETECTOR_FILES['detector.json'], DETECTOR_URL);
  const config = JSON.parse(readFileSync(fileURLToPath(DETECTOR_URL), 'utf8'));
  for (const part of ['backbone', 'rpn', 'box', 'mask']) {
    const rel = config.parts?.[part] ?? `${part}/model.json`;
    assert.ok(DETECTOR_FILES[rel], `${rel} is listed`);
    const model = JSON.parse(readFileSync(fileURLToPath(DETECTOR_FILES[rel]), 'utf8'));
    for (const g of model.weightsManifest) for (const p of g.paths) {
      const w = rel.replace(/model\.json$/, p);
      assert.ok(DETECTOR_FILES[w], `${w} is listed`);
      assert.ok(existsSync(fileURLToPath(DETECTOR_FILES[w])), `${w} exists`);
    }
  }
});

test('detectorFetch maps a URL under detector.json\'s folder to the listed file and passes others through', async () => {
  const asked = [];
  const fake = async (url) => {
    asked.push(String(url));
    return new Response('{}');
  };
  const f = detectorFetch(fake);
  const base = new URL('.', DETECTOR_URL).href;
  await f(new URL('rpn/model.json', base).href);
  await f(new URL('box/weights.bin?v=1', base).href);
  await f('https://example.org/other.json');
  assert.deepEqual(asked, [DETECTOR_FILES['rpn/model.json'], DETECTOR_FILES['box/weights.bin'], 'https://example.org/other.json']);
});
