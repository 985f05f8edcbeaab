import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {canonicalJson, evaluatorVersion, parseEvaluatorSpec, specContent, type EvaluatorSpec} from "./evaluator.js";

const judgeSpec = {
  id: "refund-promise",
  version: "1.0.0",
  failureMode: "promises a refund policy does not allow",
  criterion: "policy",
  kind: "llm_judge",
  judge: {model: "gpt-4o-mini", prompt: "Criterion: {{criterion}}\n\n{{trace}}\n\nPolicy:\n{{references}}"}
};

function parsed(value: unknown): EvaluatorSpec {
  const result = parseEvaluatorSpec(value);
  if ("errors" in result) throw new Error(result.errors.join("; "));
  return result.spec;
}

describe("parseEvaluatorSpec(value)", () => {
  test("a judge spec gets its defaults: trace scope, temperature 0, no examples, empty lineage", () => {
    const spec = parsed(judgeSpec);
    assert.equal(spec.kind, "llm_judge");
    assert.equal(spec.scope, "trace");
    assert.equal(spec.format, 1);
    if (spec.kind !== "llm_judge") return;
    assert.equal(spec.judge.temperature, 0);
    assert.deepEqual(spec.judge.examples, []);
    assert.deepEqual(spec.lineage, {derivedFrom: null, note: ""});
  });

  test("an unknown placeholder is an error that names it", () => {
    const result = parseEvaluatorSpec({...judgeSpec, judge: {...judgeSpec.judge, prompt: "{{trace}} {{tarce}}"}});
    assert.ok("errors" in result);
    assert.match(result.errors.join("\n"), /judge\.prompt: unknown placeholder \{\{tarce\}\}/);
  });

  test("a prompt that never shows the judge the trace is refused", () => {
    const result = parseEvaluatorSpec({...judgeSpec, judge: {...judgeSpec.judge, prompt: "Is it good?"}});
    assert.ok("errors" in result);
    assert.match(result.errors[0]!, /must show the judge the trace/);
  });

  test("a rule spec takes nested and/or/not conditions and refuses unknown operators", () => {
    const rule = {
      id: "tool-error-apology",
      version: "1",
      failureMode: "tool error hidden from the user",
      criterion: "overall",
      kind: "rule",
      rule: {
        op: "and",
        all: [
          {op: "tool_call", failed: true},
          {op: "not", condition: {op: "contains", value: "sorry"}}
        ]
      }
    };
    assert.equal(parsed(rule).kind, "rule");
    const bad = parseEvaluatorSpec({...rule, rule: {op: "eval", code: "process.exit()"}});
    assert.ok("errors" in bad);
    const extra = parseEvaluatorSpec({...rule, rule: {op: "contains", value: "x", code: "1"}});
    assert.ok("errors" in extra, "an unknown key inside a condition is refused");
  });

  test("a spec from a newer format is refused with what to do", () => {
    const result = parseEvaluatorSpec({...judgeSpec, format: 2});
    assert.ok("errors" in result);
    assert.match(result.errors[0]!, /newer.*upgrade Plumbline/);
  });
});

describe("specContent(spec)", () => {
  test("is independent of key order and ignores description, lineage and the human version", () => {
    const a = parsed(judgeSpec);
    const {judge, ...rest} = judgeSpec;
    const b = parsed({
      judge: {prompt: judge.prompt, model: "gpt-4o-mini"},
      description: "new words",
      version: "2.0.0",
      ...Object.fromEntries(
        Object.entries(rest)
          .reverse()
          .filter(([k]) => k !== "version")
      )
    });
    assert.equal(specContent(a), specContent(b));
  });

  test("changes when the prompt, model or criterion changes", () => {
    const base = specContent(parsed(judgeSpec));
    assert.notEqual(specContent(parsed({...judgeSpec, criterion: "tone"})), base);
    assert.notEqual(specContent(parsed({...judgeSpec, judge: {...judgeSpec.judge, model: "gpt-4o"}})), base);
    assert.notEqual(specContent(parsed({...judgeSpec, judge: {...judgeSpec.judge, temperature: 0.5}})), base);
  });

  test("recording calibration figures or a gate threshold does not make a new version", () => {
    const base = specContent(parsed(judgeSpec));
    const calibration = {
      evaluatorVersion: "1.0.0+0123456789ab",
      criterion: "overall",
      labels: "test",
      measuredAt: "2026-01-01T00:00:00Z",
      split: "held-out",
      confusion: {tp: 8, fp: 1, fn: 2, tn: 9},
      mcc: 0.7,
      mccInterval: [0.4, 0.9]
    };
    assert.equal(specContent(parsed({...judgeSpec, calibration, gate: {minPassRate: 0.9}})), base);
  });

  test("asking a spec to run online does not make a new version", () => {
    const base = specContent(parsed(judgeSpec));
    const online = {sample: 0.1, quietSeconds: 60, budget: {perHour: 200, perDay: 2000}};
    assert.equal(specContent(parsed({...judgeSpec, online})), base);
  });

  test("an online block gets its defaults (every trace, 60 s quiet, no budget) and refuses a share above 1", () => {
    assert.deepEqual(parsed({...judgeSpec, online: {}}).online, {
      sample: 1,
      quietSeconds: 60,
      budget: {perHour: null, perDay: null}
    });
    assert.ok("errors" in parseEvaluatorSpec({...judgeSpec, online: {sample: 1.5}}));
    assert.ok("errors" in parseEvaluatorSpec({...judgeSpec, online: {budget: {perMinute: 3}}}));
  });

  test("a calibration block with an unknown field or an MCC outside [-1, 1] is refused", () => {
    const calibration = {
      evaluatorVersion: "v",
      criterion: "overall",
      labels: "",
      measuredAt: "2026-01-01T00:00:00Z",
      split: "all",
      confusion: {tp: 1, fp: 0, fn: 0, tn: 1},
      mcc: 1.5,
      mccInterval: null
    };
    assert.ok("errors" in parseEvaluatorSpec({...judgeSpec, calibration}));
    assert.ok("errors" in parseEvaluatorSpec({...judgeSpec, calibration: {...calibration, mcc: 1, extra: true}}));
    assert.ok("spec" in parseEvaluatorSpec({...judgeSpec, calibration: {...calibration, mcc: 1}}));
  });

  test("canonicalJson sorts keys at every depth", () => {
    assert.equal(
      canonicalJson({b: 1, a: {d: [2, {y: 1, x: 0}], c: null}}),
      '{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}'
    );
  });

  test("evaluatorVersion joins the human version and 12 hex digits of the hash", () => {
    assert.equal(evaluatorVersion({version: "1.2.0"}, "0123456789abcdef0123"), "1.2.0+0123456789ab");
  });
});
