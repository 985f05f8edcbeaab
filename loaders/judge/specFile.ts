/**
 * @module Evaluator spec files: read and validate a JSON spec, and give it its stored version (the human version
 * plus a hash of the content that decides verdicts). Specs live in `evaluators/<id>.json`.
 */
import {existsSync, readFileSync, readdirSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {compileRule, RuleError} from "../../src/core/evaluator/rule.js";
import {
  evaluatorVersion,
  parseEvaluatorSpec,
  specContent,
  type EvaluatorSpec
} from "../../src/core/schemas/evaluator.js";
import {PlumblineError} from "../errors.js";
import {sha256Hex} from "../formats/hash.js";

export const EVALUATORS_DIR = resolve(fileURLToPath(new URL("../../evaluators", import.meta.url)));

export class SpecError extends PlumblineError {
  override readonly name = "SpecError";
}

export interface LoadedSpec {
  spec: EvaluatorSpec;
  path: string;
  contentHash: string;
  /** `<version>+<12 hex digits>`: what verdicts are stored under. */
  version: string;
}

export function versionOf(spec: EvaluatorSpec): {contentHash: string; version: string} {
  const contentHash = sha256Hex(specContent(spec));
  return {contentHash, version: evaluatorVersion(spec, contentHash)};
}

/** Reads a spec from a path, or by id from `dir`. Every problem is listed with the file it is in. */
export function loadSpec(pathOrId: string, dir = EVALUATORS_DIR): LoadedSpec {
  const path = existsSync(pathOrId) ? resolve(pathOrId) : join(dir, `${pathOrId}.json`);
  if (!existsSync(path)) {
    const known = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => f.slice(0, -5))
      : [];
    throw new SpecError(
      `no evaluator spec ${pathOrId} (not a file, nor ${path})${known.length ? `; known ids: ${known.join(", ")}` : ""}`
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SpecError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const result = parseEvaluatorSpec(value);
  if ("errors" in result) throw new SpecError(`${path}: invalid evaluator spec:\n  ${result.errors.join("\n  ")}`);
  // Compiling the rule now reports an unsafe regex or a bad JSONPath when the spec is read, not mid-run.
  const condition =
    result.spec.kind === "rule" ? result.spec.rule : result.spec.kind === "hybrid" ? result.spec.prefilter : null;
  if (condition) {
    try {
      compileRule(condition);
    } catch (error) {
      if (error instanceof RuleError) throw new SpecError(`${path}: invalid evaluator spec: ${error.message}`);
      throw error;
    }
  }
  return {spec: result.spec, path, ...versionOf(result.spec)};
}

/** What a run registers of the spec it ran (`registerEvaluatorVersion`), with the judge model it called. */
export function versionRecord(spec: EvaluatorSpec, evaluatorVersion: string, judgeModel: string | null) {
  return {
    evaluatorId: spec.id,
    evaluatorVersion,
    criterion: spec.criterion,
    failureMode: spec.failureMode,
    kind: spec.kind,
    judgeModel,
    spec
  };
}
