import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {compileRule} from "../../src/core/evaluator/rule.js";
import {traceText} from "../../src/core/evaluator/judgePrompt.js";
import {readOutcomes} from "../annotations/reviewOutcomes.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {DatasetError, listDatasetVersions, readDatasetCases} from "../store/datasets.js";
import {CORRECTED_REFUND, QUEUE_ID, writeDatasetWorkspace} from "./fixtures.js";
import {promoteTraces, type PromoteRequest} from "./promote.js";
import {writeNextVersion} from "./versions.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("datasets");
after(() => rmSync(root, {recursive: true, force: true}));
const NOW = new Date("2026-11-20T10:00:00.000Z");

async function fresh(name: string): Promise<string> {
  const workspace = join(root, name);
  await writeDatasetWorkspace(workspace);
  return workspace;
}

const promote = (
  workspace: string,
  request: Omit<PromoteRequest, "workspace" | "now" | "addedBy"> & {addedBy?: string}
) => withConnection(workspace, (c) => promoteTraces(c, {workspace, now: NOW, addedBy: "ana", ...request}));

describe("promoting traces into a dataset", () => {
  let workspace: string;
  before(async () => {
    workspace = await fresh("queue");
  });

  test("from a queue: the confirmed failure first, then the new topic, then the edge case; the ordinary pass is left out", async () => {
    const result = await promote(workspace, {
      name: "airline",
      source: {kind: "queue", id: QUEUE_ID},
      reason: "first triage"
    });
    assert.equal(result.version, 1);
    assert.deepEqual(
      result.picks.map((p) => [p.traceId, p.kind]),
      [
        ["trace-refund", "confirmed_failure"],
        ["trace-hostile", "new_topic"],
        ["trace-timeout", "edge_case"]
      ]
    );
    assert.deepEqual(result.skipped, [
      {
        traceId: "trace-weather",
        reason: "not a confirmed failure, and no new topic, long output or edge case to protect"
      }
    ]);
    // Final answers of 55, 30 and 36 characters: the interpolated 90th percentile is 51.2.
    assert.equal(result.longOutputChars, 52);
    assert.match(result.picks[2]!.why, /split evenly/);
  });

  test("each case carries its input, full context, expected output and behaviour, failure mode, source trace, who and why", async () => {
    const {version, cases} = await withReadConnection(workspace, (c) => readDatasetCases(c, "airline"));
    assert.equal(version, 1);
    const refund = cases[0]!;
    assert.equal(refund.caseId, "trace-refund");
    assert.equal(refund.sourceTraceId, "trace-refund");
    assert.equal(refund.input, "Where is my refund for order 991?");
    assert.equal(refund.expectedOutput, CORRECTED_REFUND);
    assert.equal(refund.failureMode, "wrong_tool_arguments");
    assert.equal(refund.criterion, "overall");
    assert.match(
      refund.expectedBehaviour!,
      /^Should pass overall: Did the response do what the user needed, .* failed it \(wrong_tool_arguments\)\. Reviewers: looked up order 991/
    );
    assert.equal(refund.addedBy, "ana");
    assert.match(
      refund.reason,
      /^first triage; ground truth fails overall \(wrong_tool_arguments\), decided unanimous$/
    );
    assert.equal(refund.addedAt, NOW.toISOString());
    // The context is what evaluators read: rules and the judge prompt run on it as on the trace in the store.
    assert.equal(compileRule({op: "tool_call", name: "lookup_order", failed: true})(refund.context), true);
    assert.equal(refund.context.fields.latency_ms, 4200);
    assert.match(traceText(refund.context), /lookup_order\(\{"order_id": 991\}\) → FAILED/);
    assert.equal(cases[1]!.expectedBehaviour?.startsWith("Keep passing overall"), true);
    assert.equal(cases[2]!.expectedBehaviour, null, "a tie has no ground truth to expect");
  });

  test("promoting records the dataset_case outcome for each promoted review", async () => {
    const {outcomes} = readOutcomes(workspace);
    assert.deepEqual(
      outcomes.map((o) => [o.traceId, o.queueId, o.outcome, o.dataset?.name, o.dataset?.version]),
      [
        ["trace-refund", QUEUE_ID, "dataset_case", "airline", 1],
        ["trace-hostile", QUEUE_ID, "dataset_case", "airline", 1],
        ["trace-timeout", QUEUE_ID, "dataset_case", "airline", 1]
      ]
    );
    const mirrored = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll("SELECT trace_id, outcome, dataset, dataset_version FROM review_outcomes ORDER BY seq")
      ).getRows()
    );
    assert.deepEqual(
      mirrored.map((r) => r[0]),
      ["trace-refund", "trace-hostile", "trace-timeout"]
    );
  });

  test("a second promotion adds only what the dataset lacks; named traces are kept as 'other' in a new version", async () => {
    const again = await promote(workspace, {name: "airline", source: {kind: "queue", id: QUEUE_ID}});
    assert.equal(again.version, null);
    assert.deepEqual(
      again.skipped.filter((s) => s.reason === "already in the dataset").map((s) => s.traceId),
      ["trace-refund", "trace-timeout", "trace-hostile"]
    );
    const byHand = await promote(workspace, {
      name: "airline",
      source: {kind: "traces", ids: ["trace-weather"]},
      addedBy: "bo"
    });
    assert.equal(byHand.version, 2);
    assert.deepEqual(
      byHand.picks.map((p) => [p.traceId, p.kind, p.why]),
      [["trace-weather", "other", "chosen by hand"]]
    );
    const versions = await withReadConnection(workspace, (c) => listDatasetVersions(c, "airline"));
    assert.deepEqual(
      versions.map((v) => [v.version, v.caseCount, v.added, v.removed, v.source, v.createdBy]),
      [
        [1, 3, 3, 0, "queue:triage", "ana"],
        [2, 4, 1, 0, "traces:1", "bo"]
      ]
    );
    // Version 1 is unchanged.
    const v1 = await withReadConnection(workspace, (c) => readDatasetCases(c, "airline", 1));
    assert.deepEqual(
      v1.cases.map((c) => c.caseId),
      ["trace-refund", "trace-hostile", "trace-timeout"]
    );
  });

  test("removing a case makes a new version without it and leaves the old ones whole", async () => {
    const written = await withConnection(workspace, (c) =>
      writeNextVersion(c, {
        name: "airline",
        removeIds: ["trace-hostile", "nope"],
        createdBy: "ana",
        source: "remove",
        note: "duplicate",
        now: NOW
      })
    );
    assert.equal(written.version, 3);
    assert.deepEqual(written.unknownIds, ["nope"]);
    const v3 = await withReadConnection(workspace, (c) => readDatasetCases(c, "airline"));
    assert.deepEqual(
      v3.cases.map((c) => c.caseId),
      ["trace-refund", "trace-timeout", "trace-weather"]
    );
    assert.equal((await withReadConnection(workspace, (c) => readDatasetCases(c, "airline", 2))).cases.length, 4);
  });

  test("unknown datasets, versions and traces are refused with what to do next", async () => {
    await withReadConnection(workspace, async (c) => {
      await assert.rejects(
        readDatasetCases(c, "nope"),
        (e: Error) => e instanceof DatasetError && /plumbline dataset list/.test(e.message)
      );
      await assert.rejects(readDatasetCases(c, "airline", 9), /versions 1 to 3, not 9/);
    });
    await assert.rejects(
      promote(workspace, {name: "airline", source: {kind: "traces", ids: ["trace-refund", "ghost"]}}),
      /no trace "ghost"/
    );
    await assert.rejects(
      promote(workspace, {name: "Bad Name", source: {kind: "queue", id: QUEUE_ID}}),
      /invalid dataset name/
    );
    await assert.rejects(promote(workspace, {name: "x", source: {kind: "queue", id: "ghost"}}), /no queue ghost/);
    await assert.rejects(promote(workspace, {name: "x", source: {kind: "cluster", id: "ghost"}}), /no cluster ghost/);
  });
});

describe("promotion sources", () => {
  test("a failure mode takes the traces labelled with it, and only its failures are confirmed", async () => {
    const workspace = await fresh("mode");
    const result = await promote(workspace, {
      name: "tools",
      source: {kind: "failure-mode", name: "wrong_tool_arguments"}
    });
    assert.deepEqual(
      result.picks.map((p) => [p.traceId, p.kind]),
      [["trace-refund", "confirmed_failure"]]
    );
    const outcomes = readOutcomes(workspace).outcomes;
    assert.deepEqual(
      outcomes.map((o) => [o.traceId, o.queueId]),
      [["trace-refund", null]]
    );
  });

  test("a cluster: its failure first, and a member of a topic the failure already covers is not a new topic", async () => {
    const workspace = await fresh("cluster");
    const result = await promote(workspace, {
      name: "orders",
      source: {kind: "cluster", id: "topic-orders"},
      longOutputChars: 20
    });
    // With long outputs from 20 characters, the weather answer (30) is worth protecting.
    assert.deepEqual(
      result.picks.map((p) => [p.traceId, p.kind]),
      [
        ["trace-refund", "confirmed_failure"],
        ["trace-weather", "long_output"]
      ]
    );
  });

  test("a limit keeps the first cases in selection order, and a dry run writes nothing", async () => {
    const workspace = await fresh("limit");
    const dry = await promote(workspace, {
      name: "airline",
      source: {kind: "queue", id: QUEUE_ID},
      limit: 2,
      dryRun: true
    });
    assert.deepEqual(
      dry.picks.map((p) => p.traceId),
      ["trace-refund", "trace-hostile"]
    );
    assert.deepEqual(dry.skipped.at(-1), {traceId: "trace-timeout", reason: "over the limit of 2"});
    assert.equal(dry.version, null);
    assert.deepEqual(await withReadConnection(workspace, (c) => listDatasetVersions(c)), []);
    assert.deepEqual(readOutcomes(workspace).outcomes, []);
  });
});
