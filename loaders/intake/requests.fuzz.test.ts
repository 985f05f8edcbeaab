/**
 * Property: whatever is wrong with a request, the receiver answers (200 or 400, never a crash); of a 200, every span
 * left as it came is logged and reaches the store, and every span left out is counted in `rejectedSpans` and
 * quarantined with a reason. Real OTLP requests (the OTLP fixtures beside the readers and the ingest's bad-input
 * pool) are mutated span by span — ids, times, names, attributes, status and events replaced with arbitrary
 * values, fields removed, `__proto__` keys — and, in their protobuf encoding, bytes flipped and cut short.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import fc from "fast-check";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {withReadConnection} from "../store/db.js";
import {encodeTraceRequest} from "./otlpProto.js";
import {openReceiver, type ReceiverResponse} from "./receiver.js";
import {intakeDir, listSegments} from "./wal.js";
import {realRequests, type JsonRequest} from "./fixtures/realRequests.js";

type Json = JsonRequest;
const POOL: Json[] = realRequests();

const FIELDS = [
  "traceId",
  "spanId",
  "parentSpanId",
  "name",
  "startTimeUnixNano",
  "endTimeUnixNano",
  "attributes",
  "status",
  "events",
  "kind"
];
const mutation = fc.record({
  field: fc.constantFrom(...FIELDS, "__proto__", "delete traceId"),
  value: fc.oneof(fc.anything({maxDepth: 2}), fc.string(), fc.constant("12abc"), fc.constant([{key: 3}]))
});

/** Every span of the request, numbered in order, with the mutation applied to the chosen ones. */
function mutate(
  request: Json,
  picks: ({field: string; value: unknown} | null)[],
  serial: number
): {request: Json; kept: string[]; mutated: number} {
  const copy = structuredClone(request);
  const kept: string[] = [];
  let n = 0;
  for (const rs of copy.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const span of ss.spans) {
        // Fresh ids, so that runs do not share spans and the store check below is exact.
        span.spanId = `${serial.toString(16).padStart(8, "0")}${n.toString(16).padStart(8, "0")}`;
        span.traceId = `${serial.toString(16).padStart(16, "0")}${String(span.traceId).slice(0, 16).padEnd(16, "0")}`;
        if (span.parentSpanId) span.parentSpanId = `${serial.toString(16).padStart(8, "0")}${"0".repeat(8)}`;
        const pick = picks[n++ % picks.length];
        if (!pick) kept.push(span.spanId);
        else if (pick.field === "delete traceId") delete span.traceId;
        else if (pick.field === "__proto__")
          Object.defineProperty(span, "__proto__", {value: pick.value, enumerable: true});
        else span[pick.field] = pick.value;
      }
  return {request: copy, kept, mutated: n - kept.length};
}

const body = (r: ReceiverResponse) => (typeof r.body === "string" ? r.body : Buffer.from(r.body).toString());
const quarantined = (workspace: string) => {
  try {
    return readdirSync(join(workspace, "quarantine"))
      .map((f) =>
        readFileSync(join(workspace, "quarantine", f), "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
      )
      .flat()
      .map((line) => JSON.parse(line) as {reason: string});
  } catch {
    return [];
  }
};

test("mutated OTLP requests: no crash, every span left intact is logged and stored, every span refused is counted and explained", async () => {
  const workspace = tempDir("intake-fuzz");
  const receiver = openReceiver({workspace, catchUpDelayMs: 50});
  const intact = new Set<string>();
  let serial = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POOL),
        fc.array(fc.option(mutation, {nil: null, freq: 2}), {minLength: 1, maxLength: 5}),
        fc.option(fc.record({at: fc.nat(), cut: fc.boolean(), byte: fc.integer({min: 0, max: 255})}), {nil: null}),
        async (original, picks, damage) => {
          const {request, kept, mutated} = mutate(original, picks, ++serial);
          const before = quarantined(workspace).length;
          if (damage) {
            // Bytes damaged on the wire: the answer is 200 or 400, and a 200's refusals are explained.
            let bytes: Uint8Array;
            try {
              bytes = encodeTraceRequest(request);
            } catch {
              return; // a mutation protobuf cannot even encode
            }
            const at = damage.at % Math.max(1, bytes.length);
            const damaged = damage.cut
              ? bytes.subarray(0, at)
              : Uint8Array.from(bytes, (b, i) => (i === at ? damage.byte : b));
            const answer = await receiver.handle({
              body: damaged,
              contentType: "application/x-protobuf",
              contentEncoding: undefined
            });
            assert.ok(answer.status === 200 || answer.status === 400, `status ${answer.status}`);
            return;
          }
          const answer = await receiver.handle({
            body: Buffer.from(JSON.stringify(request)),
            contentType: "application/json",
            contentEncoding: undefined
          });
          assert.equal(answer.status, 200, body(answer));
          const response = JSON.parse(body(answer));
          const rejected = Number(response.partialSuccess?.rejectedSpans ?? 0);
          const reasons = quarantined(workspace).slice(before);
          assert.equal(reasons.length, rejected, "every refused span is quarantined");
          for (const r of reasons) assert.ok(r.reason.length > 0, "with its reason");
          if (rejected) assert.ok(response.partialSuccess.errorMessage.length > 0);
          assert.ok(rejected <= mutated, `${rejected} spans refused, but only ${mutated} were changed`);
          for (const id of kept) intact.add(id);
        }
      ),
      {
        numRuns: 60,
        includeErrorInReport: true,
        ...(process.env.FUZZ_SEED
          ? {seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH, endOnFailure: true}
          : {})
      }
    );
    await receiver.flush();
    const logged = listSegments(workspace)
      .map((name) => readFileSync(join(intakeDir(workspace), name), "utf8"))
      .join("");
    const missingFromLog = [...intact].filter((id) => !logged.includes(`"${id}"`));
    assert.deepEqual(missingFromLog, [], "every intact span is logged");
    const stored = new Set(
      await withReadConnection(workspace, async (c) =>
        (await c.runAndReadAll("SELECT span_id FROM spans")).getRows().map((r) => String(r[0]))
      )
    );
    assert.deepEqual(
      [...intact].filter((id) => !stored.has(id)),
      [],
      "every intact span is stored"
    );
  } finally {
    await receiver.close();
    removeTempDir(workspace);
  }
});
