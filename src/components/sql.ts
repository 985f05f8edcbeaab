/**
 * @module SQL in a page: DuckDB-WASM over the app's Arrow tables, served by the site itself.
 *
 * Framework's own `sql` blocks and `DuckDBClient` load DuckDB-WASM from a CDN, which an offline reader and the
 * report's Content-Security-Policy both refuse. Here the library, its worker and its WebAssembly module are
 * named with `import.meta.resolve`, so Framework copies them from `node_modules` into the built site (`_node/`)
 * and nothing leaves the machine. Only the "eh" bundle (WebAssembly exception handling: Chrome 95, Firefox 100,
 * Safari 15.2 and later) is named: the "mvp" one for older browsers would add 39 MB to the site. The policy must allow
 * `'wasm-unsafe-eval'` in `script-src` (see `loaders/site/csp.ts`); docs/notebooks.md says why.
 */
import * as duckdb from "@duckdb/duckdb-wasm";
import {tableFromIPC, tableToIPC} from "apache-arrow";

/**
 * A table's Arrow IPC bytes, or a promise of them: `FileAttachment("data/verdicts.arrow").arrayBuffer()`. Name
 * the method in the page: a bare `FileAttachment("….arrow")` makes Framework preload Arrow's reader from a CDN.
 */
export type TableSource = Uint8Array | ArrayBuffer | PromiseLike<Uint8Array | ArrayBuffer>;

/** A query's result as DuckDB returns it: an Arrow table (of the Arrow version DuckDB-WASM bundles). */
export type ArrowResult = Awaited<ReturnType<duckdb.AsyncDuckDBConnection["query"]>>;

/** A value a row holds: DuckDB's numbers, strings, booleans, nulls, and Arrow's values for the other types. */
export type SqlRow = Record<string, unknown>;

export interface SqlDatabase {
  /**
   * Runs one statement and returns its rows as plain objects. `params` fill the statement's `?` placeholders,
   * in order, as values, never as SQL: use them for anything a reader typed. Whole numbers (`count(*)`, BIGINT)
   * come back as numbers when they fit one exactly, else as bigints.
   */
  query(text: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** The same statement's result as an Arrow table, for Plot or for columns (`table.getChild("n")`). */
  queryArrow(text: string, params?: readonly unknown[]): Promise<ArrowResult>;
  /** The tables opened, by name. */
  readonly tables: readonly string[];
  /** Stops the database's worker; a page calls it on `invalidation`, before its cell runs again. */
  close(): Promise<void>;
}

// Both files are copied from node_modules into the built site by Framework, which rewrites these specifiers.
const WASM_URL = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
const WORKER_URL = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");

async function bytesOf(source: TableSource): Promise<Uint8Array> {
  const bytes = await source;
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

/**
 * DuckDB reads Arrow's stream format; Arrow's file format (the same batches between an "ARROW1" header and a
 * footer) is rewritten as a stream, so a file from either writer opens.
 */
function asIPCStream(bytes: Uint8Array): Uint8Array {
  const magic = "ARROW1";
  const isFile = bytes.length >= magic.length && [...magic].every((c, i) => bytes[i] === c.charCodeAt(0));
  return isFile ? tableToIPC(tableFromIPC(bytes), "stream") : bytes;
}

function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  return value;
}

function rowsOf(table: ArrowResult): SqlRow[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((name) => table.getChild(name)!);
  const rows: SqlRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: SqlRow = {};
    names.forEach((name, c) => (row[name] = plainValue(columns[c]!.get(i))));
    rows.push(row);
  }
  return rows;
}

/**
 * Starts DuckDB in a worker and creates one table per entry of `tables`, from Arrow IPC bytes: in a page,
 * `await openDuckDB({tables: {verdicts: FileAttachment("data/verdicts.arrow").arrayBuffer()}})`. The database lives in the
 * page's memory only: nothing is written back to the workspace.
 */
export async function openDuckDB({tables}: {tables: Record<string, TableSource>}): Promise<SqlDatabase> {
  // Framework bundles the worker script as an ES module (it ends in an `export`), so it starts as one.
  const worker = new Worker(WORKER_URL, {type: "module"});
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await db.instantiate(WASM_URL);
    // Extensions come from a server on the internet: never fetch one, so a query that needs one fails with
    // DuckDB's own message instead of a blocked request.
    await db.open({query: {castDecimalToDouble: true}});
    const connection = await db.connect();
    await connection.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false");
    for (const [name, source] of Object.entries(tables)) {
      await connection.insertArrowFromIPCStream(asIPCStream(await bytesOf(source)), {name, create: true});
    }
    const run = async (text: string, params: readonly unknown[] = []) => {
      if (!params.length) return connection.query(text);
      const statement = await connection.prepare(text);
      try {
        return await statement.query(...params);
      } finally {
        await statement.close();
      }
    };
    return {
      tables: Object.keys(tables),
      query: async (text, params) => rowsOf(await run(text, params)),
      queryArrow: (text, params) => run(text, params),
      close: async () => {
        await connection.close();
        await db.terminate();
      }
    };
  } catch (error) {
    await db.terminate();
    throw error;
  }
}
