/**
 * A bounded memo of recent keys, cheaper per hit than a strict LRU: two
 * generations of Maps. Hits in the young one cost one lookup; hits in the old
 * one are promoted; when the young one fills, the old one is dropped whole.
 * So a key used at least once per `size` insertions stays, memory is bounded
 * by 2 x `size` entries, and a flood of unique keys (an attacker rotating
 * User-Agents) only ever evicts, never grows the heap.
 */
export interface RecentCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}

export function createRecentCache<V>(size: number): RecentCache<V> {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`createRecentCache: size must be a positive integer, got ${size}`);
  let young = new Map<string, V>();
  let old = new Map<string, V>();
  function set(key: string, value: V): void {
    if (young.size >= size) {
      old = young;
      young = new Map();
    }
    young.set(key, value);
  }
  return {
    get(key) {
      const hit = young.get(key);
      if (hit !== undefined) return hit;
      const promoted = old.get(key);
      if (promoted !== undefined) {
        old.delete(key);
        set(key, promoted);
      }
      return promoted;
    },
    set,
  };
}
