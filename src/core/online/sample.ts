/**
 * @module Deterministic sampling: whether a trace falls in a share, decided by a hash of the trace id and a key
 * (an evaluator id, an automation rule id) rather than a random draw, so that a restart, a second pass or another
 * machine makes the same choice, and different evaluators sample different traces.
 */

/**
 * Where the trace falls in [0, 1) for this key: FNV-1a over the text, then murmur3's finalizer, without which ids
 * that differ in their last character (`t-1`, `t-2`, …) land close together and a small share takes all or none.
 */
export function samplePoint(traceId: string, key: string): number {
  const text = `${key}\u0000${traceId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** Whether the trace is in the `share` (0–1) for this key: every trace at 1, none at 0. */
export function inSample(traceId: string, key: string, share: number): boolean {
  if (share >= 1) return true;
  if (share <= 0) return false;
  return samplePoint(traceId, key) < share;
}
