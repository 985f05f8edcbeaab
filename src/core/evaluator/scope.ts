/**
 * @module The units a spec's scope names: a trace as it is, each span with only what belongs to it, or a thread
 * (a session's traces, in order) as one.
 */
import type {Scope} from "../schemas/evaluator.js";
import type {RuleContext} from "./rule.js";

export interface ScopedContext {
  /** The trace, span or session id the verdict is about. */
  unit: string;
  context: RuleContext;
}

/** One span's view: its own attributes, the messages and tool calls recorded on it, the trace's status and fields. */
export function spanContexts(context: RuleContext): ScopedContext[] {
  return context.spans.map((span, i) => {
    const id = span.spanId ?? String(i);
    return {
      unit: id,
      context: {
        ...context,
        spans: [span],
        messages: context.messages.filter((m) => m.spanId === id),
        toolCalls: context.toolCalls.filter((t) => t.spanId === id)
      }
    };
  });
}

/** A thread's view: the traces of one session joined in order; numbers add up, any error makes it an error. */
export function threadContext(contexts: readonly RuleContext[]): RuleContext {
  const fields: RuleContext["fields"] = {};
  for (const c of contexts) {
    for (const [name, value] of Object.entries(c.fields) as [keyof RuleContext["fields"], number | null][]) {
      if (value == null) continue;
      if (name === "latency_ms") fields[name] = Math.max(fields[name] ?? 0, value);
      else fields[name] = (fields[name] ?? 0) + value;
    }
  }
  const status = contexts.some((c) => c.status === "error")
    ? "error"
    : contexts.every((c) => c.status === "unset")
      ? "unset"
      : "ok";
  return {
    status,
    fields,
    messages: contexts.flatMap((c) => c.messages),
    spans: contexts.flatMap((c) => c.spans),
    toolCalls: contexts.flatMap((c) => c.toolCalls)
  };
}

/** The units a scope evaluates for one group of traces (a thread's traces, or one trace for the other scopes). */
export function scopedContexts(scope: Scope, unit: string, contexts: readonly RuleContext[]): ScopedContext[] {
  if (scope === "thread") return [{unit, context: threadContext(contexts)}];
  if (scope === "span") return contexts.flatMap(spanContexts);
  return contexts.map((context) => ({unit, context}));
}
