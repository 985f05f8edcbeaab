/** @module Test data for the experiment runner's tests: dataset cases named after real τ-bench airline runs. */
import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";
import type {DatasetCase} from "../../src/core/schemas/dataset.js";

export const TAU_FIXED = fileURLToPath(new URL("../fixtures/tasks/tauFixed.mjs", import.meta.url));
export const TAU_REGRESSED = fileURLToPath(new URL("../fixtures/tasks/tauRegressed.mjs", import.meta.url));
export const OTLP_TASK = fileURLToPath(new URL("../fixtures/tasks/otlpTask.mjs", import.meta.url));

interface TauRun {
  task_id: number;
  trial: number;
  reward: number;
  traj: {role: string; content: string | null}[];
}

/** The first `n` failed τ-bench runs as cases: their id, their customer's first message and transcript. */
export function tauCases(n: number): DatasetCase[] {
  const file = fileURLToPath(new URL("../../data/demo/tau-bench-airline/gpt-4o-airline.json", import.meta.url));
  const runs = (JSON.parse(readFileSync(file, "utf8")) as TauRun[]).filter((r) => r.reward === 0).slice(0, n);
  return runs.map((r) => {
    const messages = r.traj
      .filter((m) => m.role === "user" || m.role === "assistant")
      .map((m) => ({role: m.role, direction: "transcript", content: m.content ?? null}));
    return {
      format: 1,
      caseId: `tau-gpt-4o-airline-${r.task_id}-${r.trial}`,
      input: messages.find((m) => m.role === "user")?.content ?? null,
      context: {status: "ok", fields: {}, messages, toolCalls: [], spans: []},
      expectedOutput: null,
      expectedBehaviour: null,
      failureMode: "tool error not recovered",
      criterion: "overall",
      kind: "confirmed_failure",
      sourceTraceId: `tau-gpt-4o-airline-${r.task_id}-${r.trial}`,
      addedBy: "test",
      reason: "",
      addedAt: "2026-12-01T00:00:00.000Z"
    };
  });
}
