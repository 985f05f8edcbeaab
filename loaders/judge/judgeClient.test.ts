import assert from "node:assert/strict";
import {after, before, beforeEach, describe, test} from "node:test";
import {chatCompletion, errorResponse, startFakeOpenAI, type FakeOpenAI} from "./fakeOpenAI.js";
import {createJudgeClient, parseVerdict, retryAfterMs, type JudgeClientOptions} from "./judgeClient.js";

const KEY = "sk-test-secret-0123456789";
const request = {
  model: "judge-1",
  temperature: 0,
  maxTokens: 200,
  messages: [{role: "user" as const, content: "Is this trace a failure?"}]
};
const verdict = (v: "pass" | "fail", reasoning = "Because.") =>
  chatCompletion(JSON.stringify({reasoning, verdict: v}), {prompt_tokens: 120, completion_tokens: 30});

describe("createJudgeClient(options).call(request)", () => {
  let server: FakeOpenAI;
  let waits: number[];
  before(async () => {
    server = await startFakeOpenAI();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.respondWith("chat", null);
    waits = [];
  });
  const client = (options: Partial<JudgeClientOptions> = {}) =>
    createJudgeClient({
      baseURL: server.baseURL,
      apiKey: KEY,
      timeoutMs: 2000,
      maxAttempts: 4,
      baseDelayMs: 100,
      random: () => 1,
      sleep: async (ms) => void waits.push(ms),
      ...options
    });

  test("returns the verdict and token usage, asking for the verdict's JSON schema", async () => {
    server.enqueue("chat", verdict("fail", "The agent promised a refund."));
    const result = await client().call(request);
    assert.ok(result.ok);
    assert.deepEqual(result.verdict, {reasoning: "The agent promised a refund.", verdict: "fail"});
    assert.deepEqual(result.usage, {inputTokens: 120, outputTokens: 30});
    const sent = server.requests[0]!;
    assert.equal(sent.body.model, "judge-1");
    assert.equal(sent.body.temperature, 0);
    assert.equal((sent.body.response_format as {type: string}).type, "json_schema");
    assert.ok(sent.authorized);
  });

  test("a 429 is retried after the wait its Retry-After header asks", async () => {
    server.enqueue("chat", errorResponse(429, "slow down", {"retry-after": "2"}), verdict("pass"));
    const result = await client().call(request);
    assert.ok(result.ok);
    assert.equal(result.attempts, 2);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(waits, [2000]);
  });

  test("5xx answers are retried with exponential backoff, then succeed", async () => {
    server.enqueue("chat", errorResponse(500, "boom"), errorResponse(503, "busy"), verdict("pass"));
    const result = await client().call(request);
    assert.ok(result.ok);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  test("the client's own retries are off: one attempt allowed means one request", async () => {
    server.enqueue("chat", errorResponse(500, "boom"));
    const result = await client({maxAttempts: 1}).call(request);
    assert.ok(!result.ok);
    assert.equal(server.requests.length, 1);
    assert.match(result.error, /HTTP 500.*gave up after 1 attempts/);
  });

  test("persistent 5xx ends as an error, never a verdict", async () => {
    server.respondWith("chat", () => errorResponse(502, "bad gateway"));
    const result = await client().call(request);
    assert.ok(!result.ok);
    assert.equal(server.requests.length, 4);
    assert.match(result.error, /HTTP 502/);
  });

  test("a slow answer times out, is retried, and ends as an error", async () => {
    server.respondWith("chat", () => ({...verdict("pass"), delayMs: 400}));
    const result = await client({timeoutMs: 100, maxAttempts: 2}).call(request);
    assert.ok(!result.ok);
    assert.match(result.error, /timed out after 100 ms/);
    assert.equal(server.requests.length, 2);
  });

  test("a slow answer inside the timeout is a verdict", async () => {
    server.enqueue("chat", {...verdict("fail"), delayMs: 150});
    const result = await client({timeoutMs: 2000}).call(request);
    assert.ok(result.ok);
  });

  test("a malformed response body is an error", async () => {
    server.enqueue("chat", {raw: '{"choices": [ {"message": '});
    const result = await client({maxAttempts: 1}).call(request);
    assert.ok(!result.ok);
    assert.equal(server.requests.length, 1);
  });

  test("free text that mentions a verdict is an error, not a verdict", async () => {
    server.enqueue("chat", chatCompletion("The verdict is fail: the agent lied."));
    const result = await client().call(request);
    assert.ok(!result.ok);
    assert.match(result.error, /not JSON/);
    assert.equal(server.requests.length, 1, "a bad answer is not retried");
    assert.deepEqual(result.usage, {inputTokens: 100, outputTokens: 20}, "its tokens are still counted");
  });

  test("JSON that breaks the verdict schema is an error", async () => {
    server.enqueue("chat", chatCompletion(JSON.stringify({verdict: "maybe", reasoning: "unsure"})));
    const result = await client().call(request);
    assert.ok(!result.ok);
    assert.match(result.error, /breaks the verdict schema: verdict/);
  });

  test("a 400 is not retried, and the API key never appears in the error", async () => {
    server.enqueue("chat", errorResponse(400, `invalid key ${KEY}`));
    const result = await client().call(request);
    assert.ok(!result.ok);
    assert.equal(server.requests.length, 1);
    assert.ok(!result.error.includes(KEY), result.error);
  });

  test("json_object and no response format can be chosen for servers without json_schema", async () => {
    server.enqueue("chat", verdict("pass"), verdict("pass"));
    await client({responseFormat: "json_object"}).call(request);
    await client({responseFormat: "none"}).call(request);
    assert.deepEqual(server.requests[0]!.body.response_format, {type: "json_object"});
    assert.equal(server.requests[1]!.body.response_format, undefined);
  });
});

describe("retryAfterMs(headers) and parseVerdict(content)", () => {
  test("reads seconds, milliseconds and HTTP dates", () => {
    assert.equal(retryAfterMs(new Headers({"retry-after": "3"})), 3000);
    assert.equal(retryAfterMs(new Headers({"retry-after-ms": "250", "retry-after": "3"})), 250);
    assert.equal(
      retryAfterMs(
        new Headers({"retry-after": "Wed, 21 Oct 2015 07:28:05 GMT"}),
        Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")
      ),
      5000
    );
    assert.equal(retryAfterMs(new Headers()), null);
  });

  test("accepts one fenced JSON block and nothing looser", () => {
    assert.ok("verdict" in parseVerdict('```json\n{"reasoning": "ok", "verdict": "pass"}\n```'));
    assert.ok("error" in parseVerdict('Sure! {"reasoning": "ok", "verdict": "pass"}'));
    assert.ok("error" in parseVerdict(""));
    assert.ok("error" in parseVerdict('{"reasoning": "ok", "verdict": "pass", "extra": 1}'));
  });
});
