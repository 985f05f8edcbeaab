/** @module Multi-row INSERT with bound values, in statements of at most 500 rows. */
import type {DuckDBConnection, DuckDBValue} from "@duckdb/node-api";

/** Inserts `rows` of `width` values into `table`; `cast[i]` names a type for column i (`TIMESTAMP`, `JSON`). */
export async function insertRows(
  connection: DuckDBConnection,
  table: string,
  width: number,
  rows: DuckDBValue[][],
  cast: (string | undefined)[] = []
): Promise<void> {
  const one = `(${Array.from({length: width}, (_, i) => (cast[i] ? `?::${cast[i]}` : "?")).join(", ")})`;
  for (let start = 0; start < rows.length; start += 500) {
    const batch = rows.slice(start, start + 500);
    await connection.run(`INSERT INTO ${table} VALUES ${batch.map(() => one).join(", ")}`, batch.flat());
  }
}
