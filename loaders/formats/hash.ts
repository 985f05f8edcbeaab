/**
 * @module Hashing for ids and content keys: FNV-1a 64 for ids that a source does not give (an attribute map, a
 * chat transcript line), SHA-256 where a key must not collide (caches, content versions, imported sources).
 *
 * The hash runs over the UTF-8 bytes of the text, so any other implementation of FNV-1a 64 (Python, Go, SQL)
 * reproduces the same id from the same record. The 64-bit product is computed in four 16-bit limbs: plain
 * numbers stay exact below 2^53, and BigInt would cost ten times as much per byte.
 */

import {createHash} from "node:crypto";

const encoder = new TextEncoder();

/** The SHA-256 of `text`'s UTF-8 bytes, as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The FNV-1a 64 hash of `text`'s UTF-8 bytes, as 16 lower-case hex digits. */
export function fnv1a64(text: string): string {
  // The offset basis 0xcbf29ce484222325, lowest limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const bytes = encoder.encode(text);
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i]!;
    // The prime is 2^40 + 0x1b3: limb 0 is 0x1b3 and limb 2 is 0x100. Each partial product stays below 2^26,
    // so carrying between limbs is exact.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(limb: number): string {
  return limb.toString(16).padStart(4, "0");
}
