import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {agreementIntervals} from "./intervals.js";
import {mcc} from "./judgeAgreement.js";
import {mccInterval} from "./posterior.js";
import {normalQuantile, wilsonInterval} from "./wilson.js";

const bounds = (i: ReturnType<typeof wilsonInterval>, digits = 4) => {
  assert.ok("low" in i, JSON.stringify(i));
  return [i.low.toFixed(digits), i.high.toFixed(digits)];
};

describe("wilsonInterval(successes, trials)", () => {
  test("8 of 10 gives [0.4902, 0.9433], as the formula gives by hand", () => {
    // p = 0.8, z = 1.959964: centre (0.8 + z²/20) / (1 + z²/10) = 0.71674,
    // half-width z / (1 + z²/10) · √(0.8·0.2/10 + z²/400) = 0.22657.
    assert.deepEqual(bounds(wilsonInterval(8, 10)), ["0.4902", "0.9433"]);
  });

  test("keeps a width at the extremes, where the bootstrap had none", () => {
    assert.deepEqual(bounds(wilsonInterval(10, 10)), ["0.7225", "1.0000"]);
    assert.deepEqual(bounds(wilsonInterval(0, 5)), ["0.0000", "0.4345"]);
  });

  test("no trials, no interval, with the reason", () => {
    assert.deepEqual(wilsonInterval(0, 0, 0.95, "no trace a human failed"), {undefined: "no trace a human failed"});
  });

  test("the normal quantile matches the tables", () => {
    assert.equal(normalQuantile(0.975).toFixed(6), "1.959964");
    assert.equal(normalQuantile(0.995).toFixed(6), "2.575829");
    assert.equal(normalQuantile(0.5), 0);
    assert.equal(normalQuantile(0.001).toFixed(5), "-3.09023");
  });
});

describe("mccInterval(confusion): the Dirichlet (Jeffreys) posterior", () => {
  test("contains the point for a typical matrix", () => {
    const c = {tp: 40, fp: 5, fn: 10, tn: 45};
    const point = mcc(c);
    const i = mccInterval(c);
    assert.ok("value" in point && "low" in i);
    assert.ok(i.low < point.value && point.value < i.high, `${i.low} ${point.value} ${i.high}`);
    assert.ok(i.high - i.low < 0.35);
    assert.equal(i.method, "posterior");
    assert.equal(i.undefinedShare, 0);
  });

  test("5 pairs all correct are weak evidence: the lower bound is far below 1, and below 0.4", () => {
    const i = mccInterval({tp: 2, fp: 0, fn: 0, tn: 3});
    assert.ok("low" in i);
    assert.ok(i.low < 0.4, `low ${i.low}`);
    assert.ok(i.high > 0.9, `high ${i.high}`);
  });

  test("narrows as the same perfect agreement is seen on more pairs", () => {
    const small = mccInterval({tp: 2, fp: 0, fn: 0, tn: 3});
    const large = mccInterval({tp: 200, fp: 0, fn: 0, tn: 300});
    assert.ok("low" in small && "low" in large);
    assert.ok(large.low > 0.97, `low ${large.low}`);
    assert.ok(large.high - large.low < small.high - small.low);
  });

  test("is the same for a seed and moves with another", () => {
    const c = {tp: 8, fp: 7, fn: 0, tn: 18};
    assert.deepEqual(mccInterval(c, {seed: 7}), mccInterval(c, {seed: 7}));
    assert.notDeepEqual(mccInterval(c, {seed: 7}), mccInterval(c, {seed: 8}));
  });
});

describe("agreementIntervals(confusion)", () => {
  test("rates get Wilson intervals and the four-cell metrics posterior ones", () => {
    const all = agreementIntervals({tp: 8, fp: 1, fn: 2, tn: 9});
    for (const name of ["accuracy", "tpr", "tnr", "precision"] as const) {
      const i = all[name];
      assert.ok("low" in i && i.method === "wilson", name);
    }
    for (const name of ["mcc", "kappa", "f1", "balancedAccuracy"] as const) {
      const i = all[name];
      assert.ok("low" in i && i.method === "posterior", name);
    }
    assert.deepEqual(bounds(all.tpr), bounds(wilsonInterval(8, 10)));
  });

  test("a metric with no value has no interval either, and says why", () => {
    const all = agreementIntervals({tp: 0, fp: 0, fn: 0, tn: 20});
    assert.ok("undefined" in all.mcc && /no trace a human failed/.test(all.mcc.undefined));
    assert.ok("undefined" in all.tpr);
    assert.ok("low" in all.tnr);
  });
});
