/** @module Test data for the online stage: small workspaces of finished traces, and spec files written to a folder. */
import {createHash} from "node:crypto";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {span, traceInfo, type Feedback} from "../../src/core/schemas/trace.js";
import type {EvaluatorSpecInput} from "../../src/core/schemas/evaluator.js";
import type {FixtureTrace} from "../fixtures/fixtureWorkspace.js";
import {withConnection} from "../store/db.js";
import {samplePoints, SAMPLE_POINTS} from "../store/online.js";

/** Trace `t-<i>`: every third one errored and says so ("I could not"), the rest answered. */
export function onlineTrace(i: number, feedback: Omit<Feedback, "traceId" | "spanId" | "source">[] = []): FixtureTrace {
  const id = `t-${i}`;
  const failed = i % 3 === 0;
  return {
    format: "otlp",
    info: traceInfo(id, {name: "support", status: failed ? "error" : "ok", startTime: 1_700_000_000_000 + i * 1000}),
    spans: [span(id, `s-${i}-0`, {name: "chat", kind: "llm", status: failed ? "error" : "ok"})],
    messages: [
      {
        traceId: id,
        spanId: null,
        index: 0,
        direction: "transcript",
        turn: 0,
        role: "user",
        name: null,
        content: `question ${i}`,
        toolCallId: null
      },
      {
        traceId: id,
        spanId: null,
        index: 1,
        direction: "transcript",
        turn: 0,
        role: "assistant",
        name: null,
        content: failed ? `I could not answer ${i}` : `Here is the answer to ${i}`,
        toolCallId: null
      }
    ],
    toolCalls: [],
    feedback: feedback.map((f) => ({...f, traceId: id, spanId: null, source: "user"}))
  };
}

export const RULE_SPEC: EvaluatorSpecInput = {
  id: "errored",
  version: "1.0.0",
  failureMode: "errored",
  criterion: "overall",
  kind: "rule",
  rule: {op: "status", is: "error"},
  online: {}
};

/** Fails a thread of three or more traces (six messages or more): it must see the whole thread to decide. */
export const THREAD_SPEC: EvaluatorSpecInput = {
  id: "long-thread",
  version: "1.0.0",
  failureMode: "the user had to ask again and again",
  criterion: "overall",
  kind: "rule",
  scope: "thread",
  rule: {op: "threshold", field: "message_count", test: {gte: 5}},
  online: {}
};

export const JUDGE_SPEC: EvaluatorSpecInput = {
  id: "unhelpful",
  version: "1.0.0",
  failureMode: "unhelpful",
  criterion: "overall",
  kind: "llm_judge",
  judge: {model: "fake-judge", prompt: "Is this helpful?\n{{trace}}"},
  online: {sample: 0.5, quietSeconds: 60, budget: {perHour: 2, perDay: 100}}
};

export function writeSpecs(dir: string, specs: readonly EvaluatorSpecInput[]): void {
  for (const spec of specs) writeFileSync(join(dir, `${spec.id}.json`), JSON.stringify(spec));
}

/** Sets when traces were last rebuilt, as if their spans had arrived then. */
export async function setIngestedAt(workspace: string, at: Date, traceIds?: readonly string[]): Promise<void> {
  await withConnection(workspace, async (c) => {
    if (!traceIds)
      await c.run("UPDATE traces SET ingested_at = make_timestamp(?::BIGINT)", [BigInt(at.getTime() * 1000)]);
    else
      for (const id of traceIds)
        await c.run("UPDATE traces SET ingested_at = make_timestamp(?::BIGINT) WHERE trace_id = ?", [
          BigInt(at.getTime() * 1000),
          id
        ]);
  });
}

export async function verdictRows(
  workspace: string
): Promise<{runId: string; evaluatorId: string; traceId: string; outcome: string; error: string | null}[]> {
  return withConnection(workspace, async (c) => {
    const reader = await c.runAndReadAll(
      "SELECT run_id, evaluator_id, trace_id, outcome, error FROM judge_verdicts ORDER BY evaluator_id, trace_id, created_at"
    );
    return reader.getRows().map((r) => ({
      runId: String(r[0]),
      evaluatorId: String(r[1]),
      traceId: String(r[2]),
      outcome: String(r[3]),
      error: r[4] == null ? null : String(r[4])
    }));
  });
}

/**
 * Whether the store's sample (`inSampleSql`) takes this id for this key, computed apart from DuckDB with Node's MD5:
 * the digest's last eight bytes read little-endian, as DuckDB's md5_number_lower reads them.
 */
export function inStoreSample(id: string, key: string, share: number): boolean {
  const low = createHash("md5").update(`${key}:${id}`).digest().readBigUInt64LE(8);
  return low % BigInt(SAMPLE_POINTS) < BigInt(samplePoints(share));
}
