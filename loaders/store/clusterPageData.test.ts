import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, test} from "node:test";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {DAY, FIXTURE_NOW, clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {EVIDENCE_FIELDS} from "../../src/core/clusters/pageData.js";
import {clusterPageData} from "./clusterPageData.js";
import {withConnection, withReadConnection} from "./db.js";
import {tempDir} from "../fixtures/tempDir.js";

let workspace: string;
before(async () => {
  workspace = tempDir("page-data");
  await writeFixtureWorkspace(workspace, clusterFixtureTraces());
});
after(() => rmSync(workspace, {recursive: true, force: true}));

test("without a semantic map, each signature cluster lists only its most recent traces, and counts stay whole", async () => {
  await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false}));
  const data = await withReadConnection(workspace, (c) => clusterPageData(c, 30, 2));
  assert.equal(data.points.length, 5); // two each of two clusters, and the one planner failure
  const refund = data.clusters.find((c) => c.name.startsWith("tool issue_refund"))!;
  assert.equal(refund.size, 12);
  assert.deepEqual(refund.madeOf, ["failing tool", "normalised error"]);
  assert.deepEqual(refund.fields, [
    {field: "failing tool", value: "issue_refund"},
    {field: "normalised error", value: "RefundError: order <n> not found in ledger"}
  ]);
  // Volume over the 30 days up to the newest trace: the twelve traces fall on the last three days, four a day.
  assert.equal(data.volumeUntil, FIXTURE_NOW);
  assert.deepEqual(refund.daily.slice(-3), [4, 4, 4]);
  assert.equal(
    refund.daily.reduce((a, b) => a + b, 0),
    12
  );
  const listed = data.points.filter((p) => p.signatureId === refund.id).map((p) => p.seenAt);
  assert.deepEqual(listed.sort(), [FIXTURE_NOW - 3 * 60_000, FIXTURE_NOW].sort());
  assert.equal(refund.topic, null);
  const kb = data.clusters.find((c) => c.name.startsWith("retrieval miss"))!;
  assert.equal(
    kb.daily.reduce((a, b) => a + b, 0),
    6
  );
  assert.ok(kb.lastSeen! <= FIXTURE_NOW - 20 * DAY);
});

test("with both lenses, clusters list signatures and evidence clusters, each with what it is made of and about", async () => {
  await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
  const data = await withReadConnection(workspace, (c) => clusterPageData(c, 30, 2));
  assert.deepEqual([...new Set(data.clusters.map((c) => c.kind))].sort(), ["semantic", "signature"]);
  const evidence = data.clusters.find((c) => c.kind === "semantic")!;
  assert.deepEqual(evidence.madeOf, [...EVIDENCE_FIELDS]);
  const refund = data.clusters.find((c) => c.name.startsWith("tool issue_refund"))!;
  assert.match(refund.topic?.clusterId ?? "", /^topic-\d+$/);
  assert.ok(refund.topic!.terms.length > 0);
});
