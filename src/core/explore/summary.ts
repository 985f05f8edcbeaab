/** @module What the overview page shows about a workspace; written by the `data/summary.json` loader. */

/** Times are epoch milliseconds (UTC); `null` when no trace has one. */
export interface WorkspaceSummary {
  traces: number;
  spans: number;
  messages: number;
  toolCalls: number;
  toolErrors: number;
  feedback: number;
  sources: number;
  firstTrace: number | null;
  lastTrace: number | null;
  lastIngest: number | null;
  /** `undated`: the format's traces with no start time (many datasets record none). */
  byFormat: {format: string; traces: number; errors: number; undated: number}[];
  byStatus: {status: string; traces: number}[];
  byModel: {model: string | null; traces: number; tokens: number | null; cost: number | null}[];
  byDay: {day: number; status: string; traces: number}[];
}
