/**
 * @module Opening the workspace's DuckDB file. This module owns instance and connection lifetimes: every
 * connection it hands out is closed in a `finally`, so a failed statement never leaves the file locked.
 */
import {AsyncLocalStorage} from "node:async_hooks";
import {existsSync, mkdirSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";
import {PlumblineError} from "../errors.js";
import {ANNOTATION_VIEWS} from "./annotationViews.js";
import {sha256Hex} from "../formats/hash.js";
import {STORE_VERSION, TABLES, type TableName} from "./ddl.js";

/** The file inside a workspace folder that holds the store. */
export const DB_FILE = "plumbline.duckdb";

const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The workspace folder: `PLUMBLINE_WORKSPACE` when set, else the repository's `data/`. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PLUMBLINE_WORKSPACE ?? join(REPO_ROOT, "data"));
}

export function dbPath(workspace: string): string {
  return join(workspace, DB_FILE);
}

export class StoreError extends PlumblineError {
  override readonly name = "StoreError";
}

/**
 * A new store is written in DuckDB's 1.2 storage format, the first with ZSTD for text: span attributes (the
 * largest column) take half the space of FSST and less CPU to write. Any DuckDB from 1.2 on reads it. A store
 * created earlier keeps its format and its tables' compression.
 */
const NEW_STORE = {storage_compatibility_version: "v1.2.0"};

/** Runs `fn` with a read-write connection to the workspace, creating and migrating the store first. */
export async function withConnection<T>(
  workspace: string,
  fn: (connection: DuckDBConnection) => Promise<T>
): Promise<T> {
  mkdirSync(workspace, {recursive: true});
  const path = dbPath(workspace);
  return withInstance(path, existsSync(path) ? {} : NEW_STORE, ensureSchema, fn);
}

/**
 * Runs `fn` with a read-only connection. Data loaders use this so that a page build never takes the write lock
 * that an ingest or the annotation server may hold.
 */
export async function withReadConnection<T>(
  workspace: string,
  fn: (connection: DuckDBConnection) => Promise<T>
): Promise<T> {
  return withInstance(dbPath(workspace), {access_mode: "READ_ONLY"}, checkVersion, fn);
}

/**
 * One open instance per file in this process at a time. Two DuckDB instances on one file in one process would not
 * see each other's lock (POSIX locks are per process) and could both write it: the annotation server, the
 * failure-mode routes and the judge all open the store from one process. A nested open on the same file, from
 * inside `fn`, runs at once instead of waiting on itself.
 */
const queues = new Map<string, Promise<unknown>>();
const held = new AsyncLocalStorage<ReadonlySet<string>>();

function oneAtATime<T>(path: string, work: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(path)) return work();
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(() => held.run(new Set([...(mine ?? []), path]), work));
  const settled = next.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}

async function withInstance<T>(
  path: string,
  options: Record<string, string>,
  prepare: (connection: DuckDBConnection) => Promise<void>,
  fn: (connection: DuckDBConnection) => Promise<T>
): Promise<T> {
  return oneAtATime(resolve(path), async () => {
    const instance = await openInstance(path, options);
    try {
      const connection = await instance.connect();
      try {
        await prepare(connection);
        return await fn(connection);
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  });
}

/** How long an open waits for another process's brief hold on the file (the annotation server's mirror). */
const LOCK_WAIT_MS = 10_000;

async function openInstance(path: string, options: Record<string, string>): Promise<DuckDBInstance> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await DuckDBInstance.create(path, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/lock/i.test(message) || Date.now() + wait > deadline) return failOpen(path, options, message);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function failOpen(path: string, options: Record<string, string>, message: string): never {
  if (/lock/i.test(message)) {
    throw new StoreError(
      `the workspace ${path} is in use by another process (${message}); stop it or wait for it to finish`
    );
  }
  if (options.access_mode === "READ_ONLY" && /not exist|No such file/i.test(message)) {
    throw new StoreError(`no workspace at ${path}; run \`plumbline ingest <files>\` or \`plumbline demo\` first`);
  }
  throw new StoreError(`cannot open the workspace ${path}: ${message}`);
}

/**
 * Whether a table or view exists. A workspace written by an older Plumbline and opened read-only lacks what later
 * versions add, so readers of those tables check first and treat a missing one as empty.
 */
export async function tableExists(connection: DuckDBConnection, name: string): Promise<boolean> {
  const reader = await connection.runAndReadAll("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [
    name
  ]);
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}

/**
 * Every statement that makes the store's tables and views, in order. They are idempotent, but not free: run on
 * every open, they were two thirds of the cost of opening a store for writing (45 of 65 ms), and a command or a
 * test opens it many times. So a store records a fingerprint of them, and an open whose store records this
 * version's fingerprint runs none of them.
 */
const SCHEMA: readonly string[] = [
  "CREATE TABLE IF NOT EXISTS plumbline_meta (key VARCHAR, value VARCHAR)",
  ...(Object.entries(TABLES) as [TableName, string][]).map(
    ([name, columns]) => `CREATE TABLE IF NOT EXISTS ${name} (${columns})`
  ),
  `CREATE OR REPLACE VIEW sessions AS
    SELECT coalesce(session_id, trace_id) AS session_id, count(*) AS trace_count, min(start_time) AS first_seen,
      max(end_time) AS last_seen, any_value(user_id) AS user_id, sum(total_tokens) AS total_tokens,
      sum(cost_usd) AS cost_usd, count(*) FILTER (WHERE status = 'error') AS error_traces
    FROM traces GROUP BY ALL`,
  ...ANNOTATION_VIEWS
];

export const SCHEMA_FINGERPRINT = sha256Hex(SCHEMA.join(";\n")).slice(0, 16);

interface StoreMeta {
  version: number | null;
  schema: string | null;
}

/** The store's version and schema fingerprint; null when the file holds no `plumbline_meta` table. */
async function storeMeta(connection: DuckDBConnection): Promise<StoreMeta | null> {
  if (!(await tableExists(connection, "plumbline_meta"))) return null;
  const rows = (
    await connection.runAndReadAll(
      "SELECT key, value FROM plumbline_meta WHERE key IN ('store_version', 'schema_fingerprint')"
    )
  ).getRows();
  const value = (key: string) => rows.find((row) => row[0] === key)?.[1];
  const version = value("store_version");
  const schema = value("schema_fingerprint");
  return {version: version == null ? null : Number(version), schema: typeof schema === "string" ? schema : null};
}

function assertReadable(meta: StoreMeta | null): void {
  if (meta?.version == null) throw new StoreError("this file is not a Plumbline workspace (no plumbline_meta table)");
  if (meta.version > STORE_VERSION) {
    throw new StoreError(
      `the workspace is store version ${meta.version}, newer than this Plumbline (${STORE_VERSION}); upgrade Plumbline`
    );
  }
}

async function checkVersion(connection: DuckDBConnection): Promise<void> {
  assertReadable(await storeMeta(connection));
}

/**
 * Creates missing tables and (re)creates the views, unless the store records this version's schema. Older store
 * versions are migrated here, one step at a time, when there are any.
 */
export async function ensureSchema(connection: DuckDBConnection): Promise<void> {
  const meta = await storeMeta(connection);
  const version = meta?.version ?? null;
  if (version !== null && version > STORE_VERSION) assertReadable(meta);
  if (version === STORE_VERSION && meta?.schema === SCHEMA_FINGERPRINT) return;
  for (const statement of SCHEMA) await connection.run(statement);
  if (version === null) {
    await connection.run("INSERT INTO plumbline_meta VALUES ('store_version', ?)", [String(STORE_VERSION)]);
  }
  await connection.run("DELETE FROM plumbline_meta WHERE key = 'schema_fingerprint'");
  await connection.run("INSERT INTO plumbline_meta VALUES ('schema_fingerprint', ?)", [SCHEMA_FINGERPRINT]);
}
