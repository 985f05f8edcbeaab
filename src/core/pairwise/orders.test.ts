import assert from "node:assert/strict";
import {test} from "node:test";
import {PairwiseSpecSchema, parsePairwiseSpec} from "../schemas/pairwise.js";
import {joinOrders, pairClass} from "./orders.js";
import {renderPairwisePrompt} from "./prompt.js";

test("an answer of A or B is read back into the pair's numbering for the order it was shown in", () => {
  assert.equal(pairClass("A", "1-first"), "1");
  assert.equal(pairClass("B", "1-first"), "2");
  assert.equal(pairClass("A", "2-first"), "2");
  assert.equal(pairClass("B", "2-first"), "1");
  assert.equal(pairClass("tie", "2-first"), "tie");
});

test("two orders that agree give their preference; orders that disagree give a tie; a missing one gives none", () => {
  assert.deepEqual(joinOrders("p", "2", "2"), {
    pairId: "p",
    oneFirst: "2",
    twoFirst: "2",
    preference: "2",
    consistent: true
  });
  assert.equal(joinOrders("p", "1", "2").preference, "tie");
  assert.equal(joinOrders("p", "1", "2").consistent, false);
  assert.equal(joinOrders("p", null, "2").preference, null);
});

const spec = PairwiseSpecSchema.parse({
  kind: "pairwise_judge",
  id: "helpful",
  version: "1",
  criterion: "helpful",
  judge: {model: "m", prompt: "Q: {{input}}\nA: {{output_a}}\nB: {{output_b}}"}
});

test("the prompt shows output 2 as A in the swapped order, and never expands placeholders found in outputs", () => {
  const pair = {pairId: "p", input: "q", output1: "one {{criterion}}", output2: "two"};
  assert.equal(renderPairwisePrompt(spec, pair, "1-first")[1]!.content, "Q: q\nA: one {{criterion}}\nB: two");
  assert.equal(renderPairwisePrompt(spec, pair, "2-first")[1]!.content, "Q: q\nA: two\nB: one {{criterion}}");
});

test("a spec must show both outputs and use only known placeholders", () => {
  const bad = parsePairwiseSpec({
    kind: "pairwise_judge",
    id: "x",
    version: "1",
    criterion: "c",
    judge: {model: "m", prompt: "{{output_a}} {{trace}}"}
  });
  assert.ok("errors" in bad);
  assert.match(bad.errors.join("\n"), /unknown placeholder \{\{trace\}\}/);
  assert.match(bad.errors.join("\n"), /must show \{\{output_b\}\}/);
  assert.ok("errors" in parsePairwiseSpec({...spec, format: 2}));
});
