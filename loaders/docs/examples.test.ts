// The files in examples/ are what a newcomer copies: each must parse with the schema that reads its kind.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {parseRubric} from "../../src/core/schemas/rubric.js";
import {EvaluatorSpecSchema, parseEvaluatorSpec} from "../../src/core/schemas/evaluator.js";
import {renderJudgePrompt} from "../../src/core/evaluator/judgePrompt.js";
import {parsePairwiseSpec, PAIRWISE_PLACEHOLDERS} from "../../src/core/schemas/pairwise.js";
import {PROJECT_ROOT} from "../workspace/changed.js";

const example = (name: string): unknown => JSON.parse(readFileSync(join(PROJECT_ROOT, "examples", name), "utf8"));

test("the example rubric parses with the rubric schema and keeps every kind of criterion", () => {
  const rubric = parseRubric(example("rubric.json"));
  assert.deepEqual([...new Set(rubric.criteria.map((c) => c.kind))].sort(), [
    "boolean",
    "categorical",
    "numeric",
    "text"
  ]);
  assert.equal(rubric.criteria[0]!.id, "overall");
});

test("the worked llm_judge spec parses with the evaluator schema, and its prompt fills every placeholder", () => {
  const parsed = parseEvaluatorSpec(example("hallucinated-refund-policy.json"));
  assert.ok("spec" in parsed, "errors" in parsed ? parsed.errors.join("\n") : "");
  const spec = EvaluatorSpecSchema.parse(example("hallucinated-refund-policy.json"));
  assert.equal(spec.kind, "llm_judge");
  assert.equal(spec.criterion, "grounded", "a criterion of the example rubric");
  assert.ok(parseRubric(example("rubric.json")).failureModes.some((m) => m.name === spec.failureMode));
  if (spec.kind !== "llm_judge") return;
  const trace = {messages: [{role: "user", content: "Can I get a refund?"}], toolCalls: []};
  const prompt = JSON.stringify(renderJudgePrompt(spec.judge, trace, spec));
  assert.doesNotMatch(prompt, /\{\{/);
  assert.match(prompt, /Refund policy/);
  assert.match(prompt, /Example 2:/);
});

test("the pairwise judge spec parses with the pairwise schema and its prompt shows every placeholder", () => {
  const parsed = parsePairwiseSpec(example("follows-instruction.json"));
  assert.ok("spec" in parsed, "errors" in parsed ? parsed.errors.join("\n") : "");
  assert.equal(parsed.spec.kind, "pairwise_judge");
  for (const name of PAIRWISE_PLACEHOLDERS) assert.match(parsed.spec.judge.prompt, new RegExp(`\\{\\{${name}\\}\\}`));
});
