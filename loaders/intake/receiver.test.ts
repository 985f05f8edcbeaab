import assert from "node:assert/strict";
import {readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {gzipSync} from "node:zlib";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {ingest} from "../ingest/ingest.js";
import {withReadConnection} from "../store/db.js";
import {decodeTraceResponse, encodeTraceRequest} from "./otlpProto.js";
import {openReceiver, type Receiver, type ReceiverResponse} from "./receiver.js";
import {openWalWriter} from "./wal.js";
import {catchUp} from "./catchUp.js";
import {intakeDir, listSegments} from "./wal.js";

const FIXTURE = join(import.meta.dirname, "..", "formats", "fixtures", "otlp-manual-agent-tools.json");
type Json = Record<string, any>;
const agentRequest = (): Json => JSON.parse(readFileSync(FIXTURE, "utf8"));

/** The request with only the spans at `indexes` (its one resource and scope kept). */
function withSpans(request: Json, indexes: number[]): Json {
  const copy = structuredClone(request);
  const scope = copy.resourceSpans[0].scopeSpans[0];
  scope.spans = indexes.map((i) => request.resourceSpans[0].scopeSpans[0].spans[i]);
  return copy;
}

const json = (value: unknown) => ({
  body: Buffer.from(JSON.stringify(value)),
  contentType: "application/json",
  contentEncoding: undefined
});
const text = (r: ReceiverResponse) => (typeof r.body === "string" ? r.body : Buffer.from(r.body).toString());

/**
 * A receiver on `workspace` (made with `tempDir` and no test context), closed when the test ends and only then
 * removed: the catch-up may hold the store for a moment after the last request.
 */
function receiverIn(workspace: string, t: {after(fn: () => unknown): void}, options = {}): Receiver {
  const receiver = openReceiver({workspace, catchUpDelayMs: 10, ...options});
  t.after(async () => {
    await receiver.close();
    removeTempDir(workspace);
  });
  return receiver;
}

/**
 * A receiver whose catch-up waits a minute after each request, so that requests pile up until `flush`. The catch-up
 * every receiver runs at its start is over before it is returned: a flush while that one runs would wait for the
 * one it schedules next, a minute later.
 */
async function heldReceiverIn(
  workspace: string,
  t: {after(fn: () => unknown): void},
  options: {maxBacklogBytes?: number; onTraces?: (ids: string[]) => void} = {}
): Promise<Receiver> {
  const receiver = receiverIn(workspace, t, {...options, catchUpDelayMs: 60_000});
  await receiver.flush();
  return receiver;
}

const rows = (workspace: string, sql: string) =>
  withReadConnection(workspace, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());

test("a JSON request is answered 200 with an empty response once logged, and its spans reach the store", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t);
  const answer = await receiver.handle(json(agentRequest()));
  assert.equal(answer.status, 200);
  assert.equal(answer.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(text(answer)), {});
  // Acknowledged means on disk: the log holds the request before the store does.
  const segments = readdirSync(join(workspace, "intake"));
  assert.equal(segments.length, 1);
  assert.match(readFileSync(join(workspace, "intake", segments[0]!), "utf8"), /4bf92f3577b34da6a3ce929d0e0e4736/);
  await receiver.flush();
  const spans = await rows(workspace, "SELECT count(*)::INT AS n FROM spans");
  assert.deepEqual(spans, [{n: 4}]);
  const traces = await rows(workspace, "SELECT trace_id, format, span_count FROM traces");
  assert.deepEqual(traces, [{trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", format: "otlp", span_count: 4}]);
});

test("a gzip'd protobuf request is answered in protobuf, and reads as the same rows as its JSON form", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t);
  const answer = await receiver.handle({
    body: gzipSync(encodeTraceRequest(agentRequest())),
    contentType: "application/x-protobuf",
    contentEncoding: "gzip"
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers["content-type"], "application/x-protobuf");
  assert.deepEqual(decodeTraceResponse(answer.body as Uint8Array), {});
  await receiver.flush();
  const other = tempDir("intake-json");
  const fromJson = receiverIn(other, t);
  await fromJson.handle(json(agentRequest()));
  await fromJson.flush();
  const sql = "SELECT * EXCLUDE (attributes), attributes::VARCHAR AS a FROM spans ORDER BY span_id";
  assert.deepEqual(await rows(workspace, sql), await rows(other, sql));
});

test("a span the reader refuses is counted in rejectedSpans, quarantined with its reason, and the others are kept", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t);
  const request = agentRequest();
  request.resourceSpans[0].scopeSpans[0].spans[2].traceId = 42;
  for (const encoding of ["json", "protobuf"] as const) {
    const answer =
      encoding === "json"
        ? await receiver.handle(json(request))
        : await receiver.handle({
            body: encodeTraceRequest(withSpans(request, [0, 1, 3])),
            contentType: "application/x-protobuf",
            contentEncoding: undefined
          });
    assert.equal(answer.status, 200);
    if (encoding === "json") {
      const body = JSON.parse(text(answer));
      assert.equal(body.partialSuccess.rejectedSpans, "1");
      assert.match(body.partialSuccess.errorMessage, /1 span refused .*traceId/);
    } else assert.deepEqual(decodeTraceResponse(answer.body as Uint8Array), {});
  }
  await receiver.flush();
  assert.deepEqual(await rows(workspace, "SELECT span_id FROM spans ORDER BY span_id"), [
    {span_id: "00f067aa0ba902b7"},
    {span_id: "b7ad6b7169203331"},
    {span_id: "d7ad6b7169203333"}
  ]);
  const [file] = readdirSync(join(workspace, "quarantine"));
  const quarantined = readFileSync(join(workspace, "quarantine", file!), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(quarantined.length, 1);
  assert.match(quarantined[0].reason, /traceId/);
  assert.match(quarantined[0].text, /book_hotel/);
});

test("a body that is not a request is 400, another content type 415, and a body over the limit once unzipped 413", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t, {maxDecodedBytes: 1000});
  const bad = await receiver.handle({
    body: Buffer.from("{nope"),
    contentType: "application/json",
    contentEncoding: undefined
  });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(text(bad)).message, /not an ExportTraceServiceRequest/);
  const notArray = await receiver.handle(json({resourceSpans: {}}));
  assert.equal(notArray.status, 400);
  const badProto = await receiver.handle({
    body: Buffer.from([0x0a, 0xff, 0xff]),
    contentType: "application/x-protobuf",
    contentEncoding: undefined
  });
  assert.equal(badProto.status, 400);
  const badGzip = await receiver.handle({
    body: Buffer.from("not gzip"),
    contentType: "application/json",
    contentEncoding: "gzip"
  });
  assert.equal(badGzip.status, 400);
  const other = await receiver.handle({body: Buffer.from("x"), contentType: "text/plain", contentEncoding: undefined});
  assert.equal(other.status, 415);
  const big = await receiver.handle({
    body: gzipSync(Buffer.from(JSON.stringify({resourceSpans: [], pad: "x".repeat(5000)}))),
    contentType: "application/json",
    contentEncoding: "gzip"
  });
  assert.equal(big.status, 413);
  await receiver.flush();
  assert.deepEqual(readdirSync(join(workspace, "intake")), [], "nothing refused is logged");
});

test("a receiver too far behind or too busy answers 503 or 429 with Retry-After, and takes the request when retried", async (t) => {
  const workspace = tempDir("intake");
  // The catch-up waits long enough for the backlog to be seen.
  const receiver = await heldReceiverIn(workspace, t, {maxBacklogBytes: 0});
  assert.equal((await receiver.handle(json(withSpans(agentRequest(), [0])))).status, 200);
  const behind = await receiver.handle(json(withSpans(agentRequest(), [1])));
  assert.equal(behind.status, 503);
  assert.equal(behind.headers["retry-after"], "1");
  await receiver.flush();
  assert.equal((await receiver.handle(json(withSpans(agentRequest(), [1])))).status, 200);

  const busy = receiverIn(tempDir("intake-busy"), t, {maxPending: 0});
  const refused = await busy.handle(json(agentRequest()));
  assert.equal(refused.status, 429);
  assert.equal(refused.headers["retry-after"], "1");
});

test("a span sent twice is stored once", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t);
  await receiver.handle(json(agentRequest()));
  await receiver.flush();
  await receiver.handle(json(agentRequest()));
  await receiver.handle(json(withSpans(agentRequest(), [1])));
  await receiver.flush();
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n, count(DISTINCT span_id)::INT AS d FROM spans"), [
    {n: 4, d: 4}
  ]);
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n FROM traces"), [{n: 1}]);
});

const attr = (key: string, value: unknown) => ({
  key,
  value:
    typeof value === "number"
      ? {intValue: String(value)}
      : {stringValue: typeof value === "string" ? value : JSON.stringify(value)}
});
const msg = (role: string, content: string) => ({role, parts: [{type: "text", content}]});

/** An agent span and two model calls, the second given the first's conversation again, as chat clients do. */
function conversationRequest(): Json {
  const traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
  const span = (spanId: string, name: string, start: number, attributes: unknown[], parentSpanId?: string) => ({
    traceId,
    spanId,
    ...(parentSpanId ? {parentSpanId} : {}),
    name,
    kind: 3,
    startTimeUnixNano: `${1_700_000_000 + start}000000000`,
    endTimeUnixNano: `${1_700_000_000 + start + 1}000000000`,
    attributes
  });
  const first = [msg("user", "What is the weather in Paris?")];
  const firstAnswer = [msg("assistant", "Sunny, 21 °C.")];
  const second = [...first, ...firstAnswer, msg("user", "And tomorrow?")];
  return {
    resourceSpans: [
      {
        resource: {attributes: [attr("service.name", "weather-app")]},
        scopeSpans: [
          {
            scope: {name: "manual"},
            spans: [
              span("1000000000000001", "invoke_agent weather", 0, [attr("gen_ai.operation.name", "invoke_agent")]),
              span(
                "1000000000000002",
                "chat gpt-4o",
                1,
                [
                  attr("gen_ai.operation.name", "chat"),
                  attr("gen_ai.request.model", "gpt-4o"),
                  attr("gen_ai.usage.input_tokens", 12),
                  attr("gen_ai.usage.output_tokens", 5),
                  attr("gen_ai.input.messages", first),
                  attr("gen_ai.output.messages", firstAnswer)
                ],
                "1000000000000001"
              ),
              span(
                "1000000000000003",
                "chat gpt-4o",
                3,
                [
                  attr("gen_ai.operation.name", "chat"),
                  attr("gen_ai.request.model", "gpt-4o"),
                  attr("gen_ai.usage.input_tokens", 30),
                  attr("gen_ai.usage.output_tokens", 6),
                  attr("gen_ai.input.messages", second),
                  attr("gen_ai.output.messages", [msg("assistant", "Rain.")])
                ],
                "1000000000000001"
              )
            ]
          }
        ]
      }
    ]
  };
}

const TRACE_SQL = `SELECT * EXCLUDE (source_file, ingested_at), metadata::VARCHAR AS metadata FROM traces`;
const MESSAGE_SQL = "SELECT * FROM messages ORDER BY span_id, direction, idx";

test("a trace split over three requests in reverse order gives the trace row and messages of the file ingest of all its spans", async (t) => {
  const workspace = tempDir("intake");
  const receiver = await heldReceiverIn(workspace, t);
  for (const indexes of [[2], [1], [0]])
    assert.equal((await receiver.handle(json(withSpans(conversationRequest(), indexes)))).status, 200);
  await receiver.flush();
  const filed = tempDir("intake-file", t);
  writeFileSync(join(filed, "trace.otlp.json"), JSON.stringify(conversationRequest()));
  await ingest({workspace: join(filed, "ws"), paths: [join(filed, "trace.otlp.json")]});
  const expected = await rows(join(filed, "ws"), TRACE_SQL);
  assert.equal(expected.length, 1);
  assert.deepEqual(await rows(workspace, TRACE_SQL), expected);
  const messages = await rows(join(filed, "ws"), MESSAGE_SQL);
  // Each message once (4, not 6): the second call's repeated history is not stored again.
  assert.equal(messages.length, 4);
  assert.deepEqual(await rows(workspace, MESSAGE_SQL), messages);
});

test("requests of one trace logged as sent, spaced JSON beside protobuf, are read together and their trace reported once", async (t) => {
  const workspace = tempDir("intake");
  const seen: string[][] = [];
  const receiver = await heldReceiverIn(workspace, t, {onTraces: (ids: string[]) => void seen.push(ids)});
  const spaced = Buffer.from(JSON.stringify(withSpans(conversationRequest(), [2])).replaceAll('":', '" : '));
  assert.equal(
    (await receiver.handle({body: spaced, contentType: "application/json", contentEncoding: undefined})).status,
    200
  );
  for (const indexes of [[1], [0]]) {
    const body = encodeTraceRequest(withSpans(conversationRequest(), indexes));
    assert.equal(
      (await receiver.handle({body, contentType: "application/x-protobuf", contentEncoding: undefined})).status,
      200
    );
  }
  // The spaced body is logged as it came: one line, its own bytes.
  const logged = listSegments(workspace).map((name) => readFileSync(join(intakeDir(workspace), name), "utf8"));
  assert.ok(logged.join("").includes(spaced.toString()));
  await receiver.flush();
  const filed = tempDir("intake-file", t);
  writeFileSync(join(filed, "trace.otlp.json"), JSON.stringify(conversationRequest()));
  await ingest({workspace: join(filed, "ws"), paths: [join(filed, "trace.otlp.json")]});
  assert.deepEqual(await rows(workspace, MESSAGE_SQL), await rows(join(filed, "ws"), MESSAGE_SQL));
  assert.deepEqual(seen, [[conversationRequest().resourceSpans[0].scopeSpans[0].spans[0].traceId]]);
});

test("a trace whose spans reach the store in separate catch-ups is rebuilt from all of them", async (t) => {
  const workspace = tempDir("intake");
  const seen: string[][] = [];
  const watched = openReceiver({workspace, catchUpDelayMs: 10, onTraces: (ids) => void seen.push(ids)});
  t.after(async () => {
    await watched.close();
    removeTempDir(workspace);
  });
  for (const indexes of [[3], [2], [0, 1]]) {
    await watched.handle(json(withSpans(agentRequest(), indexes)));
    await watched.flush();
  }
  assert.deepEqual(await rows(workspace, "SELECT span_count, tool_call_count FROM traces"), [
    {span_count: 4, tool_call_count: 3}
  ]);
  assert.deepEqual(seen.flat(), Array(3).fill("4bf92f3577b34da6a3ce929d0e0e4736"));
});

test("lines logged by a receiver that stopped before its catch-up reach the store when the next one starts", async (t) => {
  const workspace = tempDir("intake");
  const wal = openWalWriter({workspace});
  await wal.append([JSON.stringify(agentRequest())]);
  await wal.close();
  // A torn line, as a kill mid-write leaves, was never acknowledged and is skipped.
  writeFileSync(join(workspace, "intake", readdirSync(join(workspace, "intake"))[0]!), '{"resourceSpans":[{"sco', {
    flag: "a"
  });
  const receiver = receiverIn(workspace, t);
  await receiver.flush();
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n FROM spans"), [{n: 4}]);
});

test("a logged request with a row too large for the store is quarantined alone; the requests beside it are stored", async (t) => {
  const workspace = tempDir("intake");
  const wal = openWalWriter({workspace});
  const huge = withSpans(agentRequest(), [1]);
  huge.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({
    key: "blob",
    value: {stringValue: "x".repeat(33 << 20)}
  });
  await wal.append([
    JSON.stringify(withSpans(agentRequest(), [0])),
    JSON.stringify(huge),
    JSON.stringify(withSpans(agentRequest(), [2, 3]))
  ]);
  await wal.close();
  const result = await catchUp({workspace});
  assert.equal(result.rejected, 1);
  assert.deepEqual(await rows(workspace, "SELECT span_id FROM spans ORDER BY span_id"), [
    {span_id: "00f067aa0ba902b7"},
    {span_id: "c7ad6b7169203332"},
    {span_id: "d7ad6b7169203333"}
  ]);
  const [file] = readdirSync(join(workspace, "quarantine"));
  assert.match(readFileSync(join(workspace, "quarantine", file!), "utf8"), /"reason":"[^"]*(large|MiB|bytes)/);
});

test("a span whose row is over the store's limit is counted in rejectedSpans and quarantined before the answer", async (t) => {
  const workspace = tempDir("intake");
  const receiver = receiverIn(workspace, t);
  const request = withSpans(agentRequest(), [0, 1, 2, 3]);
  request.resourceSpans[0].scopeSpans[0].spans[1].attributes.push({
    key: "blob",
    value: {stringValue: "x".repeat(33 << 20)}
  });
  const answer = await receiver.handle(json(request));
  assert.equal(answer.status, 200);
  const body = JSON.parse(text(answer));
  assert.equal(body.partialSuccess.rejectedSpans, "1");
  assert.match(body.partialSuccess.errorMessage, /1 span refused .*MiB/);
  const [file] = readdirSync(join(workspace, "quarantine"));
  assert.match(readFileSync(join(workspace, "quarantine", file!), "utf8"), /"reason":"[^"]*MiB/);
  await receiver.flush();
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n FROM spans"), [{n: 3}]);
});

test("a record the catch-up quarantines after the answer is reported with its quarantine file", async (t) => {
  const workspace = tempDir("intake", t);
  const wal = openWalWriter({workspace});
  const huge = withSpans(agentRequest(), [1]);
  huge.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({
    key: "blob",
    value: {stringValue: "x".repeat(33 << 20)}
  });
  await wal.append([JSON.stringify(huge), JSON.stringify(withSpans(agentRequest(), [0]))]);
  await wal.close();
  const reported: [string, number][] = [];
  await catchUp({workspace, onQuarantine: (path, n) => void reported.push([path, n])});
  assert.equal(reported.length, 1);
  assert.equal(reported[0]![1], 1);
  assert.match(readFileSync(reported[0]![0], "utf8"), /MiB/);
  t.after(() => removeTempDir(workspace));
});

test("a segment is deleted once taken in and closed; the one still written to is kept", async (t) => {
  const workspace = tempDir("intake", t);
  t.after(() => removeTempDir(workspace));
  // Tiny segments, so each append after the first begins a new one.
  const wal = openWalWriter({workspace, segmentBytes: 1});
  for (const i of [0, 1, 2]) await wal.append([JSON.stringify(withSpans(agentRequest(), [i]))]);
  assert.equal(listSegments(workspace).length, 3);
  const first = await catchUp({workspace});
  assert.equal(first.deleted.length, 2);
  assert.deepEqual(listSegments(workspace), [listSegments(workspace)[0]]);
  await wal.append([JSON.stringify(withSpans(agentRequest(), [3]))]);
  await wal.close();
  const second = await catchUp({workspace});
  assert.equal(second.deleted.length, 2);
  assert.deepEqual(listSegments(workspace), []);
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n FROM spans"), [{n: 4}]);
});

test("requests that keep coming while openings of the store end and batches convert between them are each stored once", async (t) => {
  const workspace = tempDir("intake");
  // Openings of a few milliseconds: most end with the next batch still converting, which the next opening merges.
  const receiver = receiverIn(workspace, t, {maxHoldMs: 5, quietMs: 50, workers: 1});
  const request = (n: number) => {
    const copy = agentRequest();
    for (const span of copy.resourceSpans[0].scopeSpans[0].spans) span.traceId = n.toString(16).padStart(32, "0");
    return copy;
  };
  for (let n = 1; n <= 60; n++) {
    assert.equal((await receiver.handle(json(request(n)))).status, 200);
    // Paced, so that the log grows while merges run and each opening finds more behind it.
    if (n % 6 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await receiver.flush();
  assert.deepEqual(
    await rows(workspace, "SELECT count(*)::INT AS n, count(DISTINCT trace_id)::INT AS traces FROM spans"),
    [{n: 240, traces: 60}]
  );
  assert.deepEqual(await rows(workspace, "SELECT count(*)::INT AS n FROM traces"), [{n: 60}]);
  assert.ok(receiver.live().stored > 1, `${receiver.live().stored} merges`);
  // Every batch's staged files are gone, the carried ones' included (the workers' folder stays while they do).
  const staged = readdirSync(workspace)
    .filter((name) => name.startsWith(".staging-"))
    .flatMap((dir) => readdirSync(join(workspace, dir), {recursive: true, encoding: "utf8"}));
  assert.deepEqual(staged, []);
});

test("the live view hears of stored spans only once their traces are reported, so a page never reloads before the cache is invalidated", async (t) => {
  const workspace = tempDir("intake");
  // What the live view says when the traces are reported: the server invalidates the pages' cache right then.
  const toldAtReport: number[] = [];
  const receiver: Receiver = receiverIn(workspace, t, {
    onTraces: () => void toldAtReport.push(receiver.live().stored)
  });
  assert.equal((await receiver.handle(json(agentRequest()))).status, 200);
  await receiver.flush();
  assert.equal(toldAtReport[0], 0);
  assert.ok(receiver.live().stored > 0);
});
