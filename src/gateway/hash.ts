/**
 * The hashes of rendezvous hashing: FNV-1a over a request's key once, then a cheap mix of that
 * with each node's own hash (murmur3's finalizer), so that ranking N nodes costs one pass over
 * the prompt prefix and N multiplications, not N passes. Pure.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of the UTF-16 code units of `text` (enough to spread prompts; not cryptographic). */
export function hashText(text: string, seed = FNV_OFFSET): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** A well-spread 32-bit number of two (murmur3 fmix32 of their combination). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Weighted rendezvous score of a node for a key: `weight / -ln(u)` with `u` in (0, 1) drawn from
 * the two hashes; the node with the highest score owns the key, and a node's share of keys is
 * its share of the total weight.
 */
export function rendezvousScore(keyHash: number, nodeHash: number, weight: number): number {
  const u = (mix(keyHash, nodeHash) + 0.5) / 4294967296;
  return weight / -Math.log(u);
}
