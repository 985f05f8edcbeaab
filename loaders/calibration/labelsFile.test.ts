// `plumbline calibrate import labels`: annotators' labels and judges' verdicts from one CSV or JSON Lines file,
// with no trace files, reported with the agreement figures a published annotated set quotes.
import assert from "node:assert/strict";
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, test} from "node:test";
import {main} from "../cli/main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withReadConnection} from "../store/db.js";
import {readCalibrationData} from "./calibrationData.js";

/** Three annotators' pass/fail labels of eight items (a3 skipped item 8), F = fail, P = pass. */
const TABLE: [string, string, string, string | null][] = [
  ["1", "fail", "fail", "fail"],
  ["2", "fail", "fail", "pass"],
  ["3", "pass", "pass", "pass"],
  ["4", "pass", "pass", "pass"],
  ["5", "fail", "pass", "pass"],
  ["6", "fail", "fail", "fail"],
  ["7", "pass", "pass", "pass"],
  ["8", "fail", "fail", null]
];
/** The judge's verdicts of the same items; its answer on item 8 could not be read. */
const JUDGE = ["fail", "pass", "pass", "fail", "pass", "fail", "pass", "error"];

/**
 * Fleiss' kappa over the items all three labelled, from its definition: here P̄ = 17/21, P̄e = 25/49, kappa = 11/18.
 */
function fleissByHand(rows: string[][]): number {
  const m = rows[0]!.length;
  const perItem = rows.map((r) => {
    const fail = r.filter((x) => x === "fail").length;
    return (fail * fail + (m - fail) ** 2 - m) / (m * (m - 1));
  });
  const observed = perItem.reduce((a, b) => a + b, 0) / rows.length;
  const pFail = rows.flat().filter((x) => x === "fail").length / (rows.length * m);
  const expected = pFail ** 2 + (1 - pFail) ** 2;
  return (observed - expected) / (1 - expected);
}

/**
 * Krippendorff's alpha for two categories: 1 − (n − 1) · o_fp / (n_f · n_p), with o_fp = Σ f_u·p_u / (m_u − 1)
 * over items with two or more labels. Here n = 23, n_f = 11, n_p = 12, o_fp = 2: alpha = 1 − 44/132 = 2/3.
 */
function alphaByHand(rows: (string | null)[][]): number {
  let n = 0;
  let nFail = 0;
  let o = 0;
  for (const r of rows) {
    const rated = r.filter((x): x is string => x !== null);
    if (rated.length < 2) continue;
    const f = rated.filter((x) => x === "fail").length;
    n += rated.length;
    nFail += f;
    o += (f * (rated.length - f)) / (rated.length - 1);
  }
  return 1 - ((n - 1) * o) / (nFail * (n - nFail));
}

function csv(): string {
  const lines = ["item,criterion,annotator,judge,verdict,text"];
  TABLE.forEach(([item, ...labels], i) => {
    labels.forEach((label, a) => {
      if (label) lines.push(`${item},hallucination,a${a + 1},,${label},"Answer ${item}, as given"`);
    });
    lines.push(`${item},hallucination,,gpt-judge,${JUDGE[i] === "error" ? "" : JUDGE[i]},`);
  });
  // A second criterion with two annotators.
  for (const [item, x, y] of [
    ["1", "pass", "pass"],
    ["2", "fail", "pass"],
    ["3", "fail", "fail"]
  ])
    lines.push(`${item},tool misuse,a1,,${x},`, `${item},tool misuse,a2,,${y},`);
  return `${lines.join("\n")}\n`;
}

const BAD = [
  "9,hallucination,a1,,maybe,",
  ",hallucination,a1,,pass,",
  '9,hallucination,a1,,"pass,',
  "1,hallucination,a1,,pass,",
  "9,hallucination,a1,gpt-judge,pass,",
  "9,hallucination,a1"
];

const v = (m: {value: number} | {undefined: string}) => ("value" in m ? m.value : NaN);

describe("plumbline calibrate import labels", () => {
  test("three annotators' labels reproduce Fleiss' kappa and Krippendorff's alpha computed by hand", async (t) => {
    const dir = tempDir("labels");
    t.after(() => rmSync(dir, {recursive: true, force: true}));
    const file = join(dir, "QA Sheet.csv");
    writeFileSync(file, csv());
    const io = captureIo();
    assert.equal(
      await main(["calibrate", "import", "labels", file, "--workspace", join(dir, "ws")], io),
      0,
      io.stderr.join("\n")
    );
    assert.match(io.stdout.join("\n"), /imported labels qa-sheet from .*QA Sheet\.csv: 37 of 37 rows, 2 criteria/);
    assert.match(
      io.stdout.join("\n"),
      /imported qa-sheet\/hallucination: 8 items, 8 with a pass\/fail ground truth, 23 annotator labels/
    );

    const data = await withReadConnection(join(dir, "ws"), (c) => readCalibrationData(c, {resamples: 10}));
    const set = data.judgmentSets.find((s) => s.dataset === "qa-sheet/hallucination")!;
    const all = set.stats.annotators!;
    const complete = TABLE.filter((r) => r[3] !== null).map((r) => r.slice(1) as string[]);
    assert.equal(all.complete, 7);
    assert.ok(Math.abs(v(all.fleissKappa) - fleissByHand(complete)) < 1e-12);
    assert.ok(Math.abs(v(all.fleissKappa) - 11 / 18) < 1e-12);
    assert.ok(Math.abs(v(all.alpha) - alphaByHand(TABLE.map((r) => r.slice(1)))) < 1e-12);
    assert.ok(Math.abs(v(all.alpha) - 2 / 3) < 1e-12);

    // The judge is an evaluator of the criterion, calibrated against the majority; its unreadable answer an error.
    const judge = data.evaluators.find((e) => e.evaluatorId === "qa-sheet/hallucination-gpt-judge")!;
    assert.equal(judge.criterion, "hallucination");
    assert.deepEqual(judge.current.report.confusion, {tp: 2, fn: 1, fp: 1, tn: 3});
    assert.equal(judge.current.info.errors, 1);
    const report = captureIo();
    assert.equal(await main(["calibrate", "report", "--resamples", "10", "--workspace", join(dir, "ws")], report), 0);
    const text = report.stdout.join("\n");
    assert.match(
      text,
      /all 3 annotators: Fleiss' kappa 0\.6111 \(7 items labelled by all\)  Krippendorff's alpha 0\.6667/
    );
    assert.match(text, /judgment set qa-sheet\/tool misuse: 3 items/);
    assert.match(
      text,
      /gpt-judge vs majority: n 8  accuracy 0\.6250 .* errors 1/,
      "the unreadable answer counts as wrong"
    );
  });

  test("JSON Lines give the same figures, and importing again replaces the sets, dropping a criterion no longer there", async (t) => {
    const dir = tempDir("labels-jsonl");
    t.after(() => rmSync(dir, {recursive: true, force: true}));
    const ws = join(dir, "ws");
    const rows = csv()
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const [item, criterion, annotator, judge, verdict] = line.split(",");
        return {item, criterion, ...(annotator ? {annotator} : {judge}), verdict: verdict || null};
      });
    const file = join(dir, "labels.jsonl");
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    const run = async () => {
      const io = captureIo();
      assert.equal(
        await main(["calibrate", "import", "labels", file, "--name", "qa", "--workspace", ws], io),
        0,
        io.stderr.join("\n")
      );
      return withReadConnection(ws, (c) => readCalibrationData(c, {resamples: 10}));
    };
    const first = await run();
    const alpha = first.judgmentSets.find((s) => s.dataset === "qa/hallucination")!.stats.annotators!.alpha;
    assert.ok(Math.abs(v(alpha) - 2 / 3) < 1e-12);
    assert.deepEqual(
      first.judgmentSets.map((s) => s.dataset),
      ["qa/hallucination", "qa/tool misuse"]
    );
    const again = await run();
    assert.deepEqual(again.judgmentSets, first.judgmentSets, "the same file imported again changes nothing");
    assert.deepEqual(
      again.evaluators.map((e) => [e.evaluatorId, e.versions.length, e.current.report.n]),
      first.evaluators.map((e) => [e.evaluatorId, e.versions.length, e.current.report.n])
    );
    writeFileSync(
      file,
      rows
        .filter((r) => r.criterion === "hallucination")
        .map((r) => JSON.stringify(r))
        .join("\n")
    );
    assert.deepEqual(
      (await run()).judgmentSets.map((s) => s.dataset),
      ["qa/hallucination"]
    );
  });

  test("a bad line is named by file, line and reason, written to the quarantine folder, and the rest is imported", async (t) => {
    const dir = tempDir("labels-bad");
    t.after(() => rmSync(dir, {recursive: true, force: true}));
    const file = join(dir, "labels.csv");
    const good = csv().trim().split("\n");
    writeFileSync(file, [...good, ...BAD].join("\n"));
    const io = captureIo();
    assert.equal(await main(["calibrate", "import", "labels", file, "--workspace", join(dir, "ws")], io), 1);
    const first = good.length + 1;
    assert.deepEqual(io.stderr, [
      `${file}:${first}: verdict "maybe" is neither pass nor fail`,
      `${file}:${first + 1}: no item: every row names the item it labels`,
      `${file}:${first + 2}: a quoted field is not closed on its line`,
      `${file}:${first + 3}: a second label by a1 of item 1 on hallucination (first on line 2)`,
      `${file}:${first + 4}: both an annotator and a judge: a row is one label by one of them`,
      `${file}:${first + 5}: 3 fields where the header has 6`
    ]);
    assert.match(io.stdout.join("\n"), /37 of 43 rows, 2 criteria\n  6 rejected lines written to /);
    const quarantine = join(dir, "ws", "quarantine");
    assert.ok(existsSync(quarantine));
    const [written] = readdirSync(quarantine);
    const lines = readFileSync(join(quarantine, written!), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as {line: number; text: string; reason: string});
    assert.deepEqual(
      lines.map((l) => l.text),
      BAD
    );
    const data = await withReadConnection(join(dir, "ws"), (c) => readCalibrationData(c, {resamples: 10}));
    assert.equal(data.judgmentSets.find((s) => s.dataset === "labels/hallucination")!.stats.items, 8);
  });

  test("--help documents the labels format, and a file that is not CSV or JSON Lines says what to give", async (t) => {
    const help = captureIo();
    assert.equal(await main(["calibrate", "--help"], help), 0);
    assert.match(help.stdout.join("\n"), /import labels <file>.*\n.*item, criterion, annotator or judge, verdict/);
    const dir = tempDir("labels-ext");
    t.after(() => rmSync(dir, {recursive: true, force: true}));
    writeFileSync(join(dir, "labels.txt"), "item,criterion\n");
    const io = captureIo();
    assert.notEqual(
      await main(["calibrate", "import", "labels", join(dir, "labels.txt"), "--workspace", join(dir, "ws")], io),
      0
    );
    assert.match(io.stderr.join("\n"), /a labels file is \.csv or \.jsonl/);
  });
});
