// The packed detail file, written from a workspace and read back the way the trace view reads it.
import assert from "node:assert/strict";
import {createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {Writable} from "node:stream";
import {after, before, describe, it} from "node:test";
import {tableFromIPC} from "apache-arrow";
import {
  DETAIL_TRAILER_BYTES,
  decodeDetailTrailer,
  encodeDetailTrailer,
  type TraceDetail
} from "../../src/core/explore/detail.js";
import {span, traceInfo, type Feedback, type Message, type ToolCall} from "../../src/core/schemas/trace.js";
import {detailReader} from "../../src/components/detailReader.js";
import {withConnection} from "../store/db.js";
import {withReadConnection} from "../store/read.js";
import {writeDetailPack, type DetailPackStats} from "../store/detailPack.js";
import {fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace, type FixtureTrace} from "../fixtures/fixtureWorkspace.js";
import {serveStatic} from "./staticServer.js";
import {tempDir} from "../fixtures/tempDir.js";

/** Writes a workspace's pack uncompressed into memory, and reads its index and records back. */
async function packInMemory(workspace: string, options: {tracesPerBucket?: number; scratchDir?: string} = {}) {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    }
  });
  const stats = await withReadConnection(workspace, (connection) =>
    writeDetailPack(connection, out, {gzip: false, ...options})
  );
  const file = Buffer.concat(chunks);
  const trailer = decodeDetailTrailer(file.subarray(file.length - DETAIL_TRAILER_BYTES));
  const index = [...tableFromIPC(file.subarray(trailer.indexOffset, trailer.indexOffset + trailer.indexLength))];
  const record = (row: (typeof index)[number]) =>
    JSON.parse(file.subarray(row.offset, row.offset + row.length).toString("utf8")) as TraceDetail;
  return {stats, file, index, record};
}

describe("encodeDetailTrailer(trailer)", () => {
  it("round-trips through decodeDetailTrailer and refuses other bytes", () => {
    const trailer = {indexOffset: 2 ** 40 + 3, indexLength: 12345, gzip: true};
    assert.deepEqual(decodeDetailTrailer(encodeDetailTrailer(trailer)), trailer);
    assert.throws(() => decodeDetailTrailer(new Uint8Array(24)), /invalid detail trailer: magic/);
  });
});

describe("writeDetailPack(connection, out)", () => {
  let dir: string;
  const stats: Record<string, DetailPackStats> = {};

  before(async () => {
    dir = tempDir("pack");
    const workspace = join(dir, "workspace");
    await writeFixtureWorkspace(workspace, fixtureTraces());
    mkdirSync(join(dir, "site"));
    for (const gzip of [true, false]) {
      const name = gzip ? "details.bin" : "plain.bin";
      const out = createWriteStream(join(dir, "site", name));
      stats[name] = await withReadConnection(workspace, (connection) => writeDetailPack(connection, out, {gzip}));
    }
  });
  after(() => rmSync(dir, {recursive: true, force: true}));

  for (const [file, ranges] of [
    ["details.bin", true],
    ["plain.bin", true],
    ["details.bin", false]
  ] as const) {
    it(`is read back one trace at a time (${file}, ${ranges ? "with" : "without"} range requests)`, async () => {
      const server = await serveStatic(join(dir, "site"), {csp: null, ranges});
      try {
        const reader = detailReader(`${server.url}/${file}`);
        const detail = await reader.get("trace-refund");
        assert.ok(detail);
        assert.equal(detail.traceId, "trace-refund");
        assert.deepEqual(
          detail.spans.map((s) => s.spanId),
          ["root", "llm-1", "tool-1", "llm-2"]
        );
        assert.equal(detail.spans[2]!.durationMs, 300);
        assert.deepEqual(
          detail.messages.map((m) => m.index),
          [0, 1, 2, 3, 4, 5]
        );
        assert.deepEqual(detail.toolCalls[0], {
          spanId: "tool-1",
          callId: "call-1",
          index: 0,
          name: "lookup_order",
          arguments: '{"order_id": 991}',
          result: null,
          success: false,
          error: "KeyError: order 991 not found"
        });
        assert.equal(detail.feedback[0]!.comment, "wrong order");
        assert.equal((await reader.get("trace-weather"))?.messages.length, 3);
        assert.equal(await reader.get("no-such-trace"), null);
      } finally {
        await server.close();
      }
    });
  }

  it("holds every trace once when the traces fill several buckets", async () => {
    const {stats: written, index, record} = await packInMemory(join(dir, "workspace"), {tracesPerBucket: 1});
    const spansOf = new Map<string, number>();
    for (const row of index) {
      const detail = record(row);
      assert.equal(detail.traceId, row.trace_id);
      spansOf.set(row.trace_id, detail.spans.length);
    }
    assert.equal(written.traces, 4);
    assert.deepEqual(spansOf, new Map(fixtureTraces().map((t) => [t.info.traceId, t.spans.length])));
  });

  it("writes the same file for the same workspace: traces by id, rows that tie broken by span and id", async () => {
    const tied = (traceId: string): FixtureTrace => ({
      format: "otlp",
      info: traceInfo(traceId),
      // Stored in the reverse of the order the pack must give them, so insertion order cannot pass for it.
      spans: ["span-b", "span-a"].map((spanId) => span(traceId, spanId, {startTime: 1_767_000_000_000})),
      messages: ["span-b", "span-a"].map((spanId): Message => ({
        traceId,
        spanId,
        index: 0,
        direction: "input",
        turn: 0,
        role: "user",
        name: null,
        content: `asked on ${spanId}`,
        toolCallId: null
      })),
      toolCalls: ["call-b", "call-a"].map((callId): ToolCall => ({
        traceId,
        spanId: callId.replace("call", "span"),
        callId,
        index: 0,
        name: "lookup",
        arguments: null,
        result: null,
        success: true,
        error: null
      })),
      feedback: ["span-b", "span-a"].map((spanId): Feedback => ({
        traceId,
        spanId,
        name: "thumbs",
        value: 1,
        label: null,
        comment: null,
        source: "user"
      }))
    });
    const workspace = join(dir, "tied");
    const traceIds = Array.from({length: 30}, (_, i) => `trace-${String(i).padStart(2, "0")}`);
    await writeFixtureWorkspace(workspace, [...traceIds].reverse().map(tied));
    const [pack, again] = await Promise.all([packInMemory(workspace), packInMemory(workspace)]);
    assert.ok(pack.file.equals(again.file));
    assert.deepEqual(
      pack.index.map((row) => row.trace_id),
      traceIds
    );
    const record = pack.record(pack.index[0]!);
    assert.deepEqual(
      record.spans.map((s) => s.spanId),
      ["span-a", "span-b"]
    );
    assert.deepEqual(
      record.messages.map((m) => m.spanId),
      ["span-a", "span-b"]
    );
    assert.deepEqual(
      record.toolCalls.map((c) => c.callId),
      ["call-a", "call-b"]
    );
    assert.deepEqual(
      record.feedback.map((f) => f.spanId),
      ["span-a", "span-b"]
    );
  });

  it("cuts each long value of a long attribute object, leaves short objects whole, and leaves no scratch files", async () => {
    const traceId = "trace-long";
    const longText = "x".repeat(6000);
    const longList = Array.from({length: 400}, (_, i) => i);
    const medium = Object.fromEntries(Array.from({length: 6}, (_, i) => [`part.${i}`, "m".repeat(900)]));
    const attributes: Record<string, Record<string, unknown>> = {
      "span-long": {"input.value": longText, "llm.model_name": "gpt-4o", "token.ids": longList},
      "span-short": {"input.value": "hello"},
      "span-medium": medium,
      "span-none": {}
    };
    const workspace = join(dir, "long");
    await writeFixtureWorkspace(workspace, [
      {
        format: "otlp",
        info: traceInfo(traceId),
        spans: Object.entries(attributes).map(([spanId, a], i) =>
          span(traceId, spanId, {startTime: 1_767_000_000_000 + i, attributes: a})
        ),
        messages: [],
        toolCalls: [],
        feedback: []
      }
    ]);
    // No reader stores a span without attributes, but a store may hold one: it must not drop out of the pack.
    await withConnection(workspace, (connection) =>
      connection.run("UPDATE spans SET attributes = NULL WHERE span_id = 'span-none'")
    );
    const scratch = mkdtempSync(join(dir, "scratch-"));
    const {index, record} = await packInMemory(workspace, {scratchDir: scratch});
    const got = new Map(record(index[0]!).spans.map((s) => [s.spanId, s.attributes]));
    assert.deepEqual(got.get("span-long"), {
      "input.value": `${"x".repeat(1024)}…`,
      "llm.model_name": "gpt-4o",
      "token.ids": `${JSON.stringify(longList).slice(0, 1024)}…`
    });
    assert.deepEqual(got.get("span-short"), attributes["span-short"]);
    assert.deepEqual(got.get("span-medium"), medium, "an object over the limit keeps its values under the value limit");
    assert.equal(got.get("span-none"), null);
    assert.deepEqual(readdirSync(scratch), []);
  });

  it("writes the pack when its scratch folder cannot be made there", async () => {
    const notAFolder = join(dir, "scratch-file");
    writeFileSync(notAFolder, "");
    const {stats: written} = await packInMemory(join(dir, "workspace"), {scratchDir: notAFolder});
    assert.equal(written.traces, 4);
  });

  it("compresses records", () => {
    assert.equal(stats["details.bin"]!.traces, 4);
    assert.ok(stats["details.bin"]!.fileBytes < stats["plain.bin"]!.fileBytes);
  });
});
