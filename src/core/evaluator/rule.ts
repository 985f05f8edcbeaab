/**
 * @module The rule evaluator: compiles a spec's declarative condition once into a plain predicate, then runs it on
 * many traces. Pure (no DOM, no Node), so pages and the CLI give the same verdicts.
 *
 * Specs are data, never code: the only behaviours are the condition shapes in `schemas/evaluator.ts`.
 * Regexes come from specs and run on untrusted trace text, so they are matched by RE2's linear-time engine
 * (`linearRegex.ts`), never by V8's backtracking one: `(a+)+$` or `a*a*c` cost time in proportion to the text
 * like any other pattern. What RE2 cannot express (backreferences, lookahead) is refused when the rule is compiled.
 */
import {PlumblineError} from "../errors.js";
import type {Condition, MessageSelector, NumericTest, Outcome} from "../schemas/evaluator.js";
import {TRACE_FIELDS} from "../schemas/evaluator.js";
import type {RE2JS} from "re2js";
import {compileLinearRegex, LinearRegexError} from "./linearRegex.js";
import {compileExpectedMismatch, type Expected} from "./reference.js";

export type TraceField = (typeof TRACE_FIELDS)[number];

/** What a rule reads of one trace (or one span, or one thread). Built by the store reader or a page. */
export interface RuleContext {
  status: "ok" | "error" | "unset";
  fields: Partial<Record<TraceField, number | null>>;
  messages: readonly {role: string; direction: string; content: string | null; spanId?: string | null}[];
  spans: readonly {spanId?: string; name: string; kind: string; attributes: Record<string, unknown>}[];
  toolCalls: readonly {
    name: string;
    arguments: string | null;
    result: string | null;
    success: boolean | null;
    spanId?: string | null;
  }[];
  /** What the trace's dataset case expects, when the trace is a case (a dataset's or an experiment's). */
  expected?: Expected | null;
}

export interface RuleOptions {
  /**
   * Longest text, in UTF-16 units, that a regex or contains check reads of one message (10,000 by default).
   * RE2 is linear, so this no longer guards against runaway patterns; it stays because it bounds the constant:
   * RE2's slower engine (taken for patterns whose automaton grows large) costs time in proportion to the pattern
   * times the text, and a trace may carry megabytes in one message. It also keeps the verdicts of existing specs.
   */
  maxInputChars?: number;
}

export type Predicate = (context: RuleContext) => boolean;

export class RuleError extends PlumblineError {
  override readonly name = "RuleError";
}

/** Compiles a condition; throws a `RuleError` naming the problem when a regex or path is unsafe or malformed. */
export function compileRule(condition: Condition, options: RuleOptions = {}): Predicate {
  const max = options.maxInputChars ?? 10_000;
  return compile(condition, max);
}

/** The outcome a rule gives: its condition describes the failure. */
export function ruleOutcome(predicate: Predicate, context: RuleContext): Outcome {
  return predicate(context) ? "fail" : "pass";
}

function compile(c: Condition, max: number): Predicate {
  switch (c.op) {
    case "and": {
      const parts = c.all.map((p) => compile(p, max));
      return (ctx) => parts.every((p) => p(ctx));
    }
    case "or": {
      const parts = c.any.map((p) => compile(p, max));
      return (ctx) => parts.some((p) => p(ctx));
    }
    case "not": {
      const inner = compile(c.condition, max);
      return (ctx) => !inner(ctx);
    }
    case "regex": {
      const regex = safeRegex(c.pattern, c.flags);
      return messageCheck(c.messages, (text) => regex.test(cut(text, max)));
    }
    case "contains": {
      if (c.caseSensitive) return messageCheck(c.messages, (text) => cut(text, max).includes(c.value));
      // A literal regex with the `i` flag: lowering every message on every run would cost far more. This one stays
      // on V8's engine, which runs it about ten times faster than RE2 does: a literal has no quantifier, group or
      // alternation to backtrack into, so V8 searches it like a string (Boyer–Moore), in time bounded by the text
      // times the literal at worst, and the text is cut to `max`.
      const regex = new RegExp(escapeRegex(c.value), "i");
      return messageCheck(c.messages, (text) => regex.test(cut(text, max)));
    }
    case "jsonpath": {
      const path = parseJsonPath(c.path);
      const test = valueTest(c.test, max);
      return (ctx) => {
        const values: unknown[] = [];
        for (const span of ctx.spans) {
          if (c.spanKind !== undefined && span.kind !== c.spanKind) continue;
          if (c.spanName !== undefined && span.name !== c.spanName) continue;
          values.push(...(resolvePath(span.attributes, path) ?? []));
        }
        if ("exists" in c.test) return values.length > 0 === c.test.exists;
        if (values.length === 0) return false;
        return c.quantifier === "all" ? values.every(test) : values.some(test);
      };
    }
    case "tool_call": {
      const count = c.count ? numeric(c.count) : (n: number) => n >= 1;
      return (ctx) => {
        let n = 0;
        for (const call of ctx.toolCalls) {
          if (c.name !== undefined && call.name !== c.name) continue;
          if (c.failed !== undefined && (call.success === false) !== c.failed) continue;
          if (c.argumentsContain !== undefined && !(call.arguments ?? "").includes(c.argumentsContain)) continue;
          if (c.resultContains !== undefined && !(call.result ?? "").includes(c.resultContains)) continue;
          n++;
        }
        return count(n);
      };
    }
    case "threshold": {
      const test = numeric(c.test);
      const missing = c.missing === "fail";
      return (ctx) => {
        const value = ctx.fields[c.field];
        return value == null ? missing : test(value);
      };
    }
    case "status":
      return (ctx) => ctx.status === c.is;
    case "expected_mismatch":
      return compileExpectedMismatch(c);
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function messageCheck(selector: MessageSelector, test: (text: string) => boolean): Predicate {
  const roles =
    selector.role === undefined ? null : new Set(Array.isArray(selector.role) ? selector.role : [selector.role]);
  const direction = selector.direction;
  const selected = (m: RuleContext["messages"][number]) =>
    (roles === null || roles.has(m.role)) && (direction === undefined || m.direction === direction);
  const quantifier = selector.quantifier ?? "any";
  return (ctx) => {
    const messages = ctx.messages;
    if (quantifier === "first" || quantifier === "last") {
      const step = quantifier === "first" ? 1 : -1;
      for (let i = step === 1 ? 0 : messages.length - 1; i >= 0 && i < messages.length; i += step) {
        const m = messages[i]!;
        if (selected(m)) return test(m.content ?? "");
      }
      return false;
    }
    let seen = false;
    for (const m of messages) {
      if (!selected(m)) continue;
      seen = true;
      const hit = test(m.content ?? "");
      if (quantifier === "any" && hit) return true;
      if (quantifier === "all" && !hit) return false;
    }
    return quantifier === "all" ? seen : false;
  };
}

function numeric(t: NumericTest): (n: number) => boolean {
  return (n) =>
    Number.isFinite(n) &&
    (t.gt === undefined || n > t.gt) &&
    (t.gte === undefined || n >= t.gte) &&
    (t.lt === undefined || n < t.lt) &&
    (t.lte === undefined || n <= t.lte) &&
    (t.eq === undefined || n === t.eq);
}

type JsonPathTest = Extract<Condition, {op: "jsonpath"}>["test"];

function valueTest(test: JsonPathTest, max: number): (value: unknown) => boolean {
  if ("exists" in test) return () => true;
  if ("equals" in test) return (value) => value === test.equals;
  if ("matches" in test) {
    const regex = safeRegex(test.matches, test.flags);
    return (value) => typeof value === "string" && regex.test(cut(value, max));
  }
  const check = numeric(test);
  return (value) => {
    const n =
      typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    return check(n);
  };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Compiles a spec's regex for RE2's linear-time engine, with JavaScript's syntax and flags; throws a `RuleError`
 * naming the pattern when it is too long, invalid, or uses what RE2 lacks (backreferences, lookahead).
 */
export function safeRegex(pattern: string, flags = ""): RE2JS {
  if (pattern.length > 500) throw new RuleError(`regex too long (${pattern.length} > 500 characters)`);
  return specRegex(pattern, flags);
}

function specRegex(pattern: string, flags: string): RE2JS {
  try {
    return compileLinearRegex(pattern, flags);
  } catch (error) {
    if (error instanceof LinearRegexError) throw new RuleError(error.message);
    throw error;
  }
}

type PathStep = {key: string} | {index: number} | {wildcard: true};

/** Parses the JSONPath subset: `$`, `.key`, `['key']`/`["key"]`, `[n]`, `[*]`, `.*`. */
export function parseJsonPath(path: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 1;
  const fail = (why: string) => new RuleError(`invalid JSONPath ${JSON.stringify(path)}: ${why} at ${i}`);
  while (i < path.length) {
    if (path[i] === ".") {
      i++;
      if (path[i] === ".") throw fail("recursive descent (..) is not supported");
      if (path[i] === "*") {
        steps.push({wildcard: true});
        i++;
        continue;
      }
      const match = /^[A-Za-z0-9_$@-]+/.exec(path.slice(i));
      if (!match) throw fail("expected a key");
      steps.push({key: match[0]});
      i += match[0].length;
    } else if (path[i] === "[") {
      const rest = path.slice(i);
      const m = /^\[(?:(\*)|(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(rest);
      if (!m) throw fail("expected [*], [n] or ['key']");
      if (m[1]) steps.push({wildcard: true});
      else if (m[2] !== undefined) steps.push({index: Number(m[2])});
      else steps.push({key: (m[3] ?? m[4] ?? "").replace(/\\(.)/g, "$1")});
      i += m[0].length;
    } else {
      throw fail("unexpected character");
    }
  }
  return steps;
}

/**
 * Every value at `steps` under `root`. Span attributes are stored flattened (`{"gen_ai.usage.input_tokens": 5}`),
 * so where a key is missing the following dotted keys are joined and tried as one key.
 */
export function resolvePath(root: unknown, steps: readonly PathStep[]): unknown[] | null {
  const out: unknown[] = [];
  const walk = (node: unknown, at: number) => {
    if (at === steps.length) {
      out.push(node);
      return;
    }
    const step = steps[at]!;
    if ("wildcard" in step) {
      if (Array.isArray(node)) for (const v of node) walk(v, at + 1);
      else if (node && typeof node === "object") for (const v of Object.values(node)) walk(v, at + 1);
      return;
    }
    if ("index" in step) {
      if (Array.isArray(node) && step.index < node.length) walk(node[step.index], at + 1);
      return;
    }
    if (!node || typeof node !== "object" || Array.isArray(node)) return;
    const object = node as Record<string, unknown>;
    let key = step.key;
    let next = at + 1;
    for (;;) {
      if (Object.prototype.hasOwnProperty.call(object, key)) walk(object[key], next);
      const following = steps[next];
      if (!following || !("key" in following)) break;
      key = `${key}.${following.key}`;
      next++;
    }
  };
  walk(root, 0);
  return out.length ? out : null;
}
