/**
 * @module Whether a clause earns its place in an induced rule: a likelihood-ratio (G) test on the 2×2 table of the
 * traces the clause changes, split by outcome. Rule learners such as CN2 and RIPPER gate refinements the same way;
 * here the threshold is Bonferroni-corrected for the number of clauses tried, because with hundreds of candidate
 * n-grams one of them fits a handful of training traces by chance.
 */

/** The G statistic of a 2×2 table [[a, b], [c, d]] (rows: with / without the clause; columns: fail / pass). */
export function gStatistic(a: number, b: number, c: number, d: number): number {
  const n = a + b + c + d;
  if (n === 0) return 0;
  const rows = [a + b, c + d];
  const cols = [a + c, b + d];
  const cells = [
    [a, 0, 0],
    [b, 0, 1],
    [c, 1, 0],
    [d, 1, 1]
  ] as const;
  let g = 0;
  for (const [observed, r, k] of cells) {
    if (observed === 0) continue;
    const expected = (rows[r]! * cols[k]!) / n;
    g += observed * Math.log(observed / expected);
  }
  return 2 * g;
}

/** P(X ≥ x) for X ~ χ² with one degree of freedom: erfc(√(x/2)). */
export function chiSquare1Tail(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Whether the traces with the clause (a fail, b pass) fail more often than those without it (c fail, d pass), at
 * significance level `alpha`.
 */
export function failsMoreOften(a: number, b: number, c: number, d: number, alpha: number): boolean {
  if (a + b === 0 || c + d === 0) return false;
  if (a / (a + b) <= c / (c + d)) return false;
  return chiSquare1Tail(gStatistic(a, b, c, d)) < alpha;
}
