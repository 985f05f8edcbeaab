import assert from "node:assert/strict";
import {test} from "node:test";
import {adjustedRandIndex} from "./randIndex.js";
import {kmeans, kmeansBySilhouette, silhouette} from "./kmeans.js";
import {seededRandom, type Random} from "../random.js";

/** Three unit-variance Gaussian blobs of 50 points, ten units apart: any sound clustering recovers them. */
function blobs(random: Random): {points: number[][]; truth: number[]} {
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const points: number[][] = [];
  const truth: number[] = [];
  [
    [0, 0],
    [10, 0],
    [0, 10]
  ].forEach(([x, y], k) => {
    for (let i = 0; i < 50; i++) {
      points.push([x! + gauss(), y! + gauss()]);
      truth.push(k);
    }
  });
  return {points, truth};
}

test("k chosen by silhouette recovers three separated blobs exactly", () => {
  const {points, truth} = blobs(seededRandom(1));
  const result = kmeansBySilhouette(points, seededRandom(2), {maxK: 8});
  assert.equal(result.k, 3);
  assert.equal(adjustedRandIndex(result.labels, truth), 1);
  const best = Math.max(...result.scores.map((s) => s.silhouette));
  assert.equal(result.scores.find((s) => s.k === 3)!.silhouette, best);
});

test("the same seed gives the same clustering", () => {
  const {points} = blobs(seededRandom(5));
  assert.deepEqual(kmeans(points, 4, seededRandom(9)).labels, kmeans(points, 4, seededRandom(9)).labels);
});

test("silhouette is near 1 for tight far-apart clusters and 0 for a single cluster", () => {
  const points = [
    [0, 0],
    [0, 0.1],
    [10, 10],
    [10, 10.1]
  ];
  assert.ok(silhouette(points, [0, 0, 1, 1]) > 0.98);
  assert.equal(silhouette(points, [0, 0, 0, 0]), 0);
});
