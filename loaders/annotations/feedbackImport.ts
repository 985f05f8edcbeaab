/**
 * @module Imports feedback kept elsewhere as labels: thumbs from an app's logs (JSON Lines or CSV), support
 * tickets and QA review sheets (CSV). Columns are mapped by name (explicitly, or recognised from the headers),
 * each row is tied to its trace, and written through the annotation service like any label.
 *
 * Nothing is dropped: a row that names no known trace, or whose verdict cannot be read, is written to a report
 * file with its line number and the reason, and the rest is imported. Importing the same file again adds nothing
 * (each label's id is derived from the row).
 */
import {readFileSync, writeFileSync} from "node:fs";
import {basename, extname, join} from "node:path";
import {parse} from "csv-parse/sync";
import {
  detectColumns,
  parseTime,
  parseSeverity,
  parseVerdict,
  type ColumnMapping
} from "../../src/core/annotations/feedbackMapping.js";
import type {Source} from "../../src/core/schemas/annotation.js";
import {PlumblineError} from "../errors.js";
import {readTraceIds} from "../store/traceIds.js";
import {annotationDir} from "./log.js";
import type {AnnotationService} from "./service.js";
import {sha256Hex} from "../formats/hash.js";

export const FEEDBACK_KINDS = {
  thumbs: {source: "end_user", annotator: "end-user", verdictRequired: true},
  tickets: {source: "support_ticket", annotator: "support", verdictRequired: false},
  qa: {source: "qa_review", annotator: "qa", verdictRequired: true}
} as const satisfies Record<string, {source: Source; annotator: string; verdictRequired: boolean}>;
export type FeedbackKind = keyof typeof FEEDBACK_KINDS;

export interface FeedbackImportOptions {
  file: string;
  kind: FeedbackKind;
  mapping?: ColumnMapping;
  /** The criterion labels go to when no column names one (default `overall`). */
  criterion?: string;
  /** Where rows that could not be imported are written (default: a new file in the workspace's annotations/). */
  reportPath?: string;
  now?: number;
}

export interface FeedbackImportSummary {
  rows: number;
  imported: number;
  alreadyImported: number;
  unmatched: number;
  invalid: number;
  mapping: ColumnMapping;
  /** The report of rows not imported, or null when every row was. */
  report: string | null;
}

/** A file the import cannot read or whose columns it cannot find: the file or `--map` is wrong, a usage error (status 2). */
export class FeedbackImportError extends PlumblineError {
  override readonly name = "FeedbackImportError";
  constructor(message: string) {
    super(message, 2);
  }
}

interface Row {
  line: number;
  record: Record<string, unknown>;
}

interface Problem {
  line: number;
  reason: string;
  row: Record<string, unknown> | string;
}

function readRows(file: string, problems: Problem[]): {headers: string[]; rows: Row[]} {
  const text = readFileSync(file, "utf8");
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson" || ext === ".json") {
    const lines = ext === ".json" && text.trimStart().startsWith("[") ? null : text.split("\n");
    const rows: Row[] = [];
    if (lines === null) {
      const values = JSON.parse(text) as unknown[];
      values.forEach((record, i) => rows.push({line: i + 1, record: record as Record<string, unknown>}));
    } else {
      lines.forEach((raw, i) => {
        if (!raw.trim()) return;
        try {
          const record = JSON.parse(raw) as unknown;
          if (!record || typeof record !== "object" || Array.isArray(record)) throw new Error("not a JSON object");
          rows.push({line: i + 1, record: record as Record<string, unknown>});
        } catch (error) {
          problems.push({line: i + 1, reason: `not a JSON object: ${(error as Error).message}`, row: raw});
        }
      });
    }
    return {headers: [...new Set(rows.flatMap((r) => Object.keys(r.record)))], rows};
  }
  let headers: string[] = [];
  const records = parse(text, {
    bom: true,
    columns: (header: string[]) => (headers = header),
    skip_empty_lines: true,
    relax_column_count: true,
    delimiter: ext === ".tsv" ? "\t" : ",",
    info: true
  }) as {record: Record<string, string>; info: {lines: number; invalid_field_length: number}}[];
  const rows: Row[] = [];
  for (const {record, info} of records) {
    if (info.invalid_field_length) {
      problems.push({line: info.lines, reason: `expected ${headers.length} columns`, row: record});
      continue;
    }
    rows.push({line: info.lines, record});
  }
  return {headers, rows};
}

export async function importFeedback(
  service: AnnotationService,
  options: FeedbackImportOptions
): Promise<FeedbackImportSummary> {
  const kind = FEEDBACK_KINDS[options.kind];
  const problems: Problem[] = [];
  let read;
  try {
    read = readRows(options.file, problems);
  } catch (error) {
    throw new FeedbackImportError(`${options.file}: ${(error as Error).message}`);
  }
  const mapping = detectColumns(read.headers, options.mapping);
  for (const [field, column] of Object.entries(options.mapping ?? {})) {
    if (!read.headers.includes(column))
      throw new FeedbackImportError(
        `--map ${field}=${column}: the file has no column ${column} (it has ${read.headers.join(", ")})`
      );
  }
  if (!mapping.traceId) {
    throw new FeedbackImportError(
      `no trace id column among ${read.headers.join(", ")}; name it with --map traceId=<column>`
    );
  }
  if (kind.verdictRequired && !mapping.verdict) {
    throw new FeedbackImportError(
      `no verdict column among ${read.headers.join(", ")}; name it with --map verdict=<column>`
    );
  }
  const traces = await service.withStore(readTraceIds);
  const now = options.now ?? Date.now();
  const seen = new Map<string, number>();
  const inputs: {id: string; fields: unknown; row: Row}[] = [];
  let unmatched = 0;
  const value = (row: Row, field: keyof ColumnMapping) => {
    const column = mapping[field];
    const v = column === undefined ? undefined : row.record[column];
    return v === undefined || v === null || v === "" ? null : v;
  };
  for (const row of read.rows) {
    const traceId = value(row, "traceId");
    if (traceId === null) {
      problems.push({line: row.line, reason: "no trace id", row: row.record});
      continue;
    }
    if (!traces.has(String(traceId))) {
      unmatched++;
      problems.push({line: row.line, reason: `no trace ${traceId} in the workspace`, row: row.record});
      continue;
    }
    const rawVerdict = value(row, "verdict");
    const verdict =
      rawVerdict === null && !kind.verdictRequired ? {pass: false, score: null} : parseVerdict(rawVerdict);
    if ("error" in verdict) {
      problems.push({line: row.line, reason: verdict.error, row: row.record});
      continue;
    }
    const severity = parseSeverity(value(row, "severity"));
    if ("error" in severity) {
      problems.push({line: row.line, reason: severity.error, row: row.record});
      continue;
    }
    const spanId = value(row, "spanId");
    // Identical rows are told apart by their order, so a re-import matches each to itself.
    const content = `${options.kind}\0${basename(options.file)}\0${JSON.stringify(row.record)}`;
    const occurrence = (seen.get(content) ?? 0) + 1;
    seen.set(content, occurrence);
    const id = `fb-${sha256Hex(`${content}\0${occurrence}`).slice(0, 24)}`;
    const str = (v: unknown) => (v === null ? null : String(v));
    inputs.push({
      id,
      row,
      fields: {
        traceId: String(traceId),
        criterion: str(value(row, "criterion")) ?? options.criterion ?? "overall",
        pass: verdict.pass,
        score: verdict.score,
        failureMode: str(value(row, "failureMode")),
        explanation: str(value(row, "explanation")),
        correctedOutput: str(value(row, "correctedOutput")),
        ...(severity.severity ? {severity: severity.severity} : {}),
        source: kind.source,
        annotator: str(value(row, "annotator")) ?? kind.annotator,
        scope: spanId === null ? {kind: "trace"} : {kind: "span", spanId: String(spanId)},
        createdAt: parseTime(value(row, "time")) ?? now
      }
    });
  }
  const result = await service.importMany(
    inputs.map(({id, fields}) => ({id, fields})),
    `import:${options.kind}`
  );
  for (const {index, reason} of result.rejected)
    problems.push({line: inputs[index]!.row.line, reason, row: inputs[index]!.row.record});
  let report: string | null = null;
  if (problems.length) {
    report =
      options.reportPath ??
      join(
        annotationDir(service.workspace),
        `feedback-report-${new Date(now).toISOString().replace(/[:.]/g, "-")}.jsonl`
      );
    problems.sort((a, b) => a.line - b.line);
    writeFileSync(report, problems.map((p) => JSON.stringify({file: options.file, ...p})).join("\n") + "\n");
  }
  return {
    rows: read.rows.length + problems.filter((p) => typeof p.row === "string").length,
    imported: result.created.length,
    alreadyImported: result.skipped,
    unmatched,
    invalid: problems.length - unmatched,
    mapping,
    report
  };
}
