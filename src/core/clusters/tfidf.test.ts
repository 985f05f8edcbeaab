import assert from "node:assert/strict";
import {test} from "node:test";
import {classTerms} from "./classTerms.js";
import {tfidfVectors, tokenize, traceTokens} from "./tfidf.js";

test("tokenize keeps content words in lower case and drops stopwords and numbers", () => {
  assert.deepEqual(tokenize("Hi! I'd like a REFUND for order 991, it's late."), ["refund", "order", "late"]);
});

test("a trace's tokens are its user words, its tools and its speakers", () => {
  assert.deepEqual(
    traceTokens({userTurns: ["Cancel my flight"], tools: ["get_reservation", "cancel"], speakers: ["Planner"]}),
    ["cancel", "flight", "tool:get_reservation", "tool:cancel", "agent:Planner"]
  );
});

test("TF-IDF rows are unit length, weigh rare terms above common ones, and drop terms below min df", () => {
  const {vocabulary, vectors} = tfidfVectors(
    [["refund", "order"], ["refund", "order", "late"], ["refund", "late"], ["once"]],
    {maxFeatures: 10, minDf: 2}
  );
  assert.deepEqual(vocabulary, ["late", "order", "refund"]);
  for (const row of vectors.slice(0, 3)) assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-12);
  assert.deepEqual(vectors[3], [0, 0, 0]);
  // In document 2, "late" (df 2) outweighs "refund" (df 3).
  const [late, , refund] = vectors[2]!;
  assert.ok(late! > refund!);
});

test("class-based TF-IDF names each cluster by the terms that mark it, not the ones every cluster shares", () => {
  const docs = [
    ["refund", "flight", "late"],
    ["refund", "flight", "late"],
    ["baggage", "flight", "lost"],
    ["baggage", "flight"]
  ];
  const terms = classTerms(docs, [0, 0, 1, 1], 2);
  assert.deepEqual(
    terms.get(0)!.map((t) => t.term),
    ["late", "refund"]
  );
  assert.deepEqual(
    terms.get(1)!.map((t) => t.term),
    ["baggage", "lost"]
  );
});
