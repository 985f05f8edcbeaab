import assert from "node:assert/strict";
import {test} from "node:test";
import type {FailureModeEvent, FailureModeState} from "../schemas/failureMode.js";
import {checkMove, effectiveState, replayEvents} from "./lifecycle.js";

const promote = (name: string, at: string, clusterId: string | null = null): FailureModeEvent => ({
  version: 1,
  type: "promote",
  at,
  name,
  description: `${name} described`,
  cluster: clusterId ? {clusterId, kind: "signature", signature: `sig ${clusterId}`, traceIds: []} : null
});
const move = (name: string, at: string, state: FailureModeState): FailureModeEvent => ({
  version: 1,
  type: "set-state",
  at,
  name,
  state,
  note: null
});

test("replaying events gives each mode its clusters, its last state and its history; a state change for an unknown mode is skipped", () => {
  const {modes, skipped} = replayEvents([
    promote("refund tool error", "2026-01-01T00:00:00Z", "sig-a"),
    move("refund tool error", "2026-01-02T00:00:00Z", "triaged"),
    promote("refund tool error", "2026-01-03T00:00:00Z", "sig-b"),
    move("ghost", "2026-01-03T00:00:00Z", "triaged")
  ]);
  const mode = modes.get("refund tool error")!;
  assert.deepEqual(
    mode.clusters.map((c) => c.clusterId),
    ["sig-a", "sig-b"]
  );
  assert.equal(mode.state, "triaged");
  assert.deepEqual(
    mode.history.map((h) => h.state),
    ["new", "triaged"]
  );
  assert.deepEqual(skipped, [
    {index: 3, reason: 'no failure mode named "ghost" was promoted before this state change'}
  ]);
});

test("moves follow the lifecycle: resolved only after a fix ships, and a resolved mode can only regress", () => {
  assert.equal(checkMove("new", "triaged"), null);
  assert.equal(checkMove("fix_shipped", "verified_resolved"), null);
  assert.match(
    checkMove("triaged", "verified_resolved")!,
    /cannot move a failure mode from triaged to verified_resolved/
  );
  assert.match(checkMove("verified_resolved", "triaged")!, /can go to regressed/);
  assert.match(checkMove("new", "new")!, /already new/);
});

test("annotations and evaluators lift the state; people's later states are kept", () => {
  const {modes} = replayEvents([promote("m", "2026-01-01T00:00:00Z")]);
  const mode = modes.get("m")!;
  assert.equal(effectiveState(mode, {annotationCount: 0, evaluatorCount: 0, lastSeen: null}), "new");
  assert.equal(effectiveState(mode, {annotationCount: 3, evaluatorCount: 0, lastSeen: null}), "annotated");
  assert.equal(effectiveState(mode, {annotationCount: 3, evaluatorCount: 1, lastSeen: null}), "has_evaluator");
  const shipped = replayEvents([
    promote("m", "2026-01-01T00:00:00Z"),
    move("m", "2026-01-05T00:00:00Z", "fix_shipped")
  ]).modes.get("m")!;
  assert.equal(effectiveState(shipped, {annotationCount: 3, evaluatorCount: 1, lastSeen: null}), "fix_shipped");
});

test("a resolved mode seen after it was resolved is regressed, and not before", () => {
  const {modes} = replayEvents([
    promote("m", "2026-01-01T00:00:00Z"),
    move("m", "2026-01-05T00:00:00Z", "fix_shipped"),
    move("m", "2026-01-10T00:00:00Z", "verified_resolved")
  ]);
  const mode = modes.get("m")!;
  assert.equal(
    effectiveState(mode, {annotationCount: 0, evaluatorCount: 0, lastSeen: Date.parse("2026-01-09T00:00:00Z")}),
    "verified_resolved"
  );
  assert.equal(
    effectiveState(mode, {annotationCount: 0, evaluatorCount: 0, lastSeen: Date.parse("2026-01-11T00:00:00Z")}),
    "regressed"
  );
});
