// The gate's reports as CI systems read them: each case under golden/ is a recorded gate run (input/run.json), and
// its JUnit XML and Markdown must match expected/ byte for byte. The JUnit file must also pass libxml2 against the
// JUnit schema, so a golden file cannot record XML that a CI system would refuse.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, test} from "node:test";
import {renderJunit} from "../../src/core/gate/junit.js";
import {renderMarkdown} from "../../src/core/gate/markdown.js";
import {GateRunSchema} from "../../src/core/schemas/gateReport.js";
import {assertGolden, goldenCases} from "../fixtures/golden.js";
import {junitProblems} from "../fixtures/junitXml.js";

const GOLDEN = new URL("./golden/", import.meta.url).pathname;

describe("the gate's JUnit XML and Markdown report", () => {
  const cases = goldenCases(GOLDEN);

  test("there are golden cases to compare", () => {
    assert.deepEqual(cases, ["errors-warnings-skips", "hostile-names", "passed-without-registry"]);
  });

  for (const name of cases) {
    test(`${name}: match their golden files, and the XML is valid JUnit`, async () => {
      const run = GateRunSchema.parse(JSON.parse(readFileSync(join(GOLDEN, name, "input", "run.json"), "utf8")));
      const xml = renderJunit(run);
      assert.deepEqual(await junitProblems(xml), []);
      assertGolden(join(GOLDEN, name), {"gate.xml": xml, "gate.md": renderMarkdown(run)});
    });
  }
});
