/**
 * @module Opening the workspace's DuckDB file. This module owns instance and connection lifetimes: every
 * connection it hands out is closed in a `finally`, so a failed statement never leaves the file locked.
 */
import {AsyncLocalStorage} from "node:async_hooks";
import {existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";
import {PlumblineError} from "../errors.js";
import {createAnnotationViews} from "./annotationViews.js";
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
/** Opens queued in this process behind the one that holds the file, per file. */
const waiting = new Map<string, number>();

function oneAtATime<T>(path: string, work: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(path)) return work();
  const previous = queues.get(path) ?? Promise.resolve();
  waiting.set(path, (waiting.get(path) ?? 0) + 1);
  const next = previous.then(() => {
    waiting.set(path, waiting.get(path)! - 1);
    if (!waiting.get(path)) waiting.delete(path);
    return held.run(new Set([...(mine ?? []), path]), work);
  });
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

/**
 * How long an open waits for another process's hold on the file: a command's, or the intake's catch-up, which lets
 * go once asked (`storeWanted`) after the merge under way and a checkpoint. Under full load those take several
 * seconds, so an open that could ask waits longer.
 */
const LOCK_WAIT_MS = 10_000;
const ASKED_WAIT_MS = 30_000;
/** The most time between an open's retries, and so between its touches of the file that asks for the store. */
const RETRY_MS = 500;
const ASKED_RETRY_MS = 100;

/**
 * Beside the store: written (with the writer's pid) by a process whose open finds the file locked, on every retry,
 * so that a process holding the store for as long as nobody else wants it (the intake's catch-up) lets go.
 */
function wantedFile(path: string): string {
  return `${path}.wanted`;
}

async function openInstance(path: string, options: Record<string, string>): Promise<DuckDBInstance> {
  const started = Date.now();
  let deadline = started + LOCK_WAIT_MS;
  let asked = false;
  try {
    for (let wait = 25; ; wait = Math.min(wait * 2, RETRY_MS)) {
      try {
        return await DuckDBInstance.create(path, options);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!/lock/i.test(message) || Date.now() + wait > deadline) return failOpen(path, options, message);
        if (ask(path)) [asked, deadline] = [true, started + ASKED_WAIT_MS];
        // Once asked, the holder lets go within seconds and leaves the store for `RELEASE_MS` (intake/catchUp.ts):
        // retries come quicker then, so that the wait after it lets go is short.
        await new Promise((resolve) => setTimeout(resolve, asked ? Math.min(wait, ASKED_RETRY_MS) : wait));
      }
    }
  } finally {
    if (asked) withdraw(path);
  }
}

/**
 * Asks for the store, best effort: in a workspace this process may not write in it cannot ask, and its opens get the
 * store only when a hold ends (the intake's lasts up to a minute), or give up after `LOCK_WAIT_MS`.
 */
function ask(path: string): boolean {
  try {
    writeFileSync(wantedFile(path), String(process.pid));
    return true;
  } catch {
    return false;
  }
}

/** Removes this process's request; another waiter's is left, and goes stale once it stops asking. */
function withdraw(path: string): void {
  try {
    if (readFileSync(wantedFile(path), "utf8") === String(process.pid)) rmSync(wantedFile(path), {force: true});
  } catch {
    // Gone already, or never readable.
  }
}

/** Who else waits for the workspace's store: opens queued in this process, and other processes asking for it. */
export interface StoreWanted {
  here: boolean;
  elsewhere: boolean;
}

/**
 * Whether the store is wanted by someone other than its holder: the holder checks this between units of work and
 * lets go when it is. Another process counts while its request is fresh (it rewrites it at least every
 * `RETRY_MS`), so one that gave up or crashed stops counting within seconds.
 */
export function storeWanted(workspace: string, now = Date.now()): StoreWanted {
  const path = resolve(dbPath(workspace));
  let elsewhere = false;
  try {
    const file = wantedFile(path);
    if (now - statSync(file).mtimeMs < 3 * RETRY_MS) elsewhere = readFileSync(file, "utf8") !== String(process.pid);
  } catch {
    // No request, or one removed as it was read.
  }
  return {here: (waiting.get(path) ?? 0) > 0, elsewhere};
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

async function storeVersion(connection: DuckDBConnection): Promise<number | null> {
  if (!(await tableExists(connection, "plumbline_meta"))) return null;
  const result = await connection.runAndReadAll("SELECT value FROM plumbline_meta WHERE key = 'store_version'");
  const value = result.getRows()[0]?.[0];
  return value == null ? null : Number(value);
}

async function checkVersion(connection: DuckDBConnection): Promise<void> {
  const version = await storeVersion(connection);
  if (version === null) throw new StoreError("this file is not a Plumbline workspace (no plumbline_meta table)");
  if (version > STORE_VERSION) {
    throw new StoreError(
      `the workspace is store version ${version}, newer than this Plumbline (${STORE_VERSION}); upgrade Plumbline`
    );
  }
}

/** Creates missing tables. Older store versions are migrated here, one step at a time, when there are any. */
export async function ensureSchema(connection: DuckDBConnection): Promise<void> {
  const version = await storeVersion(connection);
  if (version !== null && version > STORE_VERSION) await checkVersion(connection);
  await connection.run("CREATE TABLE IF NOT EXISTS plumbline_meta (key VARCHAR, value VARCHAR)");
  for (const [name, columns] of Object.entries(TABLES) as [TableName, string][]) {
    await connection.run(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
  }
  await connection.run(`CREATE OR REPLACE VIEW sessions AS
    SELECT coalesce(session_id, trace_id) AS session_id, count(*) AS trace_count, min(start_time) AS first_seen,
      max(end_time) AS last_seen, any_value(user_id) AS user_id, sum(total_tokens) AS total_tokens,
      sum(cost_usd) AS cost_usd, count(*) FILTER (WHERE status = 'error') AS error_traces
    FROM traces GROUP BY ALL`);
  await createAnnotationViews(connection);
  if (version === null) {
    await connection.run("INSERT INTO plumbline_meta VALUES ('store_version', ?)", [String(STORE_VERSION)]);
  }
}
