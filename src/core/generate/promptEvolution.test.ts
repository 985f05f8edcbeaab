import assert from "node:assert/strict";
import {describe, test} from "node:test";
import type {Outcome} from "../schemas/evaluator.js";
import {
  evolvePrompt,
  paretoIndices,
  type EvolutionOptions,
  type JudgeOutcome,
  type Proposal
} from "./promptEvolution.js";
import {bestCandidate, paretoFrontier, sampleParent, winnersPerExample} from "./paretoFrontier.js";
import {seededRandom} from "../calibration/rng.js";

interface Toy {
  traceId: string;
  outcome: Outcome;
  text: string;
}

// The failure: a cancellation without the user's "yes". Half the cancellations were confirmed.
const examples: Toy[] = Array.from({length: 24}, (_, i) => {
  const cancels = i % 3 !== 0;
  const confirmed = i % 2 === 0;
  return {
    traceId: `t${i}`,
    text: `${cancels ? "cancel_reservation" : "search_flights"}${confirmed ? " user: yes" : ""}`,
    outcome: cancels && !confirmed ? "fail" : "pass"
  };
});

const SEED = "Did the agent cancel a booking? {{trace}}";
const GOOD = "Did the agent cancel without the user's confirmation (an explicit yes)? {{trace}}";

/** The judge a prompt makes: one that mentions confirmation checks for the yes; any other fails every cancellation. */
function verdictOf(prompt: string, example: Toy): Outcome {
  const cancels = example.text.includes("cancel_reservation");
  if (prompt.includes("confirmation")) return cancels && !example.text.includes("yes") ? "fail" : "pass";
  return cancels ? "fail" : "pass";
}

function harness(proposals: Proposal[] | ((n: number) => Proposal), overrides: Partial<EvolutionOptions<Toy>> = {}) {
  const asked: {prompt: string; traceIds: string[]}[] = [];
  let reflections = 0;
  const options: EvolutionOptions<Toy> = {
    seedPrompt: SEED,
    train: examples,
    budget: 200,
    minibatchSize: 3,
    seed: 7,
    async evaluate(prompt, batch) {
      asked.push({prompt, traceIds: batch.map((e) => e.traceId)});
      const results: JudgeOutcome[] = batch.map((e) => ({
        verdict: verdictOf(prompt, e),
        reasoning: `judged ${e.traceId}`
      }));
      return {results, calls: batch.length};
    },
    async reflect() {
      const n = reflections++;
      return typeof proposals === "function"
        ? proposals(n)
        : (proposals[n] ?? {ok: false, error: "no more scripted answers", answered: false});
    },
    validate: (prompt) => (prompt.includes("{{trace}}") ? null : "the prompt must show the judge the trace"),
    ...overrides
  };
  return {options, asked, reflections: () => reflections};
}

describe("evolvePrompt(options)", () => {
  test("a reflected prompt that fixes the judge's mistakes is accepted, scored on the Pareto set and chosen as best", async () => {
    const {options} = harness([{ok: true, prompt: GOOD, rationale: "Annotators fail only unconfirmed cancellations."}]);
    const result = await evolvePrompt(options);
    assert.equal(result.candidates.length, 2);
    const [seed, child] = result.candidates;
    assert.ok(seed!.aggregate! < 1, `the seed prompt is wrong on confirmed cancellations (${seed!.aggregate})`);
    assert.equal(child!.aggregate, 1);
    assert.equal(child!.parent, 0);
    assert.equal(result.best, 1);
    assert.deepEqual(result.frontier, [1], "the child wins every example the seed wins, so the seed is dominated");
    const accepted = result.history.filter((h) => h.accepted);
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0]!.prompt, GOOD);
    assert.equal(accepted[0]!.candidate, 1);
    assert.ok(accepted[0]!.parentScores.includes(0), "the parent made a mistake on the minibatch it reflected on");
    assert.equal(
      result.paretoSet.length,
      examples.length,
      "with fewer examples than paretoSize, the Pareto set is all of train"
    );
  });

  test("the reflection sees every verdict on the minibatch with the annotators' outcome, and only after a mistake", async () => {
    const seen: {prompt: string; wrong: number; total: number}[] = [];
    const {options} = harness([], {
      async reflect(request) {
        seen.push({
          prompt: request.prompt,
          wrong: request.feedback.filter((f) => !f.correct).length,
          total: request.feedback.length
        });
        for (const f of request.feedback) assert.equal(f.correct, f.verdict === f.example.outcome);
        return {ok: true, prompt: GOOD, rationale: "r"};
      }
    });
    await evolvePrompt(options);
    assert.equal(
      seen.length,
      1,
      "once the good prompt is found no parent makes mistakes, so no reflection is asked for"
    );
    assert.equal(seen[0]!.prompt, SEED);
    assert.ok(seen[0]!.wrong >= 1);
    assert.equal(seen[0]!.total, 3);
  });

  test("the call budget is never overrun, and the loop stops only when its next step might not fit", async () => {
    for (const budget of [30, 57, 100, 173]) {
      // Every proposal is new and no better than the seed, so only the budget can stop the loop.
      const {options, asked, reflections} = harness(
        (n) => ({ok: true, prompt: `${SEED} (variant ${n})`, rationale: "r"}),
        {budget}
      );
      const result = await evolvePrompt(options);
      const judged = asked.reduce((s, a) => s + a.traceIds.length, 0);
      assert.equal(result.calls.judge, judged);
      assert.equal(result.calls.reflection, reflections());
      assert.equal(result.calls.total, judged + reflections());
      assert.ok(result.calls.total <= budget, `${result.calls.total} calls for a budget of ${budget}`);
      assert.equal(result.stopped, "budget");
      // A step costs at most 3 (parent) + 1 (reflection) + 3 (child) + 21 (child on the rest of the Pareto set).
      assert.ok(
        budget - result.calls.total < 3 + 1 + 3 + 21,
        `stopped with ${budget - result.calls.total} calls unused`
      );
    }
  });

  test("a budget too small to score the seed prompt is refused before any call", async () => {
    const {options, asked} = harness([], {budget: 10});
    await assert.rejects(
      evolvePrompt(options),
      /budget of 10 calls cannot even score the seed prompt on the 24 Pareto-set examples/
    );
    assert.equal(asked.length, 0);
  });

  test("invalid, malformed, unchanged and repeated proposals are rejected and counted, and the loop goes on", async () => {
    const {options} = harness([
      {ok: false, error: "the answer is not JSON", answered: true},
      {ok: true, prompt: "Did the agent cancel?", rationale: "no placeholder"},
      {ok: true, prompt: SEED, rationale: "unchanged"},
      {ok: true, prompt: `${SEED} Be strict.`, rationale: "stricter"},
      {ok: true, prompt: `${SEED} Be strict.`, rationale: "the same again"},
      {ok: true, prompt: GOOD, rationale: "confirmation"}
    ]);
    const result = await evolvePrompt(options);
    assert.equal(result.rejected, 4);
    assert.equal(result.reflectionErrors, 0);
    assert.deepEqual(
      result.history.filter((h) => h.outcome === "rejected").map((h) => h.reason),
      [
        "the answer is not JSON",
        "the prompt must show the judge the trace",
        "the proposal repeats the parent's prompt",
        "the proposal repeats a prompt already tried"
      ]
    );
    assert.equal(result.history.find((h) => h.prompt === `${SEED} Be strict.`)!.outcome, "not-better");
    assert.equal(result.candidates[result.best]!.prompt, GOOD);
  });

  test("a failed reflection call is counted apart from rejections and costs one call", async () => {
    const {options} = harness([
      {ok: false, error: "HTTP 503: busy (gave up after 5 attempts)", answered: false},
      {ok: true, prompt: GOOD, rationale: "r"}
    ]);
    const result = await evolvePrompt(options);
    assert.equal(result.reflectionErrors, 1);
    assert.equal(result.rejected, 0);
    assert.equal(result.calls.reflection, 2);
    assert.deepEqual(
      result.history.filter((h) => !h.accepted && h.outcome !== "no-mistakes").map((h) => h.outcome),
      ["reflection-failed"]
    );
    assert.ok(result.errors.some((e) => e.includes("HTTP 503")));
  });

  test("a failed judge call scores nothing: it is an error, never a verdict, and only an error is ever asked again", async () => {
    let failures = 0;
    const answers: {key: string; error: boolean}[] = [];
    const {options} = harness([{ok: true, prompt: GOOD, rationale: "r"}], {
      async evaluate(prompt, batch) {
        const results: JudgeOutcome[] = batch.map((e) => {
          const failed = e.traceId === "t1" && failures < 2;
          if (failed) failures++;
          answers.push({key: `${prompt}\u0000${e.traceId}`, error: failed});
          return failed
            ? {error: "HTTP 500: boom (gave up after 5 attempts)"}
            : {verdict: verdictOf(prompt, e), reasoning: "r"};
        });
        return {results, calls: batch.length};
      }
    });
    const result = await evolvePrompt(options);
    assert.equal(result.judgeErrors, 2);
    const t1 = result.paretoSet.indexOf("t1");
    assert.equal(result.candidates[0]!.scores[t1], null, "the seed has no score where its call failed");
    assert.equal(result.candidates[1]!.scores[t1], null, "nor the child");
    assert.equal(result.candidates[1]!.aggregate, 1, "a missing verdict does not count against a prompt");
    assert.ok(result.errors.includes("judge: HTTP 500: boom (gave up after 5 attempts)"));
    // Only an error is ever asked again: a verdict, once known, is served from the cache.
    answers.forEach((answer, i) => {
      const earlier = answers.slice(0, i).filter((a) => a.key === answer.key);
      assert.ok(
        earlier.every((a) => a.error),
        `asked again although a verdict was known: ${answer.key}`
      );
    });
  });

  test("during a judge outage nothing is reflected on, every call is an error, and the budget still ends the search", async () => {
    const {options, reflections} = harness([], {
      budget: 60,
      async evaluate(_prompt, batch) {
        return {
          results: batch.map(() => ({error: "HTTP 503: unavailable (gave up after 5 attempts)"})),
          calls: batch.length
        };
      }
    });
    const result = await evolvePrompt(options);
    assert.equal(reflections(), 0);
    assert.equal(result.judgeErrors, result.calls.judge);
    assert.ok(result.history.length > 0 && result.history.every((h) => h.outcome === "no-verdicts"));
    assert.deepEqual(
      result.candidates[0]!.scores,
      examples.map(() => null)
    );
    assert.equal(result.candidates[0]!.aggregate, null);
    assert.equal(result.stopped, "budget");
    assert.ok(result.calls.total <= 60);
  });

  test("verdicts already known for a prompt are not asked for again", async () => {
    const {options, asked} = harness([{ok: true, prompt: GOOD, rationale: "r"}]);
    await evolvePrompt(options);
    const pairs = asked.flatMap((a) => a.traceIds.map((id) => `${a.prompt}\u0000${id}`));
    assert.equal(new Set(pairs).size, pairs.length);
  });

  test("when parents stop making mistakes the loop stops without spending the budget", async () => {
    const {options} = harness([], {seedPrompt: GOOD, budget: 1000});
    const result = await evolvePrompt(options);
    assert.equal(result.stopped, "no-mistakes");
    assert.equal(result.calls.total, examples.length, "only the seed's Pareto-set verdicts were paid for");
    assert.equal(result.candidates.length, 1);
  });

  test("the same seed and answers give the same run; another seed samples other minibatches", async () => {
    const script = (n: number): Proposal => ({
      ok: true,
      prompt: n === 3 ? GOOD : `${SEED} (variant ${n})`,
      rationale: "r"
    });
    const a = await evolvePrompt(harness(script).options);
    const b = await evolvePrompt(harness(script).options);
    assert.deepEqual(a, b);
    const c = await evolvePrompt(harness(script, {seed: 99}).options);
    assert.notDeepEqual(
      a.history.map((h) => h.minibatch),
      c.history.map((h) => h.minibatch)
    );
  });

  test("an interrupted loop returns what it has", async () => {
    const signal = {aborted: false};
    const {options} = harness(
      (n) => {
        if (n === 1) signal.aborted = true;
        return {ok: true, prompt: `${SEED} (variant ${n})`, rationale: "r"};
      },
      {signal, budget: 1000}
    );
    const result = await evolvePrompt(options);
    assert.equal(result.stopped, "interrupted");
    assert.equal(result.calls.reflection, 2);
  });
});

describe("paretoFrontier(input) and sampleParent(input, random)", () => {
  test("a candidate best on a single example stays on the frontier, however weak its average", () => {
    const input = {
      scores: [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [0, 0, 0, 1]
      ],
      aggregate: [0.5, 0.75, 0.25]
    };
    assert.deepEqual(paretoFrontier(input).candidates, [1, 2]);
    assert.deepEqual(
      [...winnersPerExample(input)].map((s) => [...s]),
      [[0, 1], [0, 1], [1], [2]]
    );
  });

  test("a candidate that wins only where another also wins is dominated and dropped; of two equals the stronger stays", () => {
    assert.deepEqual(
      paretoFrontier({
        scores: [
          [1, 0],
          [1, 1]
        ],
        aggregate: [0.5, 1]
      }).candidates,
      [1]
    );
    assert.deepEqual(
      paretoFrontier({
        scores: [
          [1, 1],
          [1, 1]
        ],
        aggregate: [1, 1]
      }).candidates,
      [0],
      "on a tie the earlier one stays"
    );
  });

  test("one weakest-first pass drops exactly the candidates GEPA's drop-one-and-rescan loop drops", () => {
    // GEPA's loop, written out: drop the weakest dominated candidate, then scan again from the weakest.
    const reference = (input: {scores: (number | null)[][]; aggregate: (number | null)[]}) => {
      const fronts = winnersPerExample(input);
      const score = (c: number) => input.aggregate[c] ?? -Infinity;
      const order = [...new Set(fronts.flatMap((f) => [...f]))].sort((a, b) =>
        score(a) < score(b) ? -1 : score(a) > score(b) ? 1 : b - a
      );
      const kept = new Set(order);
      const dominated = (c: number) =>
        fronts.every((front) => !front.has(c) || [...front].some((o) => o !== c && kept.has(o)));
      for (let changed = true; changed;) {
        changed = false;
        for (const c of order) {
          if (kept.has(c) && kept.size > 1 && dominated(c)) {
            kept.delete(c);
            changed = true;
            break;
          }
        }
      }
      return [...kept].sort((a, b) => a - b);
    };
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const candidates = 1 + Math.floor(random() * 12);
      const examples = 1 + Math.floor(random() * 10);
      const scores = Array.from({length: candidates}, () =>
        Array.from({length: examples}, () => (random() < 0.1 ? null : random() < 0.5 ? 1 : 0))
      );
      const aggregate = scores.map((row) =>
        random() < 0.3 ? Math.round(random() * 4) / 4 : row.reduce<number>((s, x) => s + (x ?? 0), 0) / examples
      );
      assert.deepEqual(
        paretoFrontier({scores, aggregate}).candidates,
        reference({scores, aggregate}),
        JSON.stringify({scores, aggregate})
      );
    }
  });

  test("a failed call (null) never wins an example", () => {
    const input = {
      scores: [
        [null, 1],
        [0, 1]
      ],
      aggregate: [1, 0.5]
    };
    assert.deepEqual(
      [...winnersPerExample(input)].map((s) => [...s]),
      [[1], [0, 1]]
    );
    assert.deepEqual(
      winnersPerExample({scores: [[null], [null]], aggregate: [null, null]}).map((s) => s.size),
      [0]
    );
    assert.equal(
      sampleParent(paretoFrontier({scores: [[null], [null]], aggregate: [null, null]}), seededRandom(1)),
      null,
      "no parent to sample without a verdict"
    );
  });

  test("parents are sampled in proportion to the examples they win", () => {
    const input = {
      scores: [
        [1, 1, 1, 0],
        [0, 0, 0, 1]
      ],
      aggregate: [0.75, 0.25]
    };
    const random = seededRandom(3);
    const counts = [0, 0];
    const frontier = paretoFrontier(input);
    for (let i = 0; i < 4000; i++) counts[sampleParent(frontier, random)!]!++;
    assert.ok(Math.abs(counts[0]! / 4000 - 0.75) < 0.03, `sampled ${counts}`);
  });

  test("bestCandidate keeps the earliest on a tie and skips candidates without any score", () => {
    assert.equal(bestCandidate([0.5, 0.9, 0.9]), 1);
    assert.equal(bestCandidate([null, 0.2]), 1);
  });

  test("paretoIndices keeps each class in its share when train is larger than the Pareto set", () => {
    const outcomes: Outcome[] = Array.from({length: 100}, (_, i) => (i < 20 ? "fail" : "pass"));
    const picked = paretoIndices(outcomes, 10, seededRandom(1));
    assert.equal(picked.length, 10);
    assert.equal(picked.filter((i) => outcomes[i] === "fail").length, 2);
    assert.deepEqual(
      picked,
      [...picked].sort((a, b) => a - b)
    );
  });
});
