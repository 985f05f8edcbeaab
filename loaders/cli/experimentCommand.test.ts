// End to end on the real τ-bench data: the demo workspace's `airline-regressions` dataset (the grader's confirmed
// "tool error not recovered" runs), a fixed and a regressed scripted candidate run on it, and the shipped rule
// evaluator scoring the experiments' traces like any others.
import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {copyDemoWorkspace} from "../fixtures/demoWorkspace.js";
import {TAU_FIXED, TAU_REGRESSED} from "../experiments/fixtures.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readDatasetCases, writeDatasetVersion} from "../store/datasets.js";
import {tempDir} from "../fixtures/tempDir.js";
import {main} from "./main.js";

const root = tempDir("experiment-cli");
const workspace = join(root, "ws");
const node = JSON.stringify(process.execPath);
after(() => rmSync(root, {recursive: true, force: true}));
const env = {PLUMBLINE_WORKSPACE: workspace, PATH: process.env.PATH ?? ""};

async function run(...args: string[]) {
  const io = captureIo(env);
  const status = await main(args, io);
  return {status, out: io.stdout.join("\n"), err: io.stderr.join("\n")};
}

const rows = (sql: string) =>
  withReadConnection(workspace, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());

before(async () => {
  await copyDemoWorkspace(workspace);
});

describe("plumbline experiment on the τ-bench airline regressions", () => {
  test("every subcommand answers --help", async () => {
    for (const sub of ["run", "list", "show"]) {
      const r = await run("experiment", sub, "--help");
      assert.equal(r.status, 0);
      assert.match(r.out, /plumbline\.task\/1/);
    }
  });

  test("the fixed and the regressed candidates run on every case; the rule evaluator passes one and fails the other", async () => {
    const [counted] = (await rows(
      "SELECT count(*) AS n FROM dataset_cases WHERE name = 'airline-regressions' AND version = 1"
    )) as {n: string}[];
    const cases = Number(counted!.n);
    assert.ok(cases >= 10, `the demo's regressions dataset has cases (${cases})`);
    const fixed = await run(
      "experiment",
      "run",
      "--dataset",
      "airline-regressions@1",
      "--name",
      "tau-fixed",
      "--task",
      `${node} ${JSON.stringify(TAU_FIXED)}`
    );
    assert.equal(fixed.status, 0, fixed.err);
    assert.match(fixed.out, new RegExp(`${cases} cases: ${cases} with an output, 0 errors, 0 without a result`));
    const regressed = await run(
      "experiment",
      "run",
      "--dataset",
      "airline-regressions",
      "--name",
      "tau-regressed",
      "--task",
      `${node} ${JSON.stringify(TAU_REGRESSED)}`,
      "--json"
    );
    assert.equal(regressed.status, 0, regressed.err);
    const summary = JSON.parse(regressed.out) as {experiment: {status: string; done: number; costUsd: number}};
    assert.equal(summary.experiment.status, "finished");
    assert.equal(summary.experiment.done, cases);
    assert.equal(summary.experiment.costUsd.toFixed(4), (cases * 0.002).toFixed(4));

    const traces = (await rows(
      `SELECT source_file, count(*) AS n, sum(tool_error_count) AS tool_errors FROM traces
       WHERE format = 'experiment' GROUP BY source_file ORDER BY source_file`
    )) as {source_file: string; n: string; tool_errors: string}[];
    assert.deepEqual(traces, [
      {source_file: "experiment:tau-fixed", n: String(cases), tool_errors: "0"},
      {source_file: "experiment:tau-regressed", n: String(cases), tool_errors: String(cases)}
    ]);

    // The shipped evaluator scores the experiments' traces as it scores production traffic.
    const ids = (await rows("SELECT trace_id, experiment FROM experiment_results ORDER BY experiment, ord")) as {
      trace_id: string;
      experiment: string;
    }[];
    const judged = await run(
      "judge",
      "run",
      "--evaluator",
      "evaluators/tool-error-not-recovered.json",
      "--json",
      ...ids.flatMap((r) => ["--trace", r.trace_id])
    );
    assert.equal(judged.status, 0, judged.err);
    const verdicts = (await rows(
      `SELECT r.experiment, v.outcome, count(*) AS n FROM judge_verdicts v JOIN experiment_results r USING (trace_id)
       GROUP BY ALL ORDER BY ALL`
    )) as {experiment: string; outcome: string; n: string}[];
    assert.deepEqual(verdicts, [
      {experiment: "tau-fixed", outcome: "pass", n: String(cases)},
      {experiment: "tau-regressed", outcome: "fail", n: String(cases)}
    ]);
  });

  test("list and show print the experiments, in text and as JSON", async () => {
    const list = await run("experiment", "list");
    assert.equal(list.status, 0);
    assert.match(list.out, /^tau-fixed\s+finished\s+\d+\/\d+\s+0\s+\$0\.\d{4}\s+airline-regressions@1\s+command /m);
    const listed = JSON.parse((await run("experiment", "list", "--json")).out) as {name: string}[];
    assert.deepEqual(listed.map((e) => e.name).sort(), ["tau-fixed", "tau-regressed"]);
    const show = await run("experiment", "show", "tau-regressed");
    assert.match(show.out, /experiment tau-regressed \(finished\)/);
    assert.match(show.out, /dataset  airline-regressions@1/);
    assert.match(show.out, /tau-gpt-4o-airline-\d+-\d+\s+ok\s+\d+ ms\s+\$0\.0020\s+I'm sorry, something went wrong/);
    const shown = JSON.parse((await run("experiment", "show", "tau-fixed", "--json")).out) as {
      experiment: {task: {kind: string; gitCommit: string | null}};
      results: {status: string}[];
    };
    assert.equal(shown.experiment.task.kind, "command");
    assert.ok(shown.results.every((r) => r.status === "ok"));
  });

  test("a name in use, a resumption of another task and a missing experiment are refused with what to do", async () => {
    const again = await run(
      "experiment",
      "run",
      "--dataset",
      "airline-regressions",
      "--name",
      "tau-fixed",
      "--task",
      `${node} ${JSON.stringify(TAU_FIXED)}`
    );
    assert.equal(again.status, 1);
    assert.match(again.err, /has an experiment named tau-fixed; continue it with --resume/);
    const other = await run(
      "experiment",
      "run",
      "--dataset",
      "airline-regressions",
      "--name",
      "tau-fixed",
      "--task",
      "true",
      "--resume"
    );
    assert.match(other.err, /ran a different task/);
    const resumed = await run(
      "experiment",
      "run",
      "--dataset",
      "airline-regressions",
      "--name",
      "tau-fixed",
      "--task",
      `${node} ${JSON.stringify(TAU_FIXED)}`,
      "--resume"
    );
    assert.equal(resumed.status, 0, resumed.err);
    assert.match(resumed.out, /this run: 0 cases run, 0 from the cache/);
    assert.equal((await run("experiment", "show", "nope")).status, 1);
    const usage = await run("experiment", "run", "--dataset", "airline-regressions", "--name", "x");
    assert.equal(usage.status, 2);
    assert.match(usage.err, /exactly one of --task, --task-url or --prompt/);
  });

  test("a reference check reads each case's expected tool calls (τ-bench's gold actions) and tells the candidates apart", async () => {
    const runs = JSON.parse(readFileSync("data/demo/tau-bench-airline/gpt-4o-airline.json", "utf8")) as {
      task_id: number;
      info: {task: {actions: unknown[]}};
    }[];
    const gold = new Map(runs.map((r) => [r.task_id, r.info.task.actions]));
    const goldOf = (caseId: string) => gold.get(Number(/-(\d+)-\d+$/.exec(caseId)![1])) ?? [];
    const withGold = await withConnection(workspace, async (c) => {
      const {cases} = await readDatasetCases(c, "airline-regressions", 1);
      const next = cases.map((x) => ({...x, expectedOutput: JSON.stringify({actions: goldOf(x.caseId)})}));
      await writeDatasetVersion(c, {
        name: "airline-regressions",
        cases: next,
        createdBy: "test",
        source: "tau-bench gold actions",
        note: null,
        added: 0,
        removed: 0,
        createdAt: new Date("2026-12-06T12:00:00.000Z")
      });
      return next;
    });
    for (const [name, script] of [
      ["gold-fixed", TAU_FIXED],
      ["gold-regressed", TAU_REGRESSED]
    ] as const) {
      const r = await run(
        "experiment",
        "run",
        "--dataset",
        "airline-regressions@2",
        "--name",
        name,
        "--task",
        `${node} ${JSON.stringify(script)}`
      );
      assert.equal(r.status, 0, r.err);
    }
    const spec = join(root, "gold-actions.json");
    writeFileSync(
      spec,
      JSON.stringify({
        format: 1,
        id: "gold-actions",
        version: "1.0.0",
        description: "Fails when an expected tool call was not made, or failed.",
        failureMode: "expected action missing",
        criterion: "overall",
        scope: "trace",
        lineage: {derivedFrom: null, note: "written by hand"},
        kind: "rule",
        rule: {op: "expected_mismatch", check: "tool_calls", paths: ["$.reservation_id", "$.user_id", "$.flights"]}
      })
    );
    const ids = (await rows("SELECT trace_id FROM experiment_results WHERE experiment LIKE 'gold-%'")) as {
      trace_id: string;
    }[];
    const judged = await run("judge", "run", "--evaluator", spec, ...ids.flatMap((r) => ["--trace", r.trace_id]));
    assert.equal(judged.status, 0, judged.err);
    const verdicts = (await rows(
      `SELECT r.experiment, v.outcome, count(*) AS n FROM judge_verdicts v JOIN experiment_results r USING (trace_id)
       WHERE v.evaluator_id = 'gold-actions' GROUP BY ALL ORDER BY ALL`
    )) as {experiment: string; outcome: string; n: string}[];
    const withActions = withGold.filter((c) => goldOf(c.caseId).length > 0).length;
    assert.ok(withActions > 0);
    assert.deepEqual(verdicts, [
      {experiment: "gold-fixed", outcome: "pass", n: String(withGold.length)},
      {experiment: "gold-regressed", outcome: "fail", n: String(withActions)},
      ...(withGold.length > withActions
        ? [{experiment: "gold-regressed", outcome: "pass", n: String(withGold.length - withActions)}]
        : [])
    ]);
  });
});
