import assert from "node:assert/strict";
import {test} from "node:test";
import {
  byPriority,
  dominantTopic,
  pointsIn,
  promoteCommand,
  setStateCommand,
  shellQuote,
  type ClusterPoint,
  type ClusterSummaryRow
} from "./pageData.js";

test("shell words are quoted only when they need it, and a quote inside survives", () => {
  assert.equal(shellQuote("sig-0123"), "sig-0123");
  assert.equal(shellQuote("refund lookup"), "'refund lookup'");
  assert.equal(shellQuote("it's $HOME `x`"), `'it'\\''s $HOME \`x\`'`);
});

test("the commands a static page shows mean exactly what was typed", () => {
  assert.equal(
    promoteCommand("refund lookup", "sig-1", ""),
    "plumbline failure-mode promote --name 'refund lookup' --cluster sig-1"
  );
  assert.equal(
    promoteCommand("", "sem-0", "no docs"),
    "plumbline failure-mode promote --name '<name>' --cluster sem-0 --description 'no docs'"
  );
  assert.equal(setStateCommand("refund lookup", "triaged"), "plumbline failure-mode set-state 'refund lookup' triaged");
});

test("a brush rectangle selects the points inside it, whichever corner it starts from, and never unplaced ones", () => {
  const point = (traceId: string, x: number | null, y: number | null): ClusterPoint => ({
    traceId,
    name: null,
    status: "error",
    preview: null,
    seenAt: 0,
    semanticId: "sem-0",
    signatureId: null,
    x,
    y
  });
  const points = [point("a", 0, 0), point("b", 1, 1), point("c", 2, 2), point("d", null, null)];
  assert.deepEqual(
    pointsIn(points, [
      [1.5, 1.5],
      [-1, -1]
    ]).map((p) => p.traceId),
    ["a", "b"]
  );
  assert.deepEqual(
    pointsIn(points, [
      [0, 0],
      [2, 2]
    ]).map((p) => p.traceId),
    ["a", "b", "c"]
  );
});

test("clusters are reviewed by volume × severity, then volume", () => {
  const cluster = (id: string, size: number, severity: number) => ({id, size, severity}) as ClusterSummaryRow;
  const order = [cluster("a", 10, 0.4), cluster("b", 5, 1), cluster("c", 4, 1), cluster("d", 8, 0.5)]
    .sort(byPriority)
    .map((c) => c.id);
  assert.deepEqual(order, ["b", "a", "d", "c"]);
});

test("a signature cluster is about the semantic cluster holding at least half of its traces", () => {
  const terms = new Map([
    ["sem-0", ["refund", "shipping", "delay"]],
    ["sem-1", ["password"]]
  ]);
  assert.deepEqual(
    dominantTopic(
      new Map([
        ["sem-0", 2],
        ["sem-1", 1],
        [null, 1]
      ]),
      terms
    ),
    {clusterId: "sem-0", terms: ["refund", "shipping", "delay"], share: 0.5}
  );
  assert.equal(
    dominantTopic(
      new Map([
        ["sem-0", 1],
        ["sem-1", 1],
        [null, 1]
      ]),
      terms
    ),
    null
  );
  assert.equal(dominantTopic(new Map([[null, 3]]), terms), null);
  assert.equal(dominantTopic(new Map(), terms), null);
});
