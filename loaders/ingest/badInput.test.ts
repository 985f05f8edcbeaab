import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {test, type TestContext} from "node:test";
import {gzipSync} from "node:zlib";
import {main} from "../cli/main.js";
import {captureIo} from "../fixtures/captureIo.js";
import {otlpRequest, type SpanInput} from "../fixtures/otlpBuild.js";
import {removeAbandonedScratch} from "../files/scratch.js";
import {withReadConnection} from "../store/db.js";
import {ingest} from "./ingest.js";

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-bad-input-"));
  t.after(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}

async function query(workspace: string, sql: string): Promise<Record<string, unknown>[]> {
  return withReadConnection(
    workspace,
    async (connection) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]
  );
}

function chatLine(id: string, user: string, assistant = "Sure."): string {
  return JSON.stringify({
    id,
    messages: [
      {role: "user", content: user},
      {role: "assistant", content: assistant}
    ]
  });
}

function span(
  traceId: string,
  n: number,
  attributes: Record<string, unknown> = {},
  times: [string, string] = ["1700000000000000000", "1700000000500000000"]
): SpanInput {
  return {
    traceId,
    spanId: `${String(n).padStart(16, "0")}`,
    name: `chat ${n}`,
    attributes: {"gen_ai.operation.name": "chat", ...attributes},
    startTimeUnixNano: times[0],
    endTimeUnixNano: times[1]
  };
}

test("a lone surrogate in a user or an assistant message is stored as U+FFFD and flagged, and the run goes on", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "cut.jsonl");
  // `JSON.stringify` writes a lone surrogate as the escape a stream cut inside an emoji leaves.
  writeFileSync(
    file,
    [chatLine("u", "cut \ud83d"), chatLine("a", "fine", "cut \udc00 too"), chatLine("ok", "whole 😀")].join("\n") + "\n"
  );
  const other = join(dir, "other.jsonl");
  writeFileSync(other, chatLine("b", "another file") + "\n");
  const workspace = join(dir, "ws");
  const summary = await ingest({workspace, paths: [file, other], workers: 0});
  assert.equal(summary.ingested, 4);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.flags.loneSurrogates, 2);
  assert.deepEqual(
    summary.flaggedSample.map((f) => [f.line, f.flag]),
    [
      [1, "loneSurrogates"],
      [2, "loneSurrogates"]
    ]
  );
  const rows = await query(workspace, "SELECT trace_id, first_user_message AS first FROM traces ORDER BY trace_id");
  assert.deepEqual(
    rows.map((r) => [r.trace_id, r.first]),
    [
      ["a", "fine"],
      ["b", "another file"],
      ["ok", "whole 😀"],
      ["u", "cut \ufffd"]
    ]
  );
  const [assistant] = await query(
    workspace,
    "SELECT content FROM messages WHERE trace_id = 'a' AND role = 'assistant'"
  );
  assert.equal(assistant!.content, "cut \ufffd too");
});

test("a folder with a link loop, folders linked to each other and a broken link is walked once and the link reported", async (t) => {
  const dir = tempDir(t);
  const root = join(dir, "traces");
  mkdirSync(join(root, "a"), {recursive: true});
  mkdirSync(join(root, "b"));
  writeFileSync(join(root, "a", "one.jsonl"), chatLine("one", "first") + "\n");
  writeFileSync(join(root, "b", "two.jsonl"), chatLine("two", "second") + "\n");
  symlinkSync("..", join(root, "a", "up"));
  symlinkSync(join(root, "b"), join(root, "a", "to-b"));
  symlinkSync(join(root, "a"), join(root, "b", "to-a"));
  symlinkSync(join(root, "gone.jsonl"), join(root, "broken.jsonl"));
  symlinkSync("self.jsonl", join(root, "self.jsonl"));
  const workspace = join(dir, "ws");
  const io = captureIo();
  const status = await main(["ingest", "--workspace", workspace, "--workers", "0", root], io);
  assert.equal(status, 0, io.stderr.join("\n"));
  const [row] = await query(workspace, "SELECT list(trace_id ORDER BY trace_id) AS ids FROM traces");
  assert.deepEqual(row!.ids, ["one", "two"]);
  const errors = io.stderr.join("\n");
  assert.match(errors, /broken\.jsonl: a broken symbolic link/);
  assert.match(errors, /self\.jsonl: a symbolic link that loops back to itself/);
  assert.match(io.stdout.join("\n"), /read 2 records from \d+ files .*skipped/);
});

test("a token count beyond BIGINT and a time beyond the store's range are stored as unknown and flagged", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "huge.jsonl");
  const trace = "c".repeat(32);
  writeFileSync(
    file,
    [
      JSON.stringify(
        otlpRequest([
          span(trace, 1, {"gen_ai.usage.input_tokens": 18446744073709551616, "gen_ai.usage.output_tokens": 7})
        ])
      ),
      JSON.stringify(otlpRequest([span("d".repeat(32), 2, {}, ["1".padEnd(40, "0"), "1".padEnd(41, "0")])])),
      JSON.stringify(otlpRequest([span("e".repeat(32), 3, {"gen_ai.usage.input_tokens": 5})]))
    ].join("\n") + "\n"
  );
  const workspace = join(dir, "ws");
  const summary = await ingest({workspace, paths: [file], workers: 0});
  assert.equal(summary.ingested, 3);
  assert.equal(summary.flags.outOfRange, 2);
  const spans = await query(
    workspace,
    "SELECT trace_id, input_tokens::INT AS i, output_tokens::INT AS o, start_time IS NULL AS no_start FROM spans ORDER BY trace_id"
  );
  assert.deepEqual(
    spans.map((r) => [r.i, r.o, r.no_start]),
    [
      [null, 7, false],
      [null, null, true],
      [5, null, false]
    ]
  );
});

test("negative durations and token counts are kept as given and counted", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "negative.jsonl");
  writeFileSync(
    file,
    [
      JSON.stringify(
        otlpRequest([
          span("a".repeat(32), 1, {"gen_ai.usage.input_tokens": -12}),
          span("a".repeat(32), 2, {}, ["1700000001000000000", "1700000000000000000"])
        ])
      ),
      JSON.stringify(otlpRequest([span("b".repeat(32), 3)]))
    ].join("\n") + "\n"
  );
  const workspace = join(dir, "ws");
  const io = captureIo();
  assert.equal(await main(["ingest", "--workspace", workspace, "--workers", "0", "--json", file], io), 0);
  const summary = JSON.parse(io.stdout.join("\n")) as {flags: Record<string, number>};
  assert.equal(summary.flags.negativeTokens, 1);
  assert.equal(summary.flags.negativeDuration, 1);
  const rows = await query(
    workspace,
    "SELECT min(input_tokens)::INT AS tokens, min(duration_ms) AS duration FROM spans"
  );
  assert.deepEqual(rows[0], {tokens: -12, duration: -1000});
  // How the text summary names them is compared with a golden file in loaders/cli/ingestCommand.test.ts.
});

test("a file whose first record is foreign or broken is read by the format most of its first records have", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "mostly-chat.jsonl");
  const langfuse = JSON.stringify({trace: {id: "lf-1", name: "x"}, observations: []});
  writeFileSync(
    file,
    [langfuse, "{broken", chatLine("c1", "one"), chatLine("c2", "two"), chatLine("c3", "three")].join("\n") + "\n"
  );
  const workspace = join(dir, "ws");
  const summary = await ingest({workspace, paths: [file], workers: 0});
  assert.equal(summary.files[0]!.format, "chat-jsonl");
  assert.equal(summary.ingested, 3);
  assert.deepEqual(
    summary.rejectedSample.map((r) => r.line),
    [1, 2]
  );
  assert.match(summary.rejectedSample[0]!.reason, /a langfuse record in a file of chat-jsonl records/);
  assert.equal(summary.rejectedSample[0]!.text, langfuse);
  assert.match(summary.rejectedSample[1]!.reason, /invalid JSON/);
  assert.ok(summary.quarantineFile && readFileSync(summary.quarantineFile, "utf8").includes("lf-1"));
});

test("a file whose first record is cut to its opening brace is still read line by line, losing nothing", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "cut-first.jsonl");
  writeFileSync(file, ["{", chatLine("c1", "one"), chatLine("c2", "two")].join("\n"));
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file], workers: 0});
  assert.equal(summary.files[0]!.records, 3);
  assert.equal(summary.ingested, 2);
  assert.deepEqual(
    summary.rejectedSample.map((r) => [r.line, r.text]),
    [[1, "{"]]
  );
  assert.match(summary.rejectedSample[0]!.reason, /invalid JSON/);
});

test("an empty or whitespace-only file is reported as empty, not as broken JSON", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "empty.jsonl"), "");
  writeFileSync(join(dir, "blank.json"), "  \n\t\n");
  writeFileSync(join(dir, "good.jsonl"), chatLine("g", "hello") + "\n");
  const summary = await ingest({
    workspace: join(dir, "ws"),
    paths: [join(dir, "empty.jsonl"), join(dir, "blank.json"), join(dir, "good.jsonl")],
    workers: 0
  });
  assert.deepEqual(
    summary.files.map((f) => f.error),
    ["the file is empty", "the file is empty (it holds only whitespace)", undefined]
  );
  assert.equal(summary.rejected, 0);
  assert.equal(summary.ingested, 1);
});

test("gzip-compressed JSON Lines and documents are read, found in folders, and a corrupt one loses only itself", async (t) => {
  const dir = tempDir(t);
  const root = join(dir, "in");
  mkdirSync(root);
  const lines =
    Array.from({length: 3000}, (_, i) => chatLine(`z${i}`, `question ${i} ${"pad ".repeat(100)}`)).join("\n") + "\n";
  writeFileSync(join(root, "chats.jsonl.gz"), gzipSync(lines));
  writeFileSync(join(root, "trace.json.gz"), gzipSync(JSON.stringify(otlpRequest([span("f".repeat(32), 1)]), null, 2)));
  const cut = gzipSync(chatLine("cut", "x") + "\n");
  writeFileSync(join(root, "cut.ndjson.gz"), cut.subarray(0, cut.length - 12));
  writeFileSync(join(root, "notes.txt.gz"), gzipSync("not an input"));
  for (const workers of [0, 2]) {
    const workspace = join(dir, `ws-${workers}`);
    const summary = await ingest({workspace, paths: [root], workers, workerThresholdBytes: 0});
    assert.deepEqual(
      summary.files.map((f) => f.path.split("/").pop()),
      ["chats.jsonl.gz", "cut.ndjson.gz", "trace.json.gz"]
    );
    assert.equal(summary.files[0]!.ingested, 3000, `${workers} workers`);
    assert.match(summary.files[1]!.error ?? "", /gzip data/);
    assert.equal(summary.files[2]!.format, "otlp");
    const [row] = await query(workspace, "SELECT count(*)::INT AS n FROM traces");
    assert.equal(row!.n, 3001);
  }
});

test("a span given again with other content is counted and named; the stored copy stays", async (t) => {
  const dir = tempDir(t);
  const trace = "9".repeat(32);
  const first = join(dir, "first.jsonl");
  const second = join(dir, "second.jsonl");
  writeFileSync(first, JSON.stringify(otlpRequest([span(trace, 1, {"gen_ai.request.model": "first"})])) + "\n");
  // The same span again with another model, once in a later ingest and twice within one.
  writeFileSync(
    second,
    JSON.stringify(otlpRequest([span(trace, 1, {"gen_ai.request.model": "second"}), span(trace, 2)])) + "\n"
  );
  const workspace = join(dir, "ws");
  await ingest({workspace, paths: [first], workers: 0});
  const io = captureIo();
  assert.equal(await main(["ingest", "--workspace", workspace, "--workers", "0", second], io), 0);
  assert.match(
    io.stderr.join("\n"),
    new RegExp(`span 0000000000000001 of trace ${trace} was given again with other content; the stored copy stays`)
  );
  assert.match(io.stdout.join("\n"), /1 span given again with other content/);
  const [row] = await query(workspace, "SELECT list(model ORDER BY span_id) AS models FROM spans");
  assert.deepEqual(row!.models, ["first", null]);
  const within = await ingest({workspace: join(dir, "ws2"), paths: [first, second], workers: 0});
  assert.equal(within.added.conflictingSpans, 1);
  assert.deepEqual(within.conflictSample, [{traceId: trace, spanId: "0000000000000001", stored: false}]);
  // An identical repeat is no conflict.
  const again = await ingest({workspace: join(dir, "ws3"), paths: [first, first], workers: 0});
  assert.equal(again.added.conflictingSpans, 0);
});

test("an ingest removes the staging folders that killed runs left, and never a running process's", async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, "ws");
  mkdirSync(workspace);
  // A process that has ended: its id is free (for the moment it takes this test to look).
  const ended = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
  const dead = [join(workspace, `.staging-${ended}-1733450000000`), join(workspace, `.detail-pack-${ended}-AbCdEf`)];
  const live = [
    join(workspace, `.staging-${process.ppid}-1733450000000`),
    join(workspace, `.staging-${process.pid}-Xy12`),
    join(workspace, ".staging-noPid")
  ];
  for (const folder of [...dead, ...live]) {
    mkdirSync(folder);
    writeFileSync(join(folder, "main.0.spans.parquet"), "x");
  }
  const file = join(dir, "one.jsonl");
  writeFileSync(file, chatLine("s", "hi") + "\n");
  const logged: string[] = [];
  await ingest({workspace, paths: [file], workers: 0}, {log: (line) => logged.push(line), progress() {}});
  for (const folder of dead) assert.equal(existsSync(folder), false, folder);
  for (const folder of live) assert.equal(existsSync(folder), true, folder);
  assert.equal(logged.filter((line) => /left behind by a run/.test(line)).length, 2);
  assert.deepEqual(removeAbandonedScratch(join(dir, "missing"), [".staging-"]), []);
});

test("a record with a row over 32 MiB is quarantined with that reason in a worker thread too, and --help names the limits", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "huge.jsonl");
  writeFileSync(
    file,
    [
      chatLine("a", "small"),
      JSON.stringify({id: "big", name: "n".repeat(33 * 2 ** 20), messages: [{role: "user", content: "x"}]}),
      chatLine("c", "small")
    ].join("\n") + "\n"
  );
  const summary = await ingest({workspace: join(dir, "ws"), paths: [file], workers: 1, workerThresholdBytes: 0});
  assert.equal(summary.ingested, 2);
  assert.deepEqual(
    summary.rejectedSample.map((r) => r.line),
    [2]
  );
  assert.match(
    summary.rejectedSample[0]!.reason,
    /a sources row of 33\.0 MiB is larger than the 32 MiB a stored row may take/
  );
  const io = captureIo();
  assert.equal(await main(["ingest", "--help"], io), 0);
  for (const phrase of ["32 MiB", ".jsonl.gz", "quarantine", "U+FFFD", "2^53", "negative durations", "given twice"]) {
    assert.ok(io.stdout[0]!.includes(phrase), phrase);
  }
});

test("a record nested too deeply to store is quarantined with that reason, before any of its rows is written", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "deep.jsonl");
  const deep = "[".repeat(20_000) + "1" + "]".repeat(20_000);
  writeFileSync(
    file,
    [
      chatLine("a", "before"),
      `{"id":"deep","metadata":{"x":${deep}},"messages":[{"role":"user","content":"hi"}]}`,
      chatLine("b", "after")
    ].join("\n") + "\n"
  );
  const workspace = join(dir, "ws");
  const summary = await ingest({workspace, paths: [file], workers: 0});
  assert.equal(summary.ingested, 2);
  assert.deepEqual(
    summary.rejectedSample.map((r) => r.line),
    [2]
  );
  assert.match(summary.rejectedSample[0]!.reason, /nested too deeply to store/);
  const [row] = await query(
    workspace,
    "SELECT list(DISTINCT trace_id ORDER BY trace_id) AS ids, (SELECT count(*) FROM messages WHERE trace_id = 'deep')::INT AS partial FROM traces"
  );
  assert.deepEqual(row, {ids: ["a", "b"], partial: 0});
});

test("a gzip copy of τ-bench runs names the same traces as the file itself, so ingesting both adds nothing twice", async (t) => {
  const dir = tempDir(t);
  const runs = readFileSync(join(import.meta.dirname, "fixtures", "bad-input", "tau-bench.jsonl"));
  mkdirSync(join(dir, "plain"));
  mkdirSync(join(dir, "packed"));
  writeFileSync(join(dir, "plain", "gpt-4o-airline.jsonl"), runs);
  writeFileSync(join(dir, "packed", "gpt-4o-airline.jsonl.gz"), gzipSync(runs));
  const workspace = join(dir, "ws");
  const first = await ingest({workspace, paths: [join(dir, "plain")], workers: 0});
  const second = await ingest({workspace, paths: [join(dir, "packed")], workers: 0});
  assert.equal(first.added.traces, 3);
  assert.equal(second.ingested, 3);
  assert.equal(second.added.traces, 0);
});

test("a user message whose span starts beyond the store's times is ordered as one with no start, not failing the merge", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "late.jsonl");
  const late = span(
    "7".repeat(32),
    1,
    {
      "gen_ai.input.messages": JSON.stringify([{role: "user", parts: [{type: "text", content: "from the far future"}]}])
    },
    ["1".padEnd(41, "0"), "1".padEnd(41, "0")]
  );
  writeFileSync(
    file,
    JSON.stringify(otlpRequest([late])) + "\n" + JSON.stringify(otlpRequest([span("8".repeat(32), 2)])) + "\n"
  );
  const workspace = join(dir, "ws");
  const summary = await ingest({workspace, paths: [file], workers: 0});
  assert.equal(summary.ingested, 2);
  assert.equal(summary.flags.outOfRange, 1);
  const rows = await query(workspace, "SELECT trace_id, first_user_message AS first FROM traces ORDER BY trace_id");
  assert.deepEqual(
    rows.map((r) => r.first),
    ["from the far future", null]
  );
});
