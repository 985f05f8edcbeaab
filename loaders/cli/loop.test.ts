// The whole loop on the real τ-bench airline runs and Who&When failures, through the plumbline command as a user
// runs it: ingest, cluster, promote a failure mode, annotate (two scripted reviewers), generate an evaluator,
// calibrate it, promote the failures into a dataset, and gate two candidate versions: one that regressed (the
// runs where tools failed) is blocked, naming the failure mode; one that is fixed (runs where no tool failed) passes.
import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {openAnnotationService} from "../annotations/service.js";
import {readTauRuns, scriptedLabels, TOOL_ERROR_MODE, type TauRun} from "../annotations/tauBenchLabels.js";
import {captureIo} from "../fixtures/captureIo.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {loadSpec} from "../judge/specFile.js";
import {withReadConnection} from "../store/db.js";
import {GateRunSchema} from "../../src/core/schemas/gateReport.js";
import {main} from "./main.js";
import {tempDir} from "../fixtures/tempDir.js";

const TAU = sharedPath("tau-bench-airline", "gpt-4o-airline.json");
const WHO_AND_WHEN = sharedPath("who-and-when", "Hand-Crafted");

describe("the loop, end to end on real traces", {timeout: 600_000}, () => {
  const root = tempDir("loop");
  const workspace = join(root, "workspace");
  const suite = join(root, "evaluators");
  const runs: TauRun[] = readTauRuns(TAU);
  after(() => rmSync(root, {recursive: true, force: true}));

  const cli = async (args: string[], expected = 0) => {
    const io = captureIo();
    const status = await main([...args, "--workspace", workspace], io);
    assert.equal(
      status,
      expected,
      `plumbline ${args.join(" ")} exited ${status}:\n${io.stderr.join("\n")}\n${io.stdout.join("\n")}`
    );
    return {out: io.stdout.join("\n"), err: io.stderr.join("\n")};
  };
  const query = (sql: string) =>
    withReadConnection(workspace, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());

  before(async () => {
    await cli(["ingest", TAU, WHO_AND_WHEN]);
  });

  test("1. ingest and cluster: the tool-error signature holds the 36 runs where a tool failed", async () => {
    await cli(["cluster"]);
    const [cluster] =
      await query(`SELECT c.cluster_id, count(DISTINCT m.trace_id)::INTEGER AS n FROM clusters c JOIN trace_clusters m USING (cluster_id)
      WHERE c.kind = 'signature' AND c.signature LIKE 'tool %' AND m.trace_id LIKE 'tau-%' GROUP BY ALL ORDER BY n DESC LIMIT 1`);
    assert.ok(cluster, "a tool-failure signature cluster");
    await cli([
      "failure-mode",
      "promote",
      "--name",
      TOOL_ERROR_MODE,
      "--cluster",
      String(cluster.cluster_id),
      "--description",
      "a tool answered an error and the agent never recovered"
    ]);
    const listed = JSON.parse((await cli(["failure-mode", "list", "--json"])).out);
    assert.ok(JSON.stringify(listed).includes(TOOL_ERROR_MODE));
  });

  test("2. annotate: two reviewers label the runs; their agreement is measured and ties stay out of ground truth", async () => {
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      const result = await service.importMany(scriptedLabels(runs), "review");
      assert.deepEqual(result.rejected, []);
      await service.flush();
    } finally {
      await service.close();
    }
    const truth = await query(
      `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE failure_mode = '${TOOL_ERROR_MODE}')::INTEGER AS tool FROM ground_truth`
    );
    assert.deepEqual(truth, [{n: 197, tool: 27}], "200 runs less 3 ties");
    const agreement = await cli(["annotations", "agreement"]);
    assert.match(agreement.out, /alice/);
  });

  let specPath = "";
  test("3. generate: rule induction on the training split; its held-out MCC would block, but on a handful of held-out failures it only reports", async () => {
    const {out} = await cli(["generate", "--failure-mode", TOOL_ERROR_MODE, "--out-dir", suite, "--json"]);
    const result = JSON.parse(out);
    specPath = result.path;
    const loaded = loadSpec(specPath);
    assert.equal(loaded.spec.kind, "rule");
    assert.equal(loaded.spec.calibration!.evaluatorVersion, loaded.version);
    assert.ok(loaded.spec.calibration!.mcc! >= 0.6, `held-out MCC ${loaded.spec.calibration!.mcc}`);
    // About 8 of the 27 tool-error failures are held out: too few for the default (interval) trust policy to
    // let the evaluator block, so it reports, and says why.
    assert.equal(result.gate.status, "reports");
    assert.equal(result.gate.weakEvidence, true);
    assert.match(result.gate.text, /^reports \(weak evidence: only \d+ human-labelled failures/);
  });

  test("4. calibrate: the evaluator's verdicts on the labelled runs it did not learn from agree with the reviewers (MCC ≥ 0.6)", async () => {
    await cli(["judge", "run", "--evaluator", specPath]);
    const report = JSON.parse((await cli(["calibrate", "report", "--suite", suite, "--json"])).out);
    const evaluator = report.evaluators.find(
      (e: {evaluatorId: string}) => e.evaluatorId === "tool-error-not-recovered"
    );
    assert.ok(evaluator, "the generated evaluator is calibrated");
    const mcc = evaluator.current.report.metrics.mcc.metric.value;
    // The held-out runs are the evidence, exactly as generate measured them; the training runs come apart.
    const recorded = loadSpec(specPath).spec.calibration!;
    assert.deepEqual(evaluator.current.report.confusion, recorded.confusion);
    assert.ok(mcc >= 0.6, `MCC ${mcc}`);
    const inSample = report.inSample.find(
      (e: {evaluatorId: string}) => e.evaluatorId === "tool-error-not-recovered"
    ).report;
    assert.equal(inSample.n, recorded.train!.traceIds!.length);
    // Together: every run where a tool failed is flagged; 9 of those still passed, and those are its only mistakes.
    // Runs that failed for the other mode ("task not completed") say nothing about this one and are left out.
    const sum = (k: "tp" | "fp" | "fn" | "tn") => evaluator.current.report.confusion[k] + inSample.confusion[k];
    assert.deepEqual([sum("tp"), sum("fp"), sum("fn"), sum("tn")], [27, 9, 0, 75]);
    // Its verdicts on the current labels give generate's figures: an update finds the block current.
    const update = JSON.parse((await cli(["calibrate", "update", "--suite", suite, "--json"])).out);
    assert.deepEqual(
      update.map((u: {id: string; kind: string}) => [u.id, u.kind]),
      [["tool-error-not-recovered", "current"]]
    );
  });

  test("5. dataset: the confirmed failures become cases of a versioned dataset, exported for CI", async () => {
    await cli([
      "dataset",
      "promote",
      "airline-regressions",
      "--failure-mode",
      TOOL_ERROR_MODE,
      "--by",
      "alice",
      "--reason",
      "unrecovered tool errors"
    ]);
    const shown = JSON.parse((await cli(["dataset", "show", "airline-regressions", "--json"])).out);
    assert.equal(shown.version, 1);
    // The 27 confirmed failures, and the one run of the mode's signature cluster that passed in spite of the
    // same tool error: an edge case.
    const cases = shown.cases as {kind: string; failureMode: string}[];
    assert.equal(cases.length, 28);
    const confirmed = cases.filter((c) => c.kind === "confirmed_failure");
    assert.equal(confirmed.length, 27);
    assert.ok(confirmed.every((c) => c.failureMode === TOOL_ERROR_MODE));
    assert.deepEqual(
      cases.filter((c) => c.kind !== "confirmed_failure").map((c) => c.kind),
      ["edge_case"]
    );
    const file = join(root, "airline-regressions.jsonl");
    await cli(["dataset", "export", "airline-regressions", "--out", file]);
    assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 28);
  });

  const candidate = (name: string, keep: (run: TauRun) => boolean) => {
    const file = join(root, `${name}.json`);
    writeFileSync(file, JSON.stringify(runs.filter(keep).map((run) => run.raw)));
    return file;
  };

  test("6. gate: a version whose tools fail again is blocked, naming the failure mode, with JUnit and Markdown for CI", async () => {
    // The regressed version: every run where a tool failed, and as many of the rest.
    let clean = 0;
    const regressed = candidate("regressed", (run) => run.toolError !== null || clean++ < 36);
    const junit = join(root, "regressed.xml");
    const markdown = join(root, "regressed.md");
    const {err} = await cli(
      [
        "gate",
        "--suite",
        suite,
        "--traces",
        regressed,
        "--junit",
        junit,
        "--markdown",
        markdown,
        "--label",
        "regressed",
        // Blocking on the held-out figures alone is the team's explicit choice here (see step 3).
        "--trust",
        "point"
      ],
      1
    );
    assert.match(err, new RegExp(TOOL_ERROR_MODE));
    const xml = readFileSync(junit, "utf8");
    assert.match(xml, /<testsuite[^>]*failures="1"/);
    assert.match(readFileSync(markdown, "utf8"), /tool error not recovered/);
  });

  test("7. gate: the fixed version passes; coverage lists the reviewers' other failure mode as uncovered", async () => {
    const fixed = candidate("fixed", (run) => run.toolError === null);
    await cli(["gate", "--suite", suite, "--traces", fixed, "--label", "fixed", "--trust", "point"]);
    const lines = readFileSync(join(workspace, "gate-runs.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => GateRunSchema.parse(JSON.parse(line)));
    assert.deepEqual(
      lines.map((r) => [r.label, r.blocked]),
      [
        ["regressed", true],
        ["fixed", false]
      ]
    );
    const last = lines.at(-1)!;
    const evaluator = last.evaluators.find((e) => e.id === "tool-error-not-recovered")!;
    assert.equal(evaluator.role, "blocks");
    assert.deepEqual(last.thresholds.trust, {mode: "point", minPerClass: 20});
    assert.deepEqual(evaluator.counts, {traces: 164, pass: 164, fail: 0, errors: 0});
    assert.equal(last.coverage.share, 0.5);
    assert.deepEqual(last.coverage.modes.map((m) => [m.name, m.covered]).sort(), [
      ["task not completed", false],
      [TOOL_ERROR_MODE, true]
    ]);
    assert.ok(existsSync(specPath));
    // The fix passed the gate: the failure mode moves on in its lifecycle.
    await cli([
      "failure-mode",
      "set-state",
      TOOL_ERROR_MODE,
      "fix_shipped",
      "--note",
      "the fixed version passed the gate"
    ]);
    const listed = JSON.parse((await cli(["failure-mode", "list", "--json"])).out) as {
      modes: {name: string; state: string}[];
    };
    assert.equal(listed.modes.find((m) => m.name === TOOL_ERROR_MODE)?.state, "fix_shipped");
  });

  test("8. a spec edited after calibration is uncalibrated and no longer blocks", async () => {
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    const edited = join(root, "edited");
    mkdirSync(edited);
    writeFileSync(
      join(edited, "tool-error-not-recovered.json"),
      JSON.stringify({...spec, rule: {op: "status", is: "error"}})
    );
    const regressed = join(root, "regressed.json");
    const {out} = await cli(["gate", "--suite", edited, "--traces", regressed, "--json"]);
    const run = GateRunSchema.parse(JSON.parse(out));
    assert.equal(run.blocked, false);
    assert.equal(run.evaluators[0]!.calibrationStatus, "uncalibrated");
  });

  test("9. labels that change after calibration: the gate warns, calibrate update records them, and both snapshots are kept", async () => {
    const before = readFileSync(specPath, "utf8");
    const recorded = loadSpec(specPath).spec.calibration!;
    const learned = new Set(recorded.train!.traceIds);
    // The owner settles the held-out runs the evaluator caught as passes after all: the evidence turns against it.
    const caught = await query(`SELECT DISTINCT v.trace_id FROM judge_verdicts v JOIN ground_truth g USING (trace_id)
      WHERE v.evaluator_id = 'tool-error-not-recovered' AND v.outcome = 'fail' AND g.criterion = 'overall' AND NOT g.pass
      AND g.failure_mode = '${TOOL_ERROR_MODE}' ORDER BY ALL`);
    const flipped = caught.map((r) => String(r.trace_id)).filter((t) => !learned.has(t));
    assert.equal(flipped.length, recorded.confusion.tp);
    for (const trace of flipped)
      await cli(["annotations", "adjudicate", trace, "--criterion", "overall", "--pass", "--by", "owner"]);

    const regressed = join(root, "regressed.json");
    const gated = GateRunSchema.parse(
      JSON.parse((await cli(["gate", "--suite", suite, "--traces", regressed, "--trust", "point", "--json"], 1)).out)
    );
    const evaluator = gated.evaluators.find((e) => e.id === "tool-error-not-recovered")!;
    assert.equal(evaluator.role, "blocks", "the spec's recorded figures still decide");
    assert.deepEqual(evaluator.snapshot, {
      at: recorded.measuredAt,
      labelSet: recorded.labelSet,
      n: recorded.confusion.tp + recorded.confusion.fp + recorded.confusion.fn + recorded.confusion.tn,
      split: "held-out"
    });
    assert.match(
      evaluator.labelDrift!,
      /^labels changed since \d{4}-\d\d-\d\d: MCC now .* run `plumbline calibrate update`$/
    );

    const update = JSON.parse(
      (await cli(["calibrate", "update", "--suite", suite, "--evaluator", "tool-error-not-recovered", "--json"])).out
    );
    assert.equal(update[0].kind, "updated");
    const after = readFileSync(specPath, "utf8");
    const refreshed = loadSpec(specPath).spec.calibration!;
    assert.notEqual(refreshed.labelSet, recorded.labelSet);
    assert.equal(refreshed.confusion.tp, 0);
    assert.deepEqual(refreshed.train, recorded.train, "the training record stays");
    // Only the block changed: the bytes before and after it are the file's own.
    const start = before.indexOf('"calibration"');
    assert.equal(after.slice(0, start), before.slice(0, start));
    const tail = (text: string) => text.slice(text.indexOf('"kind"'));
    assert.equal(tail(after), tail(before));

    const snapshots = await query(
      "SELECT source, label_set FROM calibration_snapshots WHERE evaluator_id = 'tool-error-not-recovered' ORDER BY taken_at"
    );
    assert.deepEqual(
      snapshots.map((r) => [r.source, r.label_set]),
      [
        ["generate", recorded.labelSet],
        ["calibrate update", refreshed.labelSet]
      ]
    );
    const again = GateRunSchema.parse(
      JSON.parse((await cli(["gate", "--suite", suite, "--traces", regressed, "--json"])).out)
    );
    const now = again.evaluators.find((e) => e.id === "tool-error-not-recovered")!;
    assert.deepEqual([now.labelDrift, now.snapshot!.labelSet], [null, refreshed.labelSet]);
  });
});
