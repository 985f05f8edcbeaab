/**
 * @module Writing a generated evaluator spec into `evaluators/`. A spec that changes what an existing one decides
 * is a new version of it (the minor version bumped, `lineage.derivedFrom` naming the old one); the same content
 * keeps its version and only its recorded calibration is refreshed. The calibration block is stamped with the
 * version the file ends up with, so the gate reads the figures as this evaluator's.
 */
import {existsSync, mkdirSync, renameSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {
  EvaluatorSpecSchema,
  specContent,
  type EvaluatorSpec,
  type EvaluatorSpecInput
} from "../../src/core/schemas/evaluator.js";
import {loadSpec, versionOf, type LoadedSpec} from "../judge/specFile.js";

/** `1.4.2` → `1.5.0`; a version that is not numeric gets `.1` appended. */
export function bumpMinor(version: string): string {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version);
  return m ? `${m[1]}.${Number(m[2]) + 1}.0` : `${version}.1`;
}

export function writeGeneratedSpec(input: EvaluatorSpecInput | EvaluatorSpec, dir: string): LoadedSpec {
  let spec = EvaluatorSpecSchema.parse(input);
  const path = join(dir, `${spec.id}.json`);
  // An unreadable spec with this id is reported, never overwritten.
  const previous = existsSync(path) ? loadSpec(path, dir) : null;
  if (previous) {
    if (specContent(previous.spec) === specContent(spec)) {
      spec = {...spec, version: previous.spec.version, lineage: previous.spec.lineage};
    } else {
      spec = {
        ...spec,
        version: bumpMinor(previous.spec.version),
        lineage: {derivedFrom: {id: previous.spec.id, version: previous.spec.version}, note: spec.lineage.note}
      };
    }
  }
  const {version} = versionOf(spec);
  if (spec.calibration) spec = {...spec, calibration: {...spec.calibration, evaluatorVersion: version}};
  mkdirSync(dir, {recursive: true});
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(spec, null, 2)}\n`);
  renameSync(temp, path);
  return loadSpec(path, dir);
}
