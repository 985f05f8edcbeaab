/**
 * Property: the one-pass decoder gives exactly what protobufjs gives (`toObject`, ids as hex) for real OTLP requests
 * with their values replaced by arbitrary ones of every attribute type, and for the same requests' bytes flipped and
 * cut short it never crashes: either both decoders read the bytes alike or it refuses them with a `WireError`.
 * What it says of a request (spans, traces, whether the OTLP reader must read it in full) is checked against the
 * decoded value itself and against the reader.
 */
import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import {generateOtlpLine} from "../formats/otlpSynth.js";
import {acceptRequest} from "./accept.js";
import {decodeTraceRequest, encodeTraceRequest} from "./otlpProto.js";
import {decodeWireRequest, WireError, wireRequestText} from "./otlpWire.js";
import {realRequests, type JsonRequest} from "./fixtures/realRequests.js";

type Json = JsonRequest;
const POOL: Json[] = [...realRequests(), JSON.parse(generateOtlpLine(7, 6))];

/** protobufjs's reading, with what JSON cannot hold written as OTLP/JSON writes it. */
function reference(bytes: Uint8Array): unknown {
  return JSON.parse(
    JSON.stringify(decodeTraceRequest(bytes), (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))
  );
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

const anyValue: fc.Arbitrary<Json> = fc.letrec<{value: Json}>((tie) => ({
  value: fc.oneof(
    {depthSize: "small"},
    fc.record({stringValue: fc.string({unit: "binary"})}),
    fc.record({intValue: fc.oneof(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}).map(String), fc.integer())}),
    fc.record({doubleValue: fc.double()}),
    fc.record({boolValue: fc.boolean()}),
    fc.record({bytesValue: fc.uint8Array({maxLength: 9}).map((b) => Buffer.from(b).toString("base64"))}),
    fc.record({arrayValue: fc.record({values: fc.array(tie("value"), {maxLength: 3})})}),
    fc.record({
      kvlistValue: fc.record({
        values: fc.array(fc.record({key: fc.string(), value: tie("value")}), {maxLength: 3})
      })
    }),
    fc.constant({})
  )
})).value;

const attribute = fc.record({key: fc.oneof(fc.string(), fc.constant("__proto__")), value: anyValue});
const hexId = (bytes: number) =>
  fc.oneof(
    fc.uint8Array({minLength: bytes, maxLength: bytes}).map((b) => Buffer.from(b).toString("hex")),
    fc.constant("")
  );
const edit = fc.record({
  traceId: fc.option(hexId(16), {nil: undefined}),
  spanId: fc.option(hexId(8), {nil: undefined}),
  name: fc.option(fc.string({unit: "grapheme"}), {nil: undefined}),
  kind: fc.option(fc.integer({min: 0, max: 5}), {nil: undefined}),
  startTimeUnixNano: fc.option(fc.bigInt({min: 0n, max: 2n ** 64n - 1n}).map(String), {nil: undefined}),
  attributes: fc.option(fc.array(attribute, {maxLength: 4}), {nil: undefined}),
  status: fc.option(fc.record({code: fc.integer({min: 0, max: 2}), message: fc.string()}), {nil: undefined}),
  events: fc.option(
    fc.array(fc.record({name: fc.string(), attributes: fc.array(attribute, {maxLength: 2})}), {maxLength: 2}),
    {nil: undefined}
  )
});

function edited(request: Json, edits: Json[]): Json {
  const copy = structuredClone(request);
  let n = 0;
  for (const rs of copy.resourceSpans)
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? []) {
        const e = edits[n++ % edits.length]!;
        for (const [k, v] of Object.entries(e)) if (v !== undefined) span[k] = v;
      }
  return copy;
}

function checkSummary(bytes: Uint8Array): void {
  const wire = decodeWireRequest(bytes);
  const spans = (wire.value.resourceSpans ?? []).flatMap((rs: Json) =>
    (rs.scopeSpans ?? []).flatMap((ss: Json) => ss.spans ?? [])
  );
  assert.equal(wire.spans, spans.length);
  assert.deepEqual(wire.traceIds, new Set(spans.map((s: Json) => s.traceId).filter(Boolean)));
  // Not suspect means the OTLP reader takes every span: the receiver may then skip reading it before answering.
  if (!wire.suspect && spans.length) assert.deepEqual(acceptRequest(wire.value, 0).rejected, []);
}

/**
 * The text written straight from the bytes is the decoded request's `JSON.stringify`, byte for byte, with the same
 * spans and traces; it is refused (left to the decoder) for every suspect request. Returns whether it was written.
 */
function checkText(bytes: Uint8Array): boolean {
  const text = wireRequestText(bytes);
  let wire: ReturnType<typeof decodeWireRequest>;
  try {
    wire = decodeWireRequest(bytes);
  } catch (error) {
    assert.ok(error instanceof WireError);
    assert.equal(text, null, "bytes the decoder refuses have no text");
    return false;
  }
  if (text === null) return false;
  assert.equal(wire.suspect, false, "a suspect request is left to the decoder");
  assert.equal(text.json.toString("utf8"), JSON.stringify(wire.value));
  assert.ok(text.json.equals(Buffer.from(JSON.stringify(wire.value), "utf8")));
  assert.equal(text.spans, wire.spans);
  assert.deepEqual(text.traceIds, wire.traceIds);
  return true;
}

test("the one-pass decoder reads real requests with arbitrary values exactly as protobufjs does", () => {
  fc.assert(
    fc.property(fc.constantFrom(...POOL), fc.array(edit, {minLength: 1, maxLength: 4}), (original, edits) => {
      let bytes: Uint8Array;
      try {
        bytes = encodeTraceRequest(edited(original, edits));
      } catch {
        return; // a value protobuf cannot encode (e.g. an id of odd length)
      }
      assert.deepEqual(plain(decodeWireRequest(bytes).value), reference(bytes));
      checkSummary(bytes);
      // protobufjs writes each field once and a repeated field's elements together, as exporters do: every request
      // the reader cannot refuse is written straight to text.
      assert.equal(checkText(bytes), !decodeWireRequest(bytes).suspect);
    }),
    {numRuns: 300}
  );
});

test("damaged bytes are read as protobufjs reads them or refused with a WireError, never a crash", () => {
  let refused = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...POOL),
      fc.array(fc.record({at: fc.nat(), byte: fc.integer({min: 0, max: 255})}), {minLength: 1, maxLength: 3}),
      fc.option(fc.nat(), {nil: null}),
      (original, flips, cut) => {
        const bytes = Uint8Array.from(encodeTraceRequest(original));
        for (const {at, byte} of flips) bytes[at % bytes.length] = byte;
        const damaged = cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
        let ours: unknown;
        try {
          ours = plain(decodeWireRequest(damaged).value);
        } catch (error) {
          assert.ok(error instanceof WireError, `not a WireError: ${String(error)}`);
          refused++;
          return;
        }
        let theirs: unknown;
        try {
          theirs = reference(damaged);
        } catch {
          return; // protobufjs refuses what we read: only in what protobuf leaves open (e.g. a varint's padding)
        }
        assert.deepEqual(ours, theirs);
        checkSummary(damaged);
        checkText(damaged);
      }
    ),
    {numRuns: 500}
  );
  assert.ok(refused > 0, "some damage is refused");
});

test("an id of any length is hex, an empty one is left out, and a span without one makes the request suspect", () => {
  const request = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "a"},
              {traceId: "", spanId: "00f067aa0ba902b7", name: "b"}
            ]
          }
        ]
      }
    ]
  };
  const wire = decodeWireRequest(encodeTraceRequest(request));
  const spans = wire.value.resourceSpans![0]!.scopeSpans as Json[];
  assert.equal(spans[0]!.spans[0].traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.equal("traceId" in spans[0]!.spans[1], false);
  assert.equal(wire.spans, 2);
  assert.equal(wire.suspect, true);
  assert.deepEqual([...wire.traceIds], ["0af7651916cd43dd8448eb211c80319c"]);
});
