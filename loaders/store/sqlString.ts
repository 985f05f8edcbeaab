/** @module A text as a SQL string literal, for the places DuckDB takes no parameter (file lists, COPY targets). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
