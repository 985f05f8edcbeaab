/**
 * @module Deterministic sampling: whether a trace falls in a share, decided by a hash of the trace id and a key
 * (an evaluator id, an automation rule id) rather than a random draw, so that a restart, a second pass or another
 * machine makes the same choice, and different evaluators sample different traces.
 */
import {shortHash} from "../clusters/hash.js";

/** Where the trace falls in [0, 1) for this key. */
export function samplePoint(traceId: string, key: string): number {
  return parseInt(shortHash(`${key}\u0000${traceId}`).slice(0, 8), 16) / 0x1_0000_0000;
}

/** Whether the trace is in the `share` (0–1) for this key: every trace at 1, none at 0. */
export function inSample(traceId: string, key: string, share: number): boolean {
  if (share >= 1) return true;
  if (share <= 0) return false;
  return samplePoint(traceId, key) < share;
}
