/**
 * @module OTLP/HTTP's binary encoding: `ExportTraceServiceRequest` decoded from protobuf into the OTLP/JSON shape
 * the file ingest reads (loaders/formats/otlp.ts), and the responses (`ExportTraceServiceResponse`,
 * `google.rpc.Status`) encoded back.
 *
 * Decoding uses protobufjs, the protobuf library the OpenTelemetry JavaScript SDK itself was built on until its
 * exporters moved to a hand-written encoder (which encodes only): it is widely used, has no native parts, and
 * reads `.proto` text at run time, so the messages below are opentelemetry-proto's own definitions (v1.5, the
 * fields a trace request carries), copied field for field, with no generated code to keep in step.
 *
 * The JSON produced follows the OTLP/JSON mapping: camelCase names, 64-bit integers as decimal strings, enums as
 * numbers, and trace and span ids as lower-case hex (protobuf's generic JSON mapping would give base64).
 */
import protobuf from "protobufjs";

const PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  string message = 2;
  int32 code = 3;
}
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message RpcStatus {
  int32 code = 1;
  string message = 2;
}
`;

const root = protobuf.parse(PROTO).root;
const RequestType = root.lookupType("opentelemetry.proto.ExportTraceServiceRequest");
const ResponseType = root.lookupType("opentelemetry.proto.ExportTraceServiceResponse");
const RpcStatusType = root.lookupType("opentelemetry.proto.RpcStatus");

const ID_FIELDS = ["traceId", "spanId", "parentSpanId"] as const;

/** Turns the base64 ids of protobuf's generic mapping into OTLP/JSON's hex; an empty id is left out. */
function hexIds(item: Record<string, unknown>): void {
  for (const field of ID_FIELDS) {
    const value = item[field];
    if (typeof value !== "string") continue;
    if (value === "") delete item[field];
    else item[field] = Buffer.from(value, "base64").toString("hex");
  }
}

/**
 * Decodes a protobuf `ExportTraceServiceRequest` into its OTLP/JSON form. Throws protobufjs's error when the bytes
 * are not one (the caller answers 400).
 */
export function decodeTraceRequest(bytes: Uint8Array): Record<string, unknown> {
  const message = RequestType.decode(bytes);
  const value = RequestType.toObject(message, {longs: String, bytes: String, enums: Number, oneofs: false});
  for (const resourceSpans of (value.resourceSpans ?? []) as Record<string, unknown>[]) {
    for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as Record<string, unknown>[]) {
      for (const span of (scopeSpans.spans ?? []) as Record<string, unknown>[]) {
        hexIds(span);
        for (const link of (span.links ?? []) as Record<string, unknown>[]) hexIds(link);
      }
    }
  }
  return value;
}

/** Encodes a protobuf `ExportTraceServiceRequest` from its OTLP/JSON form (for tests and the bench). */
export function encodeTraceRequest(json: Record<string, unknown>): Uint8Array {
  const copy = structuredClone(json) as Record<string, unknown>;
  for (const resourceSpans of (copy.resourceSpans ?? []) as Record<string, unknown>[]) {
    for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as Record<string, unknown>[]) {
      for (const span of (scopeSpans.spans ?? []) as Record<string, unknown>[]) {
        for (const field of ID_FIELDS) {
          if (typeof span[field] === "string")
            span[field] = Buffer.from(span[field] as string, "hex").toString("base64");
        }
      }
    }
  }
  return RequestType.encode(RequestType.fromObject(copy)).finish();
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** An `ExportTraceServiceResponse`; `partialSuccess` is left out when every span was accepted, as the spec asks. */
export function encodeTraceResponse(partial: PartialSuccess | null): Uint8Array {
  const body = partial
    ? {partialSuccess: {rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage}}
    : {};
  return ResponseType.encode(ResponseType.fromObject(body)).finish();
}

/** Decodes an `ExportTraceServiceResponse` (for tests). */
export function decodeTraceResponse(bytes: Uint8Array): {
  partialSuccess?: {rejectedSpans?: string; errorMessage?: string};
} {
  return ResponseType.toObject(ResponseType.decode(bytes), {longs: String});
}

/** A `google.rpc.Status`, the body of an OTLP/HTTP error response in the binary encoding. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatusType.encode(RpcStatusType.fromObject({code, message})).finish();
}
