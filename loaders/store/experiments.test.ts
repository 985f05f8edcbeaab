import assert from "node:assert/strict";
import {test} from "node:test";
import type {Experiment, ExperimentResult} from "../../src/core/schemas/experiment.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "./db.js";
import {
  cachedAnswers,
  experimentCasesOf,
  listExperiments,
  readExperiment,
  readExperimentResults,
  writeCachedAnswers,
  writeExperiment,
  writeExperimentCases,
  type ExperimentTrace
} from "./experiments.js";
import {readJudgeItems} from "./judgeItems.js";

const experiment: Experiment = {
  format: 1,
  name: "fixed-1",
  dataset: "airline-regressions",
  datasetVersion: 2,
  task: {
    kind: "command",
    target: "node task.mjs",
    version: "abc",
    promptId: null,
    promptVersion: null,
    model: null,
    gitCommit: null
  },
  status: "running",
  startedAt: "2026-12-01T10:00:00.000Z",
  finishedAt: null,
  total: 2,
  done: 0,
  errors: 0,
  cached: 0,
  inputTokens: null,
  outputTokens: null,
  costUsd: null
};

function finished(
  caseId: string,
  status: "ok" | "error",
  output: string | null
): {
  result: ExperimentResult;
  trace: ExperimentTrace;
} {
  const traceId = `trace-${caseId}`;
  return {
    result: {
      experiment: "fixed-1",
      caseId,
      ord: caseId === "a" ? 0 : 1,
      traceId,
      status,
      output,
      error: status === "error" ? "exit status 3" : null,
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.001,
      latencyMs: 12.5,
      attempts: 1,
      cached: false,
      startedAt: "2026-12-01T10:00:01.000Z",
      finishedAt: "2026-12-01T10:00:02.000Z"
    },
    trace: {
      traceId,
      rootSpanId: "00000000000000a1",
      experiment: "fixed-1",
      caseId,
      name: "experiment fixed-1",
      startTime: new Date("2026-12-01T10:00:01.000Z"),
      endTime: new Date("2026-12-01T10:00:02.000Z"),
      status,
      statusMessage: status === "error" ? "exit status 3" : null,
      model: "gpt-test",
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.001,
      messages: [
        {role: "user", name: null, content: "Cancel my flight", direction: "input"},
        ...(output === null ? [] : [{role: "assistant", name: null, content: output, direction: "output" as const}])
      ],
      toolCalls: [{name: "cancel_reservation", arguments: '{"reservation_id":"X1"}', result: "ok", success: true}],
      metadata: {}
    }
  };
}

test("an experiment, its results and its cases' traces read back as written, and a rerun case replaces its rows", async (t) => {
  const workspace = tempDir("experiments", t);
  await withConnection(workspace, async (c) => {
    await writeExperiment(c, experiment);
    await writeExperimentCases(c, [finished("a", "ok", "Cancelled."), finished("b", "error", null)]);
    await writeExperiment(c, {
      ...experiment,
      status: "finished",
      done: 2,
      errors: 1,
      finishedAt: "2026-12-01T10:01:00.000Z"
    });
    assert.deepEqual(await readExperiment(c, "fixed-1"), {
      ...experiment,
      status: "finished",
      done: 2,
      errors: 1,
      finishedAt: "2026-12-01T10:01:00.000Z"
    });
    assert.equal((await listExperiments(c)).length, 1);
    assert.equal(await readExperiment(c, "other"), null);

    // The error case run again: one row per case, one set of trace rows.
    await writeExperimentCases(c, [finished("b", "ok", "Done.")]);
    const results = await readExperimentResults(c, "fixed-1");
    assert.deepEqual(
      results.map((r) => [r.caseId, r.status, r.output]),
      [
        ["a", "ok", "Cancelled."],
        ["b", "ok", "Done."]
      ]
    );
    const traces = await c.runAndReadAll(
      "SELECT trace_id, format, source_file, status, message_count, tool_call_count, span_count, metadata->>'plumbline.case_id' AS case_id FROM traces ORDER BY trace_id"
    );
    assert.deepEqual(traces.getRowObjectsJS(), [
      {
        trace_id: "trace-a",
        format: "experiment",
        source_file: "experiment:fixed-1",
        status: "ok",
        message_count: 2,
        tool_call_count: 1,
        span_count: 1,
        case_id: "a"
      },
      {
        trace_id: "trace-b",
        format: "experiment",
        source_file: "experiment:fixed-1",
        status: "ok",
        message_count: 2,
        tool_call_count: 1,
        span_count: 1,
        case_id: "b"
      }
    ]);
    const [item] = await readJudgeItems(c, {traceIds: ["trace-b"]});
    assert.deepEqual(
      item!.trace.messages.map((m) => m.content),
      ["Cancel my flight", "Done."]
    );
    assert.deepEqual(Object.fromEntries(await experimentCasesOf(c, ["trace-a", "nope"])), {
      "trace-a": {experiment: "fixed-1", caseId: "a", dataset: "airline-regressions", datasetVersion: 2}
    });
  });
});

test("a span exported before the case was written joins its trace and is kept when the case is rewritten", async (t) => {
  const workspace = tempDir("experiments-otlp", t);
  await withConnection(workspace, async (c) => {
    await writeExperiment(c, experiment);
    await c.run(
      `INSERT INTO spans VALUES ('trace-a', 'beef000000000001', '00000000000000a1', 'chat gpt', 'llm', NULL, NULL, NULL, 'ok', NULL, 'gpt-x', 7, 3, NULL, '{}')`
    );
    await writeExperimentCases(c, [finished("a", "ok", "Cancelled.")]);
    await writeExperimentCases(c, [finished("a", "ok", "Cancelled again.")]);
    const [row] = (await c.runAndReadAll("SELECT span_count, message_count FROM traces")).getRowObjectsJS();
    assert.deepEqual(row, {span_count: 2, message_count: 2});
  });
});

test("the task cache returns what was written under the key", async (t) => {
  const workspace = tempDir("experiments-cache", t);
  await withConnection(workspace, async (c) => {
    const entry = {
      key: "k1",
      taskVersion: "v",
      caseHash: "h",
      answer: {output: "hi", metadata: {x: 1}},
      inputTokens: 3,
      outputTokens: null,
      costUsd: null,
      latencyMs: 4
    };
    await writeCachedAnswers(c, [entry]);
    assert.deepEqual(Object.fromEntries(await cachedAnswers(c, ["k1", "k2"])), {k1: entry});
  });
});
