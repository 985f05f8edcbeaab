import assert from "node:assert/strict";
import {describe, test} from "node:test";
import type {RuleContext} from "../evaluator/rule.js";
import {compileRule, safeRegex} from "../evaluator/rule.js";
import type {Condition} from "../schemas/evaluator.js";
import {foldMasks, induceRule, InductionError, ruleConfusion} from "./ruleInduction.js";
import {generateRuleSpec} from "./ruleSpec.js";
import {splitExamples, type LabelledExample} from "./examples.js";
import {textGrams, textPrefixes} from "./textGrams.js";
import {mineFeatures} from "./features.js";

const fillers = [
  "Let me look that up for you.",
  "Here are the details of your booking.",
  "Anything else I can help with today?",
  "I have checked the reservation."
];

function trace(
  i: number,
  parts: {
    assistant?: string;
    user?: string;
    tools?: {name: string; result: string; success: boolean}[];
    attributes?: Record<string, unknown>;
  }
): RuleContext {
  return {
    status: "ok",
    fields: {message_count: 4 + (i % 5), tool_call_count: parts.tools?.length ?? 0},
    messages: [
      {role: "user", direction: "transcript", content: parts.user ?? `Hello, I need help with order ${i}.`},
      {role: "assistant", direction: "transcript", content: fillers[i % fillers.length]!},
      {role: "assistant", direction: "transcript", content: parts.assistant ?? fillers[(i + 1) % fillers.length]!}
    ],
    spans: [{name: "agent", kind: "agent", attributes: parts.attributes ?? {}}],
    toolCalls: (parts.tools ?? []).map((t) => ({...t, arguments: null}))
  };
}

const example = (i: number, outcome: "pass" | "fail", rule: RuleContext): LabelledExample => ({
  traceId: `t${i}`,
  outcome,
  explanation: null,
  rule,
  trace: {messages: rule.messages, toolCalls: rule.toolCalls}
});

/** Failing traces end with the agent apologising that it cannot refund; passing ones do not. */
function refundSet(n = 60): LabelledExample[] {
  return Array.from({length: n}, (_, i) =>
    i % 3 === 0
      ? example(i, "fail", trace(i, {assistant: "I'm sorry, I cannot process a refund for this order."}))
      : example(i, "pass", trace(i, {}))
  );
}

describe("induceRule(train)", () => {
  test("finds the separating n-gram in the turn where it occurs, as a plain contains check", () => {
    const rule = induceRule(refundSet());
    assert.equal(rule.trainMcc, 1);
    assert.equal(rule.terms, 1);
    assert.equal(rule.condition.op, "contains");
    const c = rule.condition as Extract<Condition, {op: "contains"}>;
    // The apology is the last message and an assistant's: either selector reads it.
    assert.ok(
      c.messages.role === "assistant" || (c.messages.role === undefined && c.messages.quantifier === "last"),
      JSON.stringify(c.messages)
    );
    assert.match(
      "i'm sorry, i cannot process a refund for this order.",
      new RegExp(c.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    );
    assert.match(rule.description, /(assistant|last) message contains/);
  });

  test("finds a tool-call pattern: a failed call to one tool, not any call of it", () => {
    const examples = Array.from({length: 60}, (_, i) => {
      const failed = i % 4 === 0;
      const tools = [
        // Some passing traces recover from a failed lookup: "some tool call failed" does not separate.
        i % 5 === 1
          ? {name: "lookup", result: "Error: timeout", success: false}
          : {name: "lookup", result: "{}", success: true},
        {name: "book", result: failed ? "Error: no seats" : '{"ok": true}', success: !failed}
      ];
      return example(i, failed ? "fail" : "pass", trace(i, {tools}));
    });
    const rule = induceRule(examples);
    assert.equal(rule.trainMcc, 1);
    assert.deepEqual(rule.condition, {op: "tool_call", name: "book", failed: true});
  });

  test("composes two features with and when neither alone separates", () => {
    // Failing: the model is "small" AND the user wrote in French. Each alone also holds on passing traces.
    const examples = Array.from({length: 80}, (_, i) => {
      const small = i % 2 === 0;
      const french = i % 4 < 2 ? i % 8 < 4 : i % 8 >= 4;
      const rule = trace(i, {
        attributes: {"gen_ai.request.model": small ? "small" : "large"},
        user: french ? "Bonjour, ma commande est en retard." : "Hi, my order is late."
      });
      return example(i, small && french ? "fail" : "pass", rule);
    });
    const rule = induceRule(examples, {folds: 0});
    assert.equal(rule.trainMcc, 1);
    assert.equal(rule.condition.op, "and");
    assert.equal(rule.terms, 2);
    assert.match(rule.description, / and /);
    assert.ok(rule.bestSingle.trainMcc! < 1);
  });

  test("is deterministic: the same examples give the same rule", () => {
    const a = induceRule(refundSet());
    const b = induceRule(refundSet());
    assert.deepEqual(a.condition, b.condition);
    assert.equal(a.candidatesConsidered, b.candidatesConsidered);
    assert.deepEqual(
      a.alternatives.map((x) => x.description),
      b.alternatives.map((x) => x.description)
    );
  });

  test("literals from trace text are escaped: regex metacharacters in an n-gram cannot reach a regex unescaped", () => {
    const nasty = "(a+)+ [x] $1 \\d* ^end|";
    const examples = Array.from({length: 40}, (_, i) =>
      example(
        i,
        i % 2 === 0 ? "fail" : "pass",
        trace(i, {assistant: i % 2 === 0 ? `Result: ${nasty} failure_code_zzz` : "All good here."})
      )
    );
    const rule = induceRule(examples);
    assert.equal(rule.trainMcc, 1);
    // Every condition an induced rule is made of compiles under the runtime's regex guards.
    const walk = (c: Condition): void => {
      if (c.op === "and") c.all.forEach(walk);
      else if (c.op === "or") c.any.forEach(walk);
      else if (c.op === "not") walk(c.condition);
      else if (c.op === "regex") safeRegex(c.pattern, c.flags);
    };
    walk(rule.condition);
    assert.doesNotThrow(() => compileRule(rule.condition));
    for (const gram of textGrams(nasty))
      assert.ok(!/[()+*[\]^$|\\]/.test(gram.replace(/[^()+*[\]^$|\\]/g, "")) || nasty.toLowerCase().includes(gram));
  });

  test("does not add a clause that only fits a few training traces by chance", () => {
    // The label follows one feature, except for three passing traces that happen to say "weather".
    const examples = Array.from({length: 90}, (_, i) => {
      const fail = i % 3 === 0;
      const odd = !fail && i % 29 === 1;
      return example(
        i,
        fail && !odd ? "fail" : "pass",
        trace(i, {assistant: fail ? "I'm sorry, I cannot process a refund." : odd ? "The weather is nice." : "Done."})
      );
    });
    const rule = induceRule(examples);
    assert.equal(rule.terms, 1, rule.description);
  });

  test("reports progress through mining, the search and every cross-validation fold", () => {
    const seen: [number, number][] = [];
    const rule = induceRule(refundSet(), {onProgress: (done, total) => seen.push([done, total])});
    assert.equal(rule.crossValidation?.folds, 5);
    assert.deepEqual(
      seen.map(([done]) => done),
      [0, 1, 2, 3, 4, 5, 6]
    );
    assert.ok(seen.every(([, total]) => total === 6));
  });

  test("refuses training sets with one class, and says why", () => {
    const all = refundSet().map((e) => ({...e, outcome: "pass" as const}));
    assert.throws(
      () => induceRule(all),
      (error: Error) => error instanceof InductionError && /failing and passing/.test(error.message)
    );
  });
});

describe("generateRuleSpec(split)", () => {
  test("measures the rule on the held-out split only, and records the best single feature as the baseline", () => {
    const examples = refundSet(90);
    // Held-out traces the rule cannot know: failing ones that apologise in other words.
    const split = splitExamples(examples, {heldOut: 0.3, seed: 1});
    const heldOut = split.heldOut.map((e, i) =>
      e.outcome === "fail" && i % 2 === 0
        ? {...e, rule: trace(i, {assistant: "Unfortunately that is not possible."})}
        : e
    );
    const generated = generateRuleSpec(
      {train: split.train, heldOut},
      {
        id: "refund",
        failureMode: "refused refund",
        criterion: "overall",
        labels: "toy",
        measuredAt: "2026-01-01T00:00:00.000Z"
      }
    );
    const expected = ruleConfusion(generated.rule.condition, heldOut);
    assert.deepEqual(generated.heldOut, expected);
    assert.ok(expected.fn > 0, "the reworded held-out failures are missed");
    const calibration = generated.spec.calibration!;
    assert.deepEqual(calibration.confusion, expected);
    assert.equal(calibration.split, "held-out");
    assert.equal(calibration.train!.n, split.train.length);
    assert.equal(calibration.train!.mcc, 1);
    assert.ok(calibration.mcc! < 1);
    assert.match(calibration.baseline!.name, /best single feature/);
  });
});

describe("textGrams(text)", () => {
  test("gives literal lower-case substrings of one to three words, leaving out words with digits", () => {
    const grams = textGrams("Error: payment amount does not add up, total 305");
    assert.ok(grams.includes("error: payment"));
    assert.ok(grams.includes("payment amount does"));
    assert.ok(!grams.some((g) => /305/.test(g)));
    for (const g of grams) assert.ok("error: payment amount does not add up, total 305".includes(g), g);
  });
});

describe("mineFeatures(examples)", () => {
  test("opening words become an anchored regex of the escaped literal that the runtime guards accept and that matches its source", () => {
    const opening = "(a+)+$ [x]* error: {retry} later";
    const examples = Array.from({length: 40}, (_, i) =>
      example(
        i,
        i % 2 === 0 ? "fail" : "pass",
        trace(i, {tools: [{name: "lookup", result: i % 2 === 0 ? opening : '{"ok": true}', success: true}]})
      )
    );
    // Tool results are tool messages too, as an ingested transcript has them.
    for (const e of examples)
      (e.rule.messages as RuleContext["messages"][number][]).push({
        role: "tool",
        direction: "transcript",
        content: e.rule.toolCalls[0]!.result
      });
    const regexes = mineFeatures(examples, {minSupport: 2}).flatMap((f) =>
      f.condition.op === "regex" ? [f.condition] : []
    );
    assert.ok(regexes.length > 0);
    for (const r of regexes) {
      assert.doesNotThrow(() => safeRegex(r.pattern, r.flags), r.pattern);
      assert.match(r.pattern, /^\^\\s\*/);
    }
    const fromOpening = regexes.filter((r) => safeRegex(r.pattern, r.flags).test(opening));
    assert.ok(fromOpening.length > 0, "a prefix of the opening words is mined");
    assert.deepEqual(textPrefixes(opening), ["(a"]);
    const rule = induceRule(examples);
    assert.equal(rule.trainMcc, 1);
    assert.doesNotThrow(() => compileRule(rule.condition));
  });
});

describe("foldMasks(examples, folds)", () => {
  const members = (masks: Uint32Array[], fold: number, n: number) =>
    Array.from({length: n}, (_, i) => i).filter((i) => (masks[fold]![i >> 5]! >>> (i & 31)) & 1);

  test("deals each class round the folds, and keeps a group's examples in one fold", () => {
    const examples = Array.from({length: 40}, (_, i) => ({
      outcome: (i % 4 === 0 ? "fail" : "pass") as "fail" | "pass",
      group: `task-${i % 10}`
    }));
    const masks = foldMasks(examples, 3, 2);
    const foldOf = examples.map((_, i) => masks.findIndex((m) => (m[i >> 5]! >>> (i & 31)) & 1));
    assert.ok(
      foldOf.every((f) => f >= 0),
      "every example is in a fold"
    );
    for (let g = 0; g < 10; g++) {
      assert.equal(new Set(foldOf.filter((_, i) => i % 10 === g)).size, 1, `task-${g} is split across folds`);
    }
    const ungrouped = foldMasks(
      examples.map(({outcome}) => ({outcome})),
      4,
      2
    );
    // 10 failures and 30 passes over 4 folds.
    const perClass = (outcome: string) =>
      [0, 1, 2, 3].map((f) => members(ungrouped, f, 40).filter((i) => examples[i]!.outcome === outcome).length);
    assert.deepEqual(perClass("fail"), [3, 3, 2, 2]);
    assert.deepEqual(perClass("pass"), [8, 8, 7, 7]);
  });
});
