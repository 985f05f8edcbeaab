// Labels accepted from a judge's own draft are not independent evidence about that judge.
import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {main} from "../cli/main.js";
import {withReadConnection} from "../store/db.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {openAnnotationService} from "../annotations/service.js";
import {readCalibrationData, readCalibrationPageData} from "./calibrationData.js";
import {captureIo} from "../fixtures/captureIo.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("labels accepted from an evaluator's draft", () => {
  let workspace: string;
  let specDir: string;
  const traces = fixtureTraces()
    .map((t) => t.info.traceId)
    .sort();
  before(async () => {
    workspace = tempDir("drafted");
    specDir = tempDir("drafted-specs");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    for (const id of ["tool-error", "other-judge"]) {
      writeFileSync(
        join(specDir, `${id}.json`),
        JSON.stringify({
          id,
          version: "1",
          failureMode: "a tool call failed",
          criterion: "overall",
          kind: "rule",
          rule: {op: "tool_call", failed: true}
        })
      );
      const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
      assert.equal(
        await main(["judge", "run", "--evaluator", join(specDir, `${id}.json`)], io),
        0,
        io.stderr.join("\n")
      );
    }
    const service = openAnnotationService({workspace, mirrorDelayMs: 5});
    try {
      for (const id of traces) {
        // The refund trace's label was accepted from tool-error's draft; every other label was given from scratch.
        const drafted = id === "trace-refund";
        await service.create({
          traceId: id,
          criterion: "overall",
          annotator: "ana",
          source: "reviewer",
          pass: id !== "trace-refund",
          ...(drafted
            ? {acceptedFrom: {kind: "judge_verdict", evaluatorId: "tool-error", evaluatorVersion: null, draftId: "run"}}
            : {})
        });
      }
      await service.flush();
    } finally {
      await service.close();
    }
  });
  after(() => {
    rmSync(workspace, {recursive: true, force: true});
    rmSync(specDir, {recursive: true, force: true});
  });

  test("are left out of the drafting judge's figures, and counted, while another judge still counts them", async () => {
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 100}));
    const own = data.evaluators.find((e) => e.evaluatorId === "tool-error")!;
    const other = data.evaluators.find((e) => e.evaluatorId === "other-judge")!;
    assert.equal(own.current.report.n, traces.length - 1);
    assert.deepEqual(own.current.report.confusion, {tp: 0, fp: 0, fn: 0, tn: traces.length - 1});
    assert.deepEqual(other.current.report.confusion, {tp: 1, fp: 0, fn: 0, tn: traces.length - 1});
    assert.deepEqual(
      data.drafted.map((d) => [d.evaluatorId, d.traces]),
      [["tool-error", 1]]
    );
    assert.ok(!data.annotators.some((a) => a.evaluatorId === "tool-error" && a.report.confusion.tp > 0));
    const page = await withReadConnection(workspace, (c) => readCalibrationPageData(c));
    assert.ok(!page.aligned.some((r) => r.e === "tool-error" && r.t === "trace-refund"));
    assert.ok(page.aligned.some((r) => r.e === "other-judge" && r.t === "trace-refund"));
    assert.deepEqual(
      page.drafted?.map((d) => [d.e, d.traces]),
      [["tool-error", 1]]
    );
    assert.ok(!page.populations.some((p) => p.e === "tool-error" && p.confusion.tp + p.confusion.fn > 0));
  });

  test("calibrate report, export and update say how many were left out", async () => {
    const report = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["calibrate", "report", "--resamples", "100", "--suite", specDir], report), 0);
    assert.match(report.stdout.join("\n"), /accepted from its own drafts \(not independent, not counted\): 1 trace$/m);

    const out = join(workspace, "aligned.csv");
    const exported = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["calibrate", "export", "--out", out, "--suite", specDir], exported), 0);
    assert.match(
      exported.stdout.join("\n"),
      /^wrote 7 aligned judge and human labels to .*aligned\.csv; left out 1 labelled by accepting the same evaluator's draft$/
    );
    const rows = readFileSync(out, "utf8").trim().split("\n").slice(1);
    assert.ok(!rows.some((r) => r.startsWith("tool-error,") && r.includes("trace-refund")));
    assert.ok(rows.some((r) => r.startsWith("other-judge,") && r.includes("trace-refund")));

    const update = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["calibrate", "update", "--suite", specDir, "--evaluator", "tool-error"], update), 0);
    const block = JSON.parse(readFileSync(join(specDir, "tool-error.json"), "utf8")).calibration;
    assert.deepEqual(block.confusion, {tp: 0, fp: 0, fn: 0, tn: traces.length - 1});
    assert.match(block.labels, /without the 1 labelled by accepting its own drafts/);
  });
});
