import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, describe, test} from "node:test";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readTraceFacts} from "../store/clusterInputs.js";
import {clusterFixtureTraces} from "./fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "./runClustering.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("clustering a workspace", () => {
  let workspace: string;
  before(async () => {
    workspace = tempDir("cluster");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("the store gives each trace its failed tools, error spans, retrieval misses and feedback", async () => {
    const facts = await withReadConnection(workspace, readTraceFacts);
    const refund = facts.find((f) => f.traceId === "refund-0")!;
    assert.deepEqual(refund.failedTools, [
      {name: "issue_refund", error: "RefundError: order 1000 not found in ledger"}
    ]);
    assert.deepEqual(refund.feedback, [{name: "thumbs", label: "down", value: 0}]);
    assert.equal(refund.sessionId, "session-0");
    assert.deepEqual(facts.find((f) => f.traceId === "kb-miss-0")!.retrievalMisses, ["kb_search"]);
    // The failed step comes before the workflow whose failure it explains.
    assert.deepEqual(
      facts.find((f) => f.traceId === "planner-crash")!.errorSpans.map((s) => s.name),
      ["plan", "workflow"]
    );
  });

  test("twelve refund failures become one signature cluster, with or without a thumbs-down, and passing traces none", async () => {
    const summary = await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
    assert.equal(summary.traces, 22);
    assert.equal(summary.flagged, 19);
    const clusters = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll(
          "SELECT name, size, sessions, severity FROM clusters WHERE kind = 'signature' ORDER BY size DESC, name"
        )
      ).getRowObjectsJson()
    );
    assert.deepEqual(clusters, [
      {
        name: "tool issue_refund failed: RefundError: order <n> not found in ledger",
        size: 12,
        sessions: 4,
        severity: 1
      },
      {name: "retrieval miss in kb_search", size: 6, sessions: 6, severity: 0.4},
      {name: "step plan failed: ValueError: could not parse plan step <n>", size: 1, sessions: 1, severity: 1}
    ]);
  });

  test("semantic clusters cover every flagged trace once, with map positions, names from their terms, and the same result on a re-run", async () => {
    const read = () =>
      withReadConnection(workspace, async (c) => ({
        members: (
          await c.runAndReadAll(
            "SELECT trace_id, cluster_id, x, y FROM trace_clusters WHERE kind = 'semantic' ORDER BY trace_id"
          )
        ).getRowObjectsJson(),
        clusters: (
          await c.runAndReadAll(
            "SELECT cluster_id, name, size, terms FROM clusters WHERE kind = 'semantic' ORDER BY cluster_id"
          )
        ).getRowObjectsJson()
      }));
    const first = await read();
    assert.equal(first.members.length, 19);
    assert.ok(first.members.every((m) => Number.isFinite(m.x) && Number.isFinite(m.y)));
    const refundCluster = first.members.find((m) => m.trace_id === "refund-0")!.cluster_id;
    assert.ok(
      first.members.filter((m) => String(m.trace_id).startsWith("refund-")).every((m) => m.cluster_id === refundCluster)
    );
    const named = first.clusters.find((c) => c.cluster_id === refundCluster)!;
    assert.ok(
      (named.terms as string[]).some((t) =>
        ["refunderror", "ledger", "found ledger", "order found", "refund", "issue refund"].includes(t)
      ),
      String(named.terms)
    );
    await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
    assert.deepEqual(await read(), first);
  });

  test("a bound on the traces fits on a seeded sample, places only it on the map, and assigns every other trace", async () => {
    const summary = await withConnection(workspace, (c) =>
      runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, maxTraces: 8})
    );
    assert.deepEqual([summary.semantic?.clustered, summary.semantic?.sample, summary.semantic?.sampled], [19, 8, true]);
    const placed = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT count(x)::INTEGER AS n FROM trace_clusters WHERE kind = 'semantic'")
      ).getRowObjectsJson()
    );
    assert.deepEqual(placed, [{n: 8}]);
    const counts = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT kind, count(*)::INTEGER AS n FROM trace_clusters GROUP BY kind ORDER BY kind")
      ).getRowObjectsJson()
    );
    assert.deepEqual(counts, [
      {kind: "semantic", n: 19},
      {kind: "signature", n: 19},
      {kind: "topic", n: 19}
    ]);
  });
});
