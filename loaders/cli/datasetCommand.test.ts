import assert from "node:assert/strict";
import {readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {captureIo} from "../fixtures/captureIo.js";
import {QUEUE_ID, writeDatasetWorkspace} from "../datasets/fixtures.js";
import {main} from "./main.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("dataset-cli");
const workspace = join(root, "ws");
after(() => rmSync(root, {recursive: true, force: true}));
before(() => writeDatasetWorkspace(workspace));

async function run(...args: string[]) {
  const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
  const status = await main(args, io);
  return {status, out: io.stdout.join("\n"), err: io.stderr.join("\n")};
}

describe("plumbline dataset and plumbline review", () => {
  test("both verbs answer --help", async () => {
    assert.match((await run("dataset", "--help")).out, /promote <name> --by <who>/);
    assert.match((await run("review", "--help")).out, /outcome <trace-id> --outcome <kind>/);
  });

  test("promote from a queue lists what it added and why, and what it left out", async () => {
    const r = await run(
      "dataset",
      "promote",
      "airline",
      "--queue",
      QUEUE_ID,
      "--by",
      "ana",
      "--reason",
      "weekly triage"
    );
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /\+ confirmed_failure\s+trace-refund/);
    assert.match(r.out, /- skipped\s+trace-weather/);
    assert.match(r.out, /airline@1: added 3 cases/);
    const list = await run("dataset", "list");
    assert.match(list.out, /^airline@1\t3 cases \(\+3 −0\)\t.*\tana\tqueue:triage\tweekly triage$/m);
    const show = await run("dataset", "show", "airline@1");
    assert.match(
      show.out,
      /trace-refund  \[confirmed_failure\]  wrong_tool_arguments  added by ana: weekly triage; ground truth fails overall/
    );
    assert.match(show.out, /expected:  Let me look up order 919 for you\./);
  });

  test("usage errors say what to do", async () => {
    const none = await run("dataset", "promote", "airline", "--by", "ana");
    assert.equal(none.status, 2);
    assert.match(none.err, /exactly one source/);
    assert.match((await run("dataset", "promote", "airline", "--queue", QUEUE_ID)).err, /--by <name>/);
    assert.equal((await run("dataset", "show", "airline@x")).status, 2);
    const missing = await run("dataset", "show", "nope");
    assert.equal(missing.status, 1);
    assert.match(missing.err, /no dataset named "nope"/);
    assert.match(
      (await run("review", "outcome", "trace-weather", "--outcome", "maybe", "--by", "ana")).err,
      /invalid --outcome: maybe \(one of evaluator_updated/
    );
  });

  test("export then import round-trips a version through JSON Lines and Parquet; a bad line is named and the rest imported", async () => {
    for (const ext of ["jsonl", "parquet"]) {
      const file = join(root, `airline.${ext}`);
      const exported = await run("dataset", "export", "airline", "--out", file);
      assert.equal(exported.status, 0, exported.err);
      assert.match(exported.out, new RegExp(`wrote 3 cases of airline@1 to .*\\(${ext}\\)`));
      const imported = await run("dataset", "import", file, "--name", `copy-${ext}`, "--by", "bo");
      assert.equal(imported.status, 0, imported.err);
      assert.match(
        imported.out,
        new RegExp(`copy-${ext}@1: imported 3 cases, 3 new or changed \\(3 in all, 0 replaced or removed\\)`)
      );
      const a = JSON.parse((await run("dataset", "show", "airline", "--json")).out);
      const b = JSON.parse((await run("dataset", "show", `copy-${ext}`, "--json")).out);
      assert.deepEqual(b.cases, a.cases);
    }
    const again = await run("dataset", "import", join(root, "airline.jsonl"), "--name", "copy-jsonl", "--by", "bo");
    assert.equal(again.status, 0);
    assert.match(again.out, /nothing new: copy-jsonl already holds these 3 cases as they are/);
    const lines = readFileSync(join(root, "airline.jsonl"), "utf8").trimEnd().split("\n");
    const one = join(root, "one.jsonl");
    writeFileSync(one, lines[1] + "\n");
    const replaced = await run("dataset", "import", one, "--name", "copy-jsonl", "--by", "bo", "--replace");
    assert.match(replaced.out, /copy-jsonl@2: imported 1 cases, 0 new or changed \(1 in all, 2 replaced or removed\)/);
    const broken = join(root, "broken.jsonl");
    writeFileSync(broken, [lines[0], '{"caseId": "x"}', lines[1]].join("\n") + "\n");
    const partial = await run("dataset", "import", broken, "--name", "partial", "--by", "bo", "--strict");
    assert.equal(partial.status, 1, "--strict fails on a rejected line");
    assert.match(partial.err, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: `));
    assert.match(
      partial.out,
      /partial@1: imported 2 cases, 2 new or changed \(2 in all, 0 replaced or removed\); 1 rejected/
    );
  });

  test("review list shows the completed review that led nowhere until an outcome is recorded", async () => {
    const before = await run("review", "list", "--nowhere");
    assert.match(before.out, /^4 completed reviews, 1 led nowhere; .*dataset_case 3/m);
    assert.match(before.out, /^triage\ttrace-weather\tana, bo\tno outcome$/m);
    const none = await run(
      "review",
      "outcome",
      "trace-weather",
      "--outcome",
      "none",
      "--by",
      "ana",
      "--note",
      "works as intended"
    );
    assert.equal(none.status, 0, none.err);
    assert.match((await run("review", "list", "--nowhere")).out, /trace-weather\tana, bo\tnone \(works as intended\)/);
    assert.equal(
      (await run("review", "outcome", "trace-weather", "--outcome", "product_fix", "--by", "ana", "--queue", QUEUE_ID))
        .status,
      0
    );
    const after = await run("review", "list", "--nowhere", "--json");
    assert.equal(JSON.parse(after.out).ledNowhere, 0);
    const unknown = await run("review", "outcome", "trace-ghost", "--outcome", "none", "--by", "ana");
    assert.equal(unknown.status, 1);
    assert.match(unknown.err, /trace-ghost has no completed review/);
  });

  test("remove writes a version without the case", async () => {
    const r = await run(
      "dataset",
      "remove",
      "airline",
      "--case",
      "trace-hostile",
      "--by",
      "ana",
      "--reason",
      "not representative"
    );
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /airline@2: removed 1, 2 cases/);
    assert.equal((await run("dataset", "remove", "airline", "--case", "trace-hostile", "--by", "ana")).status, 1);
  });
});
