/**
 * @module Where a candidate's traces come from: trace files ingested into a throwaway workspace (so the gate never
 * touches the production store), a dataset exported as JSON Lines, or a named dataset in the workspace. Each
 * gives the items evaluators read, as `plumbline judge run` reads them from the store.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {existsSync, mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {basename, join} from "node:path";
import type {RuleContext} from "../../src/core/evaluator/rule.js";
import {DatasetCaseSchema, DatasetNameSchema, type DatasetCase} from "../../src/core/schemas/dataset.js";
import {TRACE_FIELDS} from "../../src/core/schemas/evaluator.js";
import type {GateRun} from "../../src/core/schemas/gateReport.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {PlumblineError} from "../errors.js";
import {jsonLines} from "../files/jsonLines.js";
import {ingest, type IngestEffects, type IngestSummary} from "../ingest/ingest.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readJudgeItems, type JudgeItem} from "../store/judgeItems.js";

export interface Candidate {
  items: JudgeItem[];
  info: GateRun["candidate"];
  /** What the reading said about rejected records (file:line: reason), for standard error. */
  notes: string[];
}

/** A candidate's input the gate cannot use, with every problem found; the command exits with status 2. */
export class CandidateError extends PlumblineError {
  override readonly name = "CandidateError";
  constructor(message: string) {
    super(message, 2);
  }
}

export async function traceFilesCandidate(
  paths: string[],
  effects: IngestEffects,
  read: {spanAttributes?: boolean} = {}
): Promise<Candidate> {
  const workspace = mkdtempSync(join(tmpdir(), "plumbline-gate-"));
  try {
    const summary: IngestSummary = await ingest({workspace, paths}, effects);
    const notes = [
      ...summary.files.filter((f) => f.error).map((f) => `${f.path}: skipped, ${f.error}`),
      ...summary.rejectedSample.map((r) => `${r.file}:${r.line}: ${r.reason}`),
      ...(summary.rejected > summary.rejectedSample.length
        ? [`… and ${summary.rejected - summary.rejectedSample.length} more rejected records`]
        : [])
    ];
    if (summary.ingested === 0)
      throw new CandidateError(
        `no trace could be read from ${paths.join(", ")}${notes.length ? `:\n  ${notes.join("\n  ")}` : ""}`
      );
    const items = await withConnection(workspace, (connection) => readJudgeItems(connection, read));
    return {
      items,
      info: {
        kind: "traces",
        name: paths.map((p) => basename(p)).join(", "),
        version: null,
        traces: items.length,
        rejected: summary.rejected
      },
      notes
    };
  } finally {
    rmSync(workspace, {recursive: true, force: true});
  }
}

/** Dataset cases carry what evaluators read; a case's id stands for its trace. */
export function caseItem(c: DatasetCase): JudgeItem {
  const fields: RuleContext["fields"] = {};
  for (const f of TRACE_FIELDS) if (f in c.context.fields) fields[f] = c.context.fields[f] ?? null;
  const {messages, toolCalls, spans, status} = c.context;
  const item: JudgeItem = {
    traceId: c.caseId,
    sessionId: null,
    rule: {status, fields, messages, toolCalls, spans},
    trace: {messages, toolCalls}
  };
  // Reference checks and a judge's {{expected}} read what the case expects.
  if (c.expectedOutput !== null || c.expectedBehaviour !== null)
    item.rule.expected = item.trace.expected = {output: c.expectedOutput, behaviour: c.expectedBehaviour};
  return item;
}

/**
 * A dataset exported as JSON Lines, one case a line. Every bad line is named with its file, line and reason, and
 * the gate does not run on the rest: a gate on part of a dataset would pass what it never saw.
 */
export function datasetFileCandidate(path: string): Candidate {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CandidateError(`${path}: cannot read: ${(error as Error).message}`);
  }
  const cases: DatasetCase[] = [];
  const problems: string[] = [];
  const ids = new Map<string, number>();
  for (const entry of jsonLines(text)) {
    const where = `${path}:${entry.line}`;
    if ("error" in entry) {
      problems.push(`${where}: not valid JSON: ${entry.error}`);
      continue;
    }
    const parsed = DatasetCaseSchema.safeParse(entry.value);
    if (!parsed.success) {
      problems.push(`${where}: not a dataset case: ${issueText(parsed.error)}`);
      continue;
    }
    const first = ids.get(parsed.data.caseId);
    if (first !== undefined) {
      problems.push(`${where}: case ${parsed.data.caseId} repeats line ${first}`);
      continue;
    }
    ids.set(parsed.data.caseId, entry.line);
    cases.push(parsed.data);
  }
  if (problems.length) {
    const shown = problems.slice(0, 20);
    throw new CandidateError(
      `${problems.length} bad line${problems.length > 1 ? "s" : ""} in the dataset; the gate did not run:\n  ${shown.join("\n  ")}${problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : ""}`
    );
  }
  if (!cases.length) throw new CandidateError(`${path}: no dataset cases in this file`);
  return {
    items: cases.map(caseItem),
    info: {kind: "dataset-file", name: basename(path), version: null, traces: cases.length, rejected: 0},
    notes: []
  };
}

/** Reads a named dataset's cases from the workspace store (the datasets tables' reader). */
export type NamedDatasetReader = (
  connection: DuckDBConnection,
  name: string,
  version?: number
) => Promise<{name: string; version: number; cases: DatasetCase[]}>;

/** `--dataset` names a file when it ends in .jsonl or exists; otherwise `name[@version]`. */
export function parseDatasetArg(value: string): {file: string} | {name: string; version?: number} {
  if (value.endsWith(".jsonl") || existsSync(value)) return {file: value};
  const at = value.lastIndexOf("@");
  const name = at > 0 ? value.slice(0, at) : value;
  const parsed = DatasetNameSchema.safeParse(name);
  if (!parsed.success)
    throw new CandidateError(
      `invalid --dataset: ${value}: ${issueText(parsed.error)}; name a .jsonl file or a dataset as name[@version]`
    );
  if (at <= 0) return {name};
  const version = Number(value.slice(at + 1));
  if (!Number.isInteger(version) || version < 1)
    throw new CandidateError(`invalid --dataset version: ${value}; a version is a whole number from 1`);
  return {name, version};
}

export async function namedDatasetCandidate(
  workspace: string,
  name: string,
  version: number | undefined,
  read: NamedDatasetReader
): Promise<Candidate> {
  const dataset = await withReadConnection(workspace, (connection) => read(connection, name, version));
  if (!dataset.cases.length) throw new CandidateError(`the dataset ${name}@${dataset.version} has no cases`);
  return {
    items: dataset.cases.map(caseItem),
    info: {
      kind: "dataset",
      name: dataset.name,
      version: String(dataset.version),
      traces: dataset.cases.length,
      rejected: 0
    },
    notes: []
  };
}
