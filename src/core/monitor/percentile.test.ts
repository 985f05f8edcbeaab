import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {seededRandom} from "../calibration/rng.js";
import {median, quantile} from "./percentile.js";

describe("quantile(values, p)", () => {
  test("gives the p50, p95 and p99 that Python's statistics.quantiles(method='inclusive') gives", () => {
    // A long-tailed latency sample (ms); the expected values were computed with Python's standard library.
    const latencies = [
      812, 95, 430, 1203, 77, 3150, 640, 640, 288, 5012, 150, 990, 433, 2750, 61, 845, 1300, 402, 218, 9800, 705, 515,
      366, 1444, 84, 610, 2210, 377, 129, 4480, 560, 902, 333, 1725, 250, 7300, 455
    ];
    assert.equal(quantile(latencies, 0.5), 610);
    assert.ok(Math.abs(quantile(latencies, 0.95)! - 5469.6) < 1e-9);
    assert.ok(Math.abs(quantile(latencies, 0.99)! - 8900) < 1e-9);
  });

  test("agrees with the value read off the line through the points (k / (n − 1), k-th smallest), for every size", () => {
    const random = seededRandom(7);
    for (let n = 1; n <= 60; n++) {
      const values = Array.from({length: n}, () => Math.round(100 * Math.exp(3 * random())));
      const sorted = [...values].sort((a, b) => a - b);
      for (const p of [0, 0.5, 0.95, 0.99, 1]) {
        // Walk the segments until the one that spans p, then interpolate on it.
        let expected = sorted[0]!;
        for (let k = 0; k + 1 < n; k++) {
          const [x0, x1] = [k / (n - 1), (k + 1) / (n - 1)];
          if (p >= x0 && p <= x1) {
            expected = sorted[k]! + ((p - x0) / (x1 - x0)) * (sorted[k + 1]! - sorted[k]!);
            break;
          }
        }
        assert.ok(Math.abs(quantile(values, p)! - expected) < 1e-6, `n ${n}, p ${p}`);
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
