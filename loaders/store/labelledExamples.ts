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
  /**
   * What makes traces one group, split whole: `session` (the trace's session), or `metadata.<key>` (a value of the
   * trace's metadata, e.g. `metadata.task_id` for a task run several times). A trace without one is its own group.
   */
  groupBy?: string;
}

/** The grouping expressions a user may ask for; anything else is refused before it reaches SQL. */
export function groupExpression(groupBy: string): {sql: string; params: string[]} {
  if (groupBy === "session") return {sql: "session_id", params: []};
  const key = /^metadata\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)$/.exec(groupBy);
  if (key) return {sql: "json_extract_string(metadata, ?)", params: [`$.${key[1]}`]};
  throw new RangeError(`cannot group by ${JSON.stringify(groupBy)}: use session or metadata.<key>`);
}

export interface LabelledExamples {
  /** null when no ground truth names the failure mode. */
  criterion: string | null;
  examples: LabelledExample[];
  skipped: {otherFailureModes: number; notInStore: number};
  /** The traces left out for failing the criterion with another failure mode (none with `othersAsPass`). */
  otherFailures: string[];
}

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: (string | boolean)[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
}

export async function readLabelledExamples(
  connection: DuckDBConnection,
  selection: LabelledSelection
): Promise<LabelledExamples> {
  const none: LabelledExamples = {
    criterion: null,
    examples: [],
    skipped: {otherFailureModes: 0, notInStore: 0},
    otherFailures: []
  };
  if (!(await tableExists(connection, "ground_truth"))) return none;
  let criterion = selection.criterion ?? null;
  if (criterion === null) {
    const top = await rows(
      connection,
      `SELECT criterion, count(*) AS n FROM ground_truth WHERE NOT pass AND lower(failure_mode) = lower(?) GROUP BY criterion ORDER BY n DESC, criterion LIMIT 1`,
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
  const otherFailures: string[] = [];
  for (const label of labels) {
    const explanation = (label.explanation as string | null) ?? null;
    if (label.pass) outcomes.set(String(label.trace_id), {outcome: "pass", explanation});
    else if (String(label.failure_mode ?? "").toLowerCase() === selection.failureMode.toLowerCase())
      outcomes.set(String(label.trace_id), {outcome: "fail", explanation});
    else if (selection.othersAsPass) outcomes.set(String(label.trace_id), {outcome: "pass", explanation});
    else otherFailures.push(String(label.trace_id));
  }
  const items = await readJudgeItems(connection, {traceIds: [...outcomes.keys()]});
  const groups = new Map<string, string>();
  if (selection.groupBy) {
    const {sql, params} = groupExpression(selection.groupBy);
    for (const r of await rows(connection, `SELECT trace_id, ${sql} AS g FROM traces WHERE ${sql} IS NOT NULL`, [
      ...params,
      ...params
    ])) {
      groups.set(String(r.trace_id), String(r.g));
    }
  }
  const examples = items.map((item) => {
    const group = groups.get(item.traceId);
    return {
      traceId: item.traceId,
      ...outcomes.get(item.traceId)!,
      rule: item.rule,
      trace: item.trace,
      ...(group === undefined ? {} : {group})
    };
  });
  return {
    criterion,
    examples,
    skipped: {otherFailureModes: otherFailures.length, notInStore: outcomes.size - examples.length},
    otherFailures
  };
}

/** The failure modes ground truth names, with how many traces fail with each: what `--failure-mode` can be. */
export async function labelledFailureModes(
  connection: DuckDBConnection
): Promise<{failureMode: string; traces: number}[]> {
  if (!(await tableExists(connection, "ground_truth"))) return [];
  return (
    await rows(
      connection,
      `SELECT failure_mode, count(DISTINCT trace_id) AS n FROM ground_truth WHERE NOT pass AND failure_mode IS NOT NULL GROUP BY ALL ORDER BY n DESC, failure_mode`
    )
  ).map((r) => ({failureMode: String(r.failure_mode), traces: Number(r.n)}));
}
