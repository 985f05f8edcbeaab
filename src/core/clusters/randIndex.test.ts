import assert from "node:assert/strict";
import {test} from "node:test";
import {adjustedRandIndex, purity} from "./randIndex.js";

test("purity and ARI of a split-and-merged partition match the values computed by hand", () => {
  // Contingency: cluster 0 = {a, a}, cluster 1 = {a, b}, cluster 2 = {b, b}.
  // Purity = (2 + 1 + 2) / 6. ARI: index = 1 + 1 = 2, row pairs 3, column pairs 3 + 3 = 6, expected = 3·6/15 = 1.2,
  // max = 4.5, so ARI = (2 − 1.2) / (4.5 − 1.2) = 8/33.
  const predicted = [0, 0, 1, 1, 2, 2];
  const truth = ["a", "a", "a", "b", "b", "b"];
  assert.equal(purity(predicted, truth), 5 / 6);
  assert.ok(Math.abs(adjustedRandIndex(predicted, truth) - 8 / 33) < 1e-12);
});

test("a relabelled identical partition scores 1 on both", () => {
  assert.equal(purity([7, 7, 3, 3], [1, 1, 0, 0]), 1);
  assert.equal(adjustedRandIndex([7, 7, 3, 3], [1, 1, 0, 0]), 1);
});

test("a partition that cuts across every class scores below chance", () => {
  // Contingency [[1,1],[1,1]]: index 0, row pairs 2, column pairs 2, expected 4/6, max 2 → ARI = −(2/3)/(4/3) = −0.5.
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], ["a", "b", "a", "b"]) + 0.5) < 1e-12);
  assert.equal(purity([0, 0, 1, 1], ["a", "b", "a", "b"]), 0.5);
});

test("labels of different lengths are refused", () => {
  assert.throws(() => purity([0], [0, 1]), /invalid labels: 1 predicted for 2 true/);
});
