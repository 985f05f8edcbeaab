import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, test} from "node:test";
import type {EvaluatorSpecInput, SpecCalibration} from "../../src/core/schemas/evaluator.js";
import {specTrustStatus} from "../../src/core/calibration/specCalibration.js";
import {SpecError} from "../judge/specFile.js";
import {bumpMinor, writeGeneratedSpec} from "./writeSpec.js";
import {tempDir} from "../fixtures/tempDir.js";

const dir = tempDir("writespec");
after(() => rmSync(dir, {recursive: true, force: true}));

const calibration = (mcc: number): SpecCalibration => ({
  evaluatorVersion: "pending",
  criterion: "overall",
  labels: "test",
  measuredAt: "2026-01-01T00:00:00.000Z",
  split: "held-out",
  confusion: {tp: 8, fp: 1, fn: 1, tn: 10},
  mcc,
  mccInterval: [mcc - 0.2, Math.min(1, mcc + 0.1)],
  train: {n: 40, mcc: 0.9}
});
const spec = (
  rule: EvaluatorSpecInput extends infer S ? (S extends {kind: "rule"; rule: infer R} ? R : never) : never,
  mcc: number
): EvaluatorSpecInput => ({
  id: "refusal",
  version: "1.0.0",
  failureMode: "refused refund",
  criterion: "overall",
  kind: "rule",
  rule,
  lineage: {derivedFrom: null, note: "generated"},
  calibration: calibration(mcc)
});

test("a new spec is written as 1.0.0 with its calibration stamped with the written version", () => {
  const written = writeGeneratedSpec(spec({op: "contains", value: "cannot refund"}, 0.8), dir);
  assert.equal(written.spec.version, "1.0.0");
  assert.equal(written.spec.calibration!.evaluatorVersion, written.version);
  // The figures count for the written version (on the MCC alone: 9 failures are too few for the default policy).
  assert.equal(
    specTrustStatus(written.spec.calibration, written.version, {mode: "point", minPerClass: 20}).status,
    "blocks"
  );
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, "refusal.json"), "utf8")).calibration.evaluatorVersion,
    written.version
  );
});

test("the same rule keeps its version and gets the new figures; a different rule is the next minor version derived from the old", () => {
  const same = writeGeneratedSpec(spec({op: "contains", value: "cannot refund"}, 0.5), dir);
  assert.equal(same.spec.version, "1.0.0");
  assert.equal(same.spec.calibration!.mcc, 0.5);
  assert.equal(same.spec.lineage.derivedFrom, null);
  const changed = writeGeneratedSpec(spec({op: "tool_call", name: "refund", failed: true}, 0.7), dir);
  assert.equal(changed.spec.version, "1.1.0");
  assert.deepEqual(changed.spec.lineage.derivedFrom, {id: "refusal", version: "1.0.0"});
  assert.notEqual(changed.version, same.version);
  assert.equal(changed.spec.calibration!.evaluatorVersion, changed.version);
  // Figures recorded for 1.0.0 do not count for 1.1.0.
  assert.equal(specTrustStatus(same.spec.calibration, changed.version).status, "uncalibrated");
});

test("an unreadable spec with the same id is reported, never overwritten", () => {
  writeFileSync(join(dir, "broken.json"), "{not json");
  assert.throws(() => writeGeneratedSpec({...spec({op: "status", is: "error"}, 0.6), id: "broken"}, dir), SpecError);
  assert.equal(readFileSync(join(dir, "broken.json"), "utf8"), "{not json");
});

test("bumpMinor(version)", () => {
  assert.equal(bumpMinor("1.4.2"), "1.5.0");
  assert.equal(bumpMinor("2.0"), "2.1.0");
  assert.equal(bumpMinor("2024-05"), "2024-05.1");
});
