import assert from "node:assert/strict";
import {test} from "node:test";
import {centroidsOf, nearestCentroid} from "./assign.js";
import {sparseRow, tfidfVectors} from "./tfidf.js";

test("a trace the clustering never saw joins the cluster whose members share its words", () => {
  const docs = [
    ["refund", "ledger"],
    ["refund", "ledger", "order"],
    ["flight", "available"],
    ["flight", "date"]
  ];
  const model = tfidfVectors(docs, {maxFeatures: 100, minDf: 1});
  const centroids = centroidsOf(model.vectors, [0, 0, 1, 1], 2);
  const column = new Map(model.vocabulary.map((t, i) => [t, i]));
  assert.equal(nearestCentroid(sparseRow(["flight", "order"], column, model.idf), centroids), 1);
  assert.equal(nearestCentroid(sparseRow(["ledger"], column, model.idf), centroids), 0);
  // Sharing no word with any cluster, it joins the fallback.
  assert.equal(nearestCentroid(sparseRow(["weather"], column, model.idf), centroids, 1), 1);
});

test("a sparse row weighs terms as the fitted model does", () => {
  const docs = [["a1", "b1"], ["a1"], ["c1"]];
  const model = tfidfVectors(docs, {maxFeatures: 100, minDf: 1});
  const column = new Map(model.vocabulary.map((t, i) => [t, i]));
  const row = sparseRow(docs[0]!, column, model.idf);
  const dense = new Array<number>(model.vocabulary.length).fill(0);
  row.columns.forEach((j, i) => (dense[j] = row.values[i]!));
  assert.deepEqual(dense, model.vectors[0]);
});
