// Shared by the Node and Chromium selective-search tests and the fixture script: the cases and the
// digest of a result (SHA-256 via WebCrypto of the JSON of its boxes, ranks and merges).
export const FIXTURE_CASES = [
  { seed: 2000000, options: { maxBoxes: 300 } },
  { seed: 2000001, options: { maxBoxes: 300 } },
  { seed: 2000002, options: { mode: 'fast', maxBoxes: 300 } },
];

export async function selectiveSearchDigest(r) {
  const text = JSON.stringify({ boxes: r.boxes, ranks: r.ranks, sources: r.sources, steps: r.hierarchies.map((h) => h.steps), labels: r.hierarchies.map((h) => Array.from(h.segmentation.labels)) });
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}
