/**
 * @module The `datasets` and `dataset_cases` tables: named, versioned evaluation datasets. Writing a version
 * copies the cases it keeps, so every version reads back whole on its own and no version is ever changed.
 */
import {DuckDBTimestampValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";
import {DatasetCaseSchema, DatasetNameSchema, type DatasetCase} from "../../src/core/schemas/dataset.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {PlumblineError} from "../errors.js";
import {tableExists} from "./db.js";

/** A dataset, version or case the store does not hold, or a stored case that no longer parses. */
export class DatasetError extends PlumblineError {
  override readonly name = "DatasetError";
}

export interface DatasetVersion {
  name: string;
  version: number;
  createdAt: string;
  createdBy: string;
  /** Where the version's new cases came from, e.g. `queue:triage`, `import:cases.jsonl`. */
  source: string;
  note: string | null;
  caseCount: number;
  added: number;
  removed: number;
}

export interface DatasetCases {
  name: string;
  version: number;
  cases: DatasetCase[];
}

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function versionRow(r: Record<string, unknown>): DatasetVersion {
  return {
    name: String(r.name),
    version: Number(r.version),
    createdAt: iso(r.created_at),
    createdBy: String(r.created_by),
    source: String(r.source),
    note: (r.note as string | null) ?? null,
    caseCount: Number(r.case_count),
    added: Number(r.added),
    removed: Number(r.removed)
  };
}

/** Every version of every dataset, by name then version. An older workspace without the tables has none. */
export async function listDatasetVersions(connection: DuckDBConnection, name?: string): Promise<DatasetVersion[]> {
  if (!(await tableExists(connection, "datasets"))) return [];
  const where = name === undefined ? "" : "WHERE name = ?";
  return (
    await rows(connection, `SELECT * FROM datasets ${where} ORDER BY name, version`, name === undefined ? [] : [name])
  ).map(versionRow);
}

export async function latestVersion(connection: DuckDBConnection, name: string): Promise<number | null> {
  if (!(await tableExists(connection, "datasets"))) return null;
  const [r] = await rows(connection, "SELECT max(version) AS v FROM datasets WHERE name = ?", [name]);
  return r?.v == null ? null : Number(r.v);
}

/**
 * The cases of one version of a dataset (the latest when `version` is left out), in case order. This is what
 * the gate runs evaluators on; every case is checked against the case schema as it is read.
 */
export async function readDatasetCases(
  connection: DuckDBConnection,
  name: string,
  version?: number
): Promise<DatasetCases> {
  const latest = await latestVersion(connection, name);
  if (latest === null)
    throw new DatasetError(
      `no dataset named ${JSON.stringify(name)} in the workspace; \`plumbline dataset list\` shows them`
    );
  const chosen = version ?? latest;
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > latest) {
    throw new DatasetError(`dataset ${name} has versions 1 to ${latest}, not ${version}`);
  }
  const result = await rows(
    connection,
    "SELECT ord, body::VARCHAR AS body FROM dataset_cases WHERE name = ? AND version = ? ORDER BY ord",
    [name, chosen]
  );
  const cases = result.map((r) => {
    const parsed = DatasetCaseSchema.safeParse(JSON.parse(String(r.body)));
    if (!parsed.success)
      throw new DatasetError(
        `dataset ${name}@${chosen}, case ${Number(r.ord) + 1}: ${issueText(parsed.error, "case")}`
      );
    return parsed.data;
  });
  return {name, version: chosen, cases};
}

/** `name` or `name@version`, as the CLI and the gate take it. */
export function parseDatasetRef(ref: string): {name: string; version?: number} {
  const at = ref.lastIndexOf("@");
  const name = at < 0 ? ref : ref.slice(0, at);
  const parsedName = DatasetNameSchema.safeParse(name);
  if (!parsedName.success)
    throw new DatasetError(`invalid dataset name ${JSON.stringify(name)}: ${parsedName.error.issues[0]!.message}`);
  if (at < 0) return {name};
  const version = Number(ref.slice(at + 1));
  if (!Number.isInteger(version) || version < 1)
    throw new DatasetError(`invalid dataset version in ${JSON.stringify(ref)}: a version is a whole number from 1`);
  return {name, version};
}

export interface NewVersion {
  name: string;
  /** The whole membership of the new version, in order. */
  cases: readonly DatasetCase[];
  createdBy: string;
  source: string;
  note: string | null;
  added: number;
  removed: number;
  createdAt: Date;
}

/** Writes the next version of the dataset in one transaction; returns its number. */
export async function writeDatasetVersion(connection: DuckDBConnection, next: NewVersion): Promise<number> {
  await connection.run("BEGIN TRANSACTION");
  try {
    const version = ((await latestVersion(connection, next.name)) ?? 0) + 1;
    const at = next.createdAt.toISOString();
    await connection.run("INSERT INTO datasets VALUES (?, ?, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?)", [
      next.name,
      version,
      at,
      next.createdBy,
      next.source,
      next.note,
      next.cases.length,
      next.added,
      next.removed
    ]);
    // The appender, not one INSERT per case: a promotion of thousands of cases with their contexts is one batch.
    const appender = await connection.createAppender("dataset_cases");
    try {
      const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
      for (const [ord, c] of next.cases.entries()) {
        appender.appendVarchar(next.name);
        appender.appendInteger(version);
        appender.appendInteger(ord);
        appender.appendVarchar(c.caseId);
        appender.appendVarchar(c.kind);
        text(c.sourceTraceId);
        text(c.failureMode);
        text(c.criterion);
        appender.appendVarchar(c.addedBy);
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(c.addedAt)) * 1000n));
        appender.appendVarchar(JSON.stringify(c));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await connection.run("COMMIT");
    return version;
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}
