/**
 * @module Krippendorff's alpha for any number of annotators with missing ratings, nominal or interval.
 *
 * Built from the coincidence matrix: each unit with m ≥ 2 ratings contributes every ordered pair of its ratings
 * with weight 1/(m − 1); units with fewer than two ratings are not pairable and are left out. Then
 * alpha = 1 − (n − 1) · Σ o_ck·δ²(c,k) / Σ n_c·n_k·δ²(c,k), with δ² = [c ≠ k] (nominal) or (c − k)² (interval).
 */

export type Level = "nominal" | "interval";

export interface AlphaResult {
  alpha: number | null;
  reason: string | null;
  /** Pairable ratings (in units rated at least twice). */
  pairable: number;
  units: number;
}

/** `units[u]` holds the ratings of unit u, one per annotator, null where the annotator gave none. */
export function krippendorffAlpha(
  units: readonly (readonly (string | number | boolean | null)[])[],
  level: Level = "nominal"
): AlphaResult {
  const values = new Map<string, number>();
  const key = (v: string | number | boolean) => (level === "interval" ? String(Number(v)) : `${typeof v}:${v}`);
  const numeric = new Map<string, number>();
  const coincidence = new Map<string, Map<string, number>>();
  let pairableUnits = 0;
  for (const unit of units) {
    const rated = unit.filter((v): v is string | number | boolean => v !== null && v !== undefined);
    if (level === "interval" && rated.some((v) => !Number.isFinite(Number(v)))) {
      throw new Error(
        `invalid rating for interval alpha: ${JSON.stringify(rated.find((v) => !Number.isFinite(Number(v))))}`
      );
    }
    const m = rated.length;
    if (m < 2) continue;
    pairableUnits++;
    const keys = rated.map((v) => {
      const k = key(v);
      numeric.set(k, Number(v));
      return k;
    });
    for (let i = 0; i < m; ++i) {
      for (let j = 0; j < m; ++j) {
        if (i === j) continue;
        let row = coincidence.get(keys[i]!);
        if (!row) coincidence.set(keys[i]!, (row = new Map()));
        row.set(keys[j]!, (row.get(keys[j]!) ?? 0) + 1 / (m - 1));
      }
    }
  }
  for (const [c, row] of coincidence)
    values.set(
      c,
      [...row.values()].reduce((s, x) => s + x, 0)
    );
  const n = [...values.values()].reduce((s, x) => s + x, 0);
  const total = Math.round(n);
  if (total < 2) return {alpha: null, reason: "fewer than two pairable ratings", pairable: total, units: pairableUnits};
  const delta = (c: string, k: string) =>
    level === "interval" ? (numeric.get(c)! - numeric.get(k)!) ** 2 : c === k ? 0 : 1;
  let observed = 0;
  for (const [c, row] of coincidence) for (const [k, o] of row) observed += o * delta(c, k);
  let expected = 0;
  for (const [c, nc] of values) for (const [k, nk] of values) expected += nc * nk * delta(c, k);
  if (expected === 0)
    return {
      alpha: null,
      reason: "every rating has the same value, so disagreement by chance is zero",
      pairable: total,
      units: pairableUnits
    };
  return {alpha: 1 - ((n - 1) * observed) / expected, reason: null, pairable: total, units: pairableUnits};
}
