/** @module Importing a judgment set by its format name, from a folder of its source files or a labels file. */
import {existsSync, mkdirSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {RejectedLine} from "../../src/core/calibration/labelRows.js";
import type {JudgmentSet, NullRule} from "../../src/core/schemas/judgmentSet.js";
import {PlumblineError} from "../errors.js";
import {writeJudgmentSet, writeJudgmentSets, type ImportSummary} from "../store/importedJudgments.js";
import {labelsFormat, readLabelsFile} from "./labelsFile.js";
import {llmbarRuns, readLlmbar} from "./llmbar.js";
import {isUnparseable, PANDALM_FILES, readPandalm} from "./pandalm.js";

export const SET_FORMATS = ["pandalm", "llmbar", "labels"] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

/** Each source's own rule for a judge's unreadable answer: the one its published figures follow. */
export const DEFAULT_NULL_RULE: Record<SetFormat, NullRule> = {pandalm: "tie", llmbar: "wrong", labels: "wrong"};

export class ImportError extends PlumblineError {
  override readonly name = "ImportError";
}

export interface SetImportOptions {
  /** The set's name (default: from its folder or file). */
  name?: string;
  /** How a judge's unreadable answer counts in the set's figures (default: the source's own rule). */
  nullAs?: NullRule;
  now?: Date;
}

export function readJudgmentSet(
  format: Exclude<SetFormat, "labels">,
  dir: string,
  options: SetImportOptions = {}
): {set: JudgmentSet; unparseable: (raw: string | null) => boolean} {
  const {name, nullAs} = options;
  const named = {...(name ? {name} : {}), ...(nullAs ? {nullAs} : {})};
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ImportError(`${dir} is not a folder: give the folder that holds the ${format} files`);
  if (format === "pandalm") {
    const missing = Object.values(PANDALM_FILES).filter((f) => !existsSync(join(dir, f)));
    if (missing.length) throw new ImportError(`${dir} is not a PandaLM data folder: missing ${missing.join(", ")}`);
    try {
      return {set: readPandalm(dir, named), unparseable: isUnparseable};
    } catch (error) {
      throw new ImportError((error as Error).message);
    }
  }
  if (format === "llmbar") {
    if (!existsSync(join(dir, "dataset.json")))
      throw new ImportError(`${dir} is not an LLMBar subset folder (like Natural/): missing dataset.json`);
    if (!llmbarRuns(dir).length)
      throw new ImportError(`${dir} has no judge runs: expected evaluators/<judge>/<strategy>/result.json`);
    if (nullAs === "tie")
      throw new ImportError("LLMBar has no tie class: give --null-as wrong (LLMBar's own rule) or missing");
    try {
      return {set: readLlmbar(dir, named), unparseable: (raw) => raw === null};
    } catch (error) {
      throw new ImportError((error as Error).message);
    }
  }
  throw new ImportError(`unknown judgment-set format ${String(format)}; known: ${SET_FORMATS.join(", ")}`);
}

export async function importJudgmentSet(
  connection: DuckDBConnection,
  format: Exclude<SetFormat, "labels">,
  dir: string,
  options: SetImportOptions = {}
): Promise<ImportSummary> {
  const {set, unparseable} = readJudgmentSet(format, dir, options);
  return writeJudgmentSet(connection, set, {unparseable, ...(options.now ? {now: options.now} : {})});
}

export interface LabelsImport {
  name: string;
  rows: number;
  sets: ImportSummary[];
  rejected: RejectedLine[];
  nonFinite: number;
}

/** Imports a labels file, one set per criterion, replacing every set an earlier import of the same name wrote. */
export async function importLabelsFile(
  connection: DuckDBConnection,
  file: string,
  options: SetImportOptions = {}
): Promise<LabelsImport> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new ImportError(`${file} is not a file`);
  if (!labelsFormat(file)) throw new ImportError(`${file}: a labels file is .csv or .jsonl (JSON Lines)`);
  if (options.nullAs === "tie")
    throw new ImportError("a labels file's verdicts are pass or fail, with no tie: give --null-as wrong or missing");
  const read = readLabelsFile(file, {
    ...(options.name ? {name: options.name} : {}),
    ...(options.nullAs ? {nullAs: options.nullAs} : {})
  });
  const sets = read.sets.length
    ? await writeJudgmentSets(connection, read.sets, read.name, {
        unparseable: (raw) => raw === null || raw.trim() === "" || raw.trim().toLowerCase() === "error",
        ...(options.now ? {now: options.now} : {})
      })
    : [];
  return {name: read.name, rows: read.rows, sets, rejected: read.rejected, nonFinite: read.nonFinite};
}

/** Writes rejected lines, whole, to a new file in the workspace's quarantine folder; returns its path. */
export function quarantineLines(workspace: string, file: string, rejected: readonly RejectedLine[], now: Date): string {
  const dir = join(workspace, "quarantine");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `labels-${now.toISOString().replaceAll(":", "-")}.jsonl`);
  writeFileSync(path, rejected.map((r) => JSON.stringify({file, ...r})).join("\n") + "\n");
  return path;
}
