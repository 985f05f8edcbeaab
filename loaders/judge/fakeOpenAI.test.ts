import assert from "node:assert/strict";
import {after, before, describe, test} from "node:test";
import OpenAI from "openai";
import {createJudgeClient} from "./judgeClient.js";
import {errorResponse, fakeEmbedding, startFakeOpenAI, type FakeOpenAI} from "./fakeOpenAI.js";

describe("startFakeOpenAI()", () => {
  let server: FakeOpenAI;
  let client: OpenAI;
  before(async () => {
    server = await startFakeOpenAI({embeddingDimensions: 8});
    client = new OpenAI({baseURL: server.baseURL, apiKey: "k", maxRetries: 0});
  });
  after(() => server.close());

  test("listens on loopback only", () => {
    assert.match(server.baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  test("answers embeddings with deterministic unit vectors, one per input, in order", async () => {
    const result = await client.embeddings.create({model: "embed", input: ["a cat", "a dog", "a cat"]});
    const request = server.requests.at(-1)!;
    assert.equal(request.endpoint, "embeddings");
    assert.deepEqual(request.body.input, ["a cat", "a dog", "a cat"]);
    assert.equal(result.data.length, 3);
    assert.deepEqual(result.data[0]!.embedding, result.data[2]!.embedding);
    assert.notDeepEqual(result.data[0]!.embedding, result.data[1]!.embedding);
    // The client asks for base64 float32 by default: the same vector, at float32 precision.
    assert.deepEqual(result.data[1]!.embedding, [...new Float32Array(fakeEmbedding("a dog", 8))]);
    assert.ok(Math.abs(Math.hypot(...result.data[0]!.embedding) - 1) < 1e-6);
    const floats = await client.embeddings.create({model: "embed", input: "a dog", encoding_format: "float"});
    assert.deepEqual(floats.data[0]!.embedding, fakeEmbedding("a dog", 8));
  });

  test("scripted responses come first, in order, per endpoint; then the responder or the default", async () => {
    server.enqueue("embeddings", errorResponse(503, "warming up"));
    await assert.rejects(
      client.embeddings.create({model: "embed", input: "x"}),
      (e: Error) => e instanceof OpenAI.APIError && e.status === 503
    );
    server.respondWith("chat", ({body}) => ({
      json: {
        id: "c",
        object: "chat.completion",
        created: 0,
        model: String(body.model),
        choices: [{index: 0, message: {role: "assistant", content: "scripted"}, finish_reason: "stop"}]
      }
    }));
    const chat = await client.chat.completions.create({model: "m1", messages: [{role: "user", content: "hi"}]});
    assert.equal(chat.choices[0]!.message.content, "scripted");
    assert.equal(chat.model, "m1");
    server.respondWith("chat", null);
    const fallback = await client.chat.completions.create({model: "m1", messages: [{role: "user", content: "hi"}]});
    assert.match(fallback.choices[0]!.message.content!, /"verdict":"pass"/);
  });

  test("keeps connections alive, so the judge's keep-alive transport reuses one socket for calls in a row", async () => {
    const judge = createJudgeClient({baseURL: server.baseURL, apiKey: "k", maxAttempts: 1});
    const before = server.connections();
    for (let i = 0; i < 5; i++) {
      const result = await judge.call({
        model: "m",
        temperature: 0,
        maxTokens: 100,
        messages: [{role: "user", content: `hi ${i}`}]
      });
      assert.ok(result.ok);
    }
    assert.equal(server.connections() - before, 1);
  });

  test("counts requests in flight", async () => {
    // Each answer waits long enough that all five requests are in flight together, even on a busy machine.
    server.respondWith("embeddings", ({body}) => ({
      delayMs: 500,
      json: {
        object: "list",
        model: "e",
        data: [{object: "embedding", index: 0, embedding: fakeEmbedding(String(body.input), 8)}],
        usage: {prompt_tokens: 1, total_tokens: 1}
      }
    }));
    await Promise.all(Array.from({length: 5}, (_, i) => client.embeddings.create({model: "e", input: `t${i}`})));
    assert.ok(server.maxInFlight() >= 5);
    assert.equal(server.inFlight(), 0);
    server.respondWith("embeddings", null);
  });
});
