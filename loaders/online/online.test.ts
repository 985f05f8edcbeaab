import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, beforeEach, describe, test} from "node:test";
import {parseEvaluatorSpec, type EvaluatorSpec} from "../../src/core/schemas/evaluator.js";
import {readQueues} from "../annotations/files.js";
import {main} from "../cli/main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {tempDir} from "../fixtures/tempDir.js";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "../judge/fakeOpenAI.js";
import {createJudgeClient} from "../judge/judgeClient.js";
import {versionOf} from "../judge/specFile.js";
import {span} from "../../src/core/schemas/trace.js";
import {automationPath, automationSummary} from "./automation.js";
import {startOnlineInBackground} from "./background.js";
import {
  inStoreSample,
  JUDGE_SPEC,
  onlineTrace,
  RULE_SPEC,
  setIngestedAt,
  THREAD_SPEC,
  verdictRows,
  writeSpecs
} from "./fixtures.js";
import {onlineTurn, turnLine} from "./loop.js";

const T0 = new Date("2026-03-01T12:00:00Z");
const after_ = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A workspace of traces t-0 … t-(n-1), all last touched at T0, and a spec folder. */
async function setup(t: {after(fn: () => unknown): void}, n: number) {
  const root = tempDir("online", t);
  const workspace = join(root, "ws");
  const evaluators = join(root, "evaluators");
  mkdirSync(evaluators, {recursive: true});
  await writeFixtureWorkspace(
    workspace,
    Array.from({length: n}, (_, i) => onlineTrace(i))
  );
  await setIngestedAt(workspace, T0);
  return {workspace, evaluators};
}

/** Fails a trace whose answer says it could not answer, so each verdict is known. */
function judgeByContent(request: {body: Record<string, unknown>}) {
  const text = (request.body.messages as {content: string}[]).map((m) => m.content).join("\n");
  const fail = /I could not/.test(text);
  return chatCompletion(
    JSON.stringify({reasoning: fail ? "No answer." : "Answered.", verdict: fail ? "fail" : "pass"})
  );
}

describe("onlineTurn(options): rules", () => {
  test("a rule judges every complete trace once, under the pass's run id; the next pass judges none again", async (t) => {
    const {workspace, evaluators} = await setup(t, 6);
    writeSpecs(evaluators, [RULE_SPEC]);
    const first = await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(61)});
    const rows = await verdictRows(workspace);
    assert.deepEqual(
      rows.map((r) => `${r.traceId}:${r.outcome}`),
      ["t-0:fail", "t-1:pass", "t-2:pass", "t-3:fail", "t-4:pass", "t-5:pass"]
    );
    assert.equal(new Set(rows.map((r) => r.runId)).size, 1);
    assert.match(rows[0]!.runId, /^online-2026-03-01T12-01-01-000Z-errored$/);
    assert.equal(first.passes[0]!.candidates, 6);
    const second = await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(300)});
    assert.equal(second.passes[0]!.candidates, 0);
    assert.equal((await verdictRows(workspace)).length, 6);
    assert.match(turnLine(second), /nothing new \(1 online evaluator\)/);
  });

  test("a trace that got a new span is not judged until it has been quiet for the spec's period", async (t) => {
    const {workspace, evaluators} = await setup(t, 2);
    writeSpecs(evaluators, [RULE_SPEC]);
    // Both traces arrived 100 s ago; then t-1 receives another span now, which rebuilds it.
    const wall = Date.now();
    await setIngestedAt(workspace, new Date(wall - 100_000));
    const later = onlineTrace(1);
    await writeFixtureWorkspace(workspace, [
      {
        ...later,
        spans: [...later.spans, span("t-1", "s-1-late", {name: "tool", kind: "tool", status: "ok"})],
        messages: []
      }
    ]);
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => new Date(wall + 1000)});
    assert.deepEqual(
      (await verdictRows(workspace)).map((r) => r.traceId),
      ["t-0"]
    );
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => new Date(Date.now() + 61_000)});
    assert.deepEqual(
      (await verdictRows(workspace)).map((r) => r.traceId),
      ["t-0", "t-1"]
    );
  });
});

describe("onlineTurn(options): a thread-scoped rule", () => {
  /** Trace t-<i> in the session named; each has two messages, so a thread of three or more has six or more. */
  const inThread = (i: number, sessionId: string) => {
    const trace = onlineTrace(i);
    return {...trace, info: {...trace.info, sessionId}};
  };
  const outcomes = async (workspace: string) => (await verdictRows(workspace)).map((r) => `${r.traceId}:${r.outcome}`);

  test("waits until no trace of the thread has received a span for the quiet period, then judges the thread whole", async (t) => {
    const root = tempDir("online-thread", t);
    const workspace = join(root, "ws");
    const evaluators = join(root, "evaluators");
    mkdirSync(evaluators, {recursive: true});
    await writeFixtureWorkspace(workspace, [inThread(0, "s1"), inThread(1, "s1"), inThread(2, "s2")]);
    await setIngestedAt(workspace, T0);
    // t-1 of s1 received a span 50 s after the others.
    await setIngestedAt(workspace, after_(50), ["t-1"]);
    writeSpecs(evaluators, [THREAD_SPEC]);
    const turn = (seconds: number) =>
      onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(seconds)});

    // At 61 s t-0 has been quiet for 61 s, but its thread only for 11: only s2 is judged.
    await turn(61);
    assert.deepEqual(await outcomes(workspace), ["t-2:pass"]);
    await turn(109);
    assert.deepEqual(await outcomes(workspace), ["t-2:pass"]);
    // Quiet for 60 s since t-1's span: both traces of s1 get the thread's verdict (four messages: a pass).
    const judged = await turn(111);
    assert.equal(judged.passes[0]!.candidates, 2);
    assert.deepEqual(await outcomes(workspace), ["t-0:pass", "t-1:pass", "t-2:pass"]);

    // A third trace joins s1: the thread is open again, and once quiet it is judged again with all three traces.
    await writeFixtureWorkspace(workspace, [inThread(3, "s1")]);
    await setIngestedAt(workspace, after_(200), ["t-3"]);
    await turn(230);
    assert.equal((await outcomes(workspace)).length, 3);
    const again = await turn(261);
    assert.equal(again.passes[0]!.candidates, 3);
    assert.deepEqual(await outcomes(workspace), [
      "t-0:pass",
      "t-0:fail",
      "t-1:pass",
      "t-1:fail",
      "t-2:pass",
      "t-3:fail"
    ]);
    // Settled: nothing is judged again.
    assert.equal((await turn(400)).passes[0]!.candidates, 0);
  });

  test("samples whole threads: every trace of a thread or none", async (t) => {
    const root = tempDir("online-thread-sample", t);
    const workspace = join(root, "ws");
    const evaluators = join(root, "evaluators");
    mkdirSync(evaluators, {recursive: true});
    const traces = Array.from({length: 40}, (_, i) => inThread(i, `s${i % 10}`));
    await writeFixtureWorkspace(workspace, traces);
    await setIngestedAt(workspace, T0);
    writeSpecs(evaluators, [{...THREAD_SPEC, online: {sample: 0.5}}]);
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(61)});
    const judged = new Set((await verdictRows(workspace)).map((r) => r.traceId));
    const threads = Array.from({length: 10}, (_, s) => `s${s}`);
    const expected = threads.filter((s) => inStoreSample(s, THREAD_SPEC.id, 0.5));
    assert.ok(expected.length > 0 && expected.length < 10, `${expected.length} threads sampled`);
    assert.deepEqual(
      [...judged].sort(),
      traces
        .filter((_, i) => expected.includes(`s${i % 10}`))
        .map((tr) => tr.info.traceId)
        .sort()
    );
  });
});

describe("onlineTurn(options): the quiet period", () => {
  test("a quiet period given to the loop replaces every spec's quietSeconds", async (t) => {
    const {workspace, evaluators} = await setup(t, 2);
    writeSpecs(evaluators, [RULE_SPEC]);
    // The spec waits 60 s; at 20 s nothing is due, unless the loop is told 15 s.
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(20)});
    assert.equal((await verdictRows(workspace)).length, 0);
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(20), quietMs: 25_000});
    assert.equal((await verdictRows(workspace)).length, 0);
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(20), quietMs: 15_000});
    assert.equal((await verdictRows(workspace)).length, 2);
  });
});

describe("onlineTurn(options): a sampled LLM judge", () => {
  let server: FakeOpenAI;
  before(async () => {
    server = await startFakeOpenAI();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith("chat", judgeByContent);
  });
  const client = () =>
    createJudgeClient({baseURL: server.baseURL, apiKey: "sk-x", maxAttempts: 2, baseDelayMs: 1, timeoutMs: 2000});
  const ids = Array.from({length: 12}, (_, i) => `t-${i}`);
  const sampled = ids.filter((id) => inStoreSample(id, "unhelpful", 0.5));

  test("judges only its sample, stops at the hourly budget and says so, and resumes when the hour has passed", async (t) => {
    assert.ok(sampled.length > 2 && sampled.length < 12, `sample of ${sampled.length}`);
    const {workspace, evaluators} = await setup(t, 12);
    writeSpecs(evaluators, [JUDGE_SPEC]);
    const options = {workspace, evaluatorsDir: evaluators, client: client()};

    const first = await onlineTurn({...options, now: () => after_(61)});
    const pass = first.passes[0]!;
    assert.equal(pass.candidates, sampled.length);
    assert.equal(pass.calls, 2);
    assert.equal(pass.skipped, sampled.length - 2);
    assert.match(
      pass.note ?? "",
      new RegExp(`${sampled.length - 2} traces wait: the budget of 2 calls per hour is spent`)
    );
    assert.match(turnLine(first), /budget of 2 calls per hour is spent/);
    let rows = await verdictRows(workspace);
    assert.equal(rows.length, 2, "a trace the budget left gets no row, not even an error");
    assert.ok(rows.every((r) => sampled.includes(r.traceId) && r.outcome !== "error"));

    const sameHour = await onlineTurn({...options, now: () => after_(600)});
    assert.equal(sameHour.passes[0]!.calls, 0);
    assert.equal(server.requests.length, 2);

    const nextHour = await onlineTurn({...options, now: () => after_(61 + 3601)});
    assert.equal(nextHour.passes[0]!.calls, 2);
    rows = await verdictRows(workspace);
    assert.equal(rows.length, 4);
    assert.equal(new Set(rows.map((r) => r.traceId)).size, 4);
    for (const r of rows) assert.equal(r.outcome, /^t-(0|3|6|9)$/.test(r.traceId) ? "fail" : "pass");
  });

  test("the same sample is drawn by a fresh process: verdicts land on the hashed share only", async (t) => {
    const {workspace, evaluators} = await setup(t, 12);
    writeSpecs(evaluators, [{...JUDGE_SPEC, online: {sample: 0.5}}]);
    await onlineTurn({workspace, evaluatorsDir: evaluators, client: client(), now: () => after_(61)});
    assert.deepEqual([...new Set((await verdictRows(workspace)).map((r) => r.traceId))].sort(), [...sampled].sort());
  });

  test("a failed judge call is stored as an error, never a verdict, and the command ends with status 1", async (t) => {
    server.respondWith("chat", () => errorResponse(400, "bad request"));
    const {workspace, evaluators} = await setup(t, 3);
    writeSpecs(evaluators, [{...JUDGE_SPEC, online: {sample: 1, quietSeconds: 0}}]);
    const io = captureIo({OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: server.baseURL});
    const status = await main(["online", "run", "--once", "--workspace", workspace, "--evaluators", evaluators], io);
    assert.equal(status, 1);
    const rows = await verdictRows(workspace);
    assert.equal(rows.length, 3);
    assert.ok(
      rows.every((r) => r.outcome === "error" && /400/.test(r.error ?? "")),
      JSON.stringify(rows)
    );
    assert.match(io.stdout.join("\n"), /unhelpful 0 judged \(0 fail, 3 errors\)/);
    // Two later passes retry the errors; then the traces are left alone, so a broken endpoint cannot spend forever.
    const args = ["online", "run", "--once", "--workspace", workspace, "--evaluators", evaluators];
    for (let i = 0; i < 3; i++) await main(args, captureIo({OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: server.baseURL}));
    assert.equal(server.requests.length, 9);
    assert.equal((await verdictRows(workspace)).filter((r) => r.outcome === "error").length, 9);
  });

  test("without a key, an LLM judge's traces wait with no row and the reason is printed", async (t) => {
    const {workspace, evaluators} = await setup(t, 3);
    writeSpecs(evaluators, [{...JUDGE_SPEC, online: {sample: 1, quietSeconds: 0}}]);
    const io = captureIo({});
    assert.equal(await main(["online", "run", "--once", "--workspace", workspace, "--evaluators", evaluators], io), 0);
    assert.equal((await verdictRows(workspace)).length, 0);
    assert.match(io.stdout.join("\n"), /3 traces wait: \$OPENAI_API_KEY is not set/);
  });
});

describe("onlineTurn(options): automation rules", () => {
  function trustedRuleSpec(): EvaluatorSpec {
    const parsed = parseEvaluatorSpec(RULE_SPEC);
    assert.ok("spec" in parsed);
    const {version} = versionOf(parsed.spec);
    return {
      ...parsed.spec,
      calibration: {
        evaluatorVersion: version,
        criterion: "overall",
        labels: "test",
        measuredAt: "2026-01-01T00:00:00Z",
        split: "held-out",
        confusion: {tp: 40, fp: 1, fn: 1, tn: 60},
        mcc: 0.96,
        mccInterval: [0.9, 0.99]
      }
    };
  }

  test("fails of a trusted evaluator, thumbs-down and low scores enqueue each trace once, however often they run", async (t) => {
    const root = tempDir("online", t);
    const workspace = join(root, "ws");
    const evaluators = join(root, "evaluators");
    mkdirSync(evaluators, {recursive: true});
    await writeFixtureWorkspace(workspace, [
      onlineTrace(0),
      onlineTrace(1, [{name: "thumbs", value: 0, label: null, comment: "wrong"}]),
      onlineTrace(2, [{name: "thumbs", value: 1, label: null, comment: null}]),
      onlineTrace(3),
      onlineTrace(4, [{name: "helpfulness", value: 0.2, label: null, comment: null}]),
      onlineTrace(5, [{name: "helpfulness", value: 0.9, label: null, comment: null}])
    ]);
    await setIngestedAt(workspace, T0);
    writeSpecs(evaluators, [trustedRuleSpec() as never, {...RULE_SPEC, id: "errored-uncalibrated"}]);
    writeFileSync(
      automationPath(workspace),
      JSON.stringify({
        rules: [
          {id: "trusted-fails", when: {on: "verdict_fail", evaluator: "errored"}, queue: "online-review"},
          {id: "untrusted-fails", when: {on: "verdict_fail", evaluator: "errored-uncalibrated"}, queue: "noise"},
          {id: "thumbs-down", when: {on: "thumbs_down", name: "thumbs"}, queue: "complaints"},
          {id: "low-help", when: {on: "score_below", name: "helpfulness", threshold: 0.5}, queue: "complaints"},
          {id: "none-sampled", when: {on: "thumbs_down"}, queue: "never", share: 0}
        ]
      })
    );
    const options = {workspace, evaluatorsDir: evaluators, client: null};
    const first = await onlineTurn({...options, now: () => after_(61)});
    assert.deepEqual(
      first.rules.map((r) => `${r.ruleId}:${r.triggered}/${r.enqueued}`),
      ["trusted-fails:2/2", "untrusted-fails:0/0", "thumbs-down:1/1", "low-help:1/1", "none-sampled:1/0"]
    );
    const queues = () =>
      new Map(readQueues(workspace).queues.map((q) => [q.id, q.items.map((i) => `${i.traceId}<${i.enqueuedBy}`)]));
    assert.deepEqual(
      queues(),
      new Map([
        ["complaints", ["t-1<thumbs-down", "t-4<low-help"]],
        ["online-review", ["t-0<trusted-fails", "t-3<trusted-fails"]]
      ])
    );
    const before = readFileSync(join(workspace, "annotations", "queues", "complaints.json"), "utf8");
    const second = await onlineTurn({...options, now: () => after_(120)});
    assert.ok(second.rules.every((r) => r.enqueued === 0));
    assert.equal(readFileSync(join(workspace, "annotations", "queues", "complaints.json"), "utf8"), before);
    assert.ok(!existsSync(join(workspace, "annotations", "queues", "noise.json")));
    assert.deepEqual(
      automationSummary(workspace).rules.map((r) => `${r.id} → ${r.queue}: ${r.enqueued} (${r.trigger})`),
      [
        "trusted-fails → online-review: 2 (a failing verdict from errored that blocks or reports)",
        "untrusted-fails → noise: 0 (a failing verdict from errored-uncalibrated that blocks or reports)",
        "thumbs-down → complaints: 1 (thumbs-down feedback (thumbs))",
        "low-help → complaints: 1 (helpfulness feedback below 0.5)",
        "none-sampled → never: 0 (thumbs-down feedback)"
      ]
    );
  });

  test("a broken automation file is an error that names the file and the field", async (t) => {
    const {workspace, evaluators} = await setup(t, 1);
    writeSpecs(evaluators, [RULE_SPEC]);
    writeFileSync(automationPath(workspace), JSON.stringify({rules: [{id: "x", when: {on: "thumbs_up"}, queue: "q"}]}));
    await assert.rejects(
      onlineTurn({workspace, evaluatorsDir: evaluators, client: null, now: () => after_(61)}),
      /automation\.json: invalid automation rules:\n {2}rules\.0\.when\.on/
    );
  });
});

describe("startOnlineInBackground(options)", () => {
  test("starts nothing when no spec asks to run online", async (t) => {
    const {workspace, evaluators} = await setup(t, 1);
    writeSpecs(evaluators, [{...RULE_SPEC, online: undefined}]);
    assert.equal(startOnlineInBackground({workspace, env: {}, log: () => {}, evaluatorsDir: evaluators}), null);
  });

  test("runs passes beside the server when a spec asks, and stops when asked", async (t) => {
    const {workspace, evaluators} = await setup(t, 3);
    writeSpecs(evaluators, [RULE_SPEC]);
    const lines: string[] = [];
    let judged: () => void = () => {};
    const firstPass = new Promise<void>((resolve) => (judged = resolve));
    const loop = startOnlineInBackground({
      workspace,
      env: {},
      evaluatorsDir: evaluators,
      log: (line) => {
        lines.push(line);
        if (/judged/.test(line)) judged();
      }
    });
    assert.ok(loop);
    await firstPass;
    await loop.stop();
    assert.match(lines.join("\n"), /errored 3 judged \(1 fail\)/);
    assert.equal((await verdictRows(workspace)).length, 3);
  });
});

describe("plumbline online", () => {
  test("--help explains the loop, and a folder with no online spec is an error that says how to add one", async (t) => {
    const io = captureIo();
    assert.equal(await main(["online", "run", "--help"], io), 0);
    assert.match(io.stdout.join("\n"), /--interval <seconds>/);
    const root = tempDir("online", t);
    const none = captureIo();
    assert.equal(
      await main(["online", "run", "--once", "--workspace", join(root, "ws"), "--evaluators", root], none),
      1
    );
    assert.match(none.stderr.join("\n"), /no spec in .* asks to run online; add an "online" block/);
  });

  test("--quiet-period replaces the specs' quietSeconds, and one that is not a duration is a usage error", async (t) => {
    const {workspace, evaluators} = await setup(t, 2);
    // The spec waits an hour; the traces were last touched ten minutes ago.
    writeSpecs(evaluators, [{...RULE_SPEC, online: {quietSeconds: 3600}}]);
    await setIngestedAt(workspace, new Date(Date.now() - 600_000));
    const args = ["online", "run", "--once", "--workspace", workspace, "--evaluators", evaluators];
    const waiting = captureIo();
    assert.equal(await main(args, waiting), 0);
    assert.match(waiting.stdout.join("\n"), /nothing new/);
    assert.equal((await verdictRows(workspace)).length, 0);
    const bad = captureIo();
    assert.equal(await main([...args, "--quiet-period", "soon"], bad), 2);
    assert.match(bad.stderr.join("\n"), /invalid --quiet-period: soon \(a duration such as 30s/);
    assert.equal(await main([...args, "--quiet-period", "1m"], captureIo()), 0);
    assert.equal((await verdictRows(workspace)).length, 2);
  });
});
