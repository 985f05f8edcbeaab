// Calibration end to end on real data and on a workspace with the annotation side's views present.
import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import type {Metric} from "../../src/core/calibration/metric.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {main} from "../cli/main.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {exportAligned} from "../store/calibration.js";
import {readSnapshots} from "../store/calibrationSnapshots.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {openAnnotationService} from "../annotations/service.js";
import {readCalibrationData, readCalibrationPageData} from "./calibrationData.js";
import {importJudgmentSet} from "./importSet.js";
import {captureIo} from "../fixtures/captureIo.js";
import {assertGolden} from "../fixtures/golden.js";
import {tempDir} from "../fixtures/tempDir.js";

const GOLDEN = new URL("./golden/", import.meta.url).pathname;
const lines = (stream: string[]) => `${stream.join("\n")}\n`;
const v = (m: Metric, digits = 4) => ("value" in m ? m.value.toFixed(digits) : `undefined: ${m.undefined}`);

describe("the bundled PandaLM judgments", () => {
  let workspace: string;
  before(async () => {
    workspace = tempDir("pandalm");
    await withConnection(workspace, (connection) => importJudgmentSet(connection, "pandalm", sharedPath("pandalm")));
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("reproduce the README's human agreement: Cohen's kappa 0.85, 0.88 and 0.86 between annotators", async () => {
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 200}));
    const set = data.judgmentSets.find((s) => s.dataset === "pandalm")!;
    assert.equal(set.stats.items, 999);
    assert.deepEqual(
      set.stats.annotatorPairs.map((p) => [p.a, p.b, v(p.agreement.kappa, 2)]),
      [
        ["annotator1", "annotator2", "0.85"],
        ["annotator1", "annotator3", "0.88"],
        ["annotator2", "annotator3", "0.86"]
      ]
    );
  });

  test("reproduce the published judge table: accuracy, macro precision, recall and F1 against the human majority", async () => {
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 200}));
    const judges = data.judgmentSets[0]!.stats.judges;
    const row = (rater: string) => {
      const a = judges.find((j) => j.rater === rater)!.agreement;
      return [a.accuracy, a.macroPrecision, a.macroRecall, a.macroF1].map((m) =>
        "value" in m ? (m.value * 100).toFixed(2) : "undefined"
      );
    };
    assert.deepEqual(row("gpt-3.5-turbo"), ["71.07", "58.79", "57.36", "57.55"]);
    assert.deepEqual(row("pandalm-7b"), ["66.77", "57.38", "57.50", "57.43"]);
  });

  test("the pass/fail view gives the README's binary matrices, MCC and kappa, and the unreadable answers are errors", async () => {
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 500}));
    const gpt = data.evaluators.find((e) => e.evaluatorId === "pandalm-gpt-3.5-turbo")!.current;
    assert.deepEqual(gpt.report.confusion, {tp: 332, fp: 86, fn: 71, tn: 360});
    assert.equal(v(gpt.report.metrics.mcc.metric), "0.6303");
    assert.equal(v(gpt.report.metrics.kappa.metric), "0.6299");
    assert.equal(v(gpt.report.metrics.accuracy.metric), "0.8151");
    assert.equal(gpt.info.errors, 25, "the 25 'garbage' answers");
    assert.equal(gpt.gate.status, "blocks");
    const local = data.evaluators.find((e) => e.evaluatorId === "pandalm-pandalm-7b")!.current;
    assert.deepEqual(local.report.confusion, {tp: 298, fp: 100, fn: 84, tn: 337});
    assert.equal(v(local.report.metrics.mcc.metric), "0.5502");
    assert.equal(local.gate.status, "reports");
  });

  test("plumbline calibrate report prints each evaluator's figures, gate and warnings, per annotator and per criterion", async () => {
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["calibrate", "report", "--resamples", "200"], io), 0);
    // The report is compared whole: its posterior draws are seeded (--seed, 1 by default), so they are stable.
    assert.deepEqual(io.stderr, []);
    assertGolden(join(GOLDEN, "calibrate-report-pandalm"), {"stdout.txt": lines(io.stdout)});
  });

  test("plumbline calibrate report words the gate status under --trust and --min-per-class", async () => {
    const strict = captureIo({PLUMBLINE_WORKSPACE: workspace});
    const args = ["calibrate", "report", "--evaluator", "pandalm-gpt-3.5-turbo", "--resamples", "200"];
    assert.equal(await main([...args, "--min-per-class", "500"], strict), 0);
    assert.match(
      strict.stdout.join("\n"),
      /gate: reports \(weak evidence: only 403 human-labelled failures \(want at least 500\); only 446 human-labelled passes \(want at least 500\); 95 % interval 0\.\d\d–0\.\d\d crosses 0\.6\) \(MCC 0\.630\)/
    );
    const point = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main([...args, "--min-per-class", "500", "--trust", "point"], point), 0);
    assert.match(point.stdout.join("\n"), /gate: blocks \(MCC 0\.630\)\n +warning: only 403 human-labelled failures/);
  });

  test("importing again replaces the set instead of doubling it", async () => {
    await withConnection(workspace, (connection) => importJudgmentSet(connection, "pandalm", sharedPath("pandalm")));
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 10}));
    assert.equal(data.evaluators.find((e) => e.evaluatorId === "pandalm-gpt-3.5-turbo")!.current.report.n, 849);
  });

  test("exports the aligned labels side by side as CSV and Parquet", async () => {
    const dir = tempDir("export");
    try {
      const csv = join(dir, "labels.csv");
      const parquet = join(dir, "labels.parquet");
      const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
      assert.equal(await main(["calibrate", "export", "--out", csv, "--evaluator", "pandalm-gpt-3.5-turbo"], io), 0);
      assert.match(io.stdout.join("\n"), /wrote 849 aligned/);
      const lines = readFileSync(csv, "utf8").trim().split("\n");
      assert.equal(lines.length, 850);
      assert.equal(
        lines[0],
        "evaluator_id,evaluator_version,criterion,trace_id,judge_outcome,human_outcome,cell,in_sample,judge_reasoning,human_explanation,decided_by,judge_model,run_id,dataset_version"
      );
      const rows = await withReadConnection(workspace, async (c) => {
        await exportAligned(c, parquet, "parquet");
        const r = await c.runAndReadAll(
          `SELECT cell, count(*)::INTEGER AS n FROM read_parquet('${parquet}') WHERE evaluator_id = 'pandalm-gpt-3.5-turbo' GROUP BY cell ORDER BY cell`
        );
        return r.getRowObjectsJS();
      });
      assert.deepEqual(rows, [
        {cell: "fn", n: 71},
        {cell: "fp", n: 86},
        {cell: "tn", n: 360},
        {cell: "tp", n: 332}
      ]);
      // Traces an evaluator learned from are marked, for that evaluator only.
      const learned = lines.slice(1, 3).map((line) => line.split(",")[3]!);
      const marked = await withReadConnection(workspace, async (c) => {
        await exportAligned(c, parquet, "parquet", undefined, new Map([["pandalm-gpt-3.5-turbo", new Set(learned)]]));
        const r = await c.runAndReadAll(
          `SELECT evaluator_id, trace_id FROM read_parquet('${parquet}') WHERE in_sample ORDER BY ALL`
        );
        return r.getRowObjectsJS();
      });
      assert.deepEqual(
        marked,
        learned.sort().map((trace_id) => ({evaluator_id: "pandalm-gpt-3.5-turbo", trace_id}))
      );
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  test("plumbline calibrate import reports a malformed record with its file and index and imports the rest", async () => {
    const dir = tempDir("bad-pandalm");
    const ws = tempDir("ws");
    try {
      for (const f of ["testset-v1.json", "gpt-3.5-turbo-testset-v1.json", "pandalm-7b-testset-v1.json"]) {
        const items = JSON.parse(readFileSync(sharedPath("pandalm", f), "utf8")) as Record<string, unknown>[];
        if (f === "testset-v1.json") items[5] = {...items[5], annotator2: 7};
        writeFileSync(join(dir, f), JSON.stringify(items.slice(0, 20)));
      }
      const io = captureIo({PLUMBLINE_WORKSPACE: ws});
      assert.equal(await main(["calibrate", "import", "pandalm", dir], io), 1);
      assertGolden(join(GOLDEN, "calibrate-import-malformed"), {
        "stdout.txt": lines(io.stdout).split(dir).join("<input>"),
        "stderr.txt": lines(io.stderr).split(dir).join("<input>")
      });
    } finally {
      rmSync(dir, {recursive: true, force: true});
      rmSync(ws, {recursive: true, force: true});
    }
  });
});

describe("PandaLM's unparseable answers under each rule", () => {
  test("tie reproduces the paper, wrong and missing give the README's other figures; each is its own set by --name", async (t) => {
    const ws = tempDir("pandalm-rules");
    t.after(() => rmSync(ws, {recursive: true, force: true}));
    for (const rule of ["wrong", "missing"]) {
      const io = captureIo();
      const args = [
        "calibrate",
        "import",
        "pandalm",
        sharedPath("pandalm"),
        "--null-as",
        rule,
        "--name",
        `pandalm-${rule}`
      ];
      assert.equal(await main([...args, "--workspace", ws], io), 0, io.stderr.join("\n"));
      assert.match(io.stdout.join("\n"), new RegExp(`unreadable answers in the set's figures: ${rule}\n`));
    }
    await withConnection(ws, (connection) => importJudgmentSet(connection, "pandalm", sharedPath("pandalm")));
    const data = await withReadConnection(ws, (c) => readCalibrationData(c, {resamples: 10}));
    const gpt = (dataset: string) =>
      data.judgmentSets.find((s) => s.dataset === dataset)!.stats.judges.find((j) => j.rater === "gpt-3.5-turbo")!;
    const row = (dataset: string) => {
      const j = gpt(dataset);
      return [j.agreement.n, v(j.agreement.accuracy), v(j.agreement.macroF1), v(j.agreement.kappa), j.unreadable];
    };
    assert.deepEqual(row("pandalm"), [999, "0.7107", "0.5755", "0.4958", 25]);
    assert.deepEqual(row("pandalm-missing").slice(0, 4), [974, "0.7156", "0.5331", "0.4929"]);
    assert.deepEqual(row("pandalm-wrong").slice(0, 2), [999, "0.6977"]);
    // The pass/fail view never invents a verdict: the 25 answers are errors under every rule.
    for (const id of ["pandalm-gpt-3.5-turbo", "pandalm-wrong-gpt-3.5-turbo", "pandalm-missing-gpt-3.5-turbo"])
      assert.equal(data.evaluators.find((e) => e.evaluatorId === id)!.current.info.errors, 25, id);
  });

  test("an unknown --null-as names the rules it takes", async () => {
    const io = captureIo();
    assert.equal(await main(["calibrate", "import", "pandalm", sharedPath("pandalm"), "--null-as", "zero"], io), 2);
    assert.match(io.stderr.join("\n"), /invalid --null-as zero: give wrong, missing, tie/);
  });

  test("NaN written by Python where a label belongs is read as a missing label, and counted", async (t) => {
    const dir = tempDir("nan-pandalm");
    const ws = tempDir("nan-ws");
    t.after(() => {
      rmSync(dir, {recursive: true, force: true});
      rmSync(ws, {recursive: true, force: true});
    });
    for (const f of ["testset-v1.json", "gpt-3.5-turbo-testset-v1.json", "pandalm-7b-testset-v1.json"]) {
      const items = JSON.parse(readFileSync(sharedPath("pandalm", f), "utf8")) as Record<string, unknown>[];
      let text = JSON.stringify(items.slice(0, 10));
      if (f === "testset-v1.json") text = text.replace('"annotator3":2', '"annotator3":NaN');
      if (f === "pandalm-7b-testset-v1.json") text = text.replace('"pandalm_result":2', '"pandalm_result":-Infinity');
      writeFileSync(join(dir, f), text);
    }
    const io = captureIo({PLUMBLINE_WORKSPACE: ws});
    assert.equal(await main(["calibrate", "import", "pandalm", dir], io), 0, io.stderr.join("\n"));
    assert.match(io.stdout.join("\n"), /2 NaN or Infinity values in the source files, read as missing/);
    assert.match(
      io.stdout.join("\n"),
      /imported pandalm: 10 items, \d+ with a pass\/fail ground truth, 29 annotator labels/
    );
  });
});

describe("calibration against the annotation side's ground_truth and human_labels", () => {
  let workspace: string;
  let specDir: string;
  before(async () => {
    workspace = tempDir("gt");
    specDir = tempDir("specs");
    await writeFixtureWorkspace(workspace, fixtureTraces());
  });
  after(() => {
    rmSync(workspace, {recursive: true, force: true});
    rmSync(specDir, {recursive: true, force: true});
  });

  test("a workspace without the views has no labels, and a rule evaluator's verdicts are uncalibrated", async () => {
    const spec = join(specDir, "tool-error.json");
    writeFileSync(
      spec,
      JSON.stringify({
        id: "tool-error",
        version: "1",
        failureMode: "a tool call failed",
        criterion: "overall",
        kind: "rule",
        rule: {op: "tool_call", failed: true}
      })
    );
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["judge", "run", "--evaluator", spec], io), 0, io.stderr.join("\n"));
    assert.match(io.stdout.join("\n"), /4 traces: 1 fail, 3 pass, 0 errors/);
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 100}));
    const e = data.evaluators.find((x) => x.evaluatorId === "tool-error")!;
    assert.equal(e.current.report.n, 0);
    assert.equal(e.current.gate.status, "uncalibrated");
  });

  test("verdicts align with the annotators' ground truth by trace and criterion, per annotator too; a new version starts uncalibrated", async () => {
    const traces = fixtureTraces()
      .map((t) => t.info.traceId)
      .sort();
    // Labels written as annotators write them: through the annotation service, into its log and the store's views.
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      for (const id of traces) {
        const pass = id !== "trace-refund";
        for (const annotator of ["ana", "bo"]) {
          await service.create({
            traceId: id,
            criterion: "overall",
            annotator,
            source: "reviewer",
            pass: annotator === "bo" ? true : pass,
            explanation: annotator === "bo" ? null : pass ? "fine" : "the refund tool failed"
          });
        }
      }
      // ana and bo disagree on the refund trace: the criterion's owner settles it.
      await service.adjudicate(
        {traceId: "trace-refund", criterion: "overall", pass: false, explanation: "the refund tool failed"},
        "owner"
      );
      await service.flush();
    } finally {
      await service.close();
    }
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 100}));
    const e = data.evaluators.find((x) => x.evaluatorId === "tool-error")!;
    assert.equal(e.current.report.n, traces.length);
    const failing = data.aligned.filter((r) => r.evaluatorId === "tool-error" && r.human === "fail");
    assert.deepEqual(
      failing.map((r) => [r.traceId, r.judge, r.explanation]),
      [["trace-refund", "fail", "the refund tool failed"]]
    );
    const ana = data.annotators.find((a) => a.annotator === "ana")!;
    const bo = data.annotators.find((a) => a.annotator === "bo")!;
    assert.deepEqual(ana.report.confusion, {tp: 1, fp: 0, fn: 0, tn: traces.length - 1});
    assert.deepEqual(bo.report.confusion, {tp: 0, fp: 1, fn: 0, tn: traces.length - 1});

    // Version 2 of the same evaluator: its old figures stay as history, the new version has none until judged.
    writeFileSync(
      join(specDir, "tool-error.json"),
      JSON.stringify({
        id: "tool-error",
        version: "2",
        failureMode: "a tool call failed",
        criterion: "overall",
        kind: "rule",
        rule: {op: "status", is: "error"}
      })
    );
    await withConnection(workspace, async (c) => {
      const {registerEvaluatorVersion} = await import("../store/calibration.js");
      await registerEvaluatorVersion(c, {
        evaluatorId: "tool-error",
        evaluatorVersion: "2+new",
        criterion: "overall",
        failureMode: "a tool call failed",
        kind: "rule",
        judgeModel: null,
        spec: null,
        firstSeen: new Date(Date.now() + 1000)
      });
    });
    // Traces the evaluator learned from are never evidence: the report and the page's data hold them apart.
    const learned = new Map([["tool-error", new Set(["trace-refund"])]]);
    const held = await withReadConnection(workspace, (c) =>
      readCalibrationData(c, {resamples: 100, inSample: learned})
    );
    const heldOut = held.evaluators.find((x) => x.evaluatorId === "tool-error")!;
    assert.deepEqual(heldOut.versions[0]!.report.confusion, {tp: 0, fp: 0, fn: 0, tn: traces.length - 1});
    assert.deepEqual(
      held.inSample.map((x) => [x.evaluatorId, x.report.confusion]),
      [["tool-error", {tp: 1, fp: 0, fn: 0, tn: 0}]]
    );
    assert.ok(!held.annotators.some((a) => a.report.confusion.tp + a.report.confusion.fp > 0));
    const page = await withReadConnection(workspace, (c) => readCalibrationPageData(c, learned));
    assert.deepEqual(
      page.inSample.map((r) => [r.e, r.t]),
      [["tool-error", "trace-refund"]]
    );
    assert.ok(!page.aligned.some((r) => r.t === "trace-refund"));

    const after2 = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 100}));
    const e2 = after2.evaluators.find((x) => x.evaluatorId === "tool-error")!;
    assert.equal(e2.versions.length, 2);
    assert.equal(e2.current.info.evaluatorVersion, "2+new");
    assert.equal(e2.current.gate.status, "uncalibrated");
    assert.equal(e2.versions[0]!.report.n, traces.length, "the old version's figures are kept as history");
  });

  test("calibrate update writes a hand-written spec's block from the current labels, once it has verdicts, and nothing else", async () => {
    // A spec as a person writes it: one line per member, its own spacing, no calibration.
    const path = join(specDir, "refund-failed.json");
    const text = `{\n  "id": "refund-failed",  "version": "0.1",\n  "failureMode": "a tool call failed", "criterion": "overall",\n  "kind": "rule", "rule": {"op": "tool_call", "failed": true}\n}\n`;
    writeFileSync(path, text);
    const update = () => {
      const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
      return main(["calibrate", "update", "--suite", specDir, "--evaluator", "refund-failed"], io).then((status) => ({
        status,
        out: io.stdout.join("\n")
      }));
    };
    const first = await update();
    assert.equal(first.status, 1);
    assert.match(
      first.out,
      /no verdicts of refund-failed 0\.1\+\w{12} .*run `plumbline judge run --evaluator refund-failed` first/
    );
    assert.equal(readFileSync(path, "utf8"), text, "nothing written");

    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["judge", "run", "--evaluator", path], io), 0, io.stderr.join("\n"));
    const second = await update();
    assert.equal(second.status, 0, second.out);
    const written = readFileSync(path, "utf8");
    assert.ok(written.startsWith(text.slice(0, text.lastIndexOf("}\n}") + 1)), "every byte before the block kept");
    assert.ok(written.endsWith("\n}\n"));
    const block = JSON.parse(written).calibration;
    assert.equal(block.split, "all", "a hand-written spec learned from nothing");
    assert.match(block.labelSet, /^overall@[0-9a-f]{12}$/);
    assert.deepEqual(block.confusion, {tp: 1, fp: 0, fn: 0, tn: 3});
    const snapshots = await withReadConnection(workspace, (c) => readSnapshots(c, "refund-failed"));
    assert.deepEqual(
      snapshots.map((x) => [x.source, x.labelSet, x.n]),
      [["calibrate update", block.labelSet, 4]]
    );
    const third = await update();
    assert.match(third.out, /already current/);
    assert.equal(readFileSync(path, "utf8"), written);
  });
});
