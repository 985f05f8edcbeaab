import assert from "node:assert/strict";
import {readdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {EVALUATORS_DIR, loadSpec, SpecError} from "./specFile.js";
import {tempDir} from "../fixtures/tempDir.js";

test("every spec in evaluators/ is valid and versioned by its content", () => {
  const files = readdirSync(EVALUATORS_DIR).filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 2);
  for (const file of files) {
    const loaded = loadSpec(join(EVALUATORS_DIR, file));
    assert.equal(`${loaded.spec.id}.json`, file, "the file is named after the spec's id");
    assert.match(loaded.version, new RegExp(`^${loaded.spec.version.replace(/\./g, "\\.")}\\+[0-9a-f]{12}$`));
  }
  assert.equal(loadSpec("tool-call-failed").spec.kind, "rule", "a spec is found by its id");
});

test("a broken spec file is an error naming the file and each problem", () => {
  const dir = tempDir("spec");
  try {
    const path = join(dir, "bad.json");
    writeFileSync(
      path,
      JSON.stringify({
        id: "Bad Id",
        version: "1",
        failureMode: "x",
        criterion: "c",
        kind: "rule",
        rule: {op: "regex", pattern: "(a+)+"}
      })
    );
    assert.throws(
      () => loadSpec(path),
      (error: Error) =>
        error instanceof SpecError && error.message.includes(path) && /id: an id is lower-case/.test(error.message)
    );
    writeFileSync(
      path,
      JSON.stringify({
        id: "bad",
        version: "1",
        failureMode: "x",
        criterion: "c",
        kind: "rule",
        rule: {op: "regex", pattern: "(a)\\1"}
      })
    );
    assert.throws(
      () => loadSpec(path),
      (error: Error) =>
        error instanceof SpecError &&
        error.message.includes(path) &&
        /backreferences are not supported by RE2/.test(error.message)
    );
    writeFileSync(path, "{not json");
    assert.throws(() => loadSpec(path), /not valid JSON/);
    assert.throws(() => loadSpec("no-such-evaluator", dir), /no evaluator spec no-such-evaluator/);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});
