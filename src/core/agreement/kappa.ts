/**
 * @module Cohen's kappa for two annotators: (p_o − p_e) / (1 − p_e), over the items both rated.
 *
 * Undefined (null, with the reason) when no item was rated by both, or when chance agreement is 1 — both
 * annotators gave one and the same category to everything, so agreement beyond chance cannot be measured.
 */

export type Rating = string | number | boolean;

export interface KappaResult {
  kappa: number | null;
  /** Why kappa is null. */
  reason: string | null;
  /** Items rated by both. */
  n: number;
  observed: number | null;
  expected: number | null;
}

/** Kappa over parallel arrays; an item with a null on either side is left out. */
export function cohenKappa(a: readonly (Rating | null)[], b: readonly (Rating | null)[]): KappaResult {
  if (a.length !== b.length) throw new Error(`invalid ratings: ${a.length} and ${b.length} items`);
  const pairs: [string, string][] = [];
  for (let i = 0; i < a.length; ++i) if (a[i] != null && b[i] != null) pairs.push([String(a[i]), String(b[i])]);
  const n = pairs.length;
  if (n === 0) return {kappa: null, reason: "no item was rated by both annotators", n, observed: null, expected: null};
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    countA.set(x, (countA.get(x) ?? 0) + 1);
    countB.set(y, (countB.get(y) ?? 0) + 1);
    if (x === y) agree++;
  }
  const observed = agree / n;
  let expected = 0;
  for (const [category, count] of countA) expected += (count / n) * ((countB.get(category) ?? 0) / n);
  if (expected === 1) {
    return {
      kappa: null,
      reason: "both annotators used a single, identical category for every item",
      n,
      observed,
      expected
    };
  }
  return {kappa: (observed - expected) / (1 - expected), reason: null, n, observed, expected};
}
