import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {before, describe, test} from "node:test";
import {TOOL_ERROR_MODE} from "../annotations/tauBenchLabels.js";
import {command as experiment} from "./experimentCommand.js";
import {command as failureMode} from "./failureModeCommand.js";
import {command as gate} from "./gateCommand.js";
import {captureIo} from "../fixtures/captureIo.js";
import {copyTauExperimentsWorkspace} from "../fixtures/tauExperiments.js";
import {tempDir} from "../fixtures/tempDir.js";
import {EVALUATORS_DIR} from "../judge/specFile.js";
import {readGateRuns} from "../gate/gateRuns.js";

const env = {PATH: process.env.PATH ?? ""};

/** The registry's state of a mode, as `failure-mode list --json` gives it. */
async function stateOf(workspace: string, name: string): Promise<string> {
  const io = captureIo(env);
  assert.equal(await failureMode.run(["list", "--json", "--workspace", workspace], io), 0);
  const listed = JSON.parse(io.stdout.join("\n")) as {modes: {name: string; state: string}[]};
  return listed.modes.find((m) => m.name === name)!.state;
}

describe("the τ-bench airline regressions, a fixed and a regressed candidate, compared and gated", () => {
  let workspace: string;
  before(async () => {
    workspace = join(tempDir("experiment-gate"), "workspace");
    await copyTauExperimentsWorkspace(workspace);
  });

  test("compare names every case that the fixed candidate improved on the tool-error evaluator, with a tiny p", async () => {
    const io = captureIo(env);
    assert.equal(
      await experiment.run(["compare", "tau-regressed", "tau-fixed", "--json", "--workspace", workspace], io),
      0
    );
    const c = JSON.parse(io.stdout.join("\n"));
    const row = c.evaluators.find((e: {evaluator: string}) => e.evaluator === "tool-error-not-recovered");
    assert.ok(row.paired >= 10, `${row.paired} cases`);
    assert.equal(row.a.pass, 0, "the regressed candidate leaves every tool error unrecovered");
    assert.equal(row.b.pass, row.paired, "the fixed one has no tool error");
    assert.equal(row.improved.length, row.paired);
    assert.ok(row.test.pTwoSided < 0.01);
    const text = captureIo(env);
    await experiment.run(["compare", "tau-regressed", "tau-fixed", "--workspace", workspace], text);
    const out = text.stdout.join("\n");
    assert.match(out, /improved on tool-error-not-recovered \(fail in A, pass in B\): tau-gpt-4o-airline-/);
    assert.match(out, /A: I'm sorry, something went wrong/);
    assert.match(out, /B: Done: /);
  });

  test("a shipped fix that passes is proposed as resolved; the same mode failing again is moved to regressed", async () => {
    const set = captureIo(env);
    assert.equal(
      await failureMode.run(["set-state", TOOL_ERROR_MODE, "fix_shipped", "--workspace", workspace], set),
      0,
      set.stderr.join("\n")
    );
    const dir = tempDir("experiment-gate-reports");
    const gated = (candidate: string, baseline: string) => {
      const io = captureIo(env);
      const args = ["--suite", EVALUATORS_DIR, "--experiment", candidate, "--baseline", baseline, "--trust", "point"];
      return {
        io,
        run: () =>
          gate.run(
            [
              ...args,
              "--workspace",
              workspace,
              "--markdown",
              join(dir, `${candidate}.md`),
              "--junit",
              join(dir, `${candidate}.xml`)
            ],
            io
          )
      };
    };

    const fixed = gated("tau-fixed", "tau-regressed");
    assert.equal(await fixed.run(), 0, fixed.io.stderr.join("\n"));
    let runs = readGateRuns(workspace).runs;
    let last = runs.at(-1)!;
    assert.equal(last.candidate.kind, "experiment");
    const proposed = last.transitions!.find((t) => t.failureMode === TOOL_ERROR_MODE)!;
    assert.equal(proposed.kind, "proposed-resolved");
    assert.equal(proposed.to, "verified_resolved");
    assert.equal(await stateOf(workspace, TOOL_ERROR_MODE), "fix_shipped", "a person confirms a resolution");

    const regressed = gated("tau-regressed", "tau-fixed");
    assert.equal(await regressed.run(), 1);
    runs = readGateRuns(workspace).runs;
    last = runs.at(-1)!;
    const evaluator = last.evaluators.find((e) => e.id === "tool-error-not-recovered")!;
    assert.equal(evaluator.outcome, "blocked");
    assert.equal(evaluator.baseline!.significant, true);
    assert.equal(evaluator.baseline!.regressed.length, evaluator.baseline!.paired);
    const moved = last.transitions!.find((t) => t.failureMode === TOOL_ERROR_MODE)!;
    assert.deepEqual([moved.kind, moved.from, moved.to], ["regressed", "fix_shipped", "regressed"]);
    assert.equal(await stateOf(workspace, TOOL_ERROR_MODE), "regressed");
    const markdown = readFileSync(join(dir, "tau-regressed.md"), "utf8");
    assert.match(markdown, /Against the baseline experiment \*\*tau-fixed\*\*/);
    assert.match(
      markdown,
      /regressed: was fix\\_shipped, fails again \(tool-error-not-recovered\); moved to regressed/
    );
    assert.match(readFileSync(join(dir, "tau-regressed.xml"), "utf8"), /name="baseline_significant" value="true"/);
    assert.match(regressed.io.stdout.join("\n"), /significantly worse/);

    // Gated again while still failing, the mode is reported as still failing, and not moved twice.
    const again = gated("tau-regressed", "tau-fixed");
    assert.equal(await again.run(), 1);
    const still = readGateRuns(workspace)
      .runs.at(-1)!
      .transitions!.find((t) => t.failureMode === TOOL_ERROR_MODE)!;
    assert.equal(still.kind, "still-failing");
  });
});
