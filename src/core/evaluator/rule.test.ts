import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {ConditionSchema, type Condition} from "../schemas/evaluator.js";
import {RE2JS} from "re2js";
import {compileRule, parseJsonPath, resolvePath, ruleOutcome, RuleError, safeRegex, type RuleContext} from "./rule.js";
import {scopedContexts, threadContext} from "./scope.js";

const trace: RuleContext = {
  status: "error",
  fields: {latency_ms: 5200, total_tokens: 1800, cost_usd: null, tool_error_count: 1},
  messages: [
    {role: "system", direction: "input", content: "You are an airline agent.", spanId: "s1"},
    {role: "user", direction: "input", content: "Please cancel booking ABC123 and refund me.", spanId: "s1"},
    {role: "assistant", direction: "output", content: "Your refund of $500 has been issued.", spanId: "s1"},
    {role: "user", direction: "input", content: "Thanks!", spanId: "s2"},
    {role: "assistant", direction: "output", content: "You're welcome.", spanId: "s2"}
  ],
  spans: [
    {
      spanId: "s1",
      name: "chat",
      kind: "llm",
      attributes: {
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.request.model": "gpt-4o",
        nested: {list: [{x: 1}, {x: 7}]}
      }
    },
    {
      spanId: "s2",
      name: "cancel_reservation",
      kind: "tool",
      attributes: {"tool.status": "error", "gen_ai.usage.input_tokens": "300"}
    }
  ],
  toolCalls: [
    {
      name: "cancel_reservation",
      arguments: '{"reservation_id":"ABC123"}',
      result: "KeyError",
      success: false,
      spanId: "s2"
    },
    {name: "get_user", arguments: "{}", result: "{}", success: true, spanId: "s2"}
  ]
};

function check(condition: unknown, context: RuleContext = trace): boolean {
  return compileRule(ConditionSchema.parse(condition) as Condition)(context);
}

describe("compileRule(condition)", () => {
  test("regex reads only the chosen messages", () => {
    assert.equal(check({op: "regex", pattern: "refund (of|has)", messages: {role: "assistant"}}), true);
    assert.equal(check({op: "regex", pattern: "cancel booking", messages: {role: "assistant"}}), false);
    assert.equal(check({op: "regex", pattern: "cancel booking", messages: {direction: "input"}}), true);
  });

  test("first, last and all quantifiers pick the messages a check must hold for", () => {
    assert.equal(check({op: "contains", value: "refund", messages: {role: "assistant", quantifier: "first"}}), true);
    assert.equal(check({op: "contains", value: "refund", messages: {role: "assistant", quantifier: "last"}}), false);
    assert.equal(check({op: "regex", pattern: "\\.|!", messages: {role: "user", quantifier: "all"}}), true);
    assert.equal(
      check({op: "contains", value: "e", messages: {role: "tool", quantifier: "all"}}),
      false,
      "all over no messages is false"
    );
  });

  test("contains is case-insensitive unless asked, and treats its value literally", () => {
    assert.equal(check({op: "contains", value: "REFUND OF $500"}), true);
    assert.equal(check({op: "contains", value: "REFUND", caseSensitive: true}), false);
    assert.equal(check({op: "contains", value: "$500 has"}), true);
  });

  test("jsonpath resolves flattened dotted keys, nested lists and numeric strings", () => {
    assert.equal(check({op: "jsonpath", path: "$.gen_ai.usage.input_tokens", test: {gt: 1000}}), true);
    assert.equal(
      check({op: "jsonpath", path: "$['gen_ai.usage.input_tokens']", test: {gt: 1000}, quantifier: "all"}),
      false
    );
    assert.equal(check({op: "jsonpath", path: "$.gen_ai.usage.input_tokens", spanKind: "tool", test: {eq: 300}}), true);
    assert.equal(check({op: "jsonpath", path: "$.nested.list[*].x", test: {gte: 7}}), true);
    assert.equal(check({op: "jsonpath", path: "$.nested.list[0].x", test: {gte: 7}}), false);
    assert.equal(check({op: "jsonpath", path: "$.gen_ai.request.model", test: {equals: "gpt-4o"}}), true);
    assert.equal(check({op: "jsonpath", path: "$.tool.status", test: {matches: "^err"}}), true);
    assert.equal(check({op: "jsonpath", path: "$.missing", test: {exists: false}}), true);
  });

  test("tool_call predicates count matching calls", () => {
    assert.equal(check({op: "tool_call", name: "cancel_reservation", failed: true}), true);
    assert.equal(check({op: "tool_call", name: "get_user", failed: true}), false);
    assert.equal(check({op: "tool_call", argumentsContain: "ABC123"}), true);
    assert.equal(check({op: "tool_call", count: {gte: 3}}), false);
    assert.equal(check({op: "tool_call", count: {eq: 2}}), true);
  });

  test("thresholds test trace numbers, and a missing number follows `missing`", () => {
    assert.equal(check({op: "threshold", field: "latency_ms", test: {gt: 5000}}), true);
    assert.equal(check({op: "threshold", field: "total_tokens", test: {gt: 5000}}), false);
    assert.equal(check({op: "threshold", field: "cost_usd", test: {gt: 1}}), false);
    assert.equal(check({op: "threshold", field: "cost_usd", test: {gt: 1}, missing: "fail"}), true);
  });

  test("and, or and not combine", () => {
    const failedTool = {op: "tool_call", failed: true};
    const apology = {op: "contains", value: "sorry", messages: {role: "assistant"}};
    assert.equal(check({op: "and", all: [failedTool, {op: "not", condition: apology}]}), true);
    assert.equal(check({op: "and", all: [failedTool, apology]}), false);
    assert.equal(check({op: "or", any: [apology, {op: "status", is: "error"}]}), true);
  });

  test("ruleOutcome says fail when the failure condition holds", () => {
    assert.equal(ruleOutcome(compileRule({op: "status", is: "error"}), trace), "fail");
    assert.equal(ruleOutcome(compileRule({op: "status", is: "ok"}), trace), "pass");
  });
});

describe("safeRegex(pattern)", () => {
  test("refuses backreferences and lookaheads, naming the pattern and what RE2 lacks", () => {
    for (const pattern of ["(a)\\1", "(?<x>a)\\k<x>", "refund(?= of)", "a(?!b)"]) {
      assert.throws(
        () => safeRegex(pattern),
        (error: Error) =>
          error instanceof RuleError &&
          error.message.includes(JSON.stringify(pattern)) &&
          /not supported by RE2/.test(error.message),
        pattern
      );
    }
    assert.throws(() => safeRegex("a{2000}"), /regex "a\{2000\}": RE2.*cannot compile it.*repeat count/);
    assert.throws(() => safeRegex("(unclosed"), /regex "\(unclosed": Invalid regular expression/);
  });

  test("compiles every pattern with RE2, nested quantifiers included, since RE2 matches in linear time", () => {
    for (const pattern of [
      "refund (of|has)",
      "(ab)+c",
      "[(+)]+",
      "\\(a+\\)+",
      "^\\d{3}-\\d{4}$",
      "(?:error|fail)ed",
      "a(b|c)d+",
      "(a+)+$",
      "(a|aa)*b",
      "(\\w+\\s?)*$",
      "(?<=refund )of"
    ]) {
      assert.ok(safeRegex(pattern) instanceof RE2JS, pattern);
    }
  });

  test("patterns that backtrack for minutes in V8 give their verdicts at once on 3,000 and 50,000 characters", () => {
    const message = (content: string): RuleContext => ({
      ...trace,
      messages: [{role: "user", direction: "input", content}]
    });
    const rule = (pattern: string) =>
      compileRule({op: "regex", pattern, flags: "", messages: {quantifier: "any"}}, {maxInputChars: 60_000});
    for (const n of [3_000, 50_000]) {
      const as = "a".repeat(n);
      const spaces = " ".repeat(n);
      assert.equal(rule("a*a*c")(message(as)), false, `a*a*c on ${n}`);
      assert.equal(rule("a*a*c")(message(`${as}c`)), true, `a*a*c on ${n} + c`);
      assert.equal(rule("\\s*\\s*x")(message(spaces)), false, `\\s*\\s*x on ${n}`);
      assert.equal(rule("\\s*\\s*x")(message(`${spaces}x`)), true, `\\s*\\s*x on ${n} + x`);
      assert.equal(rule("(a+)+$")(message(`${as}!`)), false, `(a+)+$ on ${n} + !`);
      assert.equal(rule("(a+)+$")(message(as)), true, `(a+)+$ on ${n}`);
      assert.equal(rule("(a|aa)*b")(message(as)), false, `(a|aa)*b on ${n}`);
      assert.equal(rule("(a|aa)*b")(message(`${as}b`)), true, `(a|aa)*b on ${n} + b`);
      // The default cut at 10,000 characters leaves these patterns cubic or exponential on what it keeps in V8.
      assert.equal(
        compileRule({op: "regex", pattern: "a*a*c", flags: "", messages: {quantifier: "any"}})(message(as)),
        false
      );
      const attribute = {...trace, spans: [{name: "tool", kind: "tool", attributes: {output: `${as}!`}}]};
      assert.equal(
        compileRule(
          {op: "jsonpath", path: "$.output", test: {matches: "^(a|aa)*$", flags: ""}, quantifier: "any"},
          {maxInputChars: 60_000}
        )(attribute),
        false
      );
    }
  });

  test("a long message is cut before a regex reads it", () => {
    const tail = {...trace, messages: [{role: "user", direction: "input", content: `${"x".repeat(20_000)}NEEDLE`}]};
    assert.equal(compileRule({op: "regex", pattern: "NEEDLE", flags: "", messages: {quantifier: "any"}})(tail), false);
    assert.equal(
      compileRule(
        {op: "regex", pattern: "NEEDLE", flags: "", messages: {quantifier: "any"}},
        {maxInputChars: 30_000}
      )(tail),
      true
    );
  });
});

describe("JSONPath", () => {
  test("parses keys, quoted keys, indexes and wildcards, and refuses recursive descent", () => {
    assert.deepEqual(parseJsonPath("$.a['b.c'][2][*]"), [{key: "a"}, {key: "b.c"}, {index: 2}, {wildcard: true}]);
    assert.throws(() => parseJsonPath("$..a"), /recursive descent/);
    assert.throws(() => parseJsonPath("$.a[?(@.x)]"), RuleError);
  });

  test("resolvePath returns null when nothing is there", () => {
    assert.equal(resolvePath({a: 1}, parseJsonPath("$.b")), null);
    assert.deepEqual(resolvePath({a: [1, 2]}, parseJsonPath("$.a[*]")), [1, 2]);
  });
});

describe("scopes", () => {
  test("span scope gives each span only its own messages and tool calls", () => {
    const units = scopedContexts("span", "t1", [trace]);
    assert.deepEqual(
      units.map((u) => u.unit),
      ["s1", "s2"]
    );
    assert.equal(units[1]!.context.messages.length, 2);
    assert.equal(units[1]!.context.toolCalls.length, 2);
    assert.equal(units[0]!.context.toolCalls.length, 0);
  });

  test("thread scope joins a session's traces", () => {
    const ok: RuleContext = {status: "ok", fields: {total_tokens: 200}, messages: [], spans: [], toolCalls: []};
    const thread = threadContext([trace, ok]);
    assert.equal(thread.status, "error");
    assert.equal(thread.fields.total_tokens, 2000);
    assert.equal(thread.messages.length, 5);
  });
});
