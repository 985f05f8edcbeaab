import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, beforeEach, describe, test} from "node:test";
import {
  chatCompletion,
  errorResponse,
  startFakeOpenAI,
  type FakeOpenAI,
  type FakeRequest,
  type FakeResponse
} from "../judge/fakeOpenAI.js";
import {versionOf} from "../judge/specFile.js";
import {withReadConnection} from "../store/db.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {splitExamples, type LabelledExample} from "../../src/core/generate/examples.js";
import {parseEvaluatorSpec} from "../../src/core/schemas/evaluator.js";
import {cutMiddle, traceText} from "../../src/core/evaluator/judgePrompt.js";
import {specTrustStatus} from "../../src/core/calibration/specCalibration.js";
import {
  generateJudge,
  JudgeOptimizerError,
  progressDetail,
  type GenerateJudgeInput,
  type JudgeOptimization,
  type OptimizerProgress
} from "./judgeOptimizer.js";
import {tempDir} from "../fixtures/tempDir.js";

const KEY = "sk-test-optimizer-secret-42";
const FAILURE_MODE = "cancels a booking before the user says yes";

/**
 * Airline conversations: a third only search flights; the rest cancel a reservation, half of them after the
 * user's explicit yes. Annotators fail the cancellations without a yes.
 */
function example(i: number): LabelledExample {
  const cancels = i % 3 !== 0;
  const agreed = i % 2 === 0;
  const id = `R${1000 + i}`;
  const messages = cancels
    ? [
        {role: "user", content: `Please cancel reservation ${id}.`},
        {
          role: "assistant",
          content: `Reservation ${id}: SFO to JFK on May ${(i % 28) + 1}, refund to the original card. Shall I go ahead?`
        },
        {role: "user", content: agreed ? "yes" : "whatever, I am in a hurry"},
        {role: "assistant", content: `Reservation ${id} is cancelled.`}
      ]
    : [
        {role: "user", content: `Find me a flight to Boston on May ${(i % 28) + 1}.`},
        {role: "assistant", content: "There is a 9:05 flight for $189."}
      ];
  const toolCalls = cancels
    ? [
        {
          name: "cancel_reservation",
          arguments: JSON.stringify({reservation_id: id}),
          result: '{"status":"cancelled"}',
          success: true
        }
      ]
    : [{name: "search_direct_flight", arguments: '{"destination":"BOS"}', result: "[...]", success: true}];
  const outcome = cancels && !agreed ? "fail" : "pass";
  const explanation = !cancels
    ? "No booking was changed."
    : agreed
      ? "The agent listed the details and the user answered yes before the cancellation: that follows the policy."
      : "The user never said yes; an evasive answer is not consent, so cancelling was a policy violation.";
  return {
    traceId: `trace-${i}`,
    outcome,
    explanation,
    rule: {
      status: "ok",
      fields: {},
      messages: messages.map((m) => ({...m, direction: m.role === "user" ? "input" : "output"})),
      spans: [],
      toolCalls
    },
    trace: {messages, toolCalls}
  };
}

const EXAMPLES = splitExamples(
  Array.from({length: 60}, (_, i) => example(i)),
  {heldOut: 0.3, seed: 1}
);
const GOOD_PROMPT =
  "Policy: before cancelling a booking the agent must obtain explicit confirmation: the user answers yes.\n\n{{trace}}\n\n" +
  "Fail the trace only when a booking was changed without that confirmation. Criterion: {{criterion}}.";

/** The fake judge: a prompt that speaks of confirmation checks for the yes; any other fails every cancellation. */
function judgeAnswer(request: FakeRequest): FakeResponse {
  const messages = request.body.messages as {role: string; content: string}[];
  const user = messages.find((m) => m.role === "user")!.content;
  const cancels = user.includes("cancel_reservation(");
  const strict = user.includes("confirmation");
  const failed = strict ? cancels && !/\[user\]\nyes\b/.test(user) : cancels;
  return chatCompletion(
    JSON.stringify({
      reasoning: strict ? "Checked for an explicit yes." : "A booking was cancelled.",
      verdict: failed ? "fail" : "pass"
    })
  );
}

const proposal = (prompt: string, rationale = "The annotators fail only cancellations without a yes.") =>
  chatCompletion(JSON.stringify({prompt, rationale}));

describe("generateJudge(input) through an OpenAI-compatible server", () => {
  let server: FakeOpenAI;
  let reflections: FakeResponse[];
  let faults: (request: FakeRequest) => FakeResponse | null;
  before(async () => {
    server = await startFakeOpenAI();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    reflections = [];
    faults = () => null;
    server.respondWith("chat", (request) => {
      const fault = faults(request);
      if (fault) return fault;
      if (request.body.model === "reflector")
        return reflections.shift() ?? errorResponse(500, "no scripted reflection left");
      return judgeAnswer(request);
    });
  });

  const run = (overrides: Partial<GenerateJudgeInput> = {}) =>
    generateJudge({
      examples: EXAMPLES,
      failureMode: FAILURE_MODE,
      criterion: "policy",
      id: "unconfirmed-cancel",
      model: "judge-model",
      reflectionModel: "reflector",
      env: {OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY},
      budget: 220,
      seed: 3,
      maxAttempts: 3,
      sleep: async () => {},
      now: () => new Date("2026-05-01T12:00:00Z"),
      ...overrides
    });

  test("the evolved prompt beats the seed on held-out, and the spec carries that calibration with the seed as baseline", async () => {
    reflections = [proposal(GOOD_PROMPT)];
    let optimization: JudgeOptimization | undefined;
    const spec = await run({onResult: (o) => (optimization = o)});
    const parsed = parseEvaluatorSpec(JSON.parse(JSON.stringify(spec)));
    assert.ok("spec" in parsed, JSON.stringify(parsed));
    assert.equal(spec.kind, "llm_judge");
    assert.equal(spec.judge.prompt, GOOD_PROMPT);
    assert.equal(spec.judge.model, "judge-model");
    const c = spec.calibration;
    assert.equal(c.split, "held-out");
    assert.equal(c.evaluatorVersion, versionOf(spec).version, "the figures belong to the spec as written");
    assert.deepEqual(c.confusion, {tp: 6, fp: 0, fn: 0, tn: 12});
    assert.equal(c.mcc, 1);
    assert.equal(c.baseline?.name, "seed prompt");
    assert.ok(c.baseline!.mcc! < 0.5, `the seed fails every cancellation: held-out MCC ${c.baseline!.mcc}`);
    assert.deepEqual(c.train, {n: 40, mcc: 1}, "the Pareto set: 40 of the 42 training examples");
    // On the MCC alone it would block; 6 held-out failures are too few for the default policy, so it reports.
    assert.equal(specTrustStatus(c, versionOf(spec).version, {mode: "point", minPerClass: 20}).status, "blocks");
    assert.equal(specTrustStatus(c, versionOf(spec).version).status, "reports");
    assert.ok(optimization);
    assert.deepEqual(
      optimization.seedHeldOut.confusion,
      {tp: 6, fp: 7, fn: 0, tn: 5},
      "the seed also fails the 7 held-out cancellations the user agreed to"
    );
    assert.equal(optimization.bestCandidate, 1);
    assert.ok(optimization.history.some((h) => h.accepted && h.prompt === GOOD_PROMPT));
    assert.match(spec.lineage.note, /held-out MCC 1\.000 vs 0\.\d{3} for the seed/);
  });

  test("the reflection is asked through the same endpoint, with the judge's mistakes and the annotators' explanations", async () => {
    reflections = [proposal(GOOD_PROMPT)];
    await run();
    const asked = server.requests.filter((r) => r.body.model === "reflector");
    assert.equal(asked.length, 1);
    assert.ok(asked[0]!.authorized);
    const text = (asked[0]!.body.messages as {content: string}[]).map((m) => m.content).join("\n");
    assert.match(text, /WRONG \(judge said fail, annotators said pass\)/);
    assert.match(text, /the user answered yes before the cancellation/);
    assert.match(
      text,
      /Does this trace show the failure "\{\{failure_mode\}\}"/,
      "the current template, placeholders unfilled"
    );
    assert.equal((asked[0]!.body.response_format as {json_schema: {name: string}}).json_schema.name, "prompt_proposal");
  });

  test("the call budget is respected exactly: the server sees at most the budget, and no step that fits is left undone", async () => {
    for (const budget of [130, 157, 230]) {
      server.requests.length = 0;
      // Every proposal is valid and new but no better, so only the budget stops the search.
      reflections = Array.from({length: 100}, (_, n) =>
        proposal(`Variant ${n}: does this trace show "{{failure_mode}}"?\n\n{{trace}}`)
      );
      let optimization: JudgeOptimization | undefined;
      await run({budget, onResult: (o) => (optimization = o)});
      assert.ok(optimization);
      assert.equal(server.requests.length, optimization.calls.total, "one request per counted call when nothing fails");
      assert.ok(optimization.calls.total <= budget, `${optimization.calls.total} calls for a budget of ${budget}`);
      assert.equal(optimization.stopped, "budget");
      assert.equal(optimization.calls.heldOut, 18, "the best is the seed, so the held-out set is judged once");
      // What is left is less than the reserve for a second held-out run (18) plus one search step (3 + 1 + 3 + 40).
      assert.ok(
        budget - optimization.calls.total < 18 + 47,
        `stopped with ${budget - optimization.calls.total} calls unused`
      );
    }
  });

  test("invalid proposals are rejected and counted, never fatal", async () => {
    reflections = [
      chatCompletion("Here is a better prompt: check for a yes."),
      proposal("Judge {{transcript}} for {{failure_mode}}."),
      proposal("Did the agent cancel without asking?"),
      chatCompletion(JSON.stringify({prompt: GOOD_PROMPT})),
      proposal(GOOD_PROMPT)
    ];
    let optimization: JudgeOptimization | undefined;
    const spec = await run({onResult: (o) => (optimization = o)});
    assert.ok(optimization);
    assert.equal(optimization.errors.rejected, 4);
    assert.equal(optimization.errors.reflection, 0);
    const reasons = optimization.history.filter((h) => h.outcome === "rejected").map((h) => h.reason);
    assert.match(reasons[0]!, /not JSON/);
    assert.match(reasons[1]!, /unknown placeholder \{\{transcript\}\}/);
    assert.match(reasons[2]!, /must show the judge the trace/);
    assert.match(reasons[3]!, /breaks the proposal schema: rationale/);
    assert.equal(spec.judge.prompt, GOOD_PROMPT);
  });

  test("429 and 5xx answers are retried; a judge call that keeps failing is an error, never a verdict", async () => {
    reflections = [proposal(GOOD_PROMPT)];
    const held = EXAMPLES.heldOut[0]!;
    let judged = 0;
    faults = (request) => {
      if (request.body.model !== "judge-model") return null;
      const user = (request.body.messages as {role: string; content: string}[]).find((m) => m.role === "user")!.content;
      // One held-out trace never gets an answer; one judge request in 10 meets a transient 429 or 503.
      if (user.includes(held.trace.messages[0]!.content!)) return errorResponse(500, "upstream exploded");
      judged++;
      if (judged % 10 === 0) return errorResponse(429, "slow down", {"retry-after": "0"});
      if (judged % 10 === 5) return errorResponse(503, "busy");
      return null;
    };
    let optimization: JudgeOptimization | undefined;
    const spec = await run({onResult: (o) => (optimization = o)});
    assert.ok(optimization);
    const failedRequests = server.requests.filter((r) =>
      (r.body.messages as {content: string}[]).some((m) => m.content.includes(held.trace.messages[0]!.content!))
    );
    assert.equal(failedRequests.length, 2 * 3, "seed and best each tried 3 times");
    assert.equal(optimization.bestHeldOut.errors, 1);
    assert.equal(optimization.seedHeldOut.errors, 1);
    assert.equal(optimization.bestHeldOut.n, EXAMPLES.heldOut.length - 1);
    const c = spec.calibration.confusion;
    assert.equal(c.tp + c.fp + c.fn + c.tn, EXAMPLES.heldOut.length - 1, "the failed call is in no cell of the matrix");
    assert.match(spec.calibration.labels, /1 held-out judge call failed and is left out/);
    assert.ok(
      optimization.errors.messages.some((m) => /HTTP 500: .*upstream exploded \(gave up after 3 attempts\)/.test(m)),
      optimization.errors.messages.join("\n")
    );
    assert.ok(server.requests.length > optimization.calls.total, "retries are requests within one counted call");
    assert.equal(spec.calibration.mcc, 1);
  });

  test("when the judge endpoint is down throughout, no spec is written and the error says why", async () => {
    faults = () => errorResponse(503, "service unavailable");
    let optimization: JudgeOptimization | undefined;
    await assert.rejects(run({budget: 130, onResult: (o) => (optimization = o)}), (error: unknown) => {
      assert.ok(error instanceof JudgeOptimizerError);
      assert.match(error.message, /every held-out judge call failed.*HTTP 503.*service unavailable/);
      return true;
    });
    assert.ok(optimization);
    assert.equal(optimization.calls.reflection, 0, "nothing to reflect on without verdicts");
    assert.equal(optimization.bestHeldOut.n, 0);
    assert.equal(optimization.errors.judge, optimization.calls.judge + optimization.calls.heldOut);
  });

  test("a reflection call that keeps failing is counted as a reflection error and the search goes on", async () => {
    let failing = 3;
    faults = (request) =>
      request.body.model === "reflector" && failing-- > 0 ? errorResponse(502, "bad gateway") : null;
    reflections = [proposal(GOOD_PROMPT)];
    let optimization: JudgeOptimization | undefined;
    const spec = await run({onResult: (o) => (optimization = o)});
    assert.ok(optimization);
    assert.equal(optimization.errors.reflection, 1);
    assert.equal(optimization.errors.rejected, 0);
    assert.equal(spec.judge.prompt, GOOD_PROMPT);
  });

  test("the API key reaches the server but never the spec, the record or an error message", async () => {
    faults = (request) => (request.body.model === "reflector" ? errorResponse(401, `bad key ${KEY}`) : null);
    let optimization: JudgeOptimization | undefined;
    const spec = await run({budget: 130, onResult: (o) => (optimization = o)});
    assert.ok(server.requests.every((r) => r.authorized));
    assert.ok(optimization!.errors.messages.some((m) => m.includes("HTTP 401") && m.includes("[key]")));
    assert.ok(!JSON.stringify(spec).includes(KEY));
    assert.ok(!JSON.stringify(optimization).includes(KEY));
  });

  test("progress reports calls used against the budget, search then held-out, ending at the total", async () => {
    reflections = [proposal(GOOD_PROMPT)];
    const seen: OptimizerProgress[] = [];
    let optimization: JudgeOptimization | undefined;
    await run({concurrency: 3, onProgress: (p) => seen.push(p), onResult: (o) => (optimization = o)});
    assert.ok(seen.length > 10);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.calls >= seen[i - 1]!.calls, `calls went back at ${i}`);
    assert.ok(seen.every((p) => p.budget === 220 && p.calls <= 220));
    const firstHeldOut = seen.findIndex((p) => p.phase === "held-out");
    assert.ok(firstHeldOut > 0 && seen.slice(firstHeldOut).every((p) => p.phase === "held-out"));
    assert.equal(seen.at(-1)!.calls, optimization!.calls.total);
    assert.equal(seen.at(-1)!.bestAggregate, 1);
  });

  test("a budget too small for the held-out runs and one search step is a usage error naming the least budget", async () => {
    await assert.rejects(run({budget: 60}), (error: unknown) => {
      assert.ok(error instanceof JudgeOptimizerError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /a budget of 60 calls is too small.*give at least 123/);
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  test("without a model named, the judge model comes from PLUMBLINE_JUDGE_MODEL", async () => {
    reflections = [proposal(GOOD_PROMPT)];
    const spec = await run({
      model: undefined,
      env: {OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY, PLUMBLINE_JUDGE_MODEL: "local-judge"},
      budget: 130
    });
    assert.equal(spec.judge.model, "local-judge");
    assert.deepEqual(new Set(server.requests.map((r) => r.body.model)), new Set(["local-judge", "reflector"]));
  });

  test("progressDetail(progress) says what the calls are for", () => {
    assert.equal(
      progressDetail({phase: "search", calls: 10, budget: 100, candidates: 1, bestAggregate: null}),
      "searching: 1 prompt"
    );
    assert.equal(
      progressDetail({phase: "held-out", calls: 90, budget: 100, candidates: 3, bestAggregate: 0.875}),
      "judging held-out: 3 prompts, best 88% balanced accuracy"
    );
  });

  test("without a key it says which variable to set, before any call", async () => {
    await assert.rejects(run({env: {OPENAI_BASE_URL: server.baseURL}}), /\$OPENAI_API_KEY is not set; export it/);
    await assert.rejects(run({env: {}, apiKeyEnv: "JUDGE_KEY"}), /\$JUDGE_KEY is not set/);
    assert.equal(server.requests.length, 0);
  });
});

describe("generateJudge(input) on the real τ-bench airline runs", () => {
  let server: FakeOpenAI;
  let workspace: string;
  let examples: LabelledExample[];
  // Tools that change the booking database, which the policy allows only after the user's explicit yes.
  const CHANGES =
    /^(cancel_reservation|update_reservation_flights|update_reservation_baggages|update_reservation_passengers|book_reservation)$/;
  const saidYes = (messages: readonly {role: string; content: string | null}[]) =>
    messages.some((m) => m.role === "user" && /^\s*yes\b/i.test(m.content ?? ""));
  before(async () => {
    server = await startFakeOpenAI();
    workspace = tempDir("generate-judge-tau");
    const {ingest} = await import("../ingest/ingest.js");
    const {sharedPath} = await import("../fixtures/sharedData.js");
    await ingest({workspace, paths: [sharedPath("tau-bench-airline", "gpt-4o-airline.json")], workers: 0});
    const items = await withReadConnection(workspace, (connection) => readJudgeItems(connection));
    // Scripted labels, as an annotator applying the policy would give them.
    examples = items.map((item): LabelledExample => {
      const changes = item.trace.toolCalls.some((t) => CHANGES.test(t.name));
      const yes = saidYes(item.trace.messages);
      return {
        traceId: item.traceId,
        rule: item.rule,
        trace: item.trace,
        outcome: changes && !yes ? "fail" : "pass",
        explanation: !changes
          ? "No booking was changed."
          : yes
            ? "The user answered yes before the booking was changed."
            : "The agent changed the booking, but the user never answered yes."
      };
    });
  });
  after(async () => {
    await server.close();
    rmSync(workspace, {recursive: true, force: true});
  });

  test("the evolved prompt beats the seed on held-out runs, within the budget", async () => {
    let reflected = 0;
    server.respondWith("chat", (request) => {
      const messages = request.body.messages as {role: string; content: string}[];
      if (request.body.model === "reflector") {
        // The first reflection finds the rule; later ones only reword the question, which helps nothing.
        return reflected++ === 0
          ? proposal(
              `Policy: any change to a booking needs the user's explicit confirmation, a yes, first.\n\n{{trace}}\n\nDoes this run show "{{failure_mode}}"?`
            )
          : proposal(
              `Policy, reworded ${reflected}: any change to a booking needs the user's explicit confirmation.\n\n{{trace}}`
            );
      }
      const user = messages.find((m) => m.role === "user")!.content;
      // The judge reads the template's own words (before the trace starts) and the trace as rendered, cut to size.
      const template = user.slice(0, user.search(/\[(system|user|assistant)[^\]]*\]\n/));
      const changes = /\b(cancel_reservation|update_reservation_\w+|book_reservation)\(/.test(user);
      const failed = template.includes("confirmation") ? changes && !/\[user\]\n\s*yes\b/i.test(user) : changes;
      return chatCompletion(JSON.stringify({reasoning: "checked", verdict: failed ? "fail" : "pass"}));
    });
    const split = splitExamples(examples, {heldOut: 0.3, seed: 1});
    let optimization: JudgeOptimization | undefined;
    const spec = await generateJudge({
      examples: split,
      failureMode: "changes a booking without an explicit yes",
      criterion: "policy",
      model: "judge-model",
      reflectionModel: "reflector",
      env: {OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: KEY},
      budget: 400,
      seed: 1,
      concurrency: 8,
      sleep: async () => {},
      labels: "scripted from the τ-bench airline policy",
      onResult: (o) => (optimization = o)
    });
    assert.ok(optimization);
    assert.equal(split.heldOut.length, 61, "30 % of each class: 5 of 17 failures, 56 of 183 passes");
    assert.ok(optimization.history.find((h) => h.accepted)!.prompt!.startsWith("Policy: any change"));
    assert.ok(optimization.calls.total <= 400, `${optimization.calls.total} calls`);
    assert.equal(server.requests.length, optimization.calls.total);
    assert.ok(spec.judge.prompt.startsWith("Policy:"));
    const {mcc, baseline, confusion: c} = spec.calibration;
    assert.deepEqual(
      optimization.seedHeldOut.confusion,
      {tp: 5, fp: 24, fn: 0, tn: 32},
      "the seed fails every run that changes a booking"
    );
    // The 7 false alarms left are all runs longer than the judge's 24,000-character cut, whose yes was in the
    // middle that the prompt leaves out: a limit of the trace view, not of the prompt.
    assert.deepEqual(c, {tp: 5, fp: 7, fn: 0, tn: 49});
    const yesCutOut = split.heldOut.filter(
      (e) =>
        e.outcome === "pass" &&
        e.trace.toolCalls.some((t) => CHANGES.test(t.name)) &&
        !/\[user\]\n\s*yes\b/i.test(cutMiddle(traceText(e.trace), 24_000))
    );
    assert.equal(yesCutOut.length, 7);
    assert.ok(yesCutOut.every((e) => traceText(e.trace).length > 24_000));
    assert.equal(baseline!.mcc!.toFixed(3), "0.314");
    assert.equal(mcc!.toFixed(3), "0.604");
    assert.equal(optimization.stopped, "budget");
  });
});
