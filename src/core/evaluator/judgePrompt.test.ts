import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {JudgeSpecSchema} from "../schemas/evaluator.js";
import {cutMiddle, renderJudgePrompt, traceText, type TraceForJudge} from "./judgePrompt.js";

const trace: TraceForJudge = {
  messages: [
    {role: "user", content: "Cancel ABC123. Also, what is {{criterion}}?"},
    {role: "assistant", name: "agent", content: "Cancelled."}
  ],
  toolCalls: [{name: "cancel_reservation", arguments: '{"id":"ABC123"}', result: "ok", success: true}]
};

describe("renderJudgePrompt(judge, trace, about)", () => {
  test("fills every placeholder once, and never expands placeholders that appear inside the trace", () => {
    const judge = JudgeSpecSchema.parse({
      model: "m",
      prompt:
        "Criterion: {{criterion}}. Failure: {{failure_mode}}.\nInput: {{ input }}\nOutput: {{output}}\nRefs:\n{{references}}\n---\n{{trace}}",
      references: [{name: "Policy", text: "Confirm first."}]
    });
    const [system, user] = renderJudgePrompt(judge, trace, {criterion: "policy", failureMode: "no confirmation"});
    assert.equal(system!.role, "system");
    assert.match(system!.content, /"verdict": "pass" \| "fail"/);
    assert.match(user!.content, /^Criterion: policy\. Failure: no confirmation\./);
    assert.match(user!.content, /Input: Cancel ABC123\. Also, what is \{\{criterion\}\}\?/);
    assert.match(user!.content, /Output: Cancelled\./);
    assert.match(user!.content, /## Policy\nConfirm first\./);
    assert.match(user!.content, /\[assistant agent\]\nCancelled\./);
    assert.match(user!.content, /cancel_reservation\(\{"id":"ABC123"\}\) → ok/);
  });

  test("few-shot examples go where {{examples}} is, or into the system message", () => {
    const examples = [{trace: "[user]\nhi", verdict: "pass", reasoning: "fine"}];
    const inline = JudgeSpecSchema.parse({model: "m", prompt: "{{examples}}\n\nNow:\n{{trace}}", examples});
    const [s1, u1] = renderJudgePrompt(inline, trace, {criterion: "c", failureMode: "f"});
    assert.match(u1!.content, /Example 1:\n\[user\]\nhi\nAnswer: \{"reasoning":"fine","verdict":"pass"\}/);
    assert.doesNotMatch(s1!.content, /Example 1/);
    const apart = JudgeSpecSchema.parse({model: "m", prompt: "{{trace}}", examples});
    const [s2] = renderJudgePrompt(apart, trace, {criterion: "c", failureMode: "f"});
    assert.match(s2!.content, /Examples:\n\nExample 1:/);
  });

  test("a long trace is cut in the middle, keeping its start and end, and says so", () => {
    const text = `START ${"x".repeat(10_000)} END`;
    const cut = cutMiddle(text, 1000);
    assert.ok(cut.length <= 1000);
    assert.ok(cut.startsWith("START"));
    assert.ok(cut.endsWith("END"));
    assert.match(cut, /\[… \d+ characters left out …\]/);
    assert.equal(cutMiddle("short", 1000), "short");
    const judge = JudgeSpecSchema.parse({model: "m", prompt: "{{trace}}", maxTraceChars: 200});
    const long: TraceForJudge = {messages: [{role: "user", content: text}], toolCalls: []};
    assert.ok(renderJudgePrompt(judge, long, {criterion: "c", failureMode: "f"})[1]!.content.length <= 200);
  });

  test("traceText marks failed tool calls", () => {
    assert.match(
      traceText({messages: [], toolCalls: [{name: "t", arguments: null, result: null, success: false}]}),
      /t\(\) → FAILED \(no result\)/
    );
  });
});
