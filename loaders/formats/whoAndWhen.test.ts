import {test} from "node:test";
import assert from "node:assert/strict";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor, mergeFragments} from "../fixtures/rowChecks.js";
import {listShared, readSharedText} from "../fixtures/sharedData.js";
import {RecordError} from "./reader.js";
import {agentOfRole, whoAndWhenReader} from "./whoAndWhen.js";

function readSubset(folder: string): Fragment {
  const files = listShared(`who-and-when/${folder}`, ".json");
  return mergeFragments(
    files.map((f) => {
      const text = readSharedText("who-and-when", folder, f);
      return whoAndWhenReader.read(JSON.parse(text), contextFor(`who-and-when/${folder}/${f}`, text));
    })
  );
}

const hand = readSubset("Hand-Crafted");
const algo = readSubset("Algorithm-Generated");

test("who-and-when reader reads 58 hand-crafted and 126 algorithm-generated runs as 184 distinct traces", () => {
  assert.equal(hand.traces.length, 58);
  assert.equal(algo.traces.length, 126);
  const ids = new Set([...hand.traces, ...algo.traces].map((t) => t.traceId));
  assert.equal(ids.size, 184);
  assert.ok(ids.has("ww-hand-1") && ids.has("ww-algo-1"));
});

test("who-and-when reader keeps 2,993 hand-crafted and 1,099 algorithm-generated steps as messages", () => {
  assert.equal(hand.messages.length, 2993);
  assert.equal(algo.messages.length, 1099);
});

test("who-and-when reader names the speaking agent of each hand-crafted step", () => {
  const names = new Map<string | null, number>();
  for (const m of hand.messages) names.set(m.name, (names.get(m.name) ?? 0) + 1);
  // Orchestrator: 1,563 thoughts + 602 + 41 + 36 + 10 instructions + 31 termination checks.
  assert.equal(names.get("Orchestrator"), 2283);
  assert.equal(names.get("WebSurfer"), 568);
  assert.equal(names.get(null), 58);
  assert.equal(hand.messages.filter((m) => m.role === "user").length, 58);
  const first = hand.messages.find((m) => m.traceId === "ww-hand-1" && m.index === 12)!;
  assert.equal(first.name, "WebSurfer");
});

test("who-and-when reader takes algorithm-generated speakers from name and keeps AutoGen's role", () => {
  assert.equal(algo.messages.filter((m) => m.name === "Computer_terminal").length, 303);
  assert.equal(algo.messages.filter((m) => m.role === "user").length, 731);
  assert.equal(algo.messages.filter((m) => m.role === "assistant").length, 368);
});

test("who-and-when reader records the annotators' mistake agent, step and reason as human feedback", () => {
  const agents = new Map<string | null, number>();
  for (const f of hand.feedback.filter((f) => f.name === "mistake_agent"))
    agents.set(f.label, (agents.get(f.label) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(agents), {WebSurfer: 33, Orchestrator: 18, Assistant: 4, FileSurfer: 3});
  const algoAgents = new Set(algo.feedback.filter((f) => f.name === "mistake_agent").map((f) => f.label));
  assert.equal(algoAgents.size, 82);
  const step = hand.feedback.find((f) => f.traceId === "ww-hand-1" && f.name === "mistake_step")!;
  assert.equal(step.value, 12);
  assert.equal(step.source, "human");
  const agent = hand.feedback.find((f) => f.traceId === "ww-hand-1" && f.name === "mistake_agent")!;
  assert.equal(agent.comment, "WebSurfer clicks on an irrelevant website and disrupts the task-solving process.");
  assert.equal(algo.feedback.filter((f) => f.name === "mistake_step" && f.value === 0).length, 20);
});

test("who-and-when reader marks every run's outcome as a failed task", () => {
  const outcomes = [...hand.feedback, ...algo.feedback].filter((f) => f.name === "outcome");
  assert.equal(outcomes.length, 184);
  assert.ok(outcomes.every((f) => f.label === "fail" && f.value === 0 && f.source === "dataset"));
});

test("who-and-when reader keeps question, ground truth, level and subset as metadata", () => {
  const t = hand.traces.find((t) => t.traceId === "ww-hand-1")!;
  assert.equal(t.metadata.ground_truth, "Renzo Gracie Jiu-Jitsu Wall Street");
  assert.equal(t.metadata.subset, "hand-crafted");
  assert.equal(t.metadata.level, null);
  const a = algo.traces.find((t) => t.traceId === "ww-algo-1")!;
  assert.equal(a.metadata.level, "2");
  assert.equal(a.metadata.ground_truth, "8");
  assert.ok(a.metadata.system_prompt && typeof a.metadata.system_prompt === "object");
  assert.ok([...hand.traces, ...algo.traces].every((t) => t.status === null && t.model === null));
});

test("who-and-when reader produces rows that all satisfy the trace model's schemas", () => {
  assertValidFragment(hand);
  assertValidFragment(algo);
});

test("who-and-when reader tells the subsets apart by shape when the folder name is gone", () => {
  const text = readSharedText("who-and-when", "Hand-Crafted", "1.json");
  const f = whoAndWhenReader.read(JSON.parse(text), contextFor("copied/1.json", text));
  assert.equal(f.traces[0]!.traceId, "ww-hand-1");
  const other = readSharedText("who-and-when", "Algorithm-Generated", "1.json");
  assert.equal(whoAndWhenReader.read(JSON.parse(other), contextFor("1.json", other)).traces[0]!.traceId, "ww-algo-1");
});

test("who-and-when reader rejects a run whose history entry has no role", () => {
  const run = JSON.parse(readSharedText("who-and-when", "Hand-Crafted", "1.json")) as Record<string, unknown>;
  assert.throws(
    () => whoAndWhenReader.read({...run, history: [{content: "x"}]}, contextFor("Hand-Crafted/1.json", "")),
    /history\[0\] has no role/
  );
  assert.throws(() => whoAndWhenReader.read({question: "q"}, contextFor("x.json", "")), RecordError);
});

test("who-and-when agent names are the text before the bracketed addressee", () => {
  assert.equal(agentOfRole("Orchestrator (-> WebSurfer)"), "Orchestrator");
  assert.equal(agentOfRole("WebSurfer"), "WebSurfer");
});
