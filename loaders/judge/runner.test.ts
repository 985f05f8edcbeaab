import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, beforeEach, describe, test} from "node:test";
import {parseEvaluatorSpec, type EvaluatorSpec} from "../../src/core/schemas/evaluator.js";
import {withConnection} from "../store/db.js";
import {duckdbRunStore} from "../store/judgeVerdicts.js";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "./fakeOpenAI.js";
import {createJudgeClient} from "./judgeClient.js";
import {datasetVersionOf, memoryRunStore, runJudge} from "./runner.js";
import type {JudgeItem} from "../store/judgeItems.js";
import {versionOf} from "./specFile.js";
import {tempDir} from "../fixtures/tempDir.js";

function spec(value: unknown): EvaluatorSpec {
  const result = parseEvaluatorSpec(value);
  if ("errors" in result) throw new Error(result.errors.join("; "));
  return result.spec;
}

const judgeInput = {
  id: "refund-promise",
  version: "1",
  failureMode: "promises a refund",
  criterion: "overall",
  kind: "llm_judge",
  judge: {model: "judge-1", prompt: "Does the agent promise a refund?\n\n{{trace}}"}
};
const judgeSpec = spec(judgeInput);

function items(n: number): JudgeItem[] {
  return Array.from({length: n}, (_, i) => {
    const text = i % 3 === 0 ? `I will refund you, customer ${i}.` : `Your booking ${i} is confirmed.`;
    const messages = [
      {role: "user", direction: "input", content: `Help with booking ${i}`},
      {role: "assistant", direction: "output", content: text}
    ];
    return {
      traceId: `t${String(i).padStart(3, "0")}`,
      rule: {status: "ok", fields: {}, messages, spans: [], toolCalls: []},
      trace: {messages, toolCalls: []}
    };
  });
}

/** Answers fail when the trace text mentions a refund, so each trace has a known verdict. */
function judgeByContent(request: {body: Record<string, unknown>}) {
  const messages = request.body.messages as {content: string}[];
  const fail = /I will refund you/.test(messages.at(-1)!.content);
  return chatCompletion(
    JSON.stringify({reasoning: fail ? "Promises a refund." : "No promise.", verdict: fail ? "fail" : "pass"}),
    {prompt_tokens: 1000, completion_tokens: 100}
  );
}

describe("runJudge(options)", () => {
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
    createJudgeClient({baseURL: server.baseURL, apiKey: "sk-x", maxAttempts: 3, baseDelayMs: 1, timeoutMs: 2000});
  const {version} = versionOf(judgeSpec);

  test("stores each verdict with its evaluator version, model, prompt hash, dataset version, tokens and cost", async () => {
    const store = memoryRunStore();
    const all = items(9);
    const summary = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: version,
      items: all,
      store,
      runId: "r1",
      datasetVersion: datasetVersionOf(all),
      client: client(),
      concurrency: 4,
      price: {input: 1, output: 10}
    });
    assert.deepEqual([summary.calls, summary.fail, summary.pass, summary.errors], [9, 3, 6, 0]);
    assert.equal(summary.costUsd!.toFixed(6), ((9 * (1000 * 1 + 100 * 10)) / 1e6).toFixed(6));
    const row = store.rows.find((r) => r.traceId === "t003")!;
    assert.equal(row.outcome, "fail");
    assert.equal(row.reasoning, "Promises a refund.");
    assert.equal(row.evaluatorVersion, version);
    assert.match(version, /^1\+[0-9a-f]{12}$/);
    assert.equal(row.judgeModel, "judge-1");
    assert.match(row.promptHash!, /^[0-9a-f]{16}$/);
    assert.match(row.datasetVersion!, /^ds-[0-9a-f]{12}$/);
    assert.deepEqual([row.inputTokens, row.outputTokens, row.costUsd], [1000, 100, 0.002]);
  });

  test("a rerun of the same evaluator version on the same traces costs no calls", async () => {
    const store = memoryRunStore();
    const all = items(6);
    await runJudge({
      spec: judgeSpec,
      evaluatorVersion: version,
      items: all,
      store,
      runId: "a",
      datasetVersion: "d",
      client: client()
    });
    assert.equal(server.requests.length, 6);
    const again = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: version,
      items: all,
      store,
      runId: "b",
      datasetVersion: "d",
      client: client(),
      price: {input: 1, output: 1}
    });
    assert.equal(server.requests.length, 6, "no new requests");
    assert.deepEqual([again.calls, again.cached, again.fail], [0, 6, 2]);
    assert.equal(again.costUsd, 0);
    const changed = spec({
      ...judgeInput,
      judge: {...judgeInput.judge, prompt: "Is there a refund promise?\n\n{{trace}}"}
    });
    await runJudge({
      spec: changed,
      evaluatorVersion: versionOf(changed).version,
      items: all,
      store,
      runId: "c",
      datasetVersion: "d",
      client: client()
    });
    assert.equal(server.requests.length, 12, "a changed spec is a new version and is asked again");
  });

  test("bounded concurrency: never more requests in flight than asked, and that many reached", async () => {
    server.respondWith("chat", (request) => ({...judgeByContent(request), delayMs: 30}));
    const before = server.maxInFlight();
    assert.ok(before <= 4);
    const all = items(24);
    await runJudge({
      spec: judgeSpec,
      evaluatorVersion: "conc",
      items: all,
      store: memoryRunStore(),
      runId: "c",
      datasetVersion: "d",
      client: client(),
      concurrency: 3
    });
    assert.equal(server.maxInFlight(), Math.max(before, 3));
  });

  test("failed calls are stored as errors, never verdicts, and a resumed run retries only them", async () => {
    let seen = 0;
    server.respondWith("chat", (request) =>
      seen++ % 4 === 1 ? errorResponse(400, "bad request") : judgeByContent(request)
    );
    const store = memoryRunStore();
    const all = items(8);
    const first = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: "v-err",
      items: all,
      store,
      runId: "e",
      datasetVersion: "d",
      client: client(),
      concurrency: 1
    });
    assert.equal(first.errors, 2);
    const errors = store.rows.filter((r) => r.outcome === "error");
    assert.equal(errors.length, 2);
    for (const e of errors) {
      assert.equal(e.reasoning, null);
      assert.match(e.error!, /HTTP 400/);
    }
    server.respondWith("chat", judgeByContent);
    server.requests.length = 0;
    const resumed = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: "v-err",
      items: all,
      store,
      runId: "e",
      datasetVersion: "d",
      client: client()
    });
    assert.equal(resumed.resumed, 6);
    assert.equal(server.requests.length, 2);
    assert.equal(resumed.errors, 0);
  });

  test("an interrupted run resumes where it stopped, asking each trace once in all", async () => {
    const controller = new AbortController();
    let seen = 0;
    server.respondWith("chat", (request) => {
      if (++seen === 5) controller.abort();
      return {...judgeByContent(request), delayMs: 10};
    });
    const store = memoryRunStore();
    const all = items(12);
    const first = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: "v-int",
      items: all,
      store,
      runId: "i",
      datasetVersion: "d",
      client: client(),
      concurrency: 2,
      signal: controller.signal
    });
    assert.ok(first.interrupted);
    const judged = store.rows.filter((r) => r.runId === "i" && r.outcome !== "error").length;
    assert.ok(judged >= 3 && judged < 12, `judged ${judged} before the interruption`);
    assert.equal(store.rows.filter((r) => r.outcome === "error").length, 0, "an interrupted call is not an error row");
    server.respondWith("chat", judgeByContent);
    const before = server.requests.length;
    const second = await runJudge({
      spec: judgeSpec,
      evaluatorVersion: "v-int",
      items: all,
      store,
      runId: "i",
      datasetVersion: "d",
      client: client(),
      concurrency: 2
    });
    assert.equal(second.resumed, judged);
    assert.equal(second.calls + second.cached, 12 - judged);
    // No request of the resumed run is about a trace judged before the interruption. (A call aborted by the
    // interruption may still reach the server late, so requests are matched by content, not counted.)
    const judgedBefore = new Set(
      store.rows
        .filter((r) => r.runId === "i")
        .slice(0, judged)
        .map((r) => Number(r.traceId.slice(1)))
    );
    const asked = server.requests
      .slice(before)
      .map((r) => Number(/Help with booking (\d+)\n/.exec((r.body.messages as {content: string}[])[1]!.content)![1]));
    const askedAgain = asked.filter((n) => judgedBefore.has(n));
    assert.deepEqual(askedAgain, []);
    assert.deepEqual(new Set(store.rows.filter((r) => r.runId === "i").map((r) => r.traceId)).size, 12);
  });

  test("a rule evaluator needs no client and makes no call; a hybrid asks the judge only where the prefilter matches", async () => {
    const rule = spec({
      id: "refund-rule",
      version: "1",
      failureMode: "promises a refund",
      criterion: "overall",
      kind: "rule",
      rule: {op: "contains", value: "refund you"}
    });
    const store = memoryRunStore();
    const all = items(9);
    const summary = await runJudge({
      spec: rule,
      evaluatorVersion: "r",
      items: all,
      store,
      runId: "rule",
      datasetVersion: "d"
    });
    assert.deepEqual([summary.fail, summary.pass, summary.calls], [3, 6, 0]);
    const hybrid = spec({
      id: "refund-hybrid",
      version: "1",
      failureMode: "promises a refund",
      criterion: "overall",
      kind: "hybrid",
      prefilter: {op: "contains", value: "refund"},
      judge: judgeInput.judge
    });
    server.requests.length = 0;
    const h = await runJudge({
      spec: hybrid,
      evaluatorVersion: "h",
      items: all,
      store,
      runId: "hyb",
      datasetVersion: "d",
      client: client()
    });
    assert.equal(server.requests.length, 3);
    assert.deepEqual([h.fail, h.pass], [3, 6]);
    assert.match(
      store.rows.find((r) => r.runId === "hyb" && r.traceId === "t001")!.reasoning!,
      /prefilter did not match/
    );
  });

  test("a span-scoped rule fails a trace when it holds on any span, naming the spans", async () => {
    const rule = spec({
      id: "slow-llm-span",
      version: "1",
      failureMode: "an LLM span over budget",
      criterion: "overall",
      kind: "rule",
      scope: "span",
      rule: {op: "jsonpath", path: "$.gen_ai.usage.input_tokens", test: {gt: 1000}}
    });
    const base = items(2);
    base[0]!.rule = {
      ...base[0]!.rule,
      spans: [
        {spanId: "a", name: "chat", kind: "llm", attributes: {"gen_ai.usage.input_tokens": 400}},
        {spanId: "b", name: "chat", kind: "llm", attributes: {"gen_ai.usage.input_tokens": 4000}}
      ]
    };
    base[1]!.rule = {
      ...base[1]!.rule,
      spans: [{spanId: "c", name: "chat", kind: "llm", attributes: {"gen_ai.usage.input_tokens": 900}}]
    };
    const store = memoryRunStore();
    await runJudge({spec: rule, evaluatorVersion: "s", items: base, store, runId: "span", datasetVersion: "d"});
    assert.deepEqual(
      store.rows.map((r) => [r.traceId, r.outcome, r.reasoning]),
      [
        ["t000", "fail", "rule condition held on span b"],
        ["t001", "pass", "rule condition held on no span"]
      ]
    );
  });

  test("a thread-scoped rule sees the whole session, and each of its traces gets the thread's verdict", async () => {
    const rule = spec({
      id: "long-thread",
      version: "1",
      failureMode: "the user had to ask three times",
      criterion: "overall",
      kind: "rule",
      scope: "thread",
      rule: {op: "threshold", field: "message_count", test: {gte: 5}}
    });
    const base = items(4).map((item, i) => ({
      ...item,
      sessionId: i < 3 ? "s1" : null,
      rule: {...item.rule, fields: {message_count: 2}}
    }));
    const store = memoryRunStore();
    await runJudge({spec: rule, evaluatorVersion: "th", items: base, store, runId: "thread", datasetVersion: "d"});
    assert.deepEqual(
      store.rows.map((r) => [r.traceId, r.outcome]),
      [
        ["t000", "fail"],
        ["t001", "fail"],
        ["t002", "fail"],
        ["t003", "pass"]
      ]
    );
    assert.equal(store.rows[0]!.reasoning, "rule condition held on thread s1 (3 traces)");
  });

  test("an LLM judge with a span or thread scope is refused", async () => {
    const spanJudge = spec({...judgeInput, scope: "span"});
    await assert.rejects(
      runJudge({
        spec: spanJudge,
        evaluatorVersion: "x",
        items: items(1),
        store: memoryRunStore(),
        runId: "x",
        datasetVersion: "d",
        client: client()
      }),
      /judges run on whole traces only/
    );
  });

  test("verdicts and the cache persist in the workspace store", async () => {
    const workspace = tempDir("judge");
    try {
      const all = items(5);
      const run = (runId: string) =>
        withConnection(workspace, (connection) =>
          runJudge({
            spec: judgeSpec,
            evaluatorVersion: version,
            items: all,
            store: duckdbRunStore(connection),
            runId,
            datasetVersion: "d",
            client: client(),
            price: {input: 1, output: 1}
          })
        );
      await run("db1");
      const again = await run("db2");
      assert.equal(again.cached, 5);
      const rows = await withConnection(workspace, async (connection) =>
        (
          await connection.runAndReadAll(
            "SELECT run_id, outcome, count(*)::INTEGER AS n, sum(cost_usd) AS cost FROM judge_verdicts GROUP BY ALL ORDER BY ALL"
          )
        ).getRowObjectsJS()
      );
      assert.deepEqual(
        rows.map((r) => [r.run_id, r.outcome, r.n]),
        [
          ["db1", "fail", 2],
          ["db1", "pass", 3],
          ["db2", "fail", 2],
          ["db2", "pass", 3]
        ]
      );
      assert.equal(
        rows.filter((r) => r.run_id === "db2").reduce((s, r) => s + Number(r.cost), 0),
        0
      );
    } finally {
      rmSync(workspace, {recursive: true, force: true});
    }
  });
});
