import assert from "node:assert/strict";
import {test} from "node:test";
import {ConditionSchema, JudgeSpecSchema} from "../schemas/evaluator.js";
import {renderJudgePrompt} from "./judgePrompt.js";
import {compileRule, type RuleContext} from "./rule.js";
import {expectedToolCalls, firstNumber, normalizeText, toolCallsMatch} from "./reference.js";

// τ-bench airline task 0's gold action (mia_li_3668's booking), as a dataset case's expected output holds it.
const GOLD = JSON.stringify({
  actions: [
    {
      name: "book_reservation",
      kwargs: {
        user_id: "mia_li_3668",
        origin: "JFK",
        destination: "SEA",
        flight_type: "one_way",
        cabin: "economy",
        flights: [
          {flight_number: "HAT136", date: "2024-05-20"},
          {flight_number: "HAT039", date: "2024-05-20"}
        ],
        total_baggages: 3,
        insurance: "no"
      }
    }
  ]
});
const booked = JSON.parse(GOLD).actions[0].kwargs;

function context(output: string | null, expected: RuleContext["expected"], toolCalls: RuleContext["toolCalls"] = []) {
  return {
    status: "ok",
    fields: {},
    messages: [
      {role: "user", direction: "input", content: "I want to fly from New York to Seattle on May 20."},
      ...(output === null ? [] : [{role: "assistant", direction: "output", content: output}])
    ],
    spans: [],
    toolCalls,
    expected
  } satisfies RuleContext;
}

const fails = (condition: Record<string, unknown>, ctx: RuleContext) =>
  compileRule(ConditionSchema.parse(condition))(ctx);

const expect = (output: string | null, behaviour: string | null = null) => ({output, behaviour});

test("exact, normalized and contains checks fail an output that misses the expected text", () => {
  const ctx = context("Your reservation HAT136 is booked!", expect("your reservation hat136 is booked"));
  assert.equal(fails({op: "expected_mismatch", check: "exact"}, ctx), true);
  assert.equal(fails({op: "expected_mismatch", check: "normalized"}, ctx), false);
  assert.equal(
    fails({op: "expected_mismatch", check: "contains"}, context("OK: HAT136 booked", expect("hat136"))),
    false
  );
  assert.equal(
    fails({op: "expected_mismatch", check: "contains", caseSensitive: true}, context("OK: HAT136", expect("hat136"))),
    true
  );
  assert.equal(normalizeText("  Ça  va — très\tbien!! "), "ça va très bien");
});

test("a trace with no expected value gets what `missing` says, fail by default", () => {
  const ctx = context("anything", null);
  assert.equal(fails({op: "expected_mismatch", check: "exact"}, ctx), true);
  assert.equal(fails({op: "expected_mismatch", check: "exact", missing: "pass"}, ctx), false);
  assert.equal(fails({op: "expected_mismatch", check: "exact"}, context(null, expect("x"))), true, "no answer misses");
});

test("the behaviour can be the reference", () => {
  const ctx = context("I cannot cancel a basic economy fare.", expect(null, "cannot cancel"));
  assert.equal(fails({op: "expected_mismatch", check: "contains", expected: "behaviour"}, ctx), false);
  assert.equal(fails({op: "expected_mismatch", check: "contains"}, ctx), true);
});

test("JSON equality compares the chosen paths, or the whole value, whatever the key order and fences", () => {
  const ctx = context(
    '```json\n{"cabin": "economy", "price": 255, "id": "X"}\n```',
    expect('{"price": 255.0, "cabin": "economy", "id": "Y"}')
  );
  assert.equal(fails({op: "expected_mismatch", check: "json"}, ctx), true);
  assert.equal(fails({op: "expected_mismatch", check: "json", paths: ["$.cabin", "$.price"]}, ctx), false);
  assert.equal(fails({op: "expected_mismatch", check: "json"}, context("not json", expect("{}"))), true);
});

test("expected tool calls: τ-bench's gold action is matched by name and argument paths, in any order unless asked", () => {
  const made = [
    {name: "get_user_details", arguments: '{"user_id": "mia_li_3668"}', result: "{}", success: true},
    {name: "book_reservation", arguments: JSON.stringify({...booked, insurance: "yes"}), result: "{}", success: true}
  ];
  const ctx = context("Booked.", expect(GOLD), made);
  assert.equal(fails({op: "expected_mismatch", check: "tool_calls"}, ctx), true, "all arguments: insurance differs");
  assert.equal(
    fails({op: "expected_mismatch", check: "tool_calls", paths: ["$.flights[*].flight_number", "$.cabin"]}, ctx),
    false
  );
  assert.equal(fails({op: "expected_mismatch", check: "tool_calls"}, context("Booked.", expect(GOLD), [])), true);
  const failed = [
    {name: "book_reservation", arguments: JSON.stringify(booked), result: "Error: no seats", success: false}
  ];
  assert.equal(fails({op: "expected_mismatch", check: "tool_calls"}, context("Sorry.", expect(GOLD), failed)), true);
  assert.equal(
    fails(
      {op: "expected_mismatch", check: "tool_calls"},
      context("Booked.", expect(GOLD), [{...failed[0]!, success: true}])
    ),
    false
  );
  const two = [
    {name: "a", arguments: {x: 1}},
    {name: "b", arguments: {}}
  ];
  const reversed = [
    {name: "b", arguments: "{}"},
    {name: "a", arguments: '{"x": 1}'}
  ];
  assert.equal(toolCallsMatch(two, reversed, {paths: null, ordered: false}), true);
  assert.equal(toolCallsMatch(two, reversed, {paths: null, ordered: true}), false);
  assert.deepEqual(expectedToolCalls('[{"name": "a", "arguments": "{\\"x\\": 1}"}]'), [{name: "a", arguments: {x: 1}}]);
  assert.equal(expectedToolCalls("a refund"), null);
});

test("numeric tolerance compares the first number in each, absolutely or relatively", () => {
  const ctx = context("The refund is $1,234.50 in total.", expect("1230"));
  assert.equal(fails({op: "expected_mismatch", check: "numeric"}, ctx), true);
  assert.equal(fails({op: "expected_mismatch", check: "numeric", tolerance: 5}, ctx), false);
  assert.equal(fails({op: "expected_mismatch", check: "numeric", relativeTolerance: 0.001}, ctx), true);
  assert.equal(fails({op: "expected_mismatch", check: "numeric", relativeTolerance: 0.01}, ctx), false);
  assert.equal(firstNumber("-3.5e2 degrees"), -350);
});

test("a judge prompt's {{expected}} shows the case's expected output, else its behaviour", () => {
  const judge = JudgeSpecSchema.parse({model: "m", prompt: "Answer:\n{{output}}\n\nReference:\n{{expected}}"});
  const trace = {messages: [{role: "assistant", content: "Booked."}], toolCalls: []};
  const about = {criterion: "correct", failureMode: "wrong answer"};
  assert.match(
    renderJudgePrompt(judge, {...trace, expected: expect(GOLD)}, about)[1]!.content,
    /Reference:\n\{"actions"/
  );
  assert.match(
    renderJudgePrompt(judge, {...trace, expected: expect(null, "books HAT136")}, about)[1]!.content,
    /Reference:\nbooks HAT136$/
  );
  assert.match(renderJudgePrompt(judge, trace, about)[1]!.content, /no expected output is recorded/);
});
