import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {binomial} from "../calibration/binomial.js";
import {seededRandom} from "../calibration/rng.js";
import {proportionDrift, robustDrift, robustZ, twoProportionZ} from "./drift.js";

const flaggedAt = (results: ReturnType<typeof proportionDrift>) =>
  results.flatMap((r, i) => (r.tested && r.flagged ? [i] : []));

describe("the failure-rate drift test", () => {
  test("the z-statistic is the textbook pooled two-proportion one", () => {
    // 30 of 100 against 100 of 1,000: pooled 130/1100.
    const pooled = 130 / 1100;
    const expected = (0.3 - 0.1) / Math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 1000));
    assert.ok(Math.abs(twoProportionZ({fail: 30, total: 100}, {fail: 100, total: 1000})! - expected) < 1e-12);
    assert.equal(twoProportionZ({fail: 0, total: 100}, {fail: 0, total: 1000}), null);
  });

  test("a step from 10 % to 30 % failures is flagged where it happens", () => {
    const random = seededRandom(11);
    const series = Array.from({length: 30}, (_, i) => ({fail: binomial(200, i < 20 ? 0.1 : 0.3, random), total: 200}));
    const flagged = flaggedAt(proportionDrift(series));
    assert.ok(flagged.includes(20), `flagged ${flagged.join(", ")}`);
    assert.ok(
      flagged.every((i) => i >= 20),
      `flagged before the step: ${flagged.join(", ")}`
    );
  });

  test("a steady 10 % failure rate with binomial noise raises no flag", () => {
    const random = seededRandom(5);
    const series = Array.from({length: 200}, () => ({fail: binomial(200, 0.1, random), total: 200}));
    assert.deepEqual(flaggedAt(proportionDrift(series)), []);
  });

  test("buckets too small for the test, and the first with too little before them, are left untested", () => {
    const results = proportionDrift([
      {fail: 5, total: 20},
      {fail: 5, total: 20},
      {fail: 1, total: 5},
      {fail: 15, total: 20}
    ]);
    assert.deepEqual(
      results.map((r) => r.tested),
      [false, false, false, true]
    );
    assert.match((results[2] as {reason: string}).reason, /fewer than 10 traces in the bucket/);
  });
});

describe("the cost drift test", () => {
  test("the robust z is 0.6745 (x − median) / MAD", () => {
    // median 3, deviations 2 1 0 1 2 → MAD 1.
    assert.equal(robustZ(8, [1, 2, 3, 4, 5]), 0.6745 * 5);
    // More than half the window at 2: MAD 0, so the mean absolute deviation (0.4) scales.
    assert.ok(Math.abs(robustZ(8, [2, 2, 2, 2, 4])! - 6 / (1.253314 * 0.4)) < 1e-12);
    assert.equal(robustZ(8, [2, 2, 2, 2, 2]), null);
  });

  test("a doubling of cost per trace is flagged where it happens, and a single spike before it does not hide it", () => {
    const random = seededRandom(3);
    const series = Array.from({length: 30}, (_, i) => (i < 20 ? 0.01 : 0.02) * (1 + 0.1 * (random() - 0.5)));
    series[10] = 0.5;
    const flagged = flaggedAt(robustDrift(series));
    assert.ok(flagged.includes(20), `flagged ${flagged.join(", ")}`);
    assert.deepEqual(
      flagged.filter((i) => i < 20),
      [10]
    );
  });

  test("noise of ±5 % around a steady cost raises no flag", () => {
    const random = seededRandom(9);
    const series = Array.from({length: 300}, () => 0.01 * (1 + 0.1 * (random() - 0.5)));
    assert.deepEqual(flaggedAt(robustDrift(series)), []);
  });

  test("empty buckets are skipped in the window, not read as zero cost", () => {
    const series = [1, null, 1.1, 0.9, null, 1.05, 0.95, 1.0, 1.02];
    const last = robustDrift(series).at(-1)!;
    assert.ok(last.tested && !last.flagged);
  });
});
