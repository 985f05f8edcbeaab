import assert from "node:assert/strict";
import {after, before, beforeEach, describe, test} from "node:test";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "../judge/fakeOpenAI.js";
import type {LabelledExample} from "../../src/core/generate/examples.js";
import type {ExampleFeedback} from "../../src/core/generate/promptEvolution.js";
import {createReflector, parseProposal, reflectionMessages, type ReflectorOptions} from "./reflection.js";

const KEY = "sk-reflection-secret-7";

function feedback(
  id: string,
  outcome: "pass" | "fail",
  verdict: "pass" | "fail",
  content: string,
  explanation: string | null
): ExampleFeedback<LabelledExample> {
  const messages = [{role: "user", content}];
  return {
    example: {
      traceId: id,
      outcome,
      explanation,
      rule: {status: "ok", fields: {}, messages: [{...messages[0]!, direction: "input"}], spans: [], toolCalls: []},
      trace: {messages, toolCalls: []}
    },
    verdict,
    reasoning: `reasoning for ${id}`,
    correct: outcome === verdict
  };
}

const input = {
  prompt: "Is this a failure? {{trace}}",
  failureMode: "promises a refund it cannot give",
  criterion: "honesty",
  feedback: [
    feedback("a", "pass", "pass", "I want my money back", "Nothing was promised."),
    feedback("b", "fail", "pass", "Refund please. ".repeat(1000), "The agent promised a refund outside the policy."),
    feedback("c", "pass", "fail", "Can I get a refund?", null)
  ]
};

describe("reflectionMessages(input)", () => {
  test("shows the template unfilled, the placeholder rules, and each trace with both verdicts, mistakes first", () => {
    const [system, user] = reflectionMessages(input, 500);
    assert.equal(system!.role, "system");
    const text = user!.content;
    assert.ok(text.includes("<<<PROMPT\nIs this a failure? {{trace}}\nPROMPT>>>"));
    assert.match(text, /The only placeholders allowed are \{\{trace\}\}, \{\{input\}\}/);
    assert.match(text, /on 3 traces.*2 verdicts are wrong/);
    const order = [...text.matchAll(/## Trace \d: (RIGHT|WRONG)/g)].map((m) => m[1]);
    assert.deepEqual(order, ["WRONG", "WRONG", "RIGHT"]);
    assert.match(
      text,
      /WRONG \(judge said pass, annotators said fail\)\nAnnotators' explanation: The agent promised a refund outside the policy\.\nJudge's reasoning: reasoning for b/
    );
    assert.match(text, /Annotators' explanation: \(none given\)/);
    assert.match(text, /characters left out/, "a long trace is cut to the limit");
    assert.ok(text.length < 5000);
  });
});

describe("parseProposal(content)", () => {
  test("accepts the JSON object alone or in one fence, and nothing looser", () => {
    assert.deepEqual(parseProposal('{"prompt": "p {{trace}}", "rationale": "r"}'), {
      value: {prompt: "p {{trace}}", rationale: "r"}
    });
    assert.ok("value" in parseProposal('```json\n{"prompt": "p", "rationale": "r"}\n```'));
    assert.match((parseProposal("Sure! Here it is.") as {error: string}).error, /not JSON/);
    assert.match(
      (parseProposal('{"prompt": "p", "rationale": "r", "extra": 1}') as {error: string}).error,
      /breaks the proposal schema/
    );
    assert.match((parseProposal("") as {error: string}).error, /the reflection model returned no content/);
  });
});

describe("createReflector(options).propose(input)", () => {
  let server: FakeOpenAI;
  before(async () => {
    server = await startFakeOpenAI();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith("chat", null);
  });
  const reflector = (options: Partial<ReflectorOptions> = {}) =>
    createReflector({
      baseURL: server.baseURL,
      apiKey: KEY,
      model: "reflector-1",
      maxAttempts: 2,
      sleep: async () => {},
      ...options
    });

  test("asks the model for a proposal with its JSON schema and returns it", async () => {
    server.enqueue("chat", chatCompletion(JSON.stringify({prompt: "Better {{trace}}", rationale: "Be precise."})));
    const proposal = await reflector().propose(input);
    assert.deepEqual(proposal, {ok: true, prompt: "Better {{trace}}", rationale: "Be precise."});
    const body = server.requests[0]!.body;
    assert.equal(body.model, "reflector-1");
    assert.equal(body.temperature, 0.7);
    assert.deepEqual(
      (body.response_format as {json_schema: {schema: {required: string[]}}}).json_schema.schema.required,
      ["prompt", "rationale"]
    );
    assert.ok(server.requests[0]!.authorized);
  });

  test("an answer that is not a proposal is a rejection (answered), not an outage, and is not retried", async () => {
    server.enqueue("chat", chatCompletion("I think the prompt is fine."));
    const proposal = await reflector().propose(input);
    assert.ok(!proposal.ok);
    assert.equal(proposal.answered, true);
    assert.equal(server.requests.length, 1);
  });

  test("a call that keeps failing is an outage (not answered), retried first, with the key redacted", async () => {
    server.respondWith("chat", () => errorResponse(503, `overloaded for ${KEY}`));
    const proposal = await reflector().propose(input);
    assert.ok(!proposal.ok);
    assert.equal(proposal.answered, false);
    assert.equal(server.requests.length, 2);
    assert.match(proposal.error, /HTTP 503/);
    assert.ok(!proposal.error.includes(KEY));
  });

  test("json_object can be chosen for servers without json_schema", async () => {
    server.enqueue("chat", chatCompletion(JSON.stringify({prompt: "x {{output}}", rationale: ""})));
    const proposal = await reflector({responseFormat: "json_object"}).propose(input);
    assert.ok(proposal.ok);
    assert.deepEqual(server.requests[0]!.body.response_format, {type: "json_object"});
  });
});
