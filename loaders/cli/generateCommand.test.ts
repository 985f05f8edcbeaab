import assert from "node:assert/strict";
import {readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {openAnnotationService} from "../annotations/service.js";
import {captureIo} from "../fixtures/captureIo.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {ingest} from "../ingest/ingest.js";
import {withReadConnection} from "../store/db.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {readLabelledExamples} from "../store/labelledExamples.js";
import {loadSpec} from "../judge/specFile.js";
import {compileRule} from "../../src/core/evaluator/rule.js";
import {splitExamples} from "../../src/core/generate/examples.js";
import {main} from "./main.js";
import {readOutcomes} from "../annotations/reviewOutcomes.js";
import {chatCompletion, startFakeOpenAI} from "../judge/fakeOpenAI.js";
import {assertGolden} from "../fixtures/golden.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("generate");
const workspace = join(root, "workspace");
const out = join(root, "evaluators");
const GOLDEN = new URL("./golden/", import.meta.url).pathname;

/** What the command printed, with the temporary folder and the rule search's time masked; it writes nothing to stderr. */
function summary(io: {stdout: string[]; stderr: string[]}): string {
  assert.deepEqual(io.stderr, []);
  return `${io.stdout.join("\n")}\n`
    .split(root)
    .join("<tmp>")
    .replace(/, \d+ ms$/gm, ", <ms> ms");
}

after(() => rmSync(root, {recursive: true, force: true}));

// Scripted annotators on τ-bench airline: "tool error not recovered" fails a run that ended with reward 0 after a
// tool answered "Error: …"; every run with reward 1 passes. Reward-0 runs without an error fail with another mode.
const tally = {errorFails: 0, otherFails: 0, passes: 0};
before(async () => {
  await ingest({workspace, paths: [sharedPath("tau-bench-airline", "gpt-4o-airline.json")], workers: 0});
  const {items, rewards} = await withReadConnection(workspace, async (c) => ({
    items: await readJudgeItems(c),
    rewards: new Map(
      (await c.runAndReadAll("SELECT trace_id, value FROM feedback WHERE name = 'reward'"))
        .getRows()
        .map((r) => [String(r[0]), Number(r[1])])
    )
  }));
  const service = openAnnotationService({workspace, mirrorDelayMs: 10});
  const labels = items.map((item) => {
    const pass = rewards.get(item.traceId) === 1;
    const error = item.rule.toolCalls.some((c) => (c.result ?? "").startsWith("Error:"));
    if (pass) tally.passes++;
    else if (error) tally.errorFails++;
    else tally.otherFails++;
    const failureMode = pass ? null : error ? "tool error not recovered" : "task not completed";
    return {
      id: `label-${item.traceId}`,
      fields: {
        traceId: item.traceId,
        criterion: "overall",
        pass,
        failureMode,
        annotator: "script",
        source: "reviewer",
        explanation: failureMode
      }
    };
  });
  const result = await service.importMany(labels, "script");
  assert.deepEqual(result.rejected, []);
  await service.flush();
  await service.close();
});

test("the τ-bench data gives the expected label counts (84 pass, 27 unrecovered tool errors)", () => {
  assert.deepEqual(tally, {errorFails: 27, otherFails: 89, passes: 84});
});

test("readLabelledExamples takes the mode's failures as positives, passes as negatives, and leaves other modes out unless asked", async () => {
  const read = await withReadConnection(workspace, (c) =>
    readLabelledExamples(c, {failureMode: "tool error not recovered"})
  );
  assert.equal(read.criterion, "overall");
  assert.equal(read.examples.filter((e) => e.outcome === "fail").length, 27);
  assert.equal(read.examples.filter((e) => e.outcome === "pass").length, 84);
  assert.deepEqual(read.skipped, {otherFailureModes: 89, notInStore: 0});
  assert.ok(read.examples.every((e) => e.rule.messages.length > 0 && e.trace.messages.length > 0));
  const others = await withReadConnection(workspace, (c) =>
    readLabelledExamples(c, {failureMode: "tool error not recovered", othersAsPass: true})
  );
  assert.equal(others.examples.filter((e) => e.outcome === "pass").length, 84 + 89);
  const unknown = await withReadConnection(workspace, (c) => readLabelledExamples(c, {failureMode: "no such mode"}));
  assert.equal(unknown.criterion, null);
});

test("plumbline generate induces a rule for an unrecovered tool error whose held-out figures are measured on held-out traces only", async () => {
  const io = captureIo();
  const status = await main(
    ["generate", "--failure-mode", "tool error not recovered", "--workspace", workspace, "--out-dir", out, "--json"],
    io
  );
  assert.equal(status, 0, io.stderr.join("\n"));
  const result = JSON.parse(io.stdout.join("\n"));
  const loaded = loadSpec(join(out, "tool-error-not-recovered.json"));
  assert.equal(loaded.spec.kind, "rule");
  assert.equal(loaded.spec.version, "1.0.0");
  const calibration = loaded.spec.calibration!;
  assert.equal(calibration.evaluatorVersion, loaded.version, "the figures belong to the written version");
  assert.equal(calibration.split, "held-out");
  // The spec is committed: it names no folder of this machine.
  assert.ok(!readFileSync(join(out, "tool-error-not-recovered.json"), "utf8").includes(root), "no local path");
  assert.match(calibration.labels, /^a workspace outside the repository: ground truth of "overall"/);
  // Recompute the held-out confusion from the same split with the rule runtime.
  const read = await withReadConnection(workspace, (c) =>
    readLabelledExamples(c, {failureMode: "tool error not recovered"})
  );
  const {train, heldOut} = splitExamples(read.examples, {heldOut: 0.3, seed: 1});
  assert.equal(calibration.train!.n, train.length);
  const predicate = compileRule(loaded.spec.kind === "rule" ? loaded.spec.rule : {op: "status", is: "error"});
  const c = {tp: 0, fp: 0, fn: 0, tn: 0};
  for (const e of heldOut) {
    const fail = predicate(e.rule);
    c[e.outcome === "fail" ? (fail ? "tp" : "fn") : fail ? "fp" : "tn"]++;
  }
  assert.deepEqual(calibration.confusion, c);
  assert.equal(c.tp + c.fp + c.fn + c.tn, heldOut.length);
  // The rule must find the signal: far better than chance on traces it never saw.
  assert.ok(
    calibration.mcc !== null && calibration.mcc >= 0.6,
    `held-out MCC ${calibration.mcc}: ${result.description}`
  );
  // Its held-out failures are few (the recorded interval and class counts say so), so under the default trust
  // policy it reports with weak evidence; the JSON names the policy it was judged by.
  const heldOutFails = c.tp + c.fn;
  assert.ok(heldOutFails < 20, `${heldOutFails} held-out failures`);
  assert.deepEqual(result.gate.policy, {mode: "interval", minPerClass: 20});
  assert.equal(result.gate.status, "reports");
  assert.equal(result.gate.weakEvidence, true);
  assert.match(result.gate.text, new RegExp(`^reports \\(weak evidence: only ${heldOutFails} human-labelled failures`));
  assert.equal(calibration.mccIntervalUndefined, 0);
  assert.ok(/fails when/i.test(loaded.spec.description));
});

test("generating again with the same labels keeps the version; a different rule is the next minor version derived from it", async () => {
  const first = loadSpec(join(out, "tool-error-not-recovered.json"));
  const again = captureIo();
  assert.equal(
    await main(
      ["generate", "--failure-mode", "tool error not recovered", "--workspace", workspace, "--out-dir", out],
      again
    ),
    0
  );
  const same = loadSpec(join(out, "tool-error-not-recovered.json"));
  assert.equal(same.version, first.version);
  // The "gate:" line follows --trust: on the MCC alone, the same figures block.
  const point = captureIo();
  const args = ["--workspace", workspace, "--out-dir", out, "--dry-run", "--trust", "point"];
  assert.equal(await main(["generate", "--failure-mode", "tool error not recovered", ...args], point), 0);
  assert.match(point.stdout.join("\n"), /held-out MCC 1\.000 \[0\.\d\d, 1\.00\], tp 8 fp 0 fn 0 tn 25; gate: blocks$/m);
  // Another failure mode written under the same id decides differently: the next minor version, derived from 1.0.0.
  const other = captureIo();
  assert.equal(
    await main(
      [
        "generate",
        "--failure-mode",
        "task not completed",
        "--id",
        "tool-error-not-recovered",
        "--workspace",
        workspace,
        "--out-dir",
        out
      ],
      other
    ),
    0
  );
  const next = loadSpec(join(out, "tool-error-not-recovered.json"));
  assert.equal(next.spec.version, "1.1.0");
  assert.deepEqual(next.spec.lineage.derivedFrom, {id: "tool-error-not-recovered", version: "1.0.0"});
  assert.equal(next.spec.calibration!.evaluatorVersion, next.version);
  assert.notEqual(next.version, first.version);
  // Each new or changed version is a review outcome for the failing traces it was made from; the rerun that kept
  // the version recorded none.
  const outcomes = readOutcomes(workspace).outcomes.filter((o) => o.evaluatorId === "tool-error-not-recovered");
  const byKind = (kind: string) => new Set(outcomes.filter((o) => o.outcome === kind).map((o) => o.traceId)).size;
  assert.equal(byKind("new_evaluator"), 27);
  assert.equal(byKind("evaluator_updated"), 89);
  assert.equal(outcomes.length, 27 + 89);
  // The two summaries, compared whole: the rerun's keeps its version and records no review outcome, the other names
  // the version it was derived from.
  assertGolden(join(GOLDEN, "generate-rule"), {"again.txt": summary(again), "derived.txt": summary(other)});
});

test("the harder mode 'task not completed' (reward 0 without a tool error) gives a dry-run spec with held-out figures", async () => {
  const io = captureIo();
  assert.equal(
    await main(
      [
        "generate",
        "--failure-mode",
        "task not completed",
        "--workspace",
        workspace,
        "--out-dir",
        out,
        "--dry-run",
        "--json"
      ],
      io
    ),
    0
  );
  const result = JSON.parse(io.stdout.join("\n"));
  assert.equal(result.path, null);
  assert.equal(result.spec.calibration.split, "held-out");
  assert.ok(typeof result.spec.calibration.mcc === "number");
  assert.throws(() => readFileSync(join(out, "task-not-completed.json")), /ENOENT/);
});

test("an unknown failure mode names the labelled ones, and bad options are usage errors", async () => {
  const io = captureIo();
  assert.equal(await main(["generate", "--failure-mode", "nope", "--workspace", workspace, "--out-dir", out], io), 1);
  assert.match(io.stderr.join("\n"), /"task not completed" \(89\)/);
  const usage = captureIo();
  assert.equal(
    await main(["generate", "--failure-mode", "x", "--method", "magic", "--workspace", workspace], usage),
    2
  );
  assert.match(usage.stderr.join("\n"), /invalid --method: magic/);
  const share = captureIo();
  assert.equal(
    await main(["generate", "--failure-mode", "x", "--held-out", "1.5", "--workspace", workspace], share),
    2
  );
});

test("plumbline generate --method judge evolves a judge prompt through an OpenAI-compatible server and writes it with its held-out figures", async () => {
  const server = await startFakeOpenAI();
  const key = "sk-generate-cli-secret";
  let reflections = 0;
  // The fake judge fails every trace unless its prompt speaks of failed tool calls; then it fails those alone.
  // The scripted reflection proposes exactly that prompt.
  server.respondWith("chat", (request) => {
    const messages = request.body.messages as {role: string; content: string}[];
    if (request.body.model === "reflector") {
      reflections++;
      return chatCompletion(
        JSON.stringify({
          prompt:
            "A tool call that FAILED and was never recovered from is the failure.\n\n{{trace}}\n\nCriterion: {{criterion}}.",
          rationale: "The annotators fail runs whose tool calls failed."
        })
      );
    }
    const user = messages.find((m) => m.role === "user")!.content;
    const failed = user.includes("FAILED and was never recovered") ? / → FAILED /.test(user) : true;
    return chatCompletion(JSON.stringify({reasoning: "scripted", verdict: failed ? "fail" : "pass"}));
  });
  try {
    const io = captureIo({OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: key});
    const status = await main(
      [
        "generate",
        "--failure-mode",
        "tool error not recovered",
        "--method",
        "judge",
        "--id",
        "tool-error-judge",
        "--model",
        "judge-model",
        "--reflection-model",
        "reflector",
        "--budget",
        "260",
        "--workspace",
        workspace,
        "--out-dir",
        out
      ],
      io
    );
    assert.equal(status, 0, io.stderr.join("\n"));
    assert.ok(reflections >= 1);
    assert.ok(server.requests.length <= 260, `${server.requests.length} calls for a budget of 260`);
    const text = readFileSync(join(out, "tool-error-judge.json"), "utf8");
    assert.ok(!text.includes(key), "the key never lands in the spec");
    const loaded = loadSpec(join(out, "tool-error-judge.json"));
    assert.equal(loaded.spec.kind, "llm_judge");
    const calibration = loaded.spec.calibration!;
    assert.equal(calibration.evaluatorVersion, loaded.version);
    assert.equal(calibration.baseline?.name, "seed prompt");
    assert.ok(
      calibration.mcc! > (calibration.baseline?.mcc ?? -1),
      `evolved ${calibration.mcc} vs seed ${calibration.baseline?.mcc}`
    );
    assertGolden(join(GOLDEN, "generate-judge"), {"stdout.txt": summary(io)});
  } finally {
    await server.close();
  }
});

test("--group-by metadata.task_id keeps every τ-bench task's runs on one side of the split; a bad grouping is a usage error", async () => {
  const io = captureIo();
  assert.equal(
    await main(
      [
        "generate",
        "--failure-mode",
        "tool error not recovered",
        "--group-by",
        "metadata.task_id",
        "--workspace",
        workspace,
        "--dry-run",
        "--json"
      ],
      io
    ),
    0,
    io.stderr.join("\n")
  );
  const result = JSON.parse(io.stdout.join("\n"));
  const read = await withReadConnection(workspace, (c) =>
    readLabelledExamples(c, {failureMode: "tool error not recovered", groupBy: "metadata.task_id"})
  );
  assert.ok(
    read.examples.every((e) => e.group !== undefined),
    "every τ-bench run has its task id"
  );
  const {train, heldOut} = splitExamples(read.examples, {heldOut: 0.3, seed: 1});
  const trainTasks = new Set(train.map((e) => e.group));
  assert.ok(
    heldOut.every((e) => !trainTasks.has(e.group)),
    "a task has runs on both sides"
  );
  assert.deepEqual(result.split, {train: train.length, heldOut: heldOut.length});
  const c = result.spec.calibration.confusion;
  assert.equal(c.tp + c.fp + c.fn + c.tn, heldOut.length);
  assert.match(result.spec.calibration.labels, /split by metadata\.task_id/);
  const bad = captureIo();
  assert.equal(
    await main(
      [
        "generate",
        "--failure-mode",
        "tool error not recovered",
        "--group-by",
        "metadata.x'); DROP TABLE traces; --",
        "--workspace",
        workspace
      ],
      bad
    ),
    2
  );
  assert.match(bad.stderr.join("\n"), /invalid --group-by/);
});
