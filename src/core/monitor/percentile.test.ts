import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {quantile as d3Quantile} from "d3-array";
import {seededRandom} from "../calibration/rng.js";
import {median, quantile} from "./percentile.js";

describe("quantile(values, p)", () => {
  test("agrees with d3's quantile on random samples of every size, for p50, p95 and p99", () => {
    const random = seededRandom(7);
    for (let n = 1; n <= 60; n++) {
      // Latency-like: long-tailed, with ties.
      const values = Array.from({length: n}, () => Math.round(100 * Math.exp(3 * random())));
      for (const p of [0, 0.5, 0.95, 0.99, 1]) {
        const ours = quantile(values, p)!;
        const theirs = d3Quantile(values, p)!;
        assert.ok(Math.abs(ours - theirs) < 1e-9, `n ${n}, p ${p}: ${ours} vs ${theirs}`);
      }
    }
  });

  test("interpolates between ranks and leaves the input unsorted", () => {
    const values = [40, 10, 30, 20];
    assert.equal(quantile(values, 0.5), 25);
    assert.equal(quantile(values, 0.95), 38.5);
    assert.deepEqual(values, [40, 10, 30, 20]);
  });

  test("has no value for no values", () => {
    assert.equal(quantile([], 0.5), null);
    assert.equal(median([]), null);
  });
});
