// `plumbline gate` end to end through the command: real trace files ingested into a throwaway store, spec files with
// calibration blocks for their current (or an older) version, a real failure-mode registry, and a local
// OpenAI-compatible server for LLM judges.
import assert from "node:assert/strict";
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {calibrationOf} from "../../src/core/calibration/specCalibration.js";
import {parseEvaluatorSpec, type EvaluatorSpecInput} from "../../src/core/schemas/evaluator.js";
import type {DatasetCase} from "../../src/core/schemas/dataset.js";
import {GateRunSchema} from "../../src/core/schemas/gateReport.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {generateOtlpLine} from "../formats/otlpSynth.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {promote, setState} from "../failureModes/actions.js";
import {captureIo} from "../fixtures/captureIo.js";
import {assertGolden} from "../fixtures/golden.js";
import {junitProblems} from "../fixtures/junitXml.js";
import {readGateRuns} from "../gate/gateRuns.js";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "../judge/fakeOpenAI.js";
import {versionOf} from "../judge/specFile.js";
import {gateCommand} from "./gateCommand.js";
import {main} from "./main.js";
import {tempDir} from "../fixtures/tempDir.js";

const TAU = new URL("../../data/demo/tau-bench-airline/gpt-4o-airline.json", import.meta.url).pathname;
const HOSTILE_MODE = `tool <call> & "failed" 'again'`;
const GOLDEN = new URL("./golden/", import.meta.url).pathname;

/**
 * What varies from run to run in the command's output, masked so it can be compared with a golden file: the
 * temporary folder, the run id (a date and a random part), the run's timestamp and its duration.
 */
function stable(text: string, root: string): string {
  return text
    .split(root)
    .join("<tmp>")
    .replace(/gate-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}/g, "gate-<date>-<id>")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "<timestamp>")
    .replace(/ time="\d+\.\d{3}"/g, ' time="<seconds>"')
    .replace(/ in \d+\.\d{2} s\b/g, " in <seconds> s");
}

function pairs(tp: number, fp: number, fn: number, tn: number) {
  const make = (n: number, human: "pass" | "fail", judge: "pass" | "fail") =>
    Array.from({length: n}, () => ({human, judge}));
  return [
    ...make(tp, "fail", "fail"),
    ...make(fp, "pass", "fail"),
    ...make(fn, "fail", "pass"),
    ...make(tn, "pass", "pass")
  ];
}

/** MCC 0.8 blocks, about 0.54 reports, 0.2 is not trusted. */
const FIGURES = {
  blocks: [45, 5, 5, 45],
  reports: [40, 13, 10, 37],
  weak: [30, 20, 20, 30],
  // Five held-out traces, all judged right: MCC 1.000 on almost no evidence.
  tiny: [2, 0, 0, 3],
  inverted: [5, 45, 45, 5]
} as const;

/**
 * Writes a spec with a calibration block measured on its current version, or on `staleAs` (an older version), as
 * `plumbline generate` and `calibrate` record them.
 */
function writeSpec(
  dir: string,
  input: EvaluatorSpecInput,
  figures: keyof typeof FIGURES | null,
  staleAs?: string
): string {
  const parsed = parseEvaluatorSpec(input);
  if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
  const {version} = versionOf(parsed.spec);
  const calibration = figures
    ? calibrationOf(pairs(FIGURES[figures][0], FIGURES[figures][1], FIGURES[figures][2], FIGURES[figures][3]), {
        evaluatorVersion: staleAs ?? version,
        criterion: input.criterion,
        labels: "test labels",
        split: "held-out",
        measuredAt: "2026-11-01T00:00:00Z"
      })
    : undefined;
  const path = join(dir, `${input.id}.json`);
  writeFileSync(path, JSON.stringify({...input, ...(calibration ? {calibration} : {})}, null, 2));
  return version;
}

const rule = (id: string, failureMode: string, condition: unknown, gate?: {minPassRate: number}): EvaluatorSpecInput =>
  ({
    id,
    version: "1.0.0",
    failureMode,
    criterion: "overall",
    kind: "rule",
    rule: condition,
    ...(gate ? {gate} : {})
  }) as EvaluatorSpecInput;

describe("plumbline gate", () => {
  let root: string;
  let suite: string;
  let workspace: string;
  before(async () => {
    root = tempDir("gate-cli");
    suite = join(root, "evaluators");
    mkdirSync(suite);
    // On the 200 τ-bench runs: 36 have a failed tool call, 48 hand over to a human, 61 call `think`.
    writeSpec(
      suite,
      rule("tool-call-failed", HOSTILE_MODE, {op: "tool_call", failed: true}, {minPassRate: 0.9}),
      "blocks"
    );
    writeSpec(
      suite,
      rule("handed-over", "handed to a human", {op: "tool_call", name: "transfer_to_human_agents"}),
      "reports"
    );
    writeSpec(
      suite,
      rule("thinks-aloud", "thinks aloud", {op: "tool_call", name: "think"}),
      "blocks",
      "0.9.0+0123456789ab"
    );
    writeSpec(suite, rule("weak", "weak signal", {op: "status", is: "error"}), "weak");

    workspace = join(root, "workspace");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    const options = {workspace, now: Date.parse("2026-11-20T00:00:00Z"), evaluatorsDir: suite};
    await promote(options, {name: "nobody checks this", description: null, clusterId: null});
    await promote(options, {name: "fixed long ago", description: null, clusterId: null});
    for (const state of ["fix_shipped", "verified_resolved"] as const)
      await setState(options, {name: "fixed long ago", state, note: null});
  });
  after(() => rmSync(root, {recursive: true, force: true}));

  test("blocks when a blocking evaluator is below its threshold, names the failure mode, and writes JUnit, Markdown and the run log", async () => {
    const junit = join(root, "out", "gate.xml");
    const markdown = join(root, "out", "gate.md");
    const io = captureIo();
    const code = await main(
      [
        "gate",
        "--suite",
        suite,
        "--traces",
        TAU,
        "--workspace",
        workspace,
        "--junit",
        junit,
        "--markdown",
        markdown,
        "--label",
        "gpt-4o candidate"
      ],
      io
    );
    assert.equal(code, 1, io.stderr.join("\n"));
    // The summary, the JUnit file and the Markdown report, compared whole: names come back escaped exactly once,
    // report-only and skipped evaluators never fail the build, and coverage counts the registry's unresolved modes
    // and the specs' own (the resolved one is not active).
    const xml = readFileSync(junit, "utf8");
    assert.deepEqual(await junitProblems(xml), []);
    assertGolden(join(GOLDEN, "gate-blocked"), {
      "stdout.txt": stable(`${io.stdout.join("\n")}\n`, root),
      "stderr.txt": stable(`${io.stderr.join("\n")}\n`, root),
      "gate.xml": stable(xml, root),
      "gate.md": stable(readFileSync(markdown, "utf8"), root)
    });

    const {runs, problems} = readGateRuns(workspace);
    assert.deepEqual(problems, []);
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.deepEqual(run.blockedBy, [{failureMode: HOSTILE_MODE, evaluators: ["tool-call-failed"]}]);
    assert.deepEqual(run.candidate, {
      kind: "traces",
      name: "gpt-4o-airline.json",
      version: null,
      traces: 200,
      rejected: 0
    });
    assert.deepEqual(run.evaluators.find((e) => e.id === "tool-call-failed")!.counts, {
      traces: 200,
      pass: 164,
      fail: 36,
      errors: 0
    });
    assert.equal(run.label, "gpt-4o candidate");
  });

  test("passes with status 0 once the threshold allows the failures; a new threshold keeps the calibration", async () => {
    const relaxed = join(root, "relaxed");
    cpSync(suite, relaxed, {recursive: true});
    const path = join(relaxed, "tool-call-failed.json");
    const spec = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({...spec, gate: {minPassRate: 0.8}}));
    const io = captureIo();
    assert.equal(await main(["gate", "--suite", relaxed, "--traces", TAU, "--json"], io), 0, io.stderr.join("\n"));
    const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
    assert.equal(run.blocked, false);
    const e = run.evaluators.find((x) => x.id === "tool-call-failed")!;
    assert.deepEqual(
      [e.role, e.outcome, e.passRate, e.minPassRate, e.thresholdFrom],
      ["blocks", "passed", 0.82, 0.8, "spec"]
    );
    assert.equal(run.evaluators.find((x) => x.id === "handed-over")!.outcome, "warned");
    assert.equal(run.coverage.registry, false);
  });

  test("a changed rule makes its recorded figures stale: the evaluator is skipped and no longer blocks", async () => {
    const changed = join(root, "changed");
    cpSync(suite, changed, {recursive: true});
    const path = join(changed, "tool-call-failed.json");
    const spec = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({...spec, rule: {op: "tool_call", failed: true, name: "book_reservation"}}));
    const io = captureIo();
    assert.equal(await main(["gate", "--suite", changed, "--traces", TAU], io), 0, io.stdout.join("\n"));
    assert.match(
      io.stdout.join("\n"),
      /tool-call-failed .* skipped: uncalibrated, calibrated as 1\.0\.0\+[0-9a-f]{12}, but the spec is now 1\.0\.0\+[0-9a-f]{12}/
    );
  });

  test("a malformed record in a trace file is named with its line, and the gate still runs on the rest", async () => {
    const file = join(root, "candidate.otlp.jsonl");
    writeFileSync(file, [generateOtlpLine(0, 20), "{not json", generateOtlpLine(1, 20)].join("\n") + "\n");
    const io = captureIo();
    const code = await main(["gate", "--suite", suite, "--traces", file, "--json"], io);
    assert.ok(code === 0 || code === 1, io.stderr.join("\n"));
    assert.ok(
      io.stderr.some((line) => line.includes(`${file}:2`)),
      io.stderr.join("\n")
    );
    const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
    assert.deepEqual([run.candidate.traces, run.candidate.rejected], [4, 1]);
    assert.equal(run.evaluators.find((e) => e.id === "tool-call-failed")!.counts!.traces, 4);
  });

  function datasetCase(caseId: string, text: string, failedTool: boolean): DatasetCase {
    return {
      format: 1,
      caseId,
      input: text,
      expectedOutput: null,
      expectedBehaviour: null,
      failureMode: null,
      criterion: null,
      kind: "regression",
      sourceTraceId: caseId,
      addedBy: "ana",
      reason: "",
      addedAt: "2026-11-01T00:00:00.000Z",
      context: {
        status: "ok",
        fields: {tool_error_count: failedTool ? 1 : 0},
        messages: [
          {role: "user", direction: "input", content: text},
          {role: "assistant", direction: "output", content: "done"}
        ],
        toolCalls: [
          {name: "lookup", arguments: "{}", result: failedTool ? "Error: no such order" : "{}", success: !failedTool}
        ],
        spans: []
      }
    };
  }

  test("gates a dataset file; a bad line is named with file and line, and the gate does not run (status 2)", async () => {
    const file = join(root, "regressions.jsonl");
    const cases = Array.from({length: 20}, (_, i) => datasetCase(`case-${i}`, `order ${i}`, i < 3));
    writeFileSync(file, cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
    const io = captureIo();
    assert.equal(
      await main(["gate", "--suite", suite, "--dataset", file, "--json"], io),
      1,
      "3 of 20 fail: 85 % is below 90 %"
    );
    const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
    assert.deepEqual(run.candidate, {
      kind: "dataset-file",
      name: "regressions.jsonl",
      version: null,
      traces: 20,
      rejected: 0
    });
    const e = run.evaluators.find((x) => x.id === "tool-call-failed")!;
    assert.deepEqual(e.counts, {traces: 20, pass: 17, fail: 3, errors: 0});
    assert.deepEqual(e.failingTraces, ["case-0", "case-1", "case-2"]);

    const bad = join(root, "bad.jsonl");
    writeFileSync(
      bad,
      [
        JSON.stringify(cases[0]),
        "{not json",
        JSON.stringify({...cases[1], kind: "nonsense"}),
        JSON.stringify(cases[2])
      ].join("\n")
    );
    const badIo = captureIo();
    assert.equal(await main(["gate", "--suite", suite, "--dataset", bad], badIo), 2);
    const err = badIo.stderr.join("\n");
    assert.match(err, /2 bad lines in the dataset; the gate did not run/);
    assert.ok(err.includes(`${bad}:2: not valid JSON`), err);
    assert.ok(err.includes(`${bad}:3: not a dataset case`), err);
    assert.deepEqual(badIo.stdout, []);
  });

  test("a calibration on 5 traces does not block by default: it reports with weak evidence; --trust point blocks on it", async () => {
    const thin = join(root, "thin");
    mkdirSync(thin);
    writeSpec(thin, rule("tool-call-failed", "tool call failed", {op: "tool_call", failed: true}), "tiny");
    writeSpec(thin, rule("inverted", "inverted", {op: "tool_call", name: "think"}), "inverted");
    const byDefault = captureIo();
    assert.equal(await main(["gate", "--suite", thin, "--traces", TAU], byDefault), 0, byDefault.stderr.join("\n"));
    const out = byDefault.stdout.join("\n");
    assert.match(out, /trust policy interval: blocking needs MCC ≥ 0\.6, its 95 % interval's lower bound ≥ 0\.4/);
    assert.match(
      out,
      /~ tool-call-failed \[tool call failed\] reports \(weak evidence: only 2 human-labelled failures \(want at least 20\); only 3 human-labelled passes \(want at least 20\); 95 % interval 0\.\d\d–0\.\d\d crosses 0\.6 and 0\.4\) MCC 1\.00: warned/
    );
    assert.match(
      out,
      /- inverted \[inverted\] skipped: not-trusted \(worse than chance: is the verdict inverted\?\), MCC -0\.800/
    );
    // The corrected rate is no longer the raw 18.0 % with no width: the judge's rates on 5 labels are uncertain.
    assert.doesNotMatch(out, /corrected 18\.0 % \[18\.0 %, 18\.0 %\]/);
    assert.match(out, /corrected 18\.0 % \[0\.0 %, [3-9]\d\.\d %\]/);

    const point = captureIo();
    assert.equal(await main(["gate", "--suite", thin, "--traces", TAU, "--trust", "point", "--json"], point), 1);
    const run = GateRunSchema.parse(JSON.parse(point.stdout.join("\n")));
    assert.deepEqual(run.thresholds.trust, {mode: "point", minPerClass: 20});
    const e = run.evaluators.find((x) => x.id === "tool-call-failed")!;
    assert.deepEqual([e.role, e.outcome, e.weakEvidence], ["blocks", "blocked", false]);
    assert.ok(e.warnings.some((w) => /only 2 human-labelled failures/.test(w)));
  });

  test("usage and suite problems exit 2 and say what to do", async () => {
    const cases: [string[], RegExp][] = [
      [["gate", "--traces", TAU], /name the suite: --suite/],
      [["gate", "--suite", suite], /give the candidate's traces with --traces/],
      [["gate", "--suite", suite, "--traces", TAU, "--dataset", "x.jsonl"], /one of them/],
      [["gate", "--suite", suite, "--traces", TAU, "--min-pass-rate", "1.5"], /invalid --min-pass-rate: 1\.5/],
      [
        ["gate", "--suite", suite, "--traces", TAU, "--trust", "median"],
        /invalid --trust: median \(interval or point\)/
      ],
      [["gate", "--suite", suite, "--traces", TAU, "--min-per-class", "1.5"], /invalid --min-per-class: 1\.5/],
      [["gate", "--suite", suite, "--dataset", "Bad Name"], /invalid --dataset: Bad Name/],
      [["gate", "--suite", join(root, "nowhere"), "--traces", TAU], /not a folder of evaluator specs/],
      [["gate", "--suite", suite, "--traces", join(root, "missing.jsonl")], /missing\.jsonl/]
    ];
    for (const [args, message] of cases) {
      const io = captureIo();
      assert.equal(await main(args, io), 2, args.join(" "));
      assert.match(io.stderr.join("\n"), message, args.join(" "));
    }
    const broken = join(root, "broken");
    cpSync(suite, broken, {recursive: true});
    writeFileSync(
      join(broken, "bad.json"),
      JSON.stringify({
        id: "bad",
        version: "1",
        failureMode: "x",
        criterion: "overall",
        kind: "rule",
        rule: {op: "regex", pattern: "(a)\\1"}
      })
    );
    const io = captureIo();
    assert.equal(await main(["gate", "--suite", broken, "--traces", TAU], io), 2);
    assert.match(io.stderr.join("\n"), /the suite cannot run:\n {2}.*bad\.json: invalid evaluator spec/);
    const help = captureIo();
    assert.equal(await main(["gate", "--help"], help), 0);
    assert.match(help.stdout.join("\n"), /MCC ≥ 0\.6 blocks, 0\.4–0\.6 reports only/);
    assert.match(help.stdout.join("\n"), /--trust <policy> +interval \(default\) or point/);
  });

  test("a named dataset is read from the workspace store through the datasets reader, at the version asked for", async () => {
    const asked: unknown[] = [];
    const command = gateCommand(async (connection, name, version) => {
      asked.push([name, version]);
      const rows = (await connection.runAndReadAll("SELECT trace_id FROM traces ORDER BY trace_id")).getRowObjectsJS();
      return {
        name,
        version: version ?? 3,
        cases: rows.map((r, i) => datasetCase(String(r.trace_id), "from the store", i === 0))
      };
    });
    const io = captureIo();
    assert.equal(
      await command.run(["--suite", suite, "--dataset", "regressions@2", "--workspace", workspace, "--json"], io),
      1
    );
    assert.deepEqual(asked, [["regressions", 2]]);
    const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
    assert.deepEqual(run.candidate, {kind: "dataset", name: "regressions", version: "2", traces: 4, rejected: 0});
    assert.deepEqual(run.evaluators.find((e) => e.id === "tool-call-failed")!.counts, {
      traces: 4,
      pass: 3,
      fail: 1,
      errors: 0
    });

    // The command itself reads the workspace's datasets tables; a name it does not hold is a usage error saying where to look.
    const plain = captureIo();
    assert.equal(
      await main(["gate", "--suite", suite, "--dataset", "regressions", "--workspace", workspace], plain),
      2
    );
    assert.match(
      plain.stderr.join("\n"),
      /no dataset named "regressions" in the workspace; `plumbline dataset list` shows them/
    );
  });

  describe("with LLM judges", () => {
    let server: FakeOpenAI;
    let judgeSuite: string;
    let file: string;
    const KEY = "sk-gate-never-print-4242";
    before(async () => {
      server = await startFakeOpenAI();
      judgeSuite = join(root, "judges");
      mkdirSync(judgeSuite);
      const judge = (id: string): EvaluatorSpecInput => ({
        id,
        version: "1",
        failureMode: "refund promised",
        criterion: "overall",
        kind: "llm_judge",
        judge: {model: "judge-model", prompt: "Did the agent promise a refund?\n{{trace}}"}
      });
      writeSpec(judgeSuite, judge("refund-judge"), "blocks");
      // Not trusted: it must never be called.
      writeSpec(judgeSuite, {...judge("weak-judge"), failureMode: "weak"}, "weak");
      file = join(root, "judged.jsonl");
      writeFileSync(
        file,
        Array.from({length: 10}, (_, i) =>
          JSON.stringify(datasetCase(`c${i}`, i < 4 ? `refund for order ${i}` : `seat change ${i}`, false))
        ).join("\n")
      );
    });
    after(() => server.close());
    const env = () => ({OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY});

    test("a trusted judge's verdicts block; an untrusted judge is never called; a missing key is a configuration error", async () => {
      const noKey = captureIo({OPENAI_BASE_URL: server.baseURL});
      assert.equal(await main(["gate", "--suite", judgeSuite, "--dataset", file], noKey), 2);
      assert.match(
        noKey.stderr.join("\n"),
        /refund-judge is an LLM judge trusted to gate, and \$OPENAI_API_KEY is not set/
      );

      server.requests.length = 0;
      server.respondWith("chat", (request) => {
        const text = JSON.stringify(request.body.messages);
        return chatCompletion(
          JSON.stringify({reasoning: "checked", verdict: text.includes("refund for order") ? "fail" : "pass"})
        );
      });
      const io = captureIo(env());
      assert.equal(await main(["gate", "--suite", judgeSuite, "--dataset", file, "--json"], io), 1);
      const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
      const e = run.evaluators.find((x) => x.id === "refund-judge")!;
      assert.deepEqual([e.outcome, e.counts, e.calls], ["blocked", {traces: 10, pass: 6, fail: 4, errors: 0}, 10]);
      assert.equal(server.requests.length, 10, "only the trusted judge was asked");
      assert.ok(!io.stdout.join("\n").includes(KEY) && !io.stderr.join("\n").includes(KEY));
    });

    test("failed calls are errors, never verdicts: a blocking judge that got no verdict blocks as an error", async () => {
      server.respondWith("chat", (request) =>
        request.index % 2
          ? errorResponse(500, "upstream down")
          : chatCompletion(JSON.stringify({reasoning: "fine", verdict: "pass"}))
      );
      const io = captureIo(env());
      const junit = join(root, "judge.xml");
      assert.equal(
        await main(
          [
            "gate",
            "--suite",
            judgeSuite,
            "--dataset",
            file,
            "--max-attempts",
            "1",
            "--concurrency",
            "1",
            "--json",
            "--junit",
            junit
          ],
          io
        ),
        0
      );
      const run = GateRunSchema.parse(JSON.parse(io.stdout.join("\n")));
      const e = run.evaluators.find((x) => x.id === "refund-judge")!;
      assert.deepEqual(e.counts, {traces: 10, pass: 5, fail: 0, errors: 5});
      assert.equal(e.passRate, 1, "the rate is over verdicts only");

      server.respondWith("chat", () => errorResponse(500, "upstream down"));
      const down = captureIo(env());
      assert.equal(
        await main(["gate", "--suite", judgeSuite, "--dataset", file, "--max-attempts", "1", "--junit", junit], down),
        1
      );
      const xml = readFileSync(junit, "utf8");
      assert.deepEqual(await junitProblems(xml), []);
      assertGolden(join(GOLDEN, "gate-judge-down"), {
        "stdout.txt": stable(`${down.stdout.join("\n")}\n`, root),
        "stderr.txt": stable(`${down.stderr.join("\n")}\n`, root),
        "gate.xml": stable(xml, root)
      });
    });
  });
});
