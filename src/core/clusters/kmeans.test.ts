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

/** The silhouette as Rousseeuw defines it, point by point, for checking the fast one. */
function referenceSilhouette(points: number[][], labels: number[]): number {
  if (new Set(labels).size < 2) return 0;
  const d = (p: number[], q: number[]) => Math.hypot(...p.map((v, i) => v - q[i]!));
  let total = 0;
  points.forEach((p, i) => {
    const mean = (label: number) => {
      const others = points.filter((_, j) => j !== i && labels[j] === label);
      return others.reduce((s, q) => s + d(p, q), 0) / others.length;
    };
    if (labels.filter((l) => l === labels[i]).length < 2) return;
    const a = mean(labels[i]!);
    const b = Math.min(...[...new Set(labels)].filter((l) => l !== labels[i]).map(mean));
    total += (b - a) / Math.max(a, b);
  });
  return total / points.length;
}

test("silhouette matches the definition on any labelling, singletons and sparse label numbers included", () => {
  const random = seededRandom(4);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + Math.floor(random() * 40);
    const points = Array.from({length: n}, () => [random() * 10, random() * 10]);
    const labels = points.map(() => [3, 7, 11, 40][Math.floor(random() * (1 + (trial % 4)))]!);
    const fast = silhouette(points, labels);
    assert.ok(Math.abs(fast - referenceSilhouette(points, labels)) < 1e-12, `trial ${trial}`);
  }
});
