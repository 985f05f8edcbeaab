// LLMBar's stored judge runs, imported as judgment sets, against the figures the authors published with them.
import assert from "node:assert/strict";
import {readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {sharedPath} from "../fixtures/sharedData.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readCalibrationData, type CalibrationData} from "./calibrationData.js";
import {importJudgmentSet} from "./importSet.js";
import {llmbarRuns} from "./llmbar.js";
import {tempDir} from "../fixtures/tempDir.js";

describe("the bundled LLMBar Natural runs", () => {
  let workspace: string;
  let data: CalibrationData;
  const dir = () => sharedPath("llmbar", "Natural");
  before(async () => {
    workspace = tempDir("llmbar");
    const summary = await withConnection(workspace, (c) => importJudgmentSet(c, "llmbar", dir()));
    assert.deepEqual(summary.rejected, []);
    data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 200}));
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  /** The version of a judge's evaluator for one strategy: `run` is `<judge>/<strategy>[/swapped]`. */
  const current = (run: string) => {
    const [judge, strategy, swapped] = run.toLowerCase().split("/");
    const id = `llmbar-natural-${judge}${swapped ? "-swapped" : ""}`;
    const e = data.evaluators.find((x) => x.evaluatorId === id);
    assert.ok(e, `no evaluator ${id}`);
    const v = e.versions.find((x) => x.info.evaluatorVersion.startsWith(`${strategy!.replace(/_/g, "-")}+`));
    assert.ok(v, `no version ${strategy} of ${id}`);
    return v;
  };

  test("reproduce each run's published statistics.json: correct in each order and their average", () => {
    const runs = llmbarRuns(dir());
    assert.equal(runs.length, 12);
    for (const run of runs) {
      const published = JSON.parse(readFileSync(join(run.path, "..", "statistics.json"), "utf8")) as Record<
        string,
        string
      >;
      const id = `${run.judge}/${run.strategy}`;
      // LLMBar counts an unparseable (null) verdict as wrong, so correct = (tp + tn) out of all 100 items.
      const correct = (v: ReturnType<typeof current>) => v.report.confusion.tp + v.report.confusion.tn;
      const first = current(id);
      const second = current(`${id}/swapped`);
      assert.equal(first.report.n + first.info.errors, 100);
      assert.equal(`${correct(first)} / 100`, published.correct_False!.split(" = ")[0], `${id} correct_False`);
      assert.equal(`${correct(second)} / 100`, published.correct_True!.split(" = ")[0], `${id} correct_True`);
      assert.equal(
        (correct(first) + correct(second)) / 2,
        Number.parseFloat(published.correct_average!),
        `${id} correct_average`
      );
    }
  });

  test("reproduce the README's binary judge-vs-gold matrices and MCCs (output 1 first, nulls left out)", () => {
    const table: [string, [number, number, number, number], string][] = [
      ["gpt-4/vanilla", [40, 3, 2, 55], "0.8979"],
      ["gpt-4/metrics_reference", [40, 3, 2, 55], "0.8979"],
      ["chatgpt/vanilla", [37, 15, 5, 43], "0.6148"],
      ["chatgpt/metrics_reference", [36, 12, 6, 46], "0.6424"],
      ["chatgpt-0301/vanilla", [37, 11, 5, 47], "0.6829"],
      ["palm2/vanilla", [33, 11, 9, 45], "0.5863"],
      ["palm2/metrics_reference", [35, 5, 7, 51], "0.7492"],
      ["llama2/vanilla", [33, 12, 9, 46], "0.5742"],
      ["falcon/vanilla", [41, 28, 1, 30], "0.5266"],
      ["falcon/metrics_reference", [41, 40, 1, 18], "0.3605"]
    ];
    for (const [run, [tp, fp, fn, tn], mcc] of table) {
      const v = current(run);
      assert.deepEqual(v.report.confusion, {tp, fp, fn, tn}, run);
      const m = v.report.metrics.mcc.metric;
      assert.ok("value" in m);
      assert.equal(m.value.toFixed(4), mcc, run);
    }
    assert.equal(current("palm2/vanilla").info.errors, 2, "PaLM2's two null verdicts are errors");
    const swapped = current("chatgpt/vanilla/swapped").report;
    assert.deepEqual(
      swapped.confusion,
      {tp: 28, fp: 3, fn: 14, tn: 55},
      "position bias moves ChatGPT's errors from fp to fn"
    );
  });

  test("each judge is one evaluator whose strategies are versions, Vanilla before Metrics_Reference", () => {
    const chatgpt = data.evaluators.find((e) => e.evaluatorId === "llmbar-natural-chatgpt")!;
    assert.deepEqual(
      chatgpt.versions.map((v) => v.info.evaluatorVersion.split("+")[0]),
      ["vanilla", "metrics-reference"]
    );
    assert.equal(chatgpt.current, chatgpt.versions[1]);
    assert.equal(data.evaluators.filter((e) => e.evaluatorId.startsWith("llmbar-natural-")).length, 12);
  });

  test("a set without ties is a two-class problem: macro figures are defined", () => {
    const set = data.judgmentSets.find((s) => s.dataset === "llmbar-natural")!;
    const chatgpt = set.stats.judges.find((j) => j.rater === "ChatGPT/Vanilla")!;
    assert.equal(chatgpt.matrix.length, 2);
    const {accuracy, macroF1, kappa} = chatgpt.agreement;
    assert.ok("value" in accuracy && "value" in macroF1 && "value" in kappa);
    assert.equal(accuracy.value, 0.8);
    assert.equal(kappa.value.toFixed(4), "0.6025", "two-class kappa equals the binary view's");
  });

  test("ChatGPT's MCC straddles 0.6 at n = 100, and the page's gate warns about it", () => {
    const v = current("chatgpt/vanilla");
    assert.equal(v.gate.status, "blocks");
    assert.ok(
      v.gate.warnings.some((w) => /crosses 0\.6/.test(w)),
      v.gate.warnings.join("; ")
    );
  });
});
