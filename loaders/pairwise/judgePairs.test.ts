import assert from "node:assert/strict";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {after, before, describe, test} from "node:test";
import {valueOr} from "../../src/core/calibration/metric.js";
import {summarizePairwise} from "../../src/core/pairwise/orders.js";
import {PairwiseSpecSchema} from "../../src/core/schemas/pairwise.js";
import {
  chatCompletion,
  errorResponse,
  startFakeOpenAI,
  type FakeOpenAI,
  type FakeRequest
} from "../judge/fakeOpenAI.js";
import {judgePairs} from "./judgePairs.js";
import {readPreferenceSet} from "./preferenceSets.js";

const DEMO = fileURLToPath(new URL("../../data/demo/", import.meta.url));
const llmbar = readPreferenceSet(join(DEMO, "llmbar", "Natural"));
const pandalm = readPreferenceSet(join(DEMO, "pandalm"));

const spec = PairwiseSpecSchema.parse({
  kind: "pairwise_judge",
  id: "follows-instruction",
  version: "1",
  criterion: "follows the instruction",
  judge: {
    model: "fake-judge",
    prompt: "Instruction:\n{{input}}\n\n[Output A]\n{{output_a}}\n[/Output A]\n\n[Output B]\n{{output_b}}\n[/Output B]"
  }
});

/** The two outputs as the judge was shown them, read back from the rendered prompt. */
function shown(request: FakeRequest): {a: string; b: string} {
  const messages = request.body.messages as {role: string; content: string}[];
  const user = messages.find((m) => m.role === "user")!.content;
  return {
    a: /\[Output A\]\n([\s\S]*?)\n\[\/Output A\]/.exec(user)![1]!,
    b: /\[Output B\]\n([\s\S]*?)\n\[\/Output B\]/.exec(user)![1]!
  };
}

const answer = (preference: string) => chatCompletion(JSON.stringify({reasoning: "compared both", preference}));
const client = (server: FakeOpenAI) => ({baseURL: server.baseURL, apiKey: "k", maxAttempts: 1, sleep: async () => {}});

describe("a pairwise judge through an OpenAI-compatible server", () => {
  let server: FakeOpenAI;
  before(async () => void (server = await startFakeOpenAI()));
  after(() => server.close());

  test("asks every LLMBar pair in both orders and, judging like the gold labels, agrees with them and with itself", async () => {
    const gold = new Map(llmbar.pairs.map((p, i) => [p.output1 + "\u0000" + p.output2, llmbar.humans[i]!.label]));
    server.respondWith("chat", (request) => {
      const {a, b} = shown(request);
      const oneFirst = gold.get(a + "\u0000" + b);
      const label = oneFirst ?? gold.get(b + "\u0000" + a);
      const better = label === "1" ? (oneFirst ? "A" : "B") : oneFirst ? "B" : "A";
      return answer(better);
    });
    const before = server.requests.length;
    const run = await judgePairs({spec, pairs: llmbar.pairs, client: client(server), concurrency: 4});
    assert.equal(server.requests.length - before, 2 * llmbar.pairs.length);
    assert.equal(run.errors, 0);
    const summary = summarizePairwise(spec.id, run.judgments, llmbar.humans);
    assert.equal(summary.consistent, llmbar.pairs.length);
    assert.equal(valueOr(summary.stats.orders[0]!.agreement), 1);
    const judge = summary.stats.judges.find((j) => j.rater === spec.id)!;
    assert.equal(valueOr(judge.agreement.accuracy), 1);
  });

  test("a judge that always prefers the first output shown never agrees with itself across orders", async () => {
    server.respondWith("chat", () => answer("A"));
    const run = await judgePairs({spec, pairs: llmbar.pairs.slice(0, 20), client: client(server)});
    const summary = summarizePairwise(spec.id, run.judgments, llmbar.humans);
    assert.equal(summary.consistent, 0);
    assert.equal(summary.counts.tie, 20, "order-dependent answers are ties, not preferences");
    assert.equal(valueOr(summary.stats.orders[0]!.agreement), 0);
    // Shown 1 first it always picks 1: it agrees with gold exactly where gold is 1.
    const goldOnes = llmbar.humans.slice(0, 20).filter((h) => h.label === "1").length;
    const judge = summary.stats.judges.find((j) => j.rater === spec.id)!;
    assert.equal(valueOr(judge.agreement.accuracy), goldOnes / 20);
  });

  test("a failed call or an unreadable answer is an error for that order and leaves the pair without a preference", async () => {
    server.respondWith("chat", null);
    server.enqueue("chat", errorResponse(400, "bad request"), chatCompletion("I prefer A"));
    const run = await judgePairs({spec, pairs: llmbar.pairs.slice(0, 1), client: client(server), concurrency: 1});
    assert.equal(run.errors, 2);
    assert.match(run.calls[0]!.error!, /HTTP 400/);
    assert.match(run.calls[1]!.error!, /not JSON/);
    assert.equal(run.judgments[0]!.preference, null);
  });

  test("a tie from a spec that allows none is an error, not a preference", async () => {
    server.respondWith("chat", () => answer("tie"));
    const strict = {...spec, allowTie: false};
    const run = await judgePairs({spec: strict, pairs: llmbar.pairs.slice(0, 2), client: client(server)});
    assert.equal(run.errors, 4);
    assert.ok(run.judgments.every((j) => j.preference === null));
    assert.match(String((server.requests.at(-1)!.body.messages as {content: string}[])[0]!.content), /must choose/);
  });

  test("reads PandaLM's three annotators, ties included, and measures the judge against their majority", async () => {
    assert.equal(pandalm.pairs.length, 999);
    assert.ok(pandalm.humans.some((h) => h.label === "tie"));
    server.respondWith("chat", () => answer("tie"));
    const run = await judgePairs({spec, pairs: pandalm.pairs.slice(0, 30), client: client(server), concurrency: 6});
    const judged = new Set(pandalm.pairs.slice(0, 30).map((p) => p.pairId));
    const humans = pandalm.humans.filter((h) => judged.has(h.pairId));
    const summary = summarizePairwise(spec.id, run.judgments, humans);
    assert.equal(summary.consistent, 30);
    const judge = summary.stats.judges.find((j) => j.rater === spec.id)!;
    const majorityTies = [...new Set(humans.map((h) => h.pairId))].filter((id) => {
      const labels = humans.filter((h) => h.pairId === id && h.label !== null).map((h) => h.label);
      return labels.filter((l) => l === "tie").length * 2 > labels.length;
    }).length;
    assert.equal(judge.agreement.n, summary.stats.withMajority);
    assert.equal(valueOr(judge.agreement.accuracy), majorityTies / summary.stats.withMajority);
    assert.equal(summary.stats.annotators!.raters.length, 3);
  });
});
