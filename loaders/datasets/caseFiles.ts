/**
 * @module Dataset cases in files: JSON Lines (one case per line, the DatasetCase schema as it is) and Parquet
 * (one row per case, one column per field; `context` as JSON text). Parquet goes through DuckDB's COPY and
 * read_parquet in an in-memory database, never the workspace.
 *
 * Reading never stops at a bad case: each one is reported with file, line (or row) and reason, and the rest are
 * returned. A case id seen twice in one file keeps its first case.
 */
import {readFileSync, renameSync, rmSync, writeFileSync} from "node:fs";
import {extname} from "node:path";
import {DuckDBInstance, type DuckDBConnection} from "@duckdb/node-api";
import {DatasetCaseSchema, type DatasetCase} from "../../src/core/schemas/dataset.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {PlumblineError} from "../errors.js";
import {jsonLines} from "../files/jsonLines.js";

export type CaseFileFormat = "jsonl" | "parquet";

export class CaseFileError extends PlumblineError {
  override readonly name = "CaseFileError";
}

export interface CaseProblem {
  file: string;
  /** The line (JSON Lines) or row (Parquet), from 1. */
  line: number;
  reason: string;
}

export interface ReadCases {
  cases: DatasetCase[];
  problems: CaseProblem[];
}

export function caseFileFormat(path: string): CaseFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".parquet") return "parquet";
  throw new CaseFileError(`${path}: name a .jsonl or .parquet file`);
}

/** The Parquet columns, in order: each field of a case, in its snake_case name. */
const COLUMNS = [
  ["format", "INTEGER"],
  ["case_id", "VARCHAR"],
  ["input", "VARCHAR"],
  ["context", "VARCHAR"],
  ["expected_output", "VARCHAR"],
  ["expected_behaviour", "VARCHAR"],
  ["failure_mode", "VARCHAR"],
  ["criterion", "VARCHAR"],
  ["kind", "VARCHAR"],
  ["source_trace_id", "VARCHAR"],
  ["added_by", "VARCHAR"],
  ["reason", "VARCHAR"],
  ["added_at", "VARCHAR"]
] as const;

const quoted = (path: string) => `'${path.replace(/'/g, "''")}'`;

async function withMemory<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Writes the cases to `path` (through a temporary file renamed into place); returns the format written. */
export async function writeCases(path: string, cases: readonly DatasetCase[]): Promise<CaseFileFormat> {
  const format = caseFileFormat(path);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    if (format === "jsonl") {
      writeFileSync(temp, cases.map((c) => JSON.stringify(c) + "\n").join(""), "utf8");
    } else {
      await withMemory(async (connection) => {
        await connection.run(`CREATE TABLE cases (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(", ")})`);
        const appender = await connection.createAppender("cases");
        try {
          const text = (value: string | null) =>
            value === null ? appender.appendNull() : appender.appendVarchar(value);
          for (const c of cases) {
            appender.appendInteger(c.format);
            for (const value of [
              c.caseId,
              c.input,
              JSON.stringify(c.context),
              c.expectedOutput,
              c.expectedBehaviour,
              c.failureMode,
              c.criterion,
              c.kind,
              c.sourceTraceId,
              c.addedBy,
              c.reason,
              c.addedAt
            ])
              text(value);
            appender.endRow();
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        await connection.run(`COPY cases TO ${quoted(temp)} (FORMAT parquet)`);
      });
    }
    renameSync(temp, path);
  } finally {
    rmSync(temp, {force: true});
  }
  return format;
}

/** A case read from a file, numbered by line (JSON Lines) or row (Parquet), or why it could not be read. */
type CaseEntry = {line: number; value: unknown} | {line: number; reason: string};

function collect(file: string, values: Iterable<CaseEntry>): ReadCases {
  const cases: DatasetCase[] = [];
  const problems: CaseProblem[] = [];
  const first = new Map<string, number>();
  for (const entry of values) {
    if ("reason" in entry) {
      problems.push({file, line: entry.line, reason: entry.reason});
      continue;
    }
    const parsed = DatasetCaseSchema.safeParse(entry.value);
    if (!parsed.success) {
      problems.push({file, line: entry.line, reason: issueText(parsed.error, "case")});
      continue;
    }
    const seen = first.get(parsed.data.caseId);
    if (seen !== undefined) {
      problems.push({
        file,
        line: entry.line,
        reason: `case ${JSON.stringify(parsed.data.caseId)} repeats the case on line ${seen}; the first is kept`
      });
      continue;
    }
    first.set(parsed.data.caseId, entry.line);
    cases.push(parsed.data);
  }
  return {cases, problems};
}

export async function readCases(path: string): Promise<ReadCases> {
  const format = caseFileFormat(path);
  if (format === "jsonl") {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new CaseFileError(`cannot read ${path}: ${(error as Error).message}`);
    }
    return collect(
      path,
      Array.from(jsonLines(text), (entry): CaseEntry =>
        "error" in entry ? {line: entry.line, reason: `not JSON (${entry.error})`} : entry
      )
    );
  }
  const rows = await withMemory(async (connection) => {
    let reader;
    try {
      reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoted(path)})`);
    } catch (error) {
      throw new CaseFileError(`cannot read ${path} as Parquet: ${(error as Error).message}`);
    }
    const names = reader.columnNames();
    const missing = COLUMNS.map(([n]) => n).filter((n) => !names.includes(n));
    if (missing.length)
      throw new CaseFileError(
        `${path}: not a dataset export, it lacks the column${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`
      );
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  });
  return collect(
    path,
    rows.map((r, i) => {
      let context: unknown;
      try {
        context = typeof r.context === "string" ? JSON.parse(r.context) : r.context;
      } catch (error) {
        return {line: i + 1, reason: `context: not JSON (${(error as Error).message})`};
      }
      return {
        line: i + 1,
        value: {
          format: r.format == null ? r.format : Number(r.format),
          caseId: r.case_id,
          input: r.input,
          context,
          expectedOutput: r.expected_output,
          expectedBehaviour: r.expected_behaviour,
          failureMode: r.failure_mode,
          criterion: r.criterion,
          kind: r.kind,
          sourceTraceId: r.source_trace_id,
          addedBy: r.added_by,
          reason: r.reason,
          addedAt: r.added_at
        }
      };
    })
  );
}
