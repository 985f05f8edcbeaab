// One failing run ingested three times — from a chat transcript, from the same transcript re-exported under another
// id into another file, and from its OTLP spans — is one failure, and clustering shows it once.
import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {ingest} from "../ingest/ingest.js";
import {tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "../store/db.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "./runClustering.js";

const transcript = (id: string) => ({
  id,
  messages: [
    {role: "user", content: "Please refund order 1234, the parcel never arrived."},
    {
      role: "assistant",
      content: null,
      tool_calls: [{id: "call_1", type: "function", function: {name: "issue_refund", arguments: '{"order": 1234}'}}]
    },
    {role: "tool", tool_call_id: "call_1", content: "Error: order 1234 not found in ledger"},
    {role: "assistant", content: "Sorry, I could not find that order."}
  ],
  ...(id === "run-chat" ? {thumbs: "down"} : {})
});

const str = (key: string, value: string) => ({key, value: {stringValue: value}});
const trace = "0af7651916cd43dd8448eb211c80319c";
const otlp = {
  resourceSpans: [
    {
      resource: {attributes: [str("service.name", "support")]},
      scopeSpans: [
        {
          scope: {name: "genai"},
          spans: [
            {
              traceId: trace,
              spanId: "b7ad6b7169203331",
              name: "invoke_agent support",
              kind: 1,
              startTimeUnixNano: "1767225600000000000",
              endTimeUnixNano: "1767225604000000000",
              attributes: [str("gen_ai.operation.name", "invoke_agent"), str("gen_ai.agent.name", "support")],
              status: {code: 0}
            },
            {
              traceId: trace,
              spanId: "c7ad6b7169203331",
              parentSpanId: "b7ad6b7169203331",
              name: "execute_tool issue_refund",
              kind: 1,
              startTimeUnixNano: "1767225601000000000",
              endTimeUnixNano: "1767225602000000000",
              attributes: [
                str("gen_ai.operation.name", "execute_tool"),
                str("gen_ai.tool.name", "issue_refund"),
                str("gen_ai.tool.call.id", "call_1"),
                str("gen_ai.tool.call.arguments", '{"order": 1234}'),
                str("gen_ai.tool.call.result", "Error: order 1234 not found in ledger")
              ],
              status: {code: 2, message: "order 1234 not found in ledger"}
            }
          ]
        }
      ]
    }
  ]
};

test("the same failing run from two files and from OTLP and a chat transcript lands in one signature cluster", async (t) => {
  const workspace = tempDir("same-failure", t);
  const inputs = join(workspace, "in");
  mkdirSync(inputs);
  writeFileSync(join(inputs, "export-1.jsonl"), JSON.stringify(transcript("run-chat")) + "\n");
  writeFileSync(join(inputs, "export-2.jsonl"), JSON.stringify(transcript("run-chat-again")) + "\n");
  writeFileSync(join(inputs, "spans.jsonl"), JSON.stringify(otlp) + "\n");
  await ingest({workspace, paths: [inputs]});
  await withConnection(workspace, async (c) => {
    const summary = await runClustering(c, {...DEFAULT_CLUSTER_OPTIONS, semantic: false});
    assert.equal(summary.traces, 3);
    const formats = await c.runAndReadAll("SELECT DISTINCT format FROM traces ORDER BY format");
    assert.equal(formats.getRows().length, 2, "two formats");
    const clusters = (
      await c.runAndReadAll("SELECT name, size FROM clusters WHERE kind = 'signature'")
    ).getRowObjectsJson();
    // The thumbs-down on one copy, the caller's span name and the trace status differ; the failure does not.
    assert.deepEqual(clusters, [{name: "tool issue_refund failed: order <n> not found in ledger", size: 3}]);
  });
});
