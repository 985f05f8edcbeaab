import assert from "node:assert/strict";
import {appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {DAY, FIXTURE_NOW, clusterFixtureTraces} from "../clusters/fixtures.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../clusters/runClustering.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {FailureModeError, listModes, promote, setState, type ActionOptions} from "./actions.js";
import {eventLogPath} from "./eventLog.js";
import {openAnnotationService} from "../annotations/service.js";
import {tempDir} from "../fixtures/tempDir.js";

const REFUND_SIGNATURE = "tool issue_refund failed: RefundError: order <n> not found in ledger";

describe("the failure-mode registry", () => {
  let workspace: string;
  let evaluators: string;
  let options: ActionOptions;
  let refundCluster: string;
  let kbCluster: string;

  before(async () => {
    workspace = tempDir("modes");
    evaluators = join(workspace, "evaluators");
    mkdirSync(evaluators);
    options = {workspace, now: FIXTURE_NOW, evaluatorsDir: evaluators};
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false}));
    const ids = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT cluster_id, signature FROM clusters")).getRowObjectsJson()
    );
    refundCluster = String(ids.find((r) => r.signature === REFUND_SIGNATURE)!.cluster_id);
    kbCluster = String(ids.find((r) => String(r.signature).startsWith("retrieval miss"))!.cluster_id);
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("promoting a cluster registers a mode with the traces, sessions and dates the store shows, and trend flags", async () => {
    const mode = await promote(options, {
      name: "refund lookup fails",
      description: "refunds for unknown orders",
      clusterId: refundCluster
    });
    assert.equal(mode.state, "new");
    // All twelve refund failures, with a thumbs-down or without: feedback is not part of the signature.
    assert.deepEqual([mode.traces, mode.sessions], [12, 4]);
    assert.equal(mode.lastSeen, FIXTURE_NOW);
    assert.equal(mode.firstSeen, FIXTURE_NOW - 2 * DAY - 11 * 60_000);
    assert.deepEqual(mode.trends, ["new", "escalating"]);
    assert.deepEqual(mode.clusterIds, [refundCluster]);
    const mirrored = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT name, state, traces, sessions_affected FROM failure_modes")).getRowObjectsJson()
    );
    assert.deepEqual(mirrored, [{name: "refund lookup fails", state: "new", traces: 12, sessions_affected: 4}]);
    const kb = await promote(options, {name: "empty knowledge-base search", description: null, clusterId: kbCluster});
    assert.deepEqual(kb.trends, ["quiet"]);
    assert.equal(kb.pruneCandidate, false);
    const later = await listModes({...options, now: FIXTURE_NOW + 80 * DAY});
    assert.equal(later.modes.find((m) => m.name === "empty knowledge-base search")!.pruneCandidate, true);
  });

  test("an unknown cluster or an empty name is refused with what to do next, and nothing is written", async () => {
    const before = readFileSync(eventLogPath(workspace), "utf8");
    await assert.rejects(
      promote(options, {name: "x", description: null, clusterId: "sig-nope"}),
      /no cluster sig-nope in the workspace; run `plumbline cluster`/
    );
    await assert.rejects(promote(options, {name: "  ", description: null, clusterId: null}), FailureModeError);
    assert.equal(readFileSync(eventLogPath(workspace), "utf8"), before);
  });

  test("human labels lift a mode to annotated, a label-only name is listed as new, and an evaluator lifts to has_evaluator", async () => {
    // Labels as annotators write them, through the annotation service into its log and the store's views.
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      for (const [traceId, annotator, failureMode] of [
        ["refund-1", "ana", "refund lookup fails"],
        ["kb-miss-0", "ben", "refund lookup fails"],
        ["planner-crash", "ana", "plan parse error"]
      ]) {
        await service.create({traceId, criterion: "overall", annotator, source: "reviewer", pass: false, failureMode});
      }
      await service.flush();
    } finally {
      await service.close();
    }
    writeFileSync(
      join(evaluators, "refund.json"),
      JSON.stringify({
        id: "refund-judge",
        version: 3,
        failureMode: "refund lookup fails",
        criterion: "overall",
        kind: "llm"
      })
    );
    writeFileSync(join(evaluators, "broken.json"), JSON.stringify({id: "no-mode"}));
    const {modes, problems} = await listModes(options);
    const refund = modes.find((m) => m.name === "refund lookup fails")!;
    // The labelled trace kb-miss-0 joins the twelve of the cluster; refund-1 is one of them already.
    assert.deepEqual(
      [refund.state, refund.annotationCount, refund.evaluatorIds, refund.traces],
      ["has_evaluator", 2, ["refund-judge"], 13]
    );
    const fromLabels = modes.find((m) => m.name === "plan parse error")!;
    assert.deepEqual([fromLabels.state, fromLabels.registered, fromLabels.traces], ["new", false, 1]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /broken\.json: skipped, failureMode/);
    rmSync(join(evaluators, "refund.json"));
    rmSync(join(evaluators, "broken.json"));
  });

  test("moves follow the lifecycle; a resolved mode seen again is regressed", async () => {
    await assert.rejects(
      setState(options, {name: "refund lookup fails", state: "verified_resolved", note: null}),
      /cannot move a failure mode from annotated to verified_resolved/
    );
    const resolvedAt = FIXTURE_NOW - 5 * DAY;
    await setState(
      {...options, now: resolvedAt},
      {name: "refund lookup fails", state: "fix_shipped", note: "ledger lookup by order id"}
    );
    const resolved = await setState(
      {...options, now: resolvedAt},
      {name: "refund lookup fails", state: "verified_resolved", note: null}
    );
    // Traces of the refund cluster were seen after the resolution, so it shows as regressed.
    assert.equal(resolved.setState, "verified_resolved");
    assert.equal(resolved.state, "regressed");
    assert.ok(resolved.trends.includes("regressed"));
    assert.deepEqual(
      resolved.history.map((h) => h.state),
      ["new", "fix_shipped", "verified_resolved"]
    );
    // A label-only name is registered by its first move.
    const triaged = await setState(options, {name: "plan parse error", state: "triaged", note: null});
    assert.deepEqual([triaged.registered, triaged.state], [true, "annotated"]);
  });

  test("a torn line in the event file is reported by line and the other events still apply", async () => {
    appendFileSync(eventLogPath(workspace), '{"version":1,"type":"set-st');
    const {modes, problems} = await listModes(options);
    assert.equal(modes.find((m) => m.name === "refund lookup fails")!.setState, "verified_resolved");
    const lines = readFileSync(eventLogPath(workspace), "utf8").split("\n").length;
    assert.deepEqual(
      problems.map((p) => p.replace(/^.*failure-modes\.jsonl:/, "")),
      [`${lines}: not JSON (Unterminated string in JSON at position 27)`]
    );
    // The next event starts on a line of its own.
    await setState(options, {name: "empty knowledge-base search", state: "triaged", note: null});
    assert.equal(
      (await listModes(options)).modes.find((m) => m.name === "empty knowledge-base search")!.setState,
      "triaged"
    );
  });
});

describe("a registry written under the old signature keys", () => {
  let workspace: string;
  before(async () => {
    workspace = tempDir("old-keys");
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    await withConnection(workspace, (c) => runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false}));
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  /** A promotion as it was written when keys held the caller, feedback and status, by the id that key hashed to. */
  const promotedUnder = (name: string, signature: string, clusterId: string) =>
    JSON.stringify({
      version: 1,
      type: "promote",
      at: new Date(FIXTURE_NOW - DAY).toISOString(),
      name,
      description: null,
      cluster: {clusterId, kind: "signature", signature, traceIds: []}
    });

  test("a mode promoted under an old key finds its members under the new key, and names the new cluster", async () => {
    const keys = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT signature, cluster_id, size FROM clusters")).getRowObjectsJson()
    );
    const refund = keys.find((k) => k.signature === REFUND_SIGNATURE)!;
    writeFileSync(
      eventLogPath(workspace),
      [
        promotedUnder(
          "refund lookup fails",
          "tool issue_refund failed in support agent: RefundError: order <n> not found in ledger | feedback thumbs=down | status error",
          "sig-0123456789abcdef"
        ),
        promotedUnder("gone", "tool pay failed in checkout: card <n> declined | status error", "sig-fedcba9876543210")
      ].join("\n") + "\n"
    );
    const {modes} = await listModes({workspace, now: FIXTURE_NOW, evaluatorsDir: join(workspace, "none")});
    const mode = modes.find((m) => m.name === "refund lookup fails")!;
    assert.deepEqual([mode.traces, mode.clusterIds], [refund.size, [refund.cluster_id]]);
    assert.equal(mode.traces, 12);
    // A failure the latest run does not show keeps its own id and no traces.
    const gone = modes.find((m) => m.name === "gone")!;
    assert.deepEqual([gone.traces, gone.clusterIds], [0, ["sig-fedcba9876543210"]]);
  });
});

describe("a promoted cluster's traces", () => {
  let workspace: string;
  let options: ActionOptions;
  before(async () => {
    workspace = tempDir("promoted-traces");
    options = {workspace, now: FIXTURE_NOW, evaluatorsDir: join(workspace, "none")};
    await writeFixtureWorkspace(workspace, clusterFixtureTraces());
    await withConnection(workspace, (c) => runClustering(c, DEFAULT_CLUSTER_OPTIONS));
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  const members = (clusterId: string) =>
    withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT trace_id FROM trace_clusters WHERE cluster_id = ? ORDER BY trace_id", [clusterId]))
        .getRows()
        .map(([id]) => String(id))
    );

  test("are stored with the promotion for every kind of cluster, and the kind is kept", async () => {
    const firsts = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT kind, min(cluster_id) AS id FROM clusters GROUP BY kind ORDER BY kind")
      ).getRowObjectsJson()
    );
    assert.deepEqual(
      firsts.map((f) => f.kind),
      ["semantic", "signature", "topic"]
    );
    for (const {kind, id} of firsts) {
      const mode = await promote(options, {name: `from a ${kind} cluster`, description: null, clusterId: String(id)});
      const expected = await members(String(id));
      assert.ok(expected.length > 0);
      assert.equal(mode.traces, expected.length);
      const event = readFileSync(eventLogPath(workspace), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .at(-1);
      assert.deepEqual(event.cluster, {
        clusterId: id,
        kind,
        signature: kind === "signature" ? event.cluster.signature : null,
        traceIds: expected
      });
    }
  });

  test("still count when the next run groups them elsewhere", async () => {
    const counts = async () =>
      new Map((await listModes(options)).modes.map((m) => [m.name, m.traces] as [string, number]));
    const before = await counts();
    // Every membership of the store dropped: what a rerun that regroups or drops these traces leaves behind.
    await withConnection(workspace, (c) => c.run("DELETE FROM trace_clusters"));
    assert.deepEqual(await counts(), before);
  });
});
