/**
 * @module The trace list loaded from `data/traces.arrow`, as plain columns for filtering and a row accessor for
 * the rows on screen. Column names follow the loader (`loaders/store/traceList.ts`).
 */
import type {Table, Vector} from "apache-arrow";
import type {TraceListColumns} from "../core/explore/filter.js";
import {dictionaryColumn, numberColumn} from "./arrowColumns.js";

export interface TraceRow {
  traceId: string;
  sessionId: string | null;
  name: string | null;
  format: string | null;
  startTime: number | null;
  latencyMs: number | null;
  status: string | null;
  model: string | null;
  promptVersion: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  costUsd: number | null;
  spanCount: number | null;
  messageCount: number | null;
  toolCallCount: number | null;
  toolErrorCount: number | null;
  feedbackCount: number | null;
  hasFeedback: boolean | null;
  firstUserMessage: string | null;
}

const FIELDS: Record<keyof TraceRow, string> = {
  traceId: "trace_id",
  sessionId: "session_id",
  name: "name",
  format: "format",
  startTime: "start_time",
  latencyMs: "latency_ms",
  status: "status",
  model: "model",
  promptVersion: "prompt_version",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  totalTokens: "total_tokens",
  costUsd: "cost_usd",
  spanCount: "span_count",
  messageCount: "message_count",
  toolCallCount: "tool_call_count",
  toolErrorCount: "tool_error_count",
  feedbackCount: "feedback_count",
  hasFeedback: "has_feedback",
  firstUserMessage: "first_user_message"
};

export interface TraceList extends TraceListColumns {
  traceId: ArrayLike<string>;
  latencyMs: ArrayLike<number | null>;
  totalTokens: ArrayLike<number | null>;
  costUsd: ArrayLike<number | null>;
  row(i: number): TraceRow;
  indexOf(traceId: string): number;
  /** Lower-case text searched by the filter: id, name, session and the first user message. Built on first use. */
  search(): string[];
}

/** How each column is read: numbers and categories up front (the filters scan them), strings on demand. */
const NUMBERS = [
  "startTime",
  "latencyMs",
  "inputTokens",
  "outputTokens",
  "totalTokens",
  "costUsd",
  "spanCount",
  "messageCount",
  "toolCallCount",
  "toolErrorCount",
  "feedbackCount"
] as const;
const CATEGORIES = ["name", "format", "status", "model", "promptVersion"] as const;
const STRINGS = ["traceId", "sessionId", "firstUserMessage"] as const;

/**
 * `receiving(traceId)`: whether the trace still receives spans (the live view of `plumbline start`); such a row's
 * status reads "receiving" unless it is already an error, which stays visible.
 */
export function traceList(table: Table, receiving?: (traceId: string) => boolean): TraceList {
  const vector = (key: keyof TraceRow): Vector => {
    const v = table.getChild(FIELDS[key]);
    if (!v) throw new Error(`trace list has no column ${FIELDS[key]}`);
    return v;
  };
  const columns = {} as Record<keyof TraceRow, ArrayLike<unknown>>;
  for (const key of NUMBERS) columns[key] = numberColumn(vector(key));
  for (const key of CATEGORIES) columns[key] = dictionaryColumn(vector(key));
  columns.hasFeedback = Array.from(vector("hasFeedback")) as (boolean | null)[];
  // Strings are decoded only when needed: a row on screen reads its own, search and lookup build theirs once.
  const strings = Object.fromEntries(STRINGS.map((key) => [key, vector(key)])) as Record<
    (typeof STRINGS)[number],
    Vector
  >;
  const decoded: Partial<Record<(typeof STRINGS)[number], (string | null)[]>> = {};
  const decode = (key: (typeof STRINGS)[number]) => (decoded[key] ??= Array.from(strings[key]) as (string | null)[]);
  let ids: Map<string, number> | null = null;
  let haystack: string[] | null = null;
  const list = {
    ...(columns as unknown as Omit<TraceList, "traceId" | "row" | "indexOf" | "search" | "length">),
    length: table.numRows,
    get traceId() {
      return decode("traceId") as string[];
    },
    row(i: number) {
      const row = {} as Record<string, unknown>;
      for (const key of Object.keys(FIELDS) as (keyof TraceRow)[]) {
        row[key] = (key in strings ? strings[key as (typeof STRINGS)[number]].get(i) : columns[key][i]) ?? null;
      }
      if (receiving?.(row.traceId as string) && row.status !== "error") row.status = "receiving";
      return row as unknown as TraceRow;
    },
    indexOf(traceId: string) {
      ids ??= new Map(decode("traceId").map((id, i) => [id!, i]));
      return ids.get(traceId) ?? -1;
    },
    search() {
      const [id, session, message] = [decode("traceId"), decode("sessionId"), decode("firstUserMessage")];
      const name = columns.name as (string | null)[];
      haystack ??= id.map((_, i) => [id[i], name[i], session[i], message[i]].filter(Boolean).join("\n").toLowerCase());
      return haystack;
    }
  };
  return list as TraceList;
}
