/** @module Importing a judgment set by its format name, from a folder of its source files. */
import {existsSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {JudgmentSet} from "../../src/core/schemas/judgmentSet.js";
import {PlumblineError} from "../errors.js";
import {writeJudgmentSet, type ImportSummary} from "../store/importedJudgments.js";
import {llmbarRuns, readLlmbar} from "./llmbar.js";
import {isUnparseable, PANDALM_FILES, readPandalm} from "./pandalm.js";

export const SET_FORMATS = ["pandalm", "llmbar"] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

export class ImportError extends PlumblineError {
  override readonly name = "ImportError";
}

export function readJudgmentSet(
  format: SetFormat,
  dir: string
): {set: JudgmentSet; unparseable: (raw: string | null) => boolean} {
  if (format === "pandalm") {
    const missing = Object.values(PANDALM_FILES).filter((f) => !existsSync(join(dir, f)));
    if (missing.length) throw new ImportError(`${dir} is not a PandaLM data folder: missing ${missing.join(", ")}`);
    try {
      return {set: readPandalm(dir), unparseable: isUnparseable};
    } catch (error) {
      throw new ImportError((error as Error).message);
    }
  }
  if (format === "llmbar") {
    if (!existsSync(join(dir, "dataset.json")))
      throw new ImportError(`${dir} is not an LLMBar subset folder (like Natural/): missing dataset.json`);
    if (!llmbarRuns(dir).length)
      throw new ImportError(`${dir} has no judge runs: expected evaluators/<judge>/<strategy>/result.json`);
    try {
      return {set: readLlmbar(dir), unparseable: (raw) => raw === null};
    } catch (error) {
      throw new ImportError((error as Error).message);
    }
  }
  throw new ImportError(`unknown judgment-set format ${String(format)}; known: ${SET_FORMATS.join(", ")}`);
}

export async function importJudgmentSet(
  connection: DuckDBConnection,
  format: SetFormat,
  dir: string,
  now?: Date
): Promise<ImportSummary> {
  const {set, unparseable} = readJudgmentSet(format, dir);
  return writeJudgmentSet(connection, set, {unparseable, ...(now ? {now} : {})});
}
