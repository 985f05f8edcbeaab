// LLMBar's stored judge runs, imported as judgment sets, against the figures the authors published with them.
import assert from "node:assert/strict";
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {sharedPath} from "../fixtures/sharedData.js";
import {main} from "../cli/main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readCalibrationData, type CalibrationData} from "./calibrationData.js";
import {importJudgmentSet} from "./importSet.js";
import {compareStrategies, llmbarRuns, STRATEGY_ORDER} from "./llmbar.js";
import {tempDir} from "../fixtures/tempDir.js";
import type {JudgmentSetStats} from "../../src/core/calibration/judgmentSetStats.js";

type Stats = Record<string, string | number>;
/** "77 / 100 = 77.0%" → 77: statistics.json writes counts as text. */
const count = (text: string | number | undefined) => Number(String(text).split(" / ")[0]);
/** "77 / 100 = 77.0%" → 100. */
const outOf = (text: string | number | undefined) => Number(String(text).split(" / ")[1]?.split(" = ")[0]);
const subsets = (root: string) =>
  readdirSync(root)
    .filter((d) => existsSync(join(root, d, "dataset.json")))
    .sort();

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
    const versions = chatgpt.versions.map((v) => v.info.evaluatorVersion.split("+")[0]);
    const strategies = llmbarRuns(dir())
      .filter((r) => r.judge === "ChatGPT")
      .map((r) => r.strategy)
      .sort(compareStrategies);
    assert.deepEqual(
      versions,
      strategies.map((s) => s.toLowerCase().replace(/_/g, "-"))
    );
    assert.ok(versions.indexOf("vanilla") < versions.indexOf("metrics-reference"));
    assert.equal(chatgpt.current, chatgpt.versions.at(-1));
    assert.equal(versions.at(-1), "metrics-reference", "the paper's best strategy is the current version");
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

describe("every LLMBar subset available, imported into one workspace", () => {
  // Every subset folder (one holding dataset.json) under the shared LLMBar folder: Natural, and any other there.
  let workspace: string;
  let data: CalibrationData;
  const root = () => sharedPath("llmbar");
  before(async () => {
    workspace = tempDir("llmbar-all");
    for (const subset of subsets(root())) {
      const io = captureIo();
      assert.equal(
        await main(["calibrate", "import", "llmbar", join(root(), subset), "--workspace", workspace], io),
        0
      );
    }
    data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 10}));
  });
  after(() => rmSync(workspace, {recursive: true, force: true}));

  test("reproduces each run's statistics.json exactly: correct in each order, their average, positional agreement", () => {
    let checked = 0;
    for (const subset of subsets(root())) {
      const set = data.judgmentSets.find((s) => s.dataset === `llmbar-${subset.toLowerCase()}`);
      assert.ok(set, `subset ${subset} is present`);
      const stats: JudgmentSetStats = set.stats;
      for (const run of llmbarRuns(join(root(), subset))) {
        const published = JSON.parse(readFileSync(join(run.path, "..", "statistics.json"), "utf8")) as Stats;
        const id = `${subset}/${run.judge}/${run.strategy}`;
        const judge = (rater: string): number => {
          const j = stats.judges.find((x) => x.rater === rater);
          assert.ok(j, `${id}: no rater ${rater}`);
          const a = j.agreement.accuracy;
          assert.ok("value" in a);
          // LLMBar counts an unparseable (null) verdict as wrong: every item is in n.
          assert.equal(j.agreement.n, outOf(published.correct_False));
          return Math.round(a.value * j.agreement.n);
        };
        const first = judge(`${run.judge}/${run.strategy}`);
        const second = judge(`${run.judge}/${run.strategy}/swapped`);
        assert.equal(first, count(published.correct_False), `${id} correct_False`);
        assert.equal(second, count(published.correct_True), `${id} correct_True`);
        // Falcon/CoT prints 56.99999999999999%: numbers, not strings, are compared.
        assert.ok(
          Math.abs((first + second) / 2 - Number.parseFloat(String(published.correct_average))) < 1e-9,
          `${id} correct_average`
        );
        const order = stats.orders.find((o) => o.rater === `${run.judge}/${run.strategy}`);
        assert.ok(order && "value" in order.agreement, `${id}: positional agreement`);
        assert.equal(Math.round(order.agreement.value * order.n), count(published.equal), `${id} equal`);
        assert.equal(order.n, outOf(published.equal), `${id} n`);
        // LLMBar's kappa_agreement reads "1" against not-"1": the same two classes as here when no answer is null.
        const nulls = stats.judges
          .filter((j) => j.rater.startsWith(`${run.judge}/${run.strategy}`))
          .reduce((sum, j) => sum + j.unreadable, 0);
        if (nulls === 0) {
          assert.ok("value" in order.kappa);
          assert.ok(Math.abs(order.kappa.value - Number(published.kappa_agreement)) < 1e-9, `${id} kappa_agreement`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 12, `${checked} runs checked`);
  });

  test("the report prints positional agreement and kappa between orders, and each judge's error count", async () => {
    const io = captureIo();
    assert.equal(await main(["calibrate", "report", "--resamples", "10", "--workspace", workspace], io), 0);
    const text = io.stdout.join("\n");
    assert.match(
      text,
      /judgment set llmbar-natural: 100 items, 100 with a human majority \(2 classes\); unreadable answers counted as wrong/
    );
    assert.match(text, /  GPT-4\/Vanilla in both orders: n 100  positional agreement 0\.9500  Cohen's kappa 0\.\d{4}/);
    assert.match(text, /  PaLM2\/Vanilla vs majority: n 100  accuracy 0\.7800 .* errors 2/);
    assert.match(
      text,
      /llmbar-natural-palm2 \(criterion llmbar-natural-preference[^]*errors 2 \(unreadable answers, left out of n\)/
    );
    const json = JSON.parse((await runJson(workspace)).join("\n")) as CalibrationData;
    const natural = json.judgmentSets.find((s) => s.dataset === "llmbar-natural")!;
    assert.ok(natural.stats.orders.length > 0, "orders are in the JSON report");
  });
});

async function runJson(workspace: string): Promise<string[]> {
  const io = captureIo();
  assert.equal(await main(["calibrate", "report", "--json", "--resamples", "10", "--workspace", workspace], io), 0);
  return io.stdout;
}

/**
 * A second subset made from a slice of Natural under another folder name, with the given runs; `edit` may change
 * each run's result.json items before they are written.
 */
function sliceSubset(
  parent: string,
  folder: string,
  runs: {judge: string; strategy: string; as?: string}[],
  items: number,
  edit: (item: Record<string, unknown>, index: number) => Record<string, unknown> = (x) => x
): string {
  const natural = sharedPath("llmbar", "Natural");
  const dir = join(parent, folder);
  mkdirSync(dir, {recursive: true});
  const dataset = JSON.parse(readFileSync(join(natural, "dataset.json"), "utf8")) as unknown[];
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(dataset.slice(0, items)));
  for (const run of runs) {
    const out = join(dir, "evaluators", run.judge, run.as ?? run.strategy);
    mkdirSync(out, {recursive: true});
    const result = JSON.parse(
      readFileSync(join(natural, "evaluators", run.judge, run.strategy, "result.json"), "utf8")
    ) as Record<string, unknown>[];
    writeFileSync(join(out, "result.json"), JSON.stringify(result.slice(0, items).map(edit)));
  }
  return dir;
}

describe("two LLMBar subsets in one workspace", () => {
  test("both stay present, and importing one again replaces only itself, idempotently", async (t) => {
    const parent = tempDir("llmbar-subsets");
    const workspace = tempDir("llmbar-two");
    t.after(() => {
      rmSync(parent, {recursive: true, force: true});
      rmSync(workspace, {recursive: true, force: true});
    });
    const natural = sharedPath("llmbar", "Natural");
    const second = sliceSubset(parent, "Adversarial-Test", [{judge: "GPT-4", strategy: "Vanilla"}], 30);
    const run = async (...args: string[]) => {
      const io = captureIo();
      const code = await main(["calibrate", "import", "llmbar", ...args, "--workspace", workspace], io);
      return {code, out: io.stdout.join("\n"), err: io.stderr.join("\n")};
    };
    assert.equal((await run(natural)).code, 0);
    const imported = await run(second);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /imported llmbar-adversarial-test: 30 items, 30 with a pass\/fail ground truth/);

    const snapshot = async () => {
      const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 10}));
      return {
        sets: data.judgmentSets.map((s) => [s.dataset, s.stats.items, s.stats.withMajority]),
        evaluators: data.evaluators.map((e) => [
          e.evaluatorId,
          e.criterion,
          e.versions.map((v) => [v.info.evaluatorVersion, v.report.n, v.info.errors])
        ])
      };
    };
    const both = await snapshot();
    assert.deepEqual(both.sets, [
      ["llmbar-adversarial-test", 30, 30],
      ["llmbar-natural", 100, 100]
    ]);
    const gpt4 = (id: string) => both.evaluators.find((e) => e[0] === id);
    assert.deepEqual(gpt4("llmbar-adversarial-test-gpt-4")?.[1], "llmbar-adversarial-test-preference");
    assert.deepEqual((gpt4("llmbar-adversarial-test-gpt-4")?.[2] as unknown[][])[0]?.[1], 30);
    const naturalVersions = gpt4("llmbar-natural-gpt-4")?.[2] as unknown[][];
    assert.ok(naturalVersions.length >= 2);
    assert.deepEqual(
      naturalVersions.map((v) => (v[1] as number) + (v[2] as number)),
      naturalVersions.map(() => 100),
      "the first subset's verdicts and ground truth are all still there"
    );

    assert.equal((await run(natural)).code, 0);
    assert.equal((await run(second)).code, 0);
    assert.deepEqual(await snapshot(), both, "importing again changes nothing");

    const named = await run(second, "--name", "llmbar-adv-copy");
    assert.equal(named.code, 0);
    assert.match(named.out, /imported llmbar-adv-copy: 30 items/);
    assert.equal((await snapshot()).sets.length, 3, "--name makes a set of its own");
  });
});

describe("LLMBar's strategies as versions", () => {
  test("every known strategy has its place, the rating ones first and Metrics_Reference last", () => {
    const shuffled = [...STRATEGY_ORDER].reverse();
    assert.deepEqual(shuffled.sort(compareStrategies), STRATEGY_ORDER);
    assert.equal(STRATEGY_ORDER.at(-1), "Metrics_Reference");
    for (const s of ["Rating_NoRules", "Rating", "Rating_Metrics", "Rating_Reference", "Rating_Metrics_Reference"])
      assert.ok(STRATEGY_ORDER.includes(s), s);
  });

  test("an unknown strategy is history, never the current version that ranks the judge", async (t) => {
    const parent = tempDir("llmbar-unknown");
    const workspace = tempDir("llmbar-unknown-ws");
    t.after(() => {
      rmSync(parent, {recursive: true, force: true});
      rmSync(workspace, {recursive: true, force: true});
    });
    assert.deepEqual(["Vanilla", "Zeta_Custom", "Alpha_New"].sort(compareStrategies), [
      "Alpha_New",
      "Zeta_Custom",
      "Vanilla"
    ]);
    const dir = sliceSubset(
      parent,
      "Natural",
      [
        {judge: "GPT-4", strategy: "Vanilla"},
        {judge: "GPT-4", strategy: "Metrics_Reference", as: "Zeta_Custom"}
      ],
      20
    );
    await withConnection(workspace, (c) => importJudgmentSet(c, "llmbar", dir));
    const data = await withReadConnection(workspace, (c) => readCalibrationData(c, {resamples: 10}));
    const gpt4 = data.evaluators.find((e) => e.evaluatorId === "llmbar-natural-gpt-4")!;
    assert.deepEqual(
      gpt4.versions.map((v) => v.info.evaluatorVersion.split("+")[0]),
      ["zeta-custom", "vanilla"]
    );
    assert.ok(gpt4.current.info.evaluatorVersion.startsWith("vanilla+"));
  });
});

describe("LLMBar answers that could not be read", () => {
  test("a judge whose every answer is null says so, and a NaN in the file is read as missing and counted", async (t) => {
    const parent = tempDir("llmbar-nulls");
    const workspace = tempDir("llmbar-nulls-ws");
    t.after(() => {
      rmSync(parent, {recursive: true, force: true});
      rmSync(workspace, {recursive: true, force: true});
    });
    const dir = sliceSubset(parent, "Natural", [{judge: "GPT-4", strategy: "Vanilla"}], 10, (item) => {
      const results = item.results as Record<string, {winner: unknown}>[];
      const last = results[results.length - 1]!;
      for (const order of ["swap = False", "swap = True"]) last[order]!.winner = null;
      return item;
    });
    // Python's json.dump writes NaN for a float that is not a number; here as an extra key on the first item.
    const path = join(dir, "evaluators", "GPT-4", "Vanilla", "result.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('{"input"', '{"score": NaN, "input"'));
    const io = captureIo();
    assert.equal(
      await main(["calibrate", "import", "llmbar", dir, "--workspace", workspace], io),
      0,
      io.stderr.join("\n")
    );
    assert.match(io.stdout.join("\n"), /1 NaN or Infinity values in the source files, read as missing/);
    assert.match(io.stdout.join("\n"), /llmbar-natural-gpt-4 vanilla\+\w+: 0 fail, 0 pass, 10 unreadable answers/);
    const report = captureIo();
    assert.equal(await main(["calibrate", "report", "--resamples", "10", "--workspace", workspace], report), 0);
    const text = report.stdout.join("\n");
    assert.match(text, /uncalibrated: every answer of this version could not be read \(10 errors, no verdict\)/);
    assert.doesNotMatch(text, /no human labels for its criterion yet/);
    assert.match(text, /GPT-4\/Vanilla vs majority: n 10  accuracy 0\.0000 .* errors 10/);
    assert.match(
      text,
      /GPT-4\/Vanilla in both orders: n 10  positional agreement 1\.0000/,
      "two nulls agree, as LLMBar counts them"
    );

    const missing = captureIo();
    assert.equal(
      await main(["calibrate", "import", "llmbar", dir, "--null-as", "missing", "--workspace", workspace], missing),
      0
    );
    const again = captureIo();
    assert.equal(await main(["calibrate", "report", "--resamples", "10", "--workspace", workspace], again), 0);
    assert.match(again.stdout.join("\n"), /GPT-4\/Vanilla vs majority: n 0  accuracy undefined/);
  });

  test("--null-as tie is refused for LLMBar, which has no tie class, with what to give instead", async () => {
    const io = captureIo();
    const code = await main(
      [
        "calibrate",
        "import",
        "llmbar",
        sharedPath("llmbar", "Natural"),
        "--null-as",
        "tie",
        "--workspace",
        "/nonexistent-never-opened"
      ],
      io
    );
    assert.notEqual(code, 0);
    assert.match(io.stderr.join("\n"), /no tie class: give --null-as wrong/);
  });
});
