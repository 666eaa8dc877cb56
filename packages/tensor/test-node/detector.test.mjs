// The detector glue's pure helpers, against hand-worked numbers (the whole pipeline is checked
// against torchvision in packages/models/test-node/detector.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterProposals, pasteMask } from '@convlab/tensor';

test('filterProposals: top-N by objectness, tiny boxes dropped, NMS in objectness order', () => {
  // 5 anchors: logits and their regressed boxes (4 numbers each).
  const logits = [0.5, 3, 2, -1, 1];
  const boxes = [
    [0, 0, 10, 10], // 0: logit 0.5
    [0, 0, 10, 10], // 1: logit 3 (best)
    [1, 0, 11, 10], // 2: logit 2, IoU with 1 = 90 / 110 = 0.818 > 0.7 -> suppressed
    [50, 50, 60, 60], // 3: logit -1, cut by preNmsTopN = 4
    [20, 20, 20.0005, 30], // 4: logit 1, narrower than minSize 1e-3 -> dropped
  ].flat();
  const { beforeNms, proposals } = filterProposals(logits, boxes, { preNmsTopN: 4, postNmsTopN: 10, nmsThreshold: 0.7, minSize: 1e-3 });
  assert.deepEqual(beforeNms.anchor, [1, 2, 0]);
  assert.ok(Math.abs(beforeNms.scores[0] - 1 / (1 + Math.exp(-3))) < 1e-7);
  // 0 duplicates 1 exactly (IoU 1): suppressed too.
  assert.deepEqual(proposals.anchor, [1]);
  const looser = filterProposals(logits, boxes, { preNmsTopN: 5, postNmsTopN: 10, nmsThreshold: 0.85, minSize: 1e-3 });
  assert.deepEqual(looser.proposals.anchor, [1, 2, 3]);
  const capped = filterProposals(logits, boxes, { preNmsTopN: 5, postNmsTopN: 2, nmsThreshold: 0.85, minSize: 1e-3 });
  assert.deepEqual(capped.proposals.anchor, [1, 2]);
});

test("pasteMask: torchvision's padded, expanded, bilinear paste", () => {
  // A 2 x 2 mask of ones in box [10, 10, 14, 14]: padded to 4 x 4 (a ring of zeros), the box grows by
  // 4 / 2 = 2 about its centre (12, 12) to [8, 8, 16, 16], so the mask is resized to 9 x 9 pixels.
  const out = pasteMask([1, 1, 1, 1], 2, [10, 10, 14, 14], [32, 32]);
  const at = (x, y) => out[y * 32 + x];
  // Outside [8, 16] nothing.
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) if (x < 8 || x > 16 || y < 8 || y > 16) assert.equal(at(x, y), 0);
  // Centre: source row (4 + 0.5) * 4 / 9 - 0.5 = 1.5, between two rows of ones.
  assert.ok(Math.abs(at(12, 12) - 1) < 1e-6);
  // Corner pixel (8, 8): source -0.28 clamps to 0, the zero padding.
  assert.equal(at(8, 8), 0);
  // Pixel (9, 12): source column (1.5) * 4 / 9 - 0.5 = 1 / 6: 1 / 6 of the way from padding to ones.
  assert.ok(Math.abs(at(9, 12) - 1 / 6) < 1e-6, `${at(9, 12)}`);
  // Symmetric about the centre.
  assert.ok(Math.abs(at(9, 12) - at(15, 12)) < 1e-6);
  // A box hanging over the edge is cut by the image.
  const edge = pasteMask([1, 1, 1, 1], 2, [-2, -2, 2, 2], [8, 8]);
  assert.ok(Math.abs(edge[0] - 1) < 1e-6);
  assert.equal(edge[7 * 8 + 7], 0);
});
