import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {correctedFailureRate, roganGladen} from "./correction.js";

describe("correctedFailureRate(labelled, unlabeled)", () => {
  // TPR 0.9 (90 of 100 human failures caught), TNR 0.85 (85 of 100 passes passed).
  const judge = {tp: 90, fn: 10, tn: 85, fp: 15};

  test("the Rogan–Gladen estimate is (p_obs + TNR − 1)/(TPR + TNR − 1)", () => {
    const rate = roganGladen(0.2, judge);
    assert.ok("value" in rate);
    assert.equal(rate.value.toFixed(6), ((0.2 + 0.85 - 1) / 0.75).toFixed(6));
  });

  test("a judge that over-flags is corrected downwards, with an interval around the estimate", () => {
    const result = correctedFailureRate(judge, {fail: 300, total: 1000}, {seed: 3, resamples: 5000});
    assert.ok("value" in result.corrected && "value" in result.observed);
    assert.equal(result.observed.value, 0.3);
    assert.equal(result.corrected.value.toFixed(4), ((0.3 + 0.85 - 1) / 0.75).toFixed(4));
    assert.ok("low" in result.interval);
    assert.ok(result.interval.low < result.corrected.value && result.corrected.value < result.interval.high);
    assert.ok(result.interval.high - result.interval.low < 0.2);
  });

  test("estimates are clipped to [0, 1]", () => {
    const rate = roganGladen(0.01, judge);
    assert.ok("value" in rate);
    assert.equal(rate.value, 0);
  });

  test("a judge no better than chance cannot be corrected, and says so", () => {
    const result = correctedFailureRate({tp: 5, fn: 5, tn: 5, fp: 5}, {fail: 10, total: 20});
    assert.ok("undefined" in result.corrected);
    assert.match(result.corrected.undefined, /TPR \+ TNR = 1\.000 ≤ 1/);
    assert.ok("undefined" in result.interval);
  });

  test("without human failures the true positive rate, and so the correction, is undefined", () => {
    const result = correctedFailureRate({tp: 0, fn: 0, tn: 9, fp: 1}, {fail: 1, total: 10});
    assert.ok("undefined" in result.corrected);
    assert.match(result.corrected.undefined, /no human-labelled failure/);
  });
});

describe("correctedFailureRate(labelled, unlabeled) at the extremes", () => {
  test("a judge without a mistake on 5 labels still leaves the corrected rate uncertain", () => {
    // The bootstrap resampled TPR = TNR = 1 every time, so the interval was the observed 18 % with no width.
    const result = correctedFailureRate({tp: 2, fp: 0, fn: 0, tn: 3}, {fail: 18, total: 100}, {seed: 1});
    assert.ok("value" in result.corrected && "low" in result.interval);
    assert.equal(result.corrected.value.toFixed(6), "0.180000");
    assert.ok(result.interval.low < 0.05 && result.interval.high > 0.35, JSON.stringify(result.interval));
    assert.equal(result.interval.method, "posterior");
    // Some draws of TPR and TNR are no better than chance; they are counted, not hidden.
    assert.ok(
      result.interval.undefinedShare > 0 && result.interval.undefinedShare < 0.2,
      String(result.interval.undefinedShare)
    );
  });
});
