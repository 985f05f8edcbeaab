import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {emptyFragment, type Fragment, type Message, type Span} from "../../src/core/schemas/trace.js";
import {stageFragment} from "../ingest/convert.js";
import {ingest} from "../ingest/ingest.js";
import {StagingWriter} from "../ingest/stagingWriter.js";
import {otlpRequest} from "../fixtures/otlpBuild.js";
import {withConnection, withReadConnection} from "./db.js";
import {mergeStaged} from "../ingest/stage.js";
import {tempDir} from "../fixtures/tempDir.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const OTHER = "1bf7651916cd43dd8448eb211c80319d";

async function firstUserMessages(workspace: string): Promise<Record<string, unknown>[]> {
  return withReadConnection(workspace, async (connection) => {
    const result = await connection.runAndReadAll("SELECT trace_id, first_user_message FROM traces ORDER BY trace_id");
    return result.getRowObjectsJS() as Record<string, unknown>[];
  });
}

/** One OTLP line: a chat span of `trace` starting `second` seconds into the trace, asked `question`. */
function chatLine(trace: string, spanId: string, second: number, question: string, system = "Be brief."): string {
  const start = (1_760_000_000n + BigInt(second)) * 1_000_000_000n;
  return JSON.stringify(
    otlpRequest([
      {
        traceId: trace,
        spanId,
        name: "chat",
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 500_000_000n),
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.input.messages": JSON.stringify([
            {role: "system", parts: [{type: "text", content: system}]},
            {role: "user", parts: [{type: "text", content: question}]}
          ])
        }
      }
    ])
  );
}

test("a trace's first user message is its earliest span's, whichever record, file or worker holds that span", async () => {
  const dir = tempDir("first-user");
  // Out of time order across lines; the other trace asks twice in one span's input, and the first asked counts.
  const lines = [
    chatLine(TRACE, "00000000000000c3", 30, "third"),
    chatLine(TRACE, "00000000000000a1", 10, "first"),
    chatLine(OTHER, "00000000000000b1", 5, "only"),
    chatLine(TRACE, "00000000000000b2", 20, "second")
  ];
  writeFileSync(join(dir, "a.jsonl"), lines.slice(0, 2).join("\n") + "\n");
  writeFileSync(join(dir, "b.jsonl"), lines.slice(2).join("\n") + "\n");
  const expected = [
    {trace_id: TRACE, first_user_message: "first"},
    {trace_id: OTHER, first_user_message: "only"}
  ].sort((x, y) => x.trace_id.localeCompare(y.trace_id));
  for (const workers of [0, 2]) {
    const workspace = join(dir, `ws${workers}`);
    await ingest({workspace, paths: [join(dir, "a.jsonl"), join(dir, "b.jsonl")], workers, workerThresholdBytes: 0});
    assert.deepEqual(await firstUserMessages(workspace), expected, `${workers} workers`);
    // A later ingest that touches the stored trace with an earlier span re-derives it from the whole store.
    writeFileSync(join(dir, "c.jsonl"), chatLine(TRACE, "00000000000000d4", 1, "earliest") + "\n");
    await ingest({workspace, paths: [join(dir, "c.jsonl")], workers, workerThresholdBytes: 0});
    assert.deepEqual(
      await firstUserMessages(workspace),
      expected.map((row) => (row.trace_id === TRACE ? {...row, first_user_message: "earliest"} : row)),
      `${workers} workers, second ingest`
    );
  }
});

function span(spanId: string, startTime: number | null): Span {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId: null,
    name: "chat",
    kind: "llm",
    startTime,
    endTime: null,
    status: "unset",
    statusMessage: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes: {}
  };
}

function userMessage(spanId: string | null, index: number, content: string): Message {
  return {
    traceId: TRACE,
    spanId,
    index,
    direction: "input",
    turn: 1,
    role: "user",
    name: null,
    content,
    toolCallId: null
  };
}

function fragment(spans: Span[], messages: Message[]): Fragment {
  return {...emptyFragment(), spans, messages};
}

async function mergeFragments(fragments: Fragment[]): Promise<unknown> {
  const workspace = tempDir("first-user");
  const staging = join(workspace, "staging");
  mkdirSync(staging);
  const writer = new StagingWriter(staging, "test");
  fragments.forEach((f, i) => stageFragment(f, i, 0, writer));
  const files = writer.close();
  await withConnection(workspace, (connection) =>
    mergeStaged(connection, files, [{path: "test.jsonl", format: "otlp"}], new Date())
  );
  return (await firstUserMessages(workspace))[0]?.first_user_message;
}

test("a user message whose span is staged by another record is ordered by that span's start all the same", async () => {
  // The first record's second question names span B, which only the second record holds: B started first.
  const first = fragment([span("a", 2000)], [userMessage("a", 1, "asked on A"), userMessage("b", 1, "asked on B")]);
  const second = fragment([span("b", 1000)], []);
  assert.equal(await mergeFragments([first, second]), "asked on B");
  // Within one record too, the earlier span's question wins over the one listed first.
  assert.equal(
    await mergeFragments([
      fragment([span("a", 2000), span("b", 1000)], [userMessage("a", 1, "on A"), userMessage("b", 1, "on B")])
    ]),
    "on B"
  );
  // Messages without a span come before every span's, as they do when the store joins them.
  assert.equal(
    await mergeFragments([fragment([span("a", 2000)], [userMessage("a", 1, "on A"), userMessage(null, 3, "no span")])]),
    "no span"
  );
  // Equal starts fall back to the message's position; a span repeated with another start leaves it to the store.
  assert.equal(
    await mergeFragments([
      fragment([span("a", 5), span("b", 5)], [userMessage("b", 2, "later"), userMessage("a", 1, "sooner")])
    ]),
    "sooner"
  );
  const repeated = fragment(
    [span("a", 5), span("a", 1), span("b", 3)],
    [userMessage("a", 1, "on A"), userMessage("b", 1, "on B")]
  );
  assert.ok(["on A", "on B"].includes(String(await mergeFragments([repeated]))));
});
