/**
 * @module The labelled examples of one failure mode, from the workspace's ground truth: the traces whose ground
 * truth on the criterion is a failure of that mode (positives) and those it passes (negatives), each with what an
 * evaluator reads of the trace.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {LabelledExample} from "../../src/core/generate/examples.js";
import {tableExists} from "./db.js";
import {readJudgeItems} from "./judgeItems.js";

export interface LabelledSelection {
  failureMode: string;
  /** The criterion the labels are on; default: the one most of this mode's failing labels are on. */
  criterion?: string;
  /** Count traces that fail the criterion with another failure mode as passes (default: leave them out). */
  othersAsPass?: boolean;
}

export interface LabelledExamples {
  /** null when no ground truth names the failure mode. */
  criterion: string | null;
  examples: LabelledExample[];
  skipped: {otherFailureModes: number; notInStore: number};
}

async function rows(connection: DuckDBConnection, sql: string, params: (string | boolean)[] = []): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
}

export async function readLabelledExamples(connection: DuckDBConnection, selection: LabelledSelection): Promise<LabelledExamples> {
  const none: LabelledExamples = {criterion: null, examples: [], skipped: {otherFailureModes: 0, notInStore: 0}};
  if (!(await tableExists(connection, "ground_truth"))) return none;
  let criterion = selection.criterion ?? null;
  if (criterion === null) {
    const top = await rows(
      connection,
      `SELECT criterion, count(*) AS n FROM ground_truth WHERE NOT pass AND failure_mode = ? GROUP BY criterion ORDER BY n DESC, criterion LIMIT 1`,
      [selection.failureMode]
    );
    if (!top.length) return none;
    criterion = String(top[0]!.criterion);
  }
  const labels = await rows(
    connection,
    `SELECT trace_id, pass, failure_mode, explanation FROM ground_truth WHERE criterion = ? AND pass IS NOT NULL ORDER BY trace_id`,
    [criterion]
  );
  const outcomes = new Map<string, {outcome: "pass" | "fail"; explanation: string | null}>();
  let otherFailureModes = 0;
  for (const label of labels) {
    const explanation = (label.explanation as string | null) ?? null;
    if (label.pass) outcomes.set(String(label.trace_id), {outcome: "pass", explanation});
    else if (label.failure_mode === selection.failureMode) outcomes.set(String(label.trace_id), {outcome: "fail", explanation});
    else if (selection.othersAsPass) outcomes.set(String(label.trace_id), {outcome: "pass", explanation});
    else otherFailureModes++;
  }
  const items = await readJudgeItems(connection, {traceIds: [...outcomes.keys()]});
  const examples = items.map((item) => ({traceId: item.traceId, ...outcomes.get(item.traceId)!, rule: item.rule, trace: item.trace}));
  return {criterion, examples, skipped: {otherFailureModes, notInStore: outcomes.size - examples.length}};
}

/** The failure modes ground truth names, with how many traces fail with each: what `--failure-mode` can be. */
export async function labelledFailureModes(connection: DuckDBConnection): Promise<{failureMode: string; traces: number}[]> {
  if (!(await tableExists(connection, "ground_truth"))) return [];
  return (
    await rows(connection, `SELECT failure_mode, count(DISTINCT trace_id) AS n FROM ground_truth WHERE NOT pass AND failure_mode IS NOT NULL GROUP BY ALL ORDER BY n DESC, failure_mode`)
  ).map((r) => ({failureMode: String(r.failure_mode), traces: Number(r.n)}));
}
