/** @module Reading the annotation views for export, a chunk of rows at a time so an export's size is not held at once. */
import type {DuckDBConnection} from "@duckdb/node-api";

export type ExportView = "human_labels" | "ground_truth";

/** Streams the view in a fixed order: the column names, then each chunk of rows as JSON values. */
export async function streamView(
  connection: DuckDBConnection,
  view: ExportView,
  onColumns: (columns: string[]) => void,
  onRows: (rows: unknown[][]) => void
): Promise<void> {
  const order = view === "human_labels" ? "trace_id, criterion, annotator, annotated_at" : "trace_id, criterion";
  const result = await connection.stream(`SELECT * FROM ${view} ORDER BY ${order}`);
  onColumns(result.columnNames());
  for await (const rows of result.yieldRowsJson()) onRows(rows as unknown[][]);
}
