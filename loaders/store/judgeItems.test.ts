import assert from "node:assert/strict";
import {rmSync} from "node:fs";
import {after, before, test} from "node:test";
import {compileRule} from "../../src/core/evaluator/rule.js";
import {traceText} from "../../src/core/evaluator/judgePrompt.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {withReadConnection} from "./db.js";
import {missingTraces, readJudgeItems} from "./judgeItems.js";
import {tempDir} from "../fixtures/tempDir.js";

let workspace: string;
before(async () => {
  workspace = tempDir("items");
  await writeFixtureWorkspace(workspace, fixtureTraces());
});
after(() => rmSync(workspace, {recursive: true, force: true}));

test("readJudgeItems gives rules the trace's numbers, messages, span attributes and tool calls from the store", async () => {
  const items = await withReadConnection(workspace, (c) =>
    readJudgeItems(c, {traceIds: ["trace-refund", "trace-timeout"]})
  );
  assert.deepEqual(
    items.map((i) => i.traceId),
    ["trace-refund", "trace-timeout"]
  );
  const refund = items[0]!;
  assert.equal(refund.rule.fields.tool_error_count, 1);
  assert.equal(refund.rule.fields.latency_ms, 4200);
  assert.equal(compileRule({op: "tool_call", name: "lookup_order", failed: true})(refund.rule), true);
  assert.equal(
    compileRule({op: "jsonpath", path: "$.gen_ai.request.model", test: {equals: "gpt-4o"}, quantifier: "any"})(
      refund.rule
    ),
    true
  );
  assert.equal(
    compileRule({
      op: "contains",
      value: "919, sorry",
      caseSensitive: false,
      messages: {role: "user", quantifier: "last"}
    })(refund.rule),
    true
  );
  assert.equal(compileRule({op: "status", is: "error"})(items[1]!.rule), true);
  const text = traceText(refund.trace);
  assert.ok(text.indexOf("Where is my refund") < text.indexOf("It is 919"), "messages stay in order");
  assert.match(text, /lookup_order\(\{"order_id": 991\}\) → FAILED/);
});

test("limit takes the earliest traces, and unknown ids are reported", async () => {
  const items = await withReadConnection(workspace, (c) => readJudgeItems(c, {limit: 2}));
  assert.equal(items.length, 2);
  assert.equal(items[0]!.traceId, "trace-refund");
  assert.deepEqual(await withReadConnection(workspace, (c) => missingTraces(c, ["trace-refund", "nope", "it's"])), [
    "nope",
    "it's"
  ]);
});
