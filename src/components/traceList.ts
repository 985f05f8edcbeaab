/**
 * @module The trace list loaded from `data/traces.arrow`, as plain columns for filtering and a row accessor for
 * the rows on screen. Column names follow the loader (`loaders/browser/traceList.ts`).
 */
import type {Table} from "apache-arrow";
import type {TraceListColumns} from "../core/explore/filter.js";

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
  traceId: "trace_id", sessionId: "session_id", name: "name", format: "format", startTime: "start_time",
  latencyMs: "latency_ms", status: "status", model: "model", promptVersion: "prompt_version",
  inputTokens: "input_tokens", outputTokens: "output_tokens", totalTokens: "total_tokens", costUsd: "cost_usd",
  spanCount: "span_count", messageCount: "message_count", toolCallCount: "tool_call_count",
  toolErrorCount: "tool_error_count", feedbackCount: "feedback_count", hasFeedback: "has_feedback",
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

export function traceList(table: Table): TraceList {
  // Materializing a column once is cheaper than Arrow's per-value access in the filter loop, and keeps nulls.
  const column = <T>(name: string): T[] => {
    const vector = table.getChild(name);
    if (!vector) throw new Error(`trace list has no column ${name}`);
    // A typed array has no nulls (Arrow writes 0 in their place), so it is only used when there are none.
    return (vector.nullCount === 0 && ArrayBuffer.isView(vector.toArray()) ? vector.toArray() : Array.from(vector)) as T[];
  };
  const columns = Object.fromEntries(Object.entries(FIELDS).map(([key, name]) => [key, column(name)])) as {
    [K in keyof TraceRow]: TraceRow[K][];
  };
  let ids: Map<string, number> | null = null;
  let haystack: string[] | null = null;
  return {
    ...columns,
    length: table.numRows,
    row(i) {
      const row = {} as Record<string, unknown>;
      for (const key of Object.keys(FIELDS) as (keyof TraceRow)[]) row[key] = columns[key][i] ?? null;
      return row as unknown as TraceRow;
    },
    indexOf(traceId) {
      ids ??= new Map(columns.traceId.map((id, i) => [id, i]));
      return ids.get(traceId) ?? -1;
    },
    search() {
      haystack ??= columns.traceId.map((id, i) =>
        [id, columns.name[i], columns.sessionId[i], columns.firstUserMessage[i]].filter(Boolean).join("\n").toLowerCase()
      );
      return haystack;
    }
  };
}
