import {test} from "node:test";
import assert from "node:assert/strict";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor, mergeFragments} from "../fixtures/rowChecks.js";
import {readSharedJson} from "../fixtures/sharedData.js";
import {RecordError} from "./reader.js";
import {tauBenchReader, tauFileParts} from "./tauBench.js";

const FILE = "tau-bench-airline/gpt-4o-airline.json";

function readAll(): Fragment {
  const runs = readSharedJson("tau-bench-airline", "gpt-4o-airline.json") as unknown[];
  return mergeFragments(
    runs.map((run, i) => tauBenchReader.read(run, contextFor(FILE, JSON.stringify(run), i, i + 2)))
  );
}

const all = readAll();

test("tau-bench reader turns the 200 GPT-4o airline runs into 200 distinct traces", () => {
  assert.equal(all.traces.length, 200);
  assert.equal(new Set(all.traces.map((t) => t.traceId)).size, 200);
  assert.ok(all.traces.some((t) => t.traceId === "tau-gpt-4o-airline-0-0"));
  assert.ok(all.traces.some((t) => t.traceId === "tau-gpt-4o-airline-49-3"));
});

test("tau-bench reader keeps all 5,308 messages with the roles the README counts", () => {
  assert.equal(all.messages.length, 5308);
  const roles = new Map<string, number>();
  for (const m of all.messages) roles.set(m.role, (roles.get(m.role) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(roles), {system: 200, user: 1490, assistant: 2454, tool: 1164});
  assert.ok(all.messages.every((m) => m.direction === "transcript" && m.spanId === null));
});

test("tau-bench reader finds 1,164 tool calls, each answered, and 73 of them failed", () => {
  assert.equal(all.toolCalls.length, 1164);
  // τ-bench reuses a call id for a later call 73 times; each call keeps its own row and its own result.
  assert.equal(new Set(all.toolCalls.map((c) => c.traceId + "/" + c.callId)).size, 1164);
  const reused = all.toolCalls.find(
    (c) => c.traceId === "tau-gpt-4o-airline-0-0" && c.callId === "call_oIHazX6yQrB8hUwl4cRilFKj#2"
  )!;
  assert.equal(reused.name, "calculate");
  assert.equal(reused.result, "255.0");
  assert.ok(all.toolCalls.every((c) => c.result !== null && c.success !== null));
  const failed = all.toolCalls.filter((c) => c.success === false);
  assert.equal(failed.length, 73);
  assert.ok(failed.every((c) => c.error !== null && c.error.startsWith("Error: ")));
  const byName = new Map<string, number>();
  for (const c of all.toolCalls) byName.set(c.name, (byName.get(c.name) ?? 0) + 1);
  assert.equal(byName.get("get_reservation_details"), 377);
  assert.equal(byName.get("update_reservation_passengers"), 2);
  assert.equal(byName.size, 14);
});

test("tau-bench reader marks the 36 runs with a failed tool call as error, 9 of which still pass", () => {
  const errored = all.traces.filter((t) => t.status === "error");
  assert.equal(errored.length, 36);
  const pass = new Set(all.feedback.filter((f) => f.label === "pass").map((f) => f.traceId));
  assert.equal(errored.filter((t) => pass.has(t.traceId)).length, 9);
  assert.ok(all.traces.every((t) => t.status === "error" || t.status === "ok"));
});

test("tau-bench reader gives each run a reward feedback: 84 pass and 116 fail", () => {
  const rewards = all.feedback.filter((f) => f.name === "reward");
  assert.equal(rewards.length, 200);
  assert.equal(rewards.filter((f) => f.value === 1 && f.label === "pass").length, 84);
  assert.equal(rewards.filter((f) => f.value === 0 && f.label === "fail").length, 116);
  assert.ok(rewards.every((f) => f.source === "dataset"));
});

test("tau-bench reader builds a root agent span and one tool span per call, failed calls as error spans", () => {
  assert.equal(all.spans.filter((s) => s.kind === "agent").length, 200);
  const tools = all.spans.filter((s) => s.kind === "tool");
  assert.equal(tools.length, 1164);
  assert.equal(tools.filter((s) => s.status === "error").length, 73);
  const spanIds = new Set(all.spans.map((s) => s.traceId + "/" + s.spanId));
  assert.equal(spanIds.size, all.spans.length);
  assert.ok(all.toolCalls.every((c) => spanIds.has(c.traceId + "/" + c.spanId)));
});

test("tau-bench reader leaves times, tokens and cost unknown, and takes the run's model from the file name", () => {
  assert.ok(
    all.spans.every(
      (s) =>
        s.startTime === null && s.endTime === null && s.inputTokens === null && s.costUsd === null && s.model === null
    )
  );
  const first = all.traces.find((t) => t.traceId === "tau-gpt-4o-airline-0-0")!;
  assert.equal(first.model, "gpt-4o");
  assert.equal(first.metadata.model_source, "file name");
  assert.equal(first.metadata.task_id, 0);
  assert.equal(first.metadata.source, "user");
  assert.equal(first.userId, "mia_li_3668");
  assert.match(String(first.metadata.instruction), /^You are mia_li_3668\./);
});

test("tau-bench reader counts turns at each simulated user message", () => {
  const run = all.messages.filter((m) => m.traceId === "tau-gpt-4o-airline-0-0");
  assert.equal(run[0]!.role, "system");
  assert.equal(run[0]!.turn, 0);
  assert.equal(run[1]!.role, "user");
  assert.equal(run[1]!.turn, 1);
  const users = run.filter((m) => m.role === "user").length;
  assert.equal(run.at(-1)!.turn, users);
});

test("tau-bench reader produces rows that all satisfy the trace model's schemas", () => {
  assertValidFragment(all);
});

test("tau-bench reader rejects a run without a trajectory or with a non-numeric reward", () => {
  const runs = readSharedJson("tau-bench-airline", "gpt-4o-airline.json") as Record<string, unknown>[];
  const run = runs[0]!;
  assert.throws(() => tauBenchReader.read({...run, traj: "oops"}, contextFor(FILE, "")), RecordError);
  assert.throws(() => tauBenchReader.read({...run, reward: "high"}, contextFor(FILE, "")), /reward is not a number/);
  assert.throws(() => tauBenchReader.read({...run, task_id: undefined}, contextFor(FILE, "")), /task_id/);
});

test("tau-bench file names give the trace id prefix, the model hint and the domain", () => {
  assert.deepEqual(tauFileParts("x/sonnet-35-new-retail.json"), {
    stem: "sonnet-35-new-retail",
    modelHint: "sonnet-35-new",
    domain: "retail"
  });
  assert.deepEqual(tauFileParts("runs.json"), {stem: "runs", modelHint: null, domain: null});
});
