/**
 * @module Reference-based checks: a trace's output against what its dataset case expects. Each check is the
 * `expected_mismatch` rule condition, so it is an ordinary evaluator spec (versioned, calibrated, gated on); the
 * condition holds, and the rule fails the trace, when the output misses the reference.
 *
 * The output is the trace's last assistant message; `tool_calls` reads the trace's tool calls instead. The
 * expected value is the case's expected output (or behaviour), which the store attaches to a trace that is a
 * dataset case or an experiment's case (`RuleContext.expected`).
 *
 *   exact       the output equals the expected text
 *   normalized  equal after Unicode NFKC, lower case, punctuation dropped and white space collapsed
 *   contains    the output contains the expected text (case-insensitive unless `caseSensitive`)
 *   json        both parse as JSON (a fenced code block too) and are equal at `paths` (the whole value without)
 *   tool_calls  every expected call (name, and arguments equal at `paths`, all arguments without) is made
 *               and did not fail; `ordered` asks them in their order. Expected: an array of {name, arguments | kwargs}, or an
 *               object holding one as `tool_calls` or `actions` (τ-bench's gold actions).
 *   numeric     the first number in each is within `tolerance`, or `relativeTolerance` of the expected one
 */
import type {Condition} from "../schemas/evaluator.js";
import {parseJsonPath, resolvePath, type RuleContext} from "./rule.js";

export type ExpectedMismatch = Extract<Condition, {op: "expected_mismatch"}>;

/** What the case expects, as `RuleContext.expected` carries it. */
export interface Expected {
  output: string | null;
  behaviour: string | null;
}

/** The trace's answer: its last assistant message (the final one, when messages carry directions). */
export function outputOf(context: Pick<RuleContext, "messages">): string | null {
  for (let i = context.messages.length - 1; i >= 0; i--) {
    const m = context.messages[i]!;
    if (m.role === "assistant" && m.content !== null) return m.content;
  }
  return null;
}

export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** JSON alone, or as the only thing in one code fence; undefined when it is neither. */
export function parseJsonText(text: string): unknown {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  try {
    return JSON.parse(fenced ? fenced[1]! : text);
  } catch {
    return undefined;
  }
}

/** Deep equality of JSON values; object key order does not matter, and 1 equals 1.0. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => jsonEqual(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
  );
}

/** Equal at every path (a path that resolves on neither side counts as equal: both lack it). */
function equalAt(paths: readonly ReturnType<typeof parseJsonPath>[] | null, a: unknown, b: unknown): boolean {
  if (paths === null) return jsonEqual(a, b);
  return paths.every((p) => jsonEqual(resolvePath(a, p) ?? [], resolvePath(b, p) ?? []));
}

export interface ToolCallLike {
  name: string;
  arguments: unknown;
  success?: boolean | null;
}

/** The expected calls in an expected output, or null when it holds none. */
export function expectedToolCalls(text: string): ToolCallLike[] | null {
  const value = parseJsonText(text);
  const list = Array.isArray(value)
    ? value
    : value && typeof value === "object"
      ? ((value as Record<string, unknown>).tool_calls ?? (value as Record<string, unknown>).actions)
      : undefined;
  if (!Array.isArray(list)) return null;
  const calls: ToolCallLike[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object" || typeof (item as {name?: unknown}).name !== "string") return null;
    const call = item as {name: string; arguments?: unknown; kwargs?: unknown};
    calls.push({name: call.name, arguments: argumentsValue(call.arguments ?? call.kwargs ?? {})});
  }
  return calls;
}

const argumentsValue = (value: unknown): unknown =>
  typeof value === "string" ? (parseJsonText(value) ?? value) : (value ?? {});

/**
 * Whether every expected call is made. In order, the expected calls must appear as a subsequence of the made ones;
 * in any order, each must match a distinct made call. Calls beyond the expected ones are allowed.
 */
export function toolCallsMatch(
  expected: readonly ToolCallLike[],
  made: readonly ToolCallLike[],
  options: {paths: readonly string[] | null; ordered: boolean}
): boolean {
  const paths = options.paths === null ? null : options.paths.map(parseJsonPath);
  // A call that failed did not do what was expected of it.
  const same = (e: ToolCallLike, m: ToolCallLike) =>
    m.success !== false && e.name === m.name && equalAt(paths, e.arguments, argumentsValue(m.arguments));
  if (options.ordered) {
    let at = 0;
    for (const m of made) if (at < expected.length && same(expected[at]!, m)) at++;
    return at === expected.length;
  }
  const used = new Set<number>();
  return expected.every((e) => {
    const i = made.findIndex((m, j) => !used.has(j) && same(e, m));
    if (i < 0) return false;
    used.add(i);
    return true;
  });
}

export function firstNumber(text: string): number | null {
  const match = /[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+/.exec(text);
  return match ? Number(match[0].replace(/,/g, "")) : null;
}

/** Whether the output matches the reference under the check; `null` when the case expects nothing to compare. */
export function matchesReference(c: ExpectedMismatch, context: RuleContext): boolean | null {
  const reference = c.expected === "behaviour" ? context.expected?.behaviour : context.expected?.output;
  if (reference === null || reference === undefined) return null;
  if (c.check === "tool_calls") {
    const expected = expectedToolCalls(reference);
    if (expected === null) return null;
    return toolCallsMatch(expected, context.toolCalls, {paths: c.paths ?? null, ordered: c.ordered});
  }
  const output = outputOf(context);
  if (output === null) return false;
  switch (c.check) {
    case "exact":
      return output === reference;
    case "normalized":
      return normalizeText(output) === normalizeText(reference);
    case "contains":
      return c.caseSensitive ? output.includes(reference) : output.toLowerCase().includes(reference.toLowerCase());
    case "json": {
      const want = parseJsonText(reference);
      if (want === undefined) return null;
      const got = parseJsonText(output);
      if (got === undefined) return false;
      return equalAt(c.paths ? c.paths.map(parseJsonPath) : null, got, want);
    }
    case "numeric": {
      const want = firstNumber(reference);
      if (want === null) return null;
      const got = firstNumber(output);
      if (got === null) return false;
      const diff = Math.abs(got - want);
      return diff <= c.tolerance || diff <= c.relativeTolerance * Math.abs(want);
    }
  }
}

/** The condition as a predicate: it holds when the output misses the reference (or, per `missing`, has none). */
export function compileExpectedMismatch(c: ExpectedMismatch): (context: RuleContext) => boolean {
  if (c.paths) for (const p of c.paths) parseJsonPath(p);
  const missing = c.missing === "fail";
  return (context) => {
    const matched = matchesReference(c, context);
    return matched === null ? missing : !matched;
  };
}
