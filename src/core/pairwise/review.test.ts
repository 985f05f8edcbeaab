import assert from "node:assert/strict";
import {test} from "node:test";
import type {ExperimentCase, ExperimentSide} from "../experiments/compare.js";
import {pairwiseChoiceEvent, parsePairwiseChoiceEvent} from "../schemas/pairwiseChoice.js";
import {blindOrder, type BlindChoice} from "./blind.js";
import {currentChoices, experimentPairs, pairIdOf, reviewAgreement, type PairwiseChoice} from "./review.js";

const side = (name: string, outputs: (string | null)[]): ExperimentSide => ({
  name,
  cases: outputs.map((output, i): ExperimentCase => ({
    caseId: `case-${i}`,
    traceId: `${name}-${i}`,
    input: `question ${i}`,
    output,
    error: output === null ? "failed" : null,
    costUsd: null,
    latencyMs: null,
    verdicts: {}
  }))
});

let n = 0;
/** The event a reviewer who prefers `experiment` (or a tie) sends, choosing as shown in their blind order. */
function choose(reviewer: string, caseId: string, prefer: "fixed" | "regressed" | "tie"): PairwiseChoice {
  const experiments: [string, string] = ["fixed", "regressed"];
  const order = blindOrder(reviewer, pairIdOf(experiments, caseId));
  const shownFirst = order === "1-first" ? "fixed" : "regressed";
  const choice: BlindChoice = prefer === "tie" ? "tie" : prefer === shownFirst ? "A" : "B";
  const made = pairwiseChoiceEvent({experiments, caseId, reviewer, order, choice}, {eventId: `e${n++}`, at: n});
  assert.ok("event" in made, JSON.stringify(made));
  return made.event;
}

test("two experiments' pairs are the cases both answered, numbered by sorted name whichever side is given first", () => {
  const pairs = experimentPairs(side("zeta", ["z0", null, "z2"]), side("alpha", ["a0", "a1", "a2"]));
  assert.deepEqual(
    pairs.map((p) => [p.pairId, p.output1, p.output2]),
    [
      ["alpha|zeta|case-0", "a0", "z0"],
      ["alpha|zeta|case-2", "a2", "z2"]
    ]
  );
  assert.deepEqual(experimentPairs(side("alpha", ["a0", "a1", "a2"]), side("zeta", ["z0", null, "z2"])), pairs);
});

test("a choice made as shown is revealed as the experiment the reviewer preferred, whichever order they saw", () => {
  const orders = new Set<string>();
  for (let i = 0; i < 20; ++i) {
    const c = choose("ana", `case-${i}`, "regressed");
    orders.add(c.order);
    assert.equal(c.preferred, "regressed");
    assert.equal(c.preference, "2");
    assert.equal(c.shown, c.order === "1-first" ? "B" : "A");
  }
  assert.equal(orders.size, 2, "ana saw both orders over twenty pairs");
  assert.equal(choose("ana", "case-0", "tie").preferred, null);
});

test("a choice in an order other than the reviewer's blind one, or with the experiments unsorted, is refused", () => {
  const experiments: [string, string] = ["fixed", "regressed"];
  const order = blindOrder("ana", pairIdOf(experiments, "case-1"));
  const other = order === "1-first" ? "2-first" : "1-first";
  const stamp = {eventId: "x", at: 1};
  const wrong = pairwiseChoiceEvent({experiments, caseId: "case-1", reviewer: "ana", order: other, choice: "A"}, stamp);
  assert.ok("error" in wrong && /reload the page/.test(wrong.error), JSON.stringify(wrong));
  const unsorted = pairwiseChoiceEvent(
    {experiments: ["regressed", "fixed"], caseId: "case-1", reviewer: "ana", order, choice: "A"},
    stamp
  );
  assert.ok("error" in unsorted && /sorted by name/.test(unsorted.error));
  const bad = pairwiseChoiceEvent({experiments, caseId: "case-1", reviewer: "ana", order, choice: "C"}, stamp);
  assert.ok("error" in bad);
});

test("a log line whose revealed choice does not follow from the shown one, or from a newer format, is not read", () => {
  const event = choose("bo", "case-3", "fixed");
  assert.ok(parsePairwiseChoiceEvent(JSON.parse(JSON.stringify(event))).ok);
  const forged = {...event, preferred: "regressed", preference: event.preference === "1" ? "2" : "1"};
  const read = parsePairwiseChoiceEvent(forged);
  assert.ok(!read.ok && /does not follow/.test(read.reason));
  const newer = parsePairwiseChoiceEvent({...event, version: 2});
  assert.ok(!newer.ok && /upgrade Plumbline/.test(newer.reason));
});

test("the last choice in log order counts per pair and reviewer", () => {
  const first = choose("ana", "case-0", "fixed");
  const changed = choose("ana", "case-0", "regressed");
  const other = choose("bo", "case-0", "fixed");
  assert.deepEqual(
    currentChoices([first, other, changed]).map((c) => [c.reviewer, c.preferred]),
    [
      ["bo", "fixed"],
      ["ana", "regressed"]
    ]
  );
});

test("reviewers who agree on 8 of 10 pairs, and a judge that agrees with them but flips with the order on 2, are measured as such", () => {
  const choices: PairwiseChoice[] = [];
  for (let i = 0; i < 10; ++i) {
    choices.push(choose("ana", `case-${i}`, "fixed"));
    choices.push(choose("bo", `case-${i}`, i < 8 ? "fixed" : "regressed"));
  }
  const pairId = (i: number) => pairIdOf(["fixed", "regressed"], `case-${i}`);
  const verdicts = Array.from({length: 10}, (_, i) => [
    {judgeId: "judge", pairId: pairId(i), order: "1-first" as const, preference: "1" as const},
    // Shown the regressed output first, the judge picks it on two pairs: position bias.
    {
      judgeId: "judge",
      pairId: pairId(i),
      order: "2-first" as const,
      preference: i < 2 ? ("2" as const) : ("1" as const)
    }
  ]).flat();
  const agreement = reviewAgreement(choices, verdicts);
  assert.equal(agreement.pairs, 10);
  assert.deepEqual(agreement.reviewers, ["ana", "bo"]);
  assert.deepEqual(agreement.humans.annotatorPairs[0]!.agreement.accuracy, {value: 0.8});
  const judge = agreement.judges[0]!;
  assert.equal(judge.judgeId, "judge");
  assert.equal(judge.summary.consistent, 8);
  assert.deepEqual(judge.summary.counts, {"1": 8, "2": 0, tie: 2, none: 0});
  const order = judge.summary.stats.orders[0]!;
  assert.equal(order.n, 10);
  assert.deepEqual(order.agreement, {value: 0.8});
});
