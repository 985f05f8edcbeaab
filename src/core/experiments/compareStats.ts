/**
 * @module The exact McNemar test on paired pass/fail verdicts: the same cases run by two candidates, A (baseline)
 * and B. Only the discordant cases carry information about a difference: `regressed` (A passed, B failed) and
 * `improved` (A failed, B passed). Under "no difference" each discordant case is a fair coin, so the regressed count
 * is Binomial(regressed + improved, ½). The exact test is used rather than the χ² approximation because
 * experiments are small and the discordant counts smaller still, where the approximation is poor.
 */

/** ln(n!) by summing logs: exact enough for the tail sums below and free of any gamma approximation. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1]! + Math.log(k);
  return out;
}

/** P(X ≥ k) for X ~ Binomial(n, ½). */
export function binomialUpperTail(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const lf = logFactorials(n);
  const ln2n = n * Math.LN2;
  let sum = 0;
  for (let j = k; j <= n; j++) sum += Math.exp(lf[n]! - lf[j]! - lf[n - j]! - ln2n);
  return Math.min(1, sum);
}

export interface McNemar {
  /** Cases A passed and B failed. */
  regressed: number;
  /** Cases A failed and B passed. */
  improved: number;
  /** Two-sided exact p-value: is B different from A at all? 1 when no case is discordant. */
  pTwoSided: number;
  /** One-sided exact p-value for "B passes less often than A": P(X ≥ regressed), X ~ Binomial(discordant, ½). */
  pWorse: number;
}

export function mcnemarExact(regressed: number, improved: number): McNemar {
  const n = regressed + improved;
  const low = Math.min(regressed, improved);
  // Two-sided: double the smaller tail (the conventional exact McNemar), capped at 1. P(X ≤ low) is read as
  // P(X ≥ n − low) by symmetry, so no 1 − x cancellation loses the small p-values that matter.
  const pTwoSided = n === 0 ? 1 : Math.min(1, 2 * binomialUpperTail(n - low, n));
  return {regressed, improved, pTwoSided, pWorse: binomialUpperTail(regressed, n)};
}
