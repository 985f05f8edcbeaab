import assert from "node:assert/strict";
import {readFileSync, writeFileSync} from "node:fs";
import {createServer} from "node:http";
import type {AddressInfo} from "node:net";
import {join} from "node:path";
import {test} from "node:test";
import {tempDir} from "../fixtures/tempDir.js";
import {chatCompletion, errorResponse, startFakeOpenAI} from "../judge/fakeOpenAI.js";
import {commandTask} from "./commandTask.js";
import {TAU_FIXED, TAU_REGRESSED, tauCases} from "./fixtures.js";
import {httpTask} from "./httpTask.js";
import {promptTask} from "./promptTask.js";
import {memoryExperimentStore, runExperiment} from "./runner.js";
import {caseLink} from "./task.js";

const node = JSON.stringify(process.execPath);
const env = {PATH: process.env.PATH ?? ""};
const quick = {maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2};
const command = (line: string) => commandTask({command: line, env, gitCommit: null});

test("the fixed τ-bench candidate's answers become ok results with the gold tool calls in each case's trace", async () => {
  const cases = tauCases(4);
  const store = memoryExperimentStore();
  const summary = await runExperiment({
    experiment: "fixed",
    cases,
    task: command(`${node} ${JSON.stringify(TAU_FIXED)}`),
    store,
    concurrency: 2
  });
  assert.deepEqual([summary.ok, summary.errors, summary.ran, summary.left], [4, 0, 4, 0]);
  assert.equal(summary.costUsd.toFixed(3), "0.012");
  const first = store.cases.find((c) => c.result.caseId === cases[0]!.caseId)!;
  assert.equal(first.result.traceId, caseLink("fixed", cases[0]!.caseId).traceId);
  assert.match(first.result.output!, /^Done: /);
  assert.deepEqual(
    first.trace.messages.map((m) => [m.role, m.direction]),
    [
      ["user", "input"],
      ["assistant", "output"]
    ]
  );
  assert.equal(first.trace.messages[0]!.content, cases[0]!.input);
  assert.ok(first.trace.toolCalls.length > 0);
  assert.ok(first.trace.toolCalls.every((c) => c.success === true));
  assert.deepEqual(first.trace.metadata, {
    task: {candidate: "tau-fixed", task_id: Number(/-(\d+)-\d+$/.exec(cases[0]!.caseId)![1])}
  });
});

test("the regressed candidate's failing tool call is in the trace, and a task that fails is an error, never an output", async () => {
  const store = memoryExperimentStore();
  await runExperiment({
    experiment: "regressed",
    cases: tauCases(1),
    task: command(`${node} ${JSON.stringify(TAU_REGRESSED)}`),
    store
  });
  assert.equal(store.cases[0]!.trace.toolCalls[0]!.success, false);

  const failing = memoryExperimentStore();
  const summary = await runExperiment({
    experiment: "crash",
    cases: tauCases(1),
    task: command(`${node} -e "process.stderr.write('upstream 503'); process.exit(3)"`),
    store: failing,
    retry: quick
  });
  assert.deepEqual([summary.ok, summary.errors], [0, 1]);
  const {result, trace} = failing.cases[0]!;
  assert.equal(result.status, "error");
  assert.equal(result.output, null);
  assert.equal(result.attempts, 3);
  assert.match(result.error!, /exited with status 3: upstream 503 \(gave up after 3 attempts\)/);
  assert.equal(trace.status, "error");
  assert.deepEqual(
    trace.messages.map((m) => m.role),
    ["user"]
  );

  const garbled = memoryExperimentStore();
  await runExperiment({
    experiment: "garbled",
    cases: tauCases(1),
    task: command(`${node} -e "process.stdout.write('not json')"`),
    store: garbled,
    retry: quick
  });
  assert.equal(garbled.cases[0]!.result.attempts, 1, "an answer that does not parse is not retried");
  assert.match(garbled.cases[0]!.result.error!, /not JSON/);
  const noOutput = memoryExperimentStore();
  await runExperiment({
    experiment: "no-output",
    cases: tauCases(1),
    task: command(`${node} -e "process.stdout.write(JSON.stringify({answer: 'x'}))"`),
    store: noOutput
  });
  assert.match(noOutput.cases[0]!.result.error!, /breaks plumbline.task\/1/);
});

test("a task's process gets the case on standard input and its trace context in the environment", async (t) => {
  const dir = tempDir("experiment-env", t);
  const script = join(dir, "echo.mjs");
  writeFileSync(
    script,
    `let s = ""; for await (const c of process.stdin) s += c;
     const input = JSON.parse(s);
     const e = process.env;
     process.stdout.write(JSON.stringify({output: JSON.stringify({protocol: input.protocol, id: input.case.id,
       keys: Object.keys(input.case).sort(), tp: e.TRACEPARENT, res: e.OTEL_RESOURCE_ATTRIBUTES,
       exp: e.PLUMBLINE_EXPERIMENT, c: e.PLUMBLINE_EXPERIMENT_CASE})}));`
  );
  const store = memoryExperimentStore();
  const [c] = tauCases(1);
  await runExperiment({
    experiment: "env",
    cases: [c!],
    task: commandTask({
      command: `${node} ${script}`,
      env: {...env, OTEL_RESOURCE_ATTRIBUTES: "service.name=agent"},
      gitCommit: null
    }),
    store
  });
  const link = caseLink("env", c!.caseId);
  assert.deepEqual(JSON.parse(store.cases[0]!.result.output!), {
    protocol: "plumbline.task/1",
    id: c!.caseId,
    keys: ["context", "id", "input", "kind", "metadata"],
    tp: `00-${link.traceId}-${link.rootSpanId}-01`,
    res: `service.name=agent,plumbline.experiment=env,plumbline.case_id=${c!.caseId}`,
    exp: "env",
    c: c!.caseId
  });
});

test("an attempt past the timeout is ended and retried, and the case is an error once the attempts are spent", async () => {
  const store = memoryExperimentStore();
  const started = performance.now();
  await runExperiment({
    experiment: "slow",
    cases: tauCases(1),
    task: command(`${node} -e "setTimeout(() => {}, 20000)"`),
    store,
    timeoutMs: 300,
    retry: {...quick, maxAttempts: 2}
  });
  assert.ok(performance.now() - started < 5000, "the processes were ended at their timeout");
  assert.equal(store.cases[0]!.result.error, "timed out after 0.3 s (gave up after 2 attempts)");
});

test("answers are cached by task version and case: a second experiment of the same task runs no process", async (t) => {
  const dir = tempDir("experiment-cache", t);
  const count = join(dir, "count");
  writeFileSync(count, "");
  const script = join(dir, "count.mjs");
  writeFileSync(
    script,
    `import {appendFileSync} from "node:fs"; appendFileSync(${JSON.stringify(count)}, "x");
     process.stdout.write(JSON.stringify({output: "ok", usage: {cost_usd: 0.5}}));`
  );
  const store = memoryExperimentStore();
  const task = command(`${node} ${script}`);
  await runExperiment({experiment: "first", cases: tauCases(3), task, store});
  const second = await runExperiment({experiment: "second", cases: tauCases(3), task, store});
  assert.equal(readFileSync(count, "utf8"), "xxx");
  assert.deepEqual([second.cached, second.ran, second.costUsd], [3, 0, 0]);
  const cached = store.cases.filter((c) => c.result.experiment === "second");
  assert.ok(cached.every((c) => c.result.cached && c.result.costUsd === 0.5 && c.result.attempts === 0));
  const uncached = await runExperiment({experiment: "third", cases: tauCases(3), task, store, useCache: false});
  assert.equal(uncached.ran, 3);
});

test("an interrupted run keeps its finished cases and records none in flight; resuming runs only the rest", async () => {
  const cases = tauCases(5);
  const store = memoryExperimentStore();
  const controller = new AbortController();
  const task = command(`${node} ${JSON.stringify(TAU_FIXED)}`);
  const first = await runExperiment({
    experiment: "stop",
    cases,
    task,
    store,
    concurrency: 1,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done === 2) controller.abort();
    }
  });
  assert.equal(first.interrupted, true);
  assert.equal(store.cases.length, 2);
  assert.equal(first.left, 3);
  const resumed = await runExperiment({experiment: "stop", cases, task, store, useCache: false});
  assert.deepEqual([resumed.resumed, resumed.ran, resumed.ok], [2, 3, 3]);
  assert.deepEqual(store.cases.map((c) => c.result.ord).sort(), [0, 1, 2, 3, 4]);
});

test("the budget stops new cases once this run's calls cost what it allows", async () => {
  const store = memoryExperimentStore();
  const summary = await runExperiment({
    experiment: "budget",
    cases: tauCases(6),
    task: command(`${node} ${JSON.stringify(TAU_FIXED)}`),
    store,
    concurrency: 1,
    maxCostUsd: 0.005
  });
  assert.deepEqual([summary.ok, summary.left, summary.budgetSpent], [2, 4, true]);
});

test("an HTTP task gets the case as a POST with its traceparent, 503 is retried, and 400 is the case's error", async (t) => {
  const seen: {traceparent: string | undefined; id: string}[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const input = JSON.parse(body);
      seen.push({traceparent: req.headers.traceparent as string | undefined, id: input.case.id});
      calls++;
      if (input.case.id.endsWith("bad")) {
        res.writeHead(400).end("no such case");
      } else if (calls === 1) {
        res.writeHead(503, {"retry-after-ms": "5"}).end();
      } else {
        res.writeHead(200, {"content-type": "application/json"}).end(JSON.stringify({output: `hi ${input.case.id}`}));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://user:secret@127.0.0.1:${(server.address() as AddressInfo).port}/run?token=abc`;
  const [c] = tauCases(1);
  const store = memoryExperimentStore();
  const task = httpTask({url, gitCommit: null});
  assert.equal(task.description.target, `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`);
  await runExperiment({
    experiment: "http",
    cases: [c!, {...c!, caseId: "case-bad"}],
    task,
    store,
    concurrency: 1,
    retry: quick
  });
  const [ok, bad] = store.cases.map((x) => x.result);
  assert.deepEqual([ok!.status, ok!.output, ok!.attempts], ["ok", `hi ${c!.caseId}`, 2]);
  assert.deepEqual([bad!.status, bad!.error, bad!.attempts], ["error", "HTTP 400: no such case", 1]);
  const link = caseLink("http", c!.caseId);
  assert.equal(seen[0]!.traceparent, `00-${link.traceId}-${link.rootSpanId}-01`);
});

test("a prompt spec is filled from each case and sent to an OpenAI-compatible endpoint, with usage and cost, the key never recorded", async (t) => {
  const fake = await startFakeOpenAI();
  t.after(() => fake.close());
  fake.enqueue("chat", errorResponse(429, "slow down", {"retry-after-ms": "5"}));
  fake.respondWith("chat", () =>
    chatCompletion("Your flight is cancelled.", {prompt_tokens: 1000, completion_tokens: 100}, "fake-model")
  );
  const [c] = tauCases(1);
  const store = memoryExperimentStore();
  const task = promptTask({
    spec: {
      format: 1,
      id: "airline-agent",
      version: 3,
      model: "fake-model",
      temperature: 0,
      maxTokens: 256,
      messages: [
        {role: "system", content: "You are an airline agent. Case {{case_id}} ({{kind}})."},
        {role: "user", content: "{{input}}"}
      ],
      tools: []
    },
    specHash: "spec123",
    path: "prompts/agent.json",
    baseURL: fake.baseURL,
    apiKey: "sk-very-secret",
    price: {input: 1, output: 10},
    timeoutMs: 5000,
    gitCommit: null
  });
  await runExperiment({experiment: "prompt", cases: [c!], task, store, retry: quick});
  const {result, trace} = store.cases[0]!;
  assert.deepEqual([result.status, result.output, result.attempts], ["ok", "Your flight is cancelled.", 2]);
  assert.deepEqual([result.inputTokens, result.outputTokens, result.costUsd], [1000, 100, 0.002]);
  assert.equal(trace.model, "fake-model");
  const sent = fake.requests.at(-1)!.body as {messages: {content: string}[]; model: string};
  assert.equal(sent.messages[0]!.content, `You are an airline agent. Case ${c!.caseId} (confirmed_failure).`);
  assert.equal(sent.messages[1]!.content, c!.input);
  assert.deepEqual(task.description, {
    kind: "prompt",
    target: "prompts/agent.json",
    version: "spec123:fake-model",
    promptId: "airline-agent",
    promptVersion: 3,
    model: "fake-model",
    gitCommit: null
  });
  assert.ok(!JSON.stringify(store.cases).includes("sk-very-secret"));
});
