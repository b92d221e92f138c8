/**
 * FNV-1a (32-bit) with a murmur3 finalizer: fast, allocation-free, and well
 * enough mixed for sketches. Not a defence against chosen collisions; the
 * sketches only estimate, and an attacker gaining a few percent of error on a
 * distinct count does not hide a flood.
 */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
