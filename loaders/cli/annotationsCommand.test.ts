import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {DEFAULT_RUBRIC} from "../../src/core/annotations/defaultRubric.js";
import {openAnnotationService} from "../annotations/service.js";
import {main} from "./main.js";
import type {Io} from "./command.js";
import {tempDir} from "../fixtures/tempDir.js";

const workspace = tempDir("annotations-cli");
after(() => rmSync(workspace, {recursive: true, force: true}));

function io(): Io & {output: string[]; errors: string[]} {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    output,
    errors,
    out: (t) => void output.push(t),
    err: (t) => void errors.push(t),
    env: {PLUMBLINE_WORKSPACE: workspace}
  };
}

before(async () => {
  const service = openAnnotationService({workspace});
  const add = (traceId: string, annotator: string, pass: boolean) =>
    service.create({
      traceId,
      criterion: "overall",
      annotator,
      pass,
      source: "reviewer",
      explanation: `said "${pass}", plainly`
    });
  // ana and bo agree on t1 and t2 and split on t3.
  await add("t1", "ana", true);
  await add("t1", "bo", true);
  await add("t2", "ana", false);
  await add("t2", "bo", false);
  await add("t3", "ana", true);
  await add("t3", "bo", false);
  await service.close();
});

describe("plumbline annotations", () => {
  test("agreement prints kappa per pair: ana (pass, fail, pass) against bo (pass, fail, fail) is 0.4", async () => {
    // p_o = 2/3; ana passes 2/3, bo 1/3: p_e = 2/3·1/3 + 1/3·2/3 = 4/9; kappa = (2/3 − 4/9)/(1 − 4/9) = 0.4.
    const cli = io();
    assert.equal(await main(["annotations", "agreement"], cli), 0);
    assert.match(cli.output.join("\n"), /overall: 3 traces, 2 annotators, alpha .*, 1 disagreements/);
    assert.match(cli.output.join("\n"), /ana · bo: kappa 0\.400 over 3 traces/);
  });

  test("adjudicate settles a split trace and export --ground-truth --csv shows it, quoted where needed", async () => {
    const cli = io();
    assert.equal(
      await main(
        [
          "annotations",
          "adjudicate",
          "t3",
          "--criterion",
          "overall",
          "--fail",
          "--by",
          "olga",
          "--explanation",
          "refund, not rebook"
        ],
        cli
      ),
      0
    );
    const out = io();
    assert.equal(await main(["annotations", "export", "--ground-truth", "--csv"], out), 0);
    assert.deepEqual(out.output.join("\n").split("\n"), [
      "trace_id,criterion,pass,failure_mode,explanation,decided_by",
      't1,overall,true,,"said ""true"", plainly",unanimous',
      't2,overall,false,,"said ""false"", plainly",unanimous',
      't3,overall,false,,"refund, not rebook",adjudicated'
    ]);
    const labels = io();
    assert.equal(await main(["annotations", "export"], labels), 0);
    assert.equal(labels.output.join("\n").split("\n").length, 6, "the adjudication is not a label");
  });

  test("rubric --set validates the file and gives it the next revision; a bad file is a usage error", async () => {
    const file = join(workspace, "rubric.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...DEFAULT_RUBRIC,
        criteria: DEFAULT_RUBRIC.criteria.map((c) => (c.id === "overall" ? {...c, owner: "olga"} : c))
      })
    );
    const cli = io();
    assert.equal(await main(["annotations", "rubric", "--set", file], cli), 0);
    assert.match(cli.output.join("\n"), /revision 2/);
    const denied = io();
    assert.equal(
      await main(["annotations", "adjudicate", "t1", "--criterion", "overall", "--pass", "--by", "ana"], denied),
      1
    );
    assert.match(denied.errors.join("\n"), /only olga, the owner of overall, adjudicates it/);
    writeFileSync(file, JSON.stringify({version: 2, revision: 1, name: "x", criteria: []}));
    const bad = io();
    assert.equal(await main(["annotations", "rubric", "--set", file], bad), 2);
    assert.match(bad.errors.join("\n"), /invalid rubric/);
  });
});
