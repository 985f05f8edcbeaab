import assert from "node:assert/strict";
import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {after, test} from "node:test";
import {main} from "../cli/main.js";
import {demoInputs} from "../cli/demoCommand.js";
import {withReadConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {ingest} from "./ingest.js";
import {generateOtlpLine} from "../formats/otlpSynth.js";
import {captureIo} from "../fixtures/captureIo.js";
import {otlpRequest} from "../fixtures/otlpBuild.js";
import {tempDir} from "../fixtures/tempDir.js";
import {copyDemoWorkspace, demoWorkspace} from "../fixtures/demoWorkspace.js";

const DEMO = join(PROJECT_ROOT, "data", "demo");

function tempWorkspace(): string {
  return tempDir("ingest");
}

async function query(workspace: string, sql: string): Promise<Record<string, unknown>[]> {
  return withReadConnection(workspace, async (connection) => {
    const result = await connection.runAndReadAll(sql);
    return result.getRowObjectsJS() as Record<string, unknown>[];
  });
}

function chatLine(id: string, user: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    messages: [
      {role: "user", content: user},
      {
        role: "assistant",
        content: null,
        tool_calls: [{id: `${id}-c1`, type: "function", function: {name: "lookup", arguments: '{"q":1}'}}]
      },
      {role: "tool", tool_call_id: `${id}-c1`, content: "Error: not found"},
      {role: "assistant", content: "Sorry, I could not find it."}
    ],
    ...extra
  });
}

test("ingest of the τ-bench runs stores 200 traces whose unknown tokens, cost and latency stay null", async () => {
  const workspace = tempWorkspace();
  const summary = await ingest({workspace, paths: [join(DEMO, "tau-bench-airline", "gpt-4o-airline.json")]});
  assert.equal(summary.ingested, 200);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.added.traces, 200);
  const [row] = await query(
    workspace,
    `SELECT count(*)::INT AS traces, count(input_tokens)::INT AS with_tokens, count(cost_usd)::INT AS with_cost,
       count(latency_ms)::INT AS with_latency, sum(message_count)::INT AS messages, sum(tool_call_count)::INT AS calls,
       sum(tool_error_count)::INT AS tool_errors FROM traces`
  );
  assert.deepEqual(row, {
    traces: 200,
    with_tokens: 0,
    with_cost: 0,
    with_latency: 0,
    messages: 5308,
    calls: 1164,
    tool_errors: 73
  });
  const [reward] = await query(
    workspace,
    "SELECT count(*)::INT AS passes FROM feedback WHERE name = 'reward' AND value = 1"
  );
  assert.equal(reward!.passes, 84);
});

test("a τ-bench array written on one line is read as the same runs as the pretty-printed file", async () => {
  const dir = tempWorkspace();
  const runs = JSON.parse(readFileSync(join(DEMO, "tau-bench-airline", "gpt-4o-airline.json"), "utf8")) as unknown[];
  const file = join(dir, "compact.json");
  writeFileSync(file, JSON.stringify(runs.slice(0, 7)));
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file]});
  assert.equal(summary.rejected, 0);
  assert.equal(summary.added.traces, 7);
});

test("re-ingesting the whole demo input adds nothing", async () => {
  // A copy of the run's demo workspace (loaders/fixtures/demoWorkspace.ts), which one ingest of the same input
  // began: made once per run for every test that needs the demo, rather than ingested again here.
  const workspace = tempWorkspace();
  await copyDemoWorkspace(workspace);
  const traces = Number(/demo workspace ready: (\d+) traces/.exec((await demoWorkspace()).log.join("\n"))?.[1]);
  assert.ok(traces > 380, `expected the demo's traces, got ${traces}`);
  const counts = `SELECT (SELECT count(*) FROM traces)::INT AS traces, (SELECT count(*) FROM spans)::INT AS spans,
    (SELECT count(*) FROM messages)::INT AS messages, (SELECT count(*) FROM tool_calls)::INT AS calls,
    (SELECT count(*) FROM feedback)::INT AS feedback, (SELECT count(*) FROM trace_sources)::INT AS sources`;
  const [before] = await query(workspace, counts);
  const second = await ingest({workspace, paths: demoInputs()});
  assert.equal(second.added.traces, 0);
  assert.equal(second.added.spans, 0);
  assert.equal(second.added.messages, 0);
  assert.equal(second.added.feedback, 0);
  const [after] = await query(workspace, counts);
  assert.deepEqual(after, before);
});

test("a later export with more spans of a stored trace adds only the new spans and rebuilds the trace", async () => {
  const dir = tempWorkspace();
  const span = (traceId: string, n: number, parent?: string) => ({
    traceId,
    spanId: `${traceId.slice(0, 12)}${String(n).padStart(4, "0")}`,
    ...(parent ? {parentSpanId: parent} : {}),
    name: n === 0 ? "invoke_agent" : `chat ${n}`,
    attributes: {"gen_ai.operation.name": n === 0 ? "invoke_agent" : "chat", "gen_ai.usage.input_tokens": 10},
    startTimeUnixNano: `17600000000${String(n).padStart(2, "0")}000000000`,
    endTimeUnixNano: `17600000000${String(n).padStart(2, "0")}500000000`
  });
  const known = "a".repeat(32);
  const fresh = "b".repeat(32);
  const root = span(known, 0).spanId;
  const first = join(dir, "first.json");
  const second = join(dir, "second.json");
  writeFileSync(first, JSON.stringify(otlpRequest([span(known, 0), span(known, 1, root), span(known, 2, root)])));
  // The second export repeats two spans of the stored trace, adds two to it, and brings a trace of its own.
  writeFileSync(
    second,
    JSON.stringify(
      otlpRequest([
        span(known, 1, root),
        span(known, 2, root),
        span(known, 3, root),
        span(known, 4, root),
        span(fresh, 0)
      ])
    )
  );
  const workspace = join(dir, "ws");
  await ingest({workspace, paths: [first]});
  const again = await ingest({workspace, paths: [second]});
  assert.equal(again.added.spans, 3);
  assert.equal(again.added.traces, 1);
  const rows = await query(
    workspace,
    "SELECT trace_id, span_count::INT AS spans, input_tokens::INT AS tokens FROM traces ORDER BY trace_id"
  );
  assert.deepEqual(rows, [
    {trace_id: known, spans: 5, tokens: 40},
    {trace_id: fresh, spans: 1, tokens: 10}
  ]);
  const [spans] = await query(
    workspace,
    "SELECT count(*)::INT AS n, count(DISTINCT (trace_id, span_id))::INT AS distinct_n FROM spans"
  );
  assert.deepEqual(spans, {n: 6, distinct_n: 6});
});

test("worker threads and the single-thread path store the same rows", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "chats.jsonl");
  writeFileSync(file, Array.from({length: 500}, (_, i) => chatLine(`t${i}`, `question ${i}`)).join("\n") + "\n");
  const threaded = join(dir, "threaded");
  const single = join(dir, "single");
  await ingest({workspace: threaded, paths: [file], workers: 2, workerThresholdBytes: 0});
  await ingest({workspace: single, paths: [file], workers: 0});
  const dump =
    "SELECT trace_id, status, message_count, tool_error_count, first_user_message FROM traces ORDER BY trace_id";
  const a = await query(threaded, dump);
  assert.equal(a.length, 500);
  assert.deepEqual(a, await query(single, dump));
});

test("a record repeated within a file and across two files of one ingest is stored once", async () => {
  const dir = tempWorkspace();
  const lines = [generateOtlpLine(0, 20), generateOtlpLine(1, 20)];
  const once = join(dir, "once.jsonl");
  writeFileSync(once, lines.join("\n") + "\n");
  // The first line again, in the same file and in a second file.
  const repeated = join(dir, "repeated.jsonl");
  writeFileSync(repeated, [lines[0], lines[1], lines[0]].join("\n") + "\n");
  const copy = join(dir, "copy.jsonl");
  writeFileSync(copy, lines[0] + "\n");
  const counts =
    "SELECT (SELECT count(*) FROM spans)::INTEGER AS spans, (SELECT count(*) FROM messages)::INTEGER AS messages, " +
    "(SELECT count(*) FROM tool_calls)::INTEGER AS calls, (SELECT count(*) FROM traces)::INTEGER AS traces, " +
    "(SELECT sum(span_count) FROM traces)::INTEGER AS traced, (SELECT count(*) FROM trace_sources)::INTEGER AS sources";
  const single = join(dir, "single");
  await ingest({workspace: single, paths: [once], workers: 0});
  const expected = (await query(single, counts))[0]!;
  assert.ok(
    expected.spans === 40 &&
      expected.traced === 40 &&
      (expected.messages as number) > 0 &&
      (expected.calls as number) > 0,
    JSON.stringify(expected)
  );
  for (const workers of [0, 2]) {
    const workspace = join(dir, `repeated-${workers}`);
    const summary = await ingest({workspace, paths: [repeated, copy], workers, workerThresholdBytes: 0});
    assert.equal(summary.added.spans, 40, `${workers} workers`);
    assert.deepEqual((await query(workspace, counts))[0], expected, `${workers} workers`);
  }
});

test("a file read in many blocks by worker threads reports a bad line by its true number, long lines included", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "many-blocks.jsonl");
  const lines = Array.from({length: 6000}, (_, i) => chatLine(`t${i}`, `question ${i} ${"padding ".repeat(60)}`));
  lines[99] = chatLine("long", "x".repeat(2.5 * 2 ** 20));
  lines[4320] = lines[4320]!.slice(0, 40);
  writeFileSync(file, lines.join("\n") + "\n");
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file], workers: 2, workerThresholdBytes: 0});
  assert.equal(summary.records, 6000);
  assert.equal(summary.ingested, 5999);
  assert.deepEqual(
    summary.rejectedSample.map((r) => r.line),
    [4321]
  );
  const [row] = await query(
    join(dir, "ws"),
    "SELECT count(*)::INT AS n, max(length(first_user_message))::INT AS longest FROM traces"
  );
  assert.deepEqual(row, {n: 5999, longest: 2.5 * 2 ** 20});
});

test("malformed records are quarantined with file, line and reason while the rest is ingested", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "mixed.jsonl");
  const good = [chatLine("a", "first"), chatLine("b", "second"), chatLine("c", "third")];
  const lines = [
    good[0]!,
    chatLine("d", "truncated").slice(0, 40),
    good[1]!,
    JSON.stringify({id: "e", messages: "not a list"}),
    '{"id": "f", "messages": [{"role": "user", "content": NaN}]}',
    good[2]!
  ];
  const bytes = Buffer.concat([
    Buffer.from(lines.join("\n") + "\n"),
    Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])
  ]);
  writeFileSync(file, bytes);
  const workspace = join(dir, "ws");
  const io = captureIo();
  const status = await main(["ingest", "--workspace", workspace, "--workers", "0", file], io);
  assert.equal(status, 0, io.stderr.join("\n"));
  const [row] = await query(
    workspace,
    "SELECT count(*)::INT AS n, list(trace_id ORDER BY trace_id) AS ids FROM traces"
  );
  assert.equal(row!.n, 3);
  const errors = io.stderr.join("\n");
  assert.match(errors, new RegExp(`${file.replaceAll("/", "\\/")}:2: invalid JSON`));
  assert.match(errors, /mixed\.jsonl:4: /);
  assert.match(errors, /mixed\.jsonl:5: invalid JSON/);
  assert.match(errors, /mixed\.jsonl:7: invalid UTF-8/);
  const quarantine = io.stdout.join("\n").match(/written to (\S+)/)?.[1];
  assert.ok(quarantine, io.stdout.join("\n"));
  const kept = readFileSync(quarantine, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    kept.map((r) => r.line),
    [2, 4, 5, 7]
  );
  assert.equal(kept[0].text, lines[1]);
  assert.equal(Buffer.from(kept[3].text, "base64").at(-3), 0xfe);
  assert.equal(kept[3].encoding, "base64");
  const strict = await main(["ingest", "--workspace", workspace, "--strict", file], captureIo());
  assert.equal(strict, 1);
});

test("an OTLP line whose span has no ids is quarantined by line while the other lines are ingested", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "otlp.jsonl");
  const line = (traceId: string | null, spanId: string) =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: {attributes: []},
          scopeSpans: [
            {
              scope: {name: "t"},
              spans: [
                {
                  ...(traceId ? {traceId} : {}),
                  spanId,
                  name: "chat",
                  startTimeUnixNano: "1700000000000000000",
                  endTimeUnixNano: "1700000000500000000",
                  attributes: [{key: "gen_ai.operation.name", value: {stringValue: "chat"}}]
                }
              ]
            }
          ]
        }
      ]
    });
  writeFileSync(
    file,
    [line("a".repeat(32), "1".repeat(16)), line(null, "2".repeat(16)), line("b".repeat(32), "3".repeat(16))].join(
      "\n"
    ) + "\n"
  );
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file]});
  assert.equal(summary.ingested, 2);
  assert.equal(summary.rejected, 1);
  assert.equal(summary.rejectedSample[0]!.line, 2);
  assert.match(summary.rejectedSample[0]!.reason, /traceId/);
  const [row] = await query(join(dir, "ws"), "SELECT count(*)::INT AS n, min(latency_ms) AS latency FROM traces");
  assert.deepEqual(row, {n: 2, latency: 500});
});

test("an OTLP trace, which has no name of its own, is named after its root span", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "otlp.jsonl");
  writeFileSync(file, [generateOtlpLine(0, 10), generateOtlpLine(1, 10)].join("\n"));
  await ingest({workspace: join(dir, "ws"), paths: [file]});
  const rows = await query(
    join(dir, "ws"),
    `SELECT DISTINCT t.name, s.name AS root FROM traces t
    JOIN spans s ON s.trace_id = t.trace_id AND s.parent_span_id IS NULL`
  );
  assert.ok(rows.length > 0);
  for (const row of rows) assert.equal(row.name, row.root);
});

test("a record with a row too large for the store is quarantined whole and the rest is ingested", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "huge.jsonl");
  const huge = chatLine("big", "x".repeat(33 * 2 ** 20));
  writeFileSync(file, [chatLine("a", "small"), huge, chatLine("c", "small too")].join("\n") + "\n");
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file], workers: 0});
  assert.equal(summary.ingested, 2);
  assert.equal(summary.rejected, 1);
  assert.equal(summary.rejectedSample[0]!.line, 2);
  assert.match(summary.rejectedSample[0]!.reason, /larger than the 32 MiB a stored row may take/);
  const [row] = await query(join(dir, "ws"), "SELECT list(trace_id ORDER BY trace_id) AS ids FROM traces");
  assert.deepEqual(row!.ids, ["a", "c"]);
});

test("a pretty-printed document that is cut short is one rejected record naming its line", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "cut.json");
  const text = readFileSync(join(DEMO, "formats", "otlp", "trace.json"), "utf8");
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file], format: "otlp"});
  assert.equal(summary.ingested, 0);
  assert.equal(summary.rejected, 1);
  assert.equal(summary.rejectedSample[0]!.file, file);
  assert.ok(summary.rejectedSample[0]!.line > 1);
  assert.match(summary.rejectedSample[0]!.reason, /invalid JSON/);
});

test("an unknown format is an error that names the known formats, and nothing ingested exits 1", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "weird.jsonl");
  writeFileSync(file, '{"hello": "world"}\n{"hello": "again"}\n');
  const io = captureIo();
  const status = await main(["ingest", "--workspace", join(dir, "ws"), file], io);
  assert.equal(status, 1);
  const errors = io.stderr.join("\n");
  assert.match(errors, /unknown format/);
  for (const format of ["otlp", "langfuse", "langsmith", "chat-jsonl", "tau-bench", "who-and-when", "openinference"]) {
    assert.ok(errors.includes(format), `${format} is not named in: ${errors}`);
  }
  assert.equal(await main(["ingest", "--format", "nope", file], captureIo()), 2);
});

test("every ingest verb option is documented in --help", async () => {
  const io = captureIo();
  assert.equal(await main(["ingest", "--help"], io), 0);
  for (const option of ["--format", "--workspace", "--workers", "--strict", "--json"])
    assert.ok(io.stdout[0]!.includes(option));
});

test("a merge that runs out of DuckDB's memory is rolled back and run again with more, losing and doubling nothing", async () => {
  const dir = tempWorkspace();
  const file = join(dir, "traces.jsonl");
  writeFileSync(file, Array.from({length: 50}, (_, i) => generateOtlpLine(i, 100)).join("\n") + "\n");
  const rows =
    "SELECT (SELECT count(*) FROM spans)::INTEGER AS spans, (SELECT count(*) FROM messages)::INTEGER AS messages, " +
    "(SELECT count(*) FROM tool_calls)::INTEGER AS calls, (SELECT count(*) FROM traces)::INTEGER AS traces, " +
    "(SELECT count(*) FROM trace_sources)::INTEGER AS sources";
  // 4 MB is too little for the first try of this merge (a single allocation takes 64 MB).
  const squeezed = await ingest({workspace: join(dir, "squeezed"), paths: [file], workers: 0, memoryLimit: "4MB"});
  await ingest({workspace: join(dir, "roomy"), paths: [file], workers: 0});
  assert.equal(squeezed.added.spans, 5000);
  assert.deepEqual(await query(join(dir, "squeezed"), rows), await query(join(dir, "roomy"), rows));
  // Each chat call repeats its trace's history; the store holds each message once (3,500 of the 7,500 rows read).
  assert.deepEqual((await query(join(dir, "squeezed"), rows))[0], {
    spans: 5000,
    messages: 3500,
    calls: 2000,
    traces: 500,
    sources: 500
  });
});
