import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {calibrationFromConfusion} from "../../src/core/calibration/specCalibration.js";
import {parseEvaluatorSpec, type EvaluatorSpecInput} from "../../src/core/schemas/evaluator.js";
import {versionOf} from "../judge/specFile.js";
import {needsSpanAttributes, planSuite} from "./runGate.js";
import {loadSuite} from "./suite.js";
import {tempDir} from "../fixtures/tempDir.js";

function write(dir: string, input: EvaluatorSpecInput, calibrated: boolean) {
  const parsed = parseEvaluatorSpec(input);
  if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
  const calibration = calibrationFromConfusion(
    {tp: 45, fp: 5, fn: 5, tn: 45},
    {
      evaluatorVersion: calibrated ? versionOf(parsed.spec).version : "0+000000000000",
      criterion: "overall",
      labels: "t",
      split: "all",
      measuredAt: "2026-01-01T00:00:00Z"
    }
  );
  writeFileSync(join(dir, `${input.id}.json`), JSON.stringify({...input, calibration}));
}

test("span attributes are read only when an evaluator that will run has a JSONPath condition", () => {
  const dir = tempDir("gate-suite");
  try {
    const base = {version: "1", failureMode: "m", criterion: "overall", kind: "rule"} as const;
    write(dir, {...base, id: "text", rule: {op: "contains", value: "sorry"}}, true);
    const jsonpath = {op: "not", condition: {op: "jsonpath", path: "$.model", test: {exists: true}}} as const;
    write(dir, {...base, id: "stale-path", rule: jsonpath}, false);
    assert.equal(needsSpanAttributes(planSuite(loadSuite(dir), 0.95)), false, "a skipped evaluator reads nothing");
    write(dir, {...base, id: "path", rule: jsonpath}, true);
    assert.equal(needsSpanAttributes(planSuite(loadSuite(dir), 0.95)), true);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

test("a suite with two specs of one id, or none at all, cannot run", () => {
  const dir = tempDir("gate-suite");
  try {
    assert.match(loadSuite(dir).problems.join("\n"), /no evaluator specs/);
    const spec = {
      id: "a",
      version: "1",
      failureMode: "m",
      criterion: "overall",
      kind: "rule",
      rule: {op: "status", is: "error"}
    };
    writeFileSync(join(dir, "a.json"), JSON.stringify(spec));
    writeFileSync(join(dir, "b.json"), JSON.stringify(spec));
    assert.match(loadSuite(dir).problems.join("\n"), /b\.json: the id a is also used by a\.json/);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});
