import assert from "node:assert/strict";
import {test} from "node:test";
import {adjustedRandIndex} from "./randIndex.js";
import {seededRandom} from "../random.js";
import {DEFAULT_SEMANTIC_OPTIONS, projections, semanticClusters} from "./semantic.js";
import {tfidfVectors} from "./tfidf.js";

/** Three topics, ten slightly different documents each. */
function corpus(): {docs: string[][]; topic: number[]} {
  const topics = [
    ["refund", "order", "money", "back", "charge"],
    ["flight", "seat", "baggage", "airport", "gate"],
    ["password", "login", "account", "reset", "email"]
  ];
  const docs: string[][] = [];
  const topic: number[] = [];
  topics.forEach((words, t) => {
    for (let i = 0; i < 10; i++) {
      docs.push([
        ...words.filter((_, j) => j !== i % words.length),
        `extra${i}`,
        words[i % words.length]!,
        `tool:t${t}`
      ]);
      topic.push(t);
    }
  });
  return {docs, topic};
}

test("semantic clusters recover three topics, name each by its own words, and repeat exactly with the same seed", () => {
  const {docs, topic} = corpus();
  const vectors = tfidfVectors(docs, {maxFeatures: 100, minDf: 2}).vectors;
  const run = () => semanticClusters(vectors, docs, seededRandom(3), DEFAULT_SEMANTIC_OPTIONS);
  const result = run();
  assert.equal(adjustedRandIndex(result.labels, topic), 1);
  assert.equal(result.k, 3);
  const names = result.clusters.map((c) =>
    c.terms
      .slice(0, 5)
      .map((t) => t.term)
      .sort()
      .join(" ")
  );
  assert.deepEqual(names.sort(), [
    "account email login password reset",
    "airport baggage flight gate seat",
    "back charge money order refund"
  ]);
  // Members are listed nearest the centre first: the first is a member of its own cluster.
  for (const c of result.clusters) assert.equal(result.labels[c.members[0]!], c.label);
  assert.deepEqual(run(), result);
});

test("identical vectors are projected once and share a neighbourhood", () => {
  const vectors = [...Array(12)].map((_, i) => (i < 6 ? [1, 0, 0] : i < 9 ? [0, 1, 0] : [0, 0, 1]));
  const one = {...DEFAULT_SEMANTIC_OPTIONS, runs: 1};
  const coords = projections(vectors, seededRandom(1), one)[0]!;
  const distance = (a: number, b: number) => Math.hypot(coords[a]![0] - coords[b]![0], coords[a]![1] - coords[b]![1]);
  assert.ok(distance(0, 5) < distance(0, 6) / 5, `${distance(0, 5)} vs ${distance(0, 6)}`);
  assert.deepEqual(projections([[1, 2]], seededRandom(1), one), [[[0, 0]]]);
});
