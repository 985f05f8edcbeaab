import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {mcc} from "./judgeAgreement.js";
import {binomial} from "./binomial.js";
import {bootstrapIntervals, percentileInterval, quantileSorted, resampleConfusion} from "./bootstrap.js";
import type {Confusion} from "./confusion.js";
import {seededRandom} from "./rng.js";

/** The binomial probability mass, computed in logs. */
function binomialPmf(n: number, p: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log(n - k + i) - Math.log(i);
  return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

function histogram(draw: () => number, count: number): Map<number, number> {
  const h = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const k = draw();
    h.set(k, (h.get(k) ?? 0) + 1);
  }
  return h;
}

/** Total variation distance between an empirical histogram and the exact binomial pmf. */
function distanceToPmf(h: Map<number, number>, count: number, n: number, p: number): number {
  let d = 0;
  for (let k = 0; k <= n; k++) d += Math.abs((h.get(k) ?? 0) / count - binomialPmf(n, p, k));
  return d / 2;
}

describe("binomial(n, p, random)", () => {
  // With 200,000 draws the sampling noise in total variation distance is about 0.01 for these supports; a wrong
  // sampler (a normal approximation, an off-by-one) is several times further away.
  for (const [n, p, label] of [
    [30, 0.2, "a small mean"],
    [1000, 0.3, "the beta recursion"],
    [10_000, 0.002, "a small mean at a large n"],
    [200, 0.07, "just past the recursion's threshold"],
    [50, 0.85, "p above 0.5"]
  ] as const) {
    test(`matches the exact pmf (${label}: n=${n}, p=${p})`, () => {
      const random = seededRandom(7);
      const count = 200_000;
      const h = histogram(() => binomial(n, p, random), count);
      const d = distanceToPmf(h, count, n, p);
      assert.ok(d < 0.02, `total variation distance ${d.toFixed(4)}`);
      let mean = 0;
      for (const [k, c] of h) mean += (k * c) / count;
      assert.ok(Math.abs(mean - n * p) < 4 * Math.sqrt((n * p * (1 - p)) / count) + 1e-9, `mean ${mean}`);
    });
  }

  test("handles the edges: p 0 and 1, n 0", () => {
    const random = seededRandom(1);
    assert.equal(binomial(10, 0, random), 0);
    assert.equal(binomial(10, 1, random), 10);
    assert.equal(binomial(0, 0.5, random), 0);
  });
});

describe("bootstrap", () => {
  const c: Confusion = {tp: 30, fp: 10, fn: 8, tn: 52};

  test("a multinomial resample has the distribution of naive index resampling", () => {
    const pairs: (keyof Confusion)[] = [];
    for (const cell of ["tp", "fp", "fn", "tn"] as const) for (let i = 0; i < c[cell]; i++) pairs.push(cell);
    const random = seededRandom(3);
    const count = 20_000;
    const naive = (): Confusion => {
      const out = {tp: 0, fp: 0, fn: 0, tn: 0};
      for (let i = 0; i < pairs.length; i++) out[pairs[Math.floor(random() * pairs.length)]!]++;
      return out;
    };
    const summarize = (draw: () => Confusion) => {
      const mccs: number[] = [];
      const tps: number[] = [];
      for (let i = 0; i < count; i++) {
        const r = draw();
        tps.push(r.tp);
        const m = mcc(r);
        if ("value" in m) mccs.push(m.value);
      }
      mccs.sort((a, b) => a - b);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / xs.length);
      return {
        tpMean: mean(tps),
        tpSd: sd(tps),
        mccMean: mean(mccs),
        low: quantileSorted(mccs, 0.025),
        high: quantileSorted(mccs, 0.975)
      };
    };
    const a = summarize(naive);
    const b = summarize(() => resampleConfusion(c, random));
    assert.ok(Math.abs(a.tpMean - b.tpMean) < 0.15, `tp mean ${a.tpMean} vs ${b.tpMean}`);
    assert.ok(Math.abs(a.tpSd - b.tpSd) < 0.1, `tp sd ${a.tpSd} vs ${b.tpSd}`);
    assert.ok(Math.abs(a.mccMean - b.mccMean) < 0.005, `MCC mean ${a.mccMean} vs ${b.mccMean}`);
    assert.ok(Math.abs(a.low - b.low) < 0.015, `2.5 % ${a.low} vs ${b.low}`);
    assert.ok(Math.abs(a.high - b.high) < 0.015, `97.5 % ${a.high} vs ${b.high}`);
    // Every resample keeps n.
    const r = resampleConfusion(c, random);
    assert.equal(r.tp + r.fp + r.fn + r.tn, 100);
  });

  test("the same seed gives the same interval, another seed a different one", () => {
    const a = bootstrapIntervals(c, {seed: 42, resamples: 500});
    const b = bootstrapIntervals(c, {seed: 42, resamples: 500});
    const d = bootstrapIntervals(c, {seed: 43, resamples: 500});
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.mcc, d.mcc);
  });

  test("ChatGPT's LLMBar MCC interval straddles 0.6 as its README says (about 0.46–0.76)", () => {
    const interval = bootstrapIntervals({tp: 37, fp: 15, fn: 5, tn: 43}, {seed: 1, resamples: 5000}).mcc;
    assert.ok("low" in interval);
    assert.ok(interval.low > 0.43 && interval.low < 0.49, `low ${interval.low}`);
    assert.ok(interval.high > 0.73 && interval.high < 0.79, `high ${interval.high}`);
  });

  test("resamples where a metric is undefined are counted, not turned into numbers", () => {
    // With a single human failure, many resamples lose it and MCC is undefined there.
    const interval = bootstrapIntervals({tp: 1, fp: 2, fn: 0, tn: 17}, {seed: 5, resamples: 1000}).mcc;
    assert.ok("low" in interval);
    assert.ok(interval.undefinedShare > 0.25 && interval.undefinedShare < 0.45, String(interval.undefinedShare));
    assert.equal(interval.draws, 1000);
    assert.ok(Number.isFinite(interval.low) && Number.isFinite(interval.high));
  });

  test("a metric undefined in every resample has an undefined interval with the reason", () => {
    const interval = bootstrapIntervals({tp: 0, fp: 0, fn: 0, tn: 20}, {seed: 1, resamples: 100}).mcc;
    assert.ok("undefined" in interval);
    assert.match(interval.undefined, /no trace a human failed/);
  });

  test("percentiles interpolate like numpy's default", () => {
    // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) == [1.075, 3.925]
    const interval = percentileInterval(
      [1, 2, 3, 4].map((value) => ({value})),
      0.95
    );
    assert.ok("low" in interval);
    assert.equal(interval.low.toFixed(6), "1.075000");
    assert.equal(interval.high.toFixed(6), "3.925000");
  });
});
