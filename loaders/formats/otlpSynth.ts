/**
 * @module Synthetic OTLP/JSON Lines of GenAI agent traces, for benchmarks: deterministic (line `i` is always the
 * same text), realistic in shape (the attributes, nesting and message JSON strings that GenAI instrumentations
 * emit), with no randomness source beyond the line number.
 *
 * Each trace is one `invoke_agent` span with `chat` and `execute_tool` children, in the proportions of a small
 * tool-using agent: per ten spans, one agent span, five chat calls and four tool executions (one in eight tools
 * fails). Every other trace carries a `session.id`, so trace-level rows appear too.
 */

const SPANS_PER_TRACE = 10;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.5-flash"];
const TOOLS = ["get_weather", "search_flights", "lookup_order", "calculate"];
const QUESTIONS = [
  "What's the weather in Paris tomorrow?",
  "Find me a flight from JFK to SEA on May 20.",
  "Where is my order 4417?",
  "What is 17% of 2,340?"
];

function hex(value: number, width: number): string {
  return (value >>> 0)
    .toString(16)
    .padStart(8, "0")
    .repeat(Math.ceil(width / 8))
    .slice(0, width);
}

/** A small deterministic mixer (xorshift-multiply), so ids and numbers vary without Math.random. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

const str = (key: string, value: string) => ({key, value: {stringValue: value}});
const int = (key: string, value: number) => ({key, value: {intValue: String(value)}});

function span(
  trace: string,
  id: string,
  parent: string | null,
  name: string,
  startNs: bigint,
  ms: number,
  attributes: unknown[],
  error: string | null
): unknown {
  const startText = startNs.toString();
  const endText = (startNs + BigInt(Math.round(ms * 1e6))).toString();
  return {
    traceId: trace,
    spanId: id,
    ...(parent ? {parentSpanId: parent} : {}),
    name,
    kind: 3,
    startTimeUnixNano: startText,
    endTimeUnixNano: endText,
    attributes,
    status: error ? {code: 2, message: error} : {code: 0}
  };
}

/**
 * The id of trace `t` of line `line`: random-looking like an exporter's, and unique for every line below 2^26. Its
 * first eight digits are a bijection of (line, t); ids drawn from a 32-bit seed alone collided about twenty times
 * in 400,000 traces, and the ingest rightly kept one trace of each pair.
 */
export function syntheticTraceId(line: number, t: number): string {
  const seed = mix(line, t);
  return hex(bijection(line * 64 + t), 8) + hex(mix(seed, 1), 8) + hex(mix(seed, 2), 8) + hex(mix(seed, 3), 8);
}

/** MurmurHash3's 32-bit finalizer: every step (xor-shift, odd multiply) is invertible, so distinct inputs stay distinct. */
function bijection(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function traceSpans(line: number, t: number, count: number): unknown[] {
  const seed = mix(line, t);
  const traceId = syntheticTraceId(line, t);
  const spanId = (k: number) => hex(mix(seed, 100 + k), 8) + hex(mix(seed, 200 + k), 8);
  const model = MODELS[seed % MODELS.length]!;
  const question = QUESTIONS[seed % QUESTIONS.length]!;
  const base = 1_767_225_600_000_000_000n + BigInt(line) * 60_000_000_000n + BigInt(t) * 1_000_000_000n;
  const rootId = spanId(0);
  const spans: unknown[] = [];
  const rootAttrs = [
    str("gen_ai.operation.name", "invoke_agent"),
    str("gen_ai.agent.name", "support-agent"),
    str("gen_ai.request.model", model)
  ];
  if (t % 2 === 0) rootAttrs.push(str("session.id", `session-${line}-${t >> 1}`));
  spans.push(span(traceId, rootId, null, "invoke_agent support-agent", base, 4000, rootAttrs, null));
  for (let k = 1; k < count; k++) {
    const start = base + BigInt(k) * 300_000_000n;
    const h = mix(seed, k);
    if (k % 5 === 2 || k % 5 === 4) {
      const tool = TOOLS[h % TOOLS.length]!;
      const callId = `call_${hex(h, 8)}${hex(mix(h, 9), 8)}`;
      const failed = h % 8 === 0;
      const result = failed ? "Error: upstream service timed out" : `{"ok":true,"value":${h % 1000}}`;
      spans.push(
        span(
          traceId,
          spanId(k),
          rootId,
          `execute_tool ${tool}`,
          start,
          40 + (h % 200),
          [
            str("gen_ai.operation.name", "execute_tool"),
            str("gen_ai.tool.name", tool),
            str("gen_ai.tool.call.id", callId),
            str("gen_ai.tool.call.arguments", `{"query":"${question.slice(0, 24)}"}`),
            str("gen_ai.tool.call.result", result),
            ...(failed ? [str("error.type", "TimeoutError")] : [])
          ],
          failed ? "upstream service timed out" : null
        )
      );
      continue;
    }
    const input = JSON.stringify([
      {role: "system", parts: [{type: "text", content: "You are a helpful support agent."}]},
      {role: "user", parts: [{type: "text", content: question}]}
    ]);
    const output = JSON.stringify([
      {
        role: "assistant",
        parts: [{type: "text", content: `Let me check that for you (step ${k}).`}],
        finish_reason: "stop"
      }
    ]);
    spans.push(
      span(
        traceId,
        spanId(k),
        rootId,
        `chat ${model}`,
        start,
        300 + (h % 900),
        [
          str("gen_ai.operation.name", "chat"),
          str("gen_ai.provider.name", "openai"),
          str("gen_ai.request.model", model),
          str("gen_ai.response.model", `${model}-2025-01-01`),
          str("gen_ai.response.id", `chatcmpl-${hex(h, 8)}`),
          int("gen_ai.usage.input_tokens", 50 + (h % 400)),
          int("gen_ai.usage.output_tokens", 5 + (h % 120)),
          {key: "gen_ai.response.finish_reasons", value: {arrayValue: {values: [{stringValue: "stop"}]}}},
          str("gen_ai.input.messages", input),
          str("gen_ai.output.messages", output)
        ],
        null
      )
    );
  }
  return spans;
}

/** Line `i` of a synthetic OTLP/JSON Lines file: one ExportTraceServiceRequest holding `spansPerLine` spans. */
export function generateOtlpLine(i: number, spansPerLine = 100): string {
  const spans: unknown[] = [];
  for (let t = 0; spans.length < spansPerLine; t++) {
    for (const s of traceSpans(i, t, Math.min(SPANS_PER_TRACE, spansPerLine - spans.length))) spans.push(s);
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            str("service.name", "support-agent"),
            str("telemetry.sdk.language", "python"),
            str("deployment.environment", "bench")
          ]
        },
        scopeSpans: [{scope: {name: "opentelemetry.instrumentation.genai", version: "0.1.0"}, spans}]
      }
    ]
  });
}
