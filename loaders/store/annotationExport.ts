/** @module Reading the annotation views for export. */
import type {DuckDBConnection} from "@duckdb/node-api";

export type ExportView = "human_labels" | "ground_truth";

export async function readView(connection: DuckDBConnection, view: ExportView): Promise<{columns: string[]; rows: unknown[][]}> {
  const order = view === "human_labels" ? "trace_id, criterion, annotator, annotated_at" : "trace_id, criterion";
  const reader = await connection.runAndReadAll(`SELECT * FROM ${view} ORDER BY ${order}`);
  return {columns: reader.columnNames(), rows: reader.getRowsJson() as unknown[][]};
}
