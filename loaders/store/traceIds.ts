/** @module The set of trace ids in the store, to tie imported feedback to its traces. */
import type {DuckDBConnection} from "@duckdb/node-api";

export async function readTraceIds(connection: DuckDBConnection): Promise<Set<string>> {
  const reader = await connection.runAndReadAll("SELECT trace_id FROM traces");
  return new Set(reader.getRows().map((r) => String(r[0])));
}
