import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {compareExperiments, type ExperimentCase} from "./compare.js";
import {binomialUpperTail, mcnemarExact} from "./compareStats.js";

/** C(n, k) in exact integers: an independent route to the binomial tail, sharing no code with the module. */
function choose(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}
/** P(X ≥ k), X ~ Binomial(n, ½), as an exact fraction turned into a double only at the end. */
function exactTail(k: number, n: number): number {
  let num = 0n;
  for (let j = Math.max(0, k); j <= n; j++) num += choose(n, j);
  const den = 1n << BigInt(n);
  // Scale before dividing so the double keeps its precision for tiny tails.
  const scale = 10n ** 40n;
  return Number((num * scale) / den) / 1e40;
}

describe("the exact McNemar test", () => {
  test("the binomial tail equals the exact sum of binomial coefficients for every k up to n = 60", () => {
    for (const n of [1, 2, 7, 20, 33, 60]) {
      for (let k = 0; k <= n + 1; k++) {
        const want = exactTail(k, n);
        const got = binomialUpperTail(k, n);
        assert.ok(Math.abs(got - want) <= 1e-12 + 1e-9 * want, `n=${n} k=${k}: ${got} vs ${want}`);
      }
    }
  });

  test("gives the textbook p-values: 1 regression against 8 improvements is p = 0.0390625 two-sided", () => {
    // statsmodels' mcnemar(exact=True) on [[·, 1], [8, ·]] reports 0.0390625 (= 2 · 10 / 512).
    const near = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-12, `${x} vs ${y}`);
    near(mcnemarExact(1, 8).pTwoSided, 0.0390625);
    near(mcnemarExact(8, 1).pTwoSided, 0.0390625);
    // One-sided, B worse: P(X ≥ 8 | n = 9) = 10 / 512.
    near(mcnemarExact(8, 1).pWorse, 10 / 512);
    near(mcnemarExact(1, 8).pWorse, 1 - 1 / 512);
  });

  test("no discordant case means no evidence of a difference (p = 1 both ways)", () => {
    assert.deepEqual(mcnemarExact(0, 0), {regressed: 0, improved: 0, pTwoSided: 1, pWorse: 1});
  });

  test("equal discordant counts give p = 1 two-sided, never above it", () => {
    assert.equal(mcnemarExact(5, 5).pTwoSided, 1);
  });

  test("matches the exact two-sided definition over many tables", () => {
    for (let r = 0; r <= 25; r++) {
      for (let i = 0; i <= 25; i++) {
        const n = r + i;
        const low = Math.min(r, i);
        const want = n === 0 ? 1 : Math.min(1, 2 * (1 - exactTail(low + 1, n)));
        assert.ok(Math.abs(mcnemarExact(r, i).pTwoSided - want) < 1e-12, `${r}/${i}`);
      }
    }
  });
});

const kase = (caseId: string, verdicts: Record<string, "pass" | "fail">, extra: Partial<ExperimentCase> = {}) => ({
  caseId,
  traceId: `t-${caseId}`,
  input: `input ${caseId}`,
  output: `output ${caseId}`,
  error: null,
  costUsd: 0.01,
  latencyMs: 100,
  verdicts,
  ...extra
});

describe("comparing two experiments", () => {
  const a = {
    name: "baseline",
    cases: [
      kase("1", {ok: "pass"}),
      kase("2", {ok: "pass"}),
      kase("3", {ok: "fail"}),
      kase("4", {ok: "fail"}),
      kase("5", {ok: "pass"}, {costUsd: null, latencyMs: 300}),
      kase("6", {ok: "pass"})
    ]
  };
  const b = {
    name: "candidate",
    cases: [
      kase("1", {ok: "fail"}, {costUsd: 0.03}),
      kase("2", {ok: "pass"}),
      kase("3", {ok: "pass"}),
      kase("4", {ok: "fail"}),
      kase("5", {}, {output: null, error: "timeout"}),
      kase("7", {ok: "pass"})
    ]
  };
  const result = compareExperiments(a, b);

  test("pairs verdicts by case and sorts each case into regressed, improved or stayed", () => {
    const [ok] = result.evaluators;
    assert.equal(ok!.paired, 4);
    assert.equal(ok!.unpaired, 3, "case 5 has no verdict in B, 6 is only in A, 7 only in B");
    assert.deepEqual(ok!.regressed, ["1"]);
    assert.deepEqual(ok!.improved, ["3"]);
    assert.deepEqual(ok!.stayedPass, ["2"]);
    assert.deepEqual(ok!.stayedFail, ["4"]);
    assert.equal(ok!.a.rate, 0.5);
    assert.equal(ok!.b.rate, 0.5);
    assert.equal(ok!.difference, 0);
    assert.equal(ok!.test.pTwoSided, 1);
  });

  test("lists every case once, in A's order then B's extras, with both sides and the evaluators that moved", () => {
    assert.deepEqual(
      result.cases.map((c) => c.caseId),
      ["1", "2", "3", "4", "5", "6", "7"]
    );
    assert.deepEqual(result.cases[0]!.regressed, ["ok"]);
    assert.deepEqual(result.cases[2]!.improved, ["ok"]);
    assert.equal(result.cases[5]!.b, null);
    assert.equal(result.cases[6]!.a, null);
    assert.equal(result.cases[4]!.b!.error, "timeout");
  });

  test("totals cost over costed cases only and counts errors", () => {
    assert.equal(result.spend.a.costed, 5);
    assert.ok(Math.abs(result.spend.a.totalCostUsd! - 0.05) < 1e-12);
    assert.ok(Math.abs(result.spend.b.totalCostUsd! - 0.08) < 1e-12);
    assert.equal(result.spend.b.errors, 1);
    assert.equal(result.spend.a.p50LatencyMs, 100);
  });
});
