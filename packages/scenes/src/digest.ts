import type { Scene } from './scene.js';

/** The bytes a scene is compared by: image, semantic map, instance map, then its objects as JSON. */
export function sceneBytes(s: Scene): Uint8Array {
  const meta = new TextEncoder().encode(
    JSON.stringify({ seed: s.seed, width: s.width, height: s.height, background: s.background, touching: s.touching, objects: s.objects }),
  );
  const out = new Uint8Array(s.image.length + s.semantic.length + s.instances.length + meta.length);
  let o = 0;
  for (const part of [s.image, s.semantic, s.instances, meta]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

/**
 * SHA-256 (hex) of `sceneBytes` of each scene, in order, via WebCrypto (Node 20+, and browsers in a
 * secure context: https or localhost; elsewhere `crypto.subtle` is missing and this rejects).
 */
export async function sceneDigest(scenes: Scene | Scene[]): Promise<string> {
  const list = Array.isArray(scenes) ? scenes : [scenes];
  const parts = list.map(sceneBytes);
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  if (!globalThis.crypto?.subtle) throw new Error('sceneDigest() needs WebCrypto (crypto.subtle): Node 20+ or a secure (https or localhost) page');
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(h, (b) => b.toString(16).padStart(2, '0')).join('');
}
