// `plumbline judge run` end to end: a real workspace, the real openai client and a local OpenAI-compatible server.
import assert from "node:assert/strict";
import {rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "../judge/fakeOpenAI.js";
import {withReadConnection} from "../store/db.js";
import {main} from "./main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {assertGolden} from "../fixtures/golden.js";
import {tempDir} from "../fixtures/tempDir.js";

const KEY = "sk-never-print-me-4242";
const GOLDEN = new URL("./golden/", import.meta.url).pathname;

/** What the command printed, with the generated run id (a date and a random part) masked; it writes nothing to stderr. */
function summary(io: {stdout: string[]; stderr: string[]}): string {
  assert.deepEqual(io.stderr, []);
  return `${io.stdout.join("\n")}\n`.replace(/\brun-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\b/g, "run-<date>-<id>");
}

describe("plumbline judge run", () => {
  let server: FakeOpenAI;
  let workspace: string;
  let spec: string;
  before(async () => {
    server = await startFakeOpenAI();
    workspace = tempDir("judge-cli");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    spec = join(workspace, "tool-judge.json");
    writeFileSync(
      spec,
      JSON.stringify({
        id: "tool-judge",
        version: "1",
        failureMode: "tool failure not admitted",
        criterion: "overall",
        kind: "llm_judge",
        judge: {model: "judge-model", prompt: "{{trace}}"}
      })
    );
  });
  after(async () => {
    await server.close();
    rmSync(workspace, {recursive: true, force: true});
  });
  const env = () => ({PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY});

  test("without a key it says which variable to set", async () => {
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
    assert.equal(await main(["judge", "run", "--evaluator", spec], io), 1);
    assert.match(io.stderr.join("\n"), /\$OPENAI_API_KEY is not set/);
  });

  test("judges every trace, records tokens and cost, keeps failures as errors, and never prints the key", async () => {
    let n = 0;
    server.respondWith("chat", () =>
      n++ === 1
        ? errorResponse(400, `bad key ${KEY}`)
        : chatCompletion(JSON.stringify({reasoning: "ok", verdict: "pass"}), {
            prompt_tokens: 500,
            completion_tokens: 50
          })
    );
    const io = captureIo(env());
    const code = await main(
      [
        "judge",
        "run",
        "--evaluator",
        spec,
        "--run-id",
        "cli-1",
        "--price-in",
        "2",
        "--price-out",
        "8",
        "--concurrency",
        "1"
      ],
      io
    );
    assert.equal(code, 1, "a run with an error exits 1");
    const text = [...io.stdout, ...io.stderr].join("\n");
    assert.ok(!text.includes(KEY), "the key is never printed");
    // The summaries of the run, its resumption and a cached rerun are compared with golden files below.
    const summaries: Record<string, string> = {"run.txt": summary(io)};
    const rows = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll(
          "SELECT outcome, error, judge_model, evaluator_version, input_tokens::INTEGER AS i, cost_usd FROM judge_verdicts WHERE run_id = 'cli-1' ORDER BY outcome"
        )
      ).getRowObjectsJS()
    );
    assert.equal(rows.length, 4);
    assert.equal(rows[0]!.outcome, "error");
    assert.ok(!String(rows[0]!.error).includes(KEY), "nor stored");
    assert.match(String(rows[1]!.evaluator_version), /^1\+[0-9a-f]{12}$/);
    assert.equal(rows[1]!.judge_model, "judge-model");
    assert.equal(rows[1]!.i, 500);

    // Resuming with another selection of traces is refused: it would not be the same run.
    const other = captureIo(env());
    assert.equal(await main(["judge", "run", "--evaluator", spec, "--resume", "cli-1", "--limit", "2"], other), 1);
    assert.match(other.stderr.join("\n"), /resume with the same --trace, --limit/);

    // Resuming retries the error only; the other traces come from this run.
    server.requests.length = 0;
    server.respondWith("chat", () => chatCompletion(JSON.stringify({reasoning: "fine", verdict: "fail"})));
    const again = captureIo(env());
    assert.equal(
      await main(["judge", "run", "--evaluator", spec, "--resume", "cli-1"], again),
      0,
      again.stderr.join("\n")
    );
    assert.equal(server.requests.length, 1);
    summaries["resumed.txt"] = summary(again);
    const run = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT status, calls, errors FROM judge_runs WHERE run_id = 'cli-1'")).getRowObjectsJS()
    );
    assert.deepEqual(run, [{status: "done", calls: 5, errors: 0}]);

    // A new run of the same version costs no calls.
    server.requests.length = 0;
    const third = captureIo(env());
    assert.equal(await main(["judge", "run", "--evaluator", spec], third), 0);
    assert.equal(server.requests.length, 0);
    summaries["cached.txt"] = summary(third);
    assertGolden(join(GOLDEN, "judge-run"), summaries);
  });

  test("usage errors point at --help", async () => {
    const io = captureIo(env());
    assert.equal(await main(["judge", "run", "--evaluator", spec, "--concurrency", "0"], io), 2);
    assert.match(io.stderr.join("\n"), /invalid --concurrency: 0[\s\S]*plumbline judge --help/);
    const unknown = captureIo(env());
    assert.equal(await main(["judge", "walk"], unknown), 2);
    const trace = captureIo(env());
    assert.equal(await main(["judge", "run", "--evaluator", spec, "--trace", "nope"], trace), 1);
    assert.match(trace.stderr.join("\n"), /no such trace in the workspace: nope/);
  });
});

describe("plumbline judge run on the real τ-bench airline traces", () => {
  let server: FakeOpenAI;
  let workspace: string;
  before(async () => {
    server = await startFakeOpenAI();
    workspace = tempDir("judge-tau");
    const {ingest} = await import("../ingest/ingest.js");
    const {sharedPath} = await import("../fixtures/sharedData.js");
    await ingest({workspace, paths: [sharedPath("tau-bench-airline", "gpt-4o-airline.json")], workers: 0});
  });
  after(async () => {
    await server.close();
    rmSync(workspace, {recursive: true, force: true});
  });

  test("the bundled hybrid evaluator asks the judge only about runs that cancel a reservation, with the policy in the prompt", async () => {
    server.respondWith("chat", ({body}) => {
      const prompt = (body.messages as {content: string}[])[1]!.content;
      // Fail a run when the agent cancels before any user message that says yes: a crude stand-in for a judge.
      const fail = !/\[user\]\n(yes|Yes)/.test(prompt.slice(0, prompt.indexOf("cancel_reservation(")));
      return chatCompletion(
        JSON.stringify({
          reasoning: fail ? "no explicit yes before the cancellation" : "confirmed first",
          verdict: fail ? "fail" : "pass"
        })
      );
    });
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY});
    assert.equal(
      await main(["judge", "run", "--evaluator", "unconfirmed-cancellation", "--run-id", "tau"], io),
      0,
      io.stderr.join("\n")
    );
    const called = await withReadConnection(workspace, async (c) =>
      Number(
        (
          await c.runAndReadAll("SELECT count(DISTINCT trace_id) FROM tool_calls WHERE name = 'cancel_reservation'")
        ).getRows()[0]![0]
      )
    );
    assert.ok(called > 0);
    assert.equal(server.requests.length, called, "one call per run that cancels, none for the rest");
    const prompt = (server.requests[0]!.body.messages as {content: string}[])[1]!.content;
    assert.match(prompt, /obtain explicit user confirmation \(yes\)/, "the reference document is in the prompt");
    assert.match(prompt, /cancel_reservation\(/, "so are the run's tool calls");
    const rows = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll(
          "SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE judge_model IS NULL)::INTEGER AS prefiltered FROM judge_verdicts WHERE run_id = 'tau'"
        )
      ).getRowObjectsJS()
    );
    assert.deepEqual(rows, [{n: 200, prefiltered: 200 - called}]);
  });
});

describe("Ctrl-C during plumbline judge run", () => {
  let server: FakeOpenAI;
  let workspace: string;
  let spec: string;
  before(async () => {
    server = await startFakeOpenAI();
    workspace = tempDir("judge-sigint");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    spec = join(workspace, "slow-judge.json");
    writeFileSync(
      spec,
      JSON.stringify({
        id: "slow-judge",
        version: "1",
        failureMode: "f",
        criterion: "overall",
        kind: "llm_judge",
        judge: {model: "m", prompt: "{{trace}}"}
      })
    );
  });
  after(async () => {
    await server.close();
    rmSync(workspace, {recursive: true, force: true});
  });

  test("stops the run, says how to resume, and the resumed run asks only what was left", async () => {
    const {spawn} = await import("node:child_process");
    const {PROJECT_ROOT} = await import("../workspace/changed.js");
    let answered = 0;
    server.respondWith("chat", () => ({
      ...chatCompletion(JSON.stringify({reasoning: "ok", verdict: "pass"})),
      delayMs: answered++ === 0 ? 0 : 3000
    }));
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin", "plumbline.js"),
        "judge",
        "run",
        "--evaluator",
        spec,
        "--run-id",
        "sig",
        "--concurrency",
        "1"
      ],
      {
        env: {...process.env, PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY},
        stdio: ["ignore", "pipe", "pipe"]
      }
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    // Interrupt while the second call hangs.
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 130, output);
    assert.match(output, /interrupted; continue with: plumbline judge run --evaluator .* --resume sig/);
    assert.ok(!output.includes(KEY));
    const status = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT status FROM judge_runs WHERE run_id = 'sig'")).getRows()
    );
    assert.deepEqual(status, [["interrupted"]]);

    server.respondWith("chat", () => chatCompletion(JSON.stringify({reasoning: "ok", verdict: "pass"})));
    server.requests.length = 0;
    const io = captureIo({PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY});
    assert.equal(await main(["judge", "run", "--evaluator", spec, "--resume", "sig"], io), 0, io.stderr.join("\n"));
    assert.equal(server.requests.length, 3, "the three traces not judged before Ctrl-C");
    assert.match(io.stdout.join("\n"), /\(1 judged before this resumption\)/);
  });

  test("a second Ctrl-C while the run winds down is acknowledged, and the run is still recorded as interrupted", async () => {
    const {spawn} = await import("node:child_process");
    const {PROJECT_ROOT} = await import("../workspace/changed.js");
    server.respondWith("chat", () => ({
      ...chatCompletion(JSON.stringify({reasoning: "ok", verdict: "pass"})),
      delayMs: 3000
    }));
    server.requests.length = 0;
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin", "plumbline.js"),
        "judge",
        "run",
        "--evaluator",
        spec,
        "--run-id",
        "sig-twice",
        "--concurrency",
        "2",
        "--model",
        "uncached"
      ],
      {
        env: {...process.env, PLUMBLINE_WORKSPACE: workspace, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY},
        stdio: ["ignore", "pipe", "pipe"]
      }
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("close", (code, signal) => resolve([code, signal]))
    );
    let exited = false;
    void closed.then(() => (exited = true));
    while (server.requests.length < 2 && !exited) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!exited, output);
    child.kill("SIGINT");
    // The second is sent once the first was handled (two pending signals would be delivered as one), while the run
    // winds down. Killed by it, the process would end with the signal rather than its own status 130.
    while (!output.includes("stopping:") && !exited) await new Promise((resolve) => setTimeout(resolve, 5));
    const windingDown = !exited;
    child.kill("SIGINT");
    const [code, signal] = await closed;
    assert.ok(windingDown, `the run ended before the second Ctrl-C could reach it:\n${output}`);
    assert.deepEqual([code, signal], [130, null], output);
    // The acknowledgement is printed only when the second signal lands before the process exits, which is a race.
    if (!/already stopping/.test(output)) assert.match(output, /interrupted; continue with/);
    const status = await withReadConnection(workspace, async (c) =>
      (await c.runAndReadAll("SELECT status FROM judge_runs WHERE run_id = 'sig-twice'")).getRows()
    );
    assert.deepEqual(status, [["interrupted"]]);
  });
});

describe("plumbline judge run with rule regexes that backtrack in V8", () => {
  let workspace: string;
  before(async () => {
    workspace = tempDir("judge-regex");
    // One trace whose last message is 50,000 characters of what the patterns below almost match.
    const traces = fixtureTraces().map((t, i) =>
      i === 0
        ? {...t, messages: [...t.messages, {...t.messages[0]!, index: t.messages.length, content: "a".repeat(50_000)}]}
        : t
    );
    await writeFixtureWorkspace(workspace, traces);
  });

  test("a*a*~ and (a|aa)*~ on a 50,000-character message give their verdicts, each trace passing", async () => {
    // No trace holds a "~": in V8 both patterns would try every way of splitting the run of "a"s at every start.
    for (const [id, pattern] of [
      ["cubic", "a*a*~"],
      ["exponential", "(a|aa)*~"]
    ] as const) {
      const spec = join(workspace, `${id}.json`);
      writeFileSync(
        spec,
        JSON.stringify({
          id,
          version: "1",
          failureMode: "f",
          criterion: "overall",
          kind: "rule",
          rule: {op: "regex", pattern}
        })
      );
      const io = captureIo({PLUMBLINE_WORKSPACE: workspace});
      assert.equal(await main(["judge", "run", "--evaluator", spec, "--run-id", id], io), 0, io.stderr.join("\n"));
      assert.match(io.stdout.join("\n"), /4 traces: 0 fail, 4 pass, 0 errors/);
    }
  });
});
