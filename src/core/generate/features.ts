/**
 * @module Candidate features for rule induction: every check a rule can make that might separate failing from
 * passing traces, mined from the training examples only, each already in the spec's condition language with a
 * sentence that says what it checks.
 *
 * - text: word n-grams (`contains`) and opening words (`regex` `^` + the escaped literal) in chosen turns: any, the
 *   first or the last message of each role, and the last message of the conversation;
 * - tool: a tool is called, a call to it failed or succeeded, it is called at least k times, some call failed;
 * - span: span attribute values (`jsonpath` equals, or a numeric bound);
 * - number: bounds on the trace's numbers (`threshold`);
 * - status: the trace's status.
 *
 * Counts here are the miner's estimate (a text n-gram is counted where its words occur, the runtime matches the
 * substring); the induction recomputes every feature it keeps with the rule runtime itself.
 */
import {TRACE_FIELDS, canonicalJson, type Condition, type MessageSelector, type Outcome} from "../schemas/evaluator.js";
import {escapeRegex, type RuleContext} from "../evaluator/rule.js";
import {gramCache, prefixCache, type GramOptions} from "./textGrams.js";

export type FeatureSource = "text" | "tool" | "span" | "number" | "status";

export interface Feature {
  /** The condition's canonical JSON: identity and the last tie-break. */
  key: string;
  condition: Condition;
  /** What the condition checks, in words. */
  description: string;
  /** What its negation checks, in words ("no tool call failed"). */
  negation: string;
  source: FeatureSource;
  /** Training examples of each class it holds on, as estimated while mining. */
  fail: number;
  pass: number;
}

export interface MiningOptions extends GramOptions {
  /** A feature must hold on at least this many examples and fail to hold on as many. */
  minSupport: number;
  /** Most text features kept, by estimated strength (default 120). */
  maxText?: number;
  /** Most span-attribute and number features kept (default 60 each). */
  maxOther?: number;
}

type Example = {outcome: Outcome; rule: RuleContext};

interface Counter {
  fail: number;
  pass: number;
  /** The last example counted, so a word seen twice in one trace counts once. */
  seen: number;
}

/** The |MCC| a feature with these class counts would have, or 0 where it is undefined. */
export function strength(fail: number, pass: number, totalFail: number, totalPass: number): number {
  const tp = fail;
  const fp = pass;
  const fn = totalFail - fail;
  const tn = totalPass - pass;
  const d = (tp + fp) * (fn + tn) * (tp + fn) * (fp + tn);
  return d === 0 ? 0 : Math.abs(tp * tn - fp * fn) / Math.sqrt(d);
}

/**
 * Features of the examples at `members` (every example when absent). `index` is the text of all of them, from
 * `indexText`; it is built here when not given.
 */
export function mineFeatures(
  examples: readonly Example[],
  options: MiningOptions,
  index?: TextIndex,
  members?: readonly number[]
): Feature[] {
  const chosen = members ?? examples.map((_, i) => i);
  const subset = chosen.map((i) => examples[i]!);
  const totalFail = subset.filter((e) => e.outcome === "fail").length;
  const totalPass = subset.length - totalFail;
  const supported = (f: {fail: number; pass: number}) =>
    f.fail + f.pass >= options.minSupport && subset.length - f.fail - f.pass >= options.minSupport;
  const byStrength = (a: Feature, b: Feature) =>
    strength(b.fail, b.pass, totalFail, totalPass) - strength(a.fail, a.pass, totalFail, totalPass) ||
    a.description.length - b.description.length ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const top = (features: Feature[], n: number) => features.filter(supported).sort(byStrength).slice(0, n);
  // Structural features first: where a text n-gram covers exactly the traces a tool-call or status check does
  // ("a tool message contains \"error\"" and "some tool call failed"), the induction keeps the first one seen.
  return [
    ...top(toolFeatures(subset), Infinity),
    ...top(statusFeatures(subset), Infinity),
    ...top(numberFeatures(subset), options.maxOther ?? 60),
    ...top(spanFeatures(subset, options.minSupport), options.maxOther ?? 60),
    ...top(textFeatures(index ?? indexText(examples, options), examples, chosen), options.maxText ?? 120)
  ];
}

function feature(
  condition: Condition,
  description: string,
  negation: string,
  source: FeatureSource,
  fail: number,
  pass: number
): Feature {
  return {key: canonicalJson(condition), condition, description, negation, source, fail, pass};
}

/** Counts, per key, the examples of each class some `emit` call named it in. */
function tally<K>(
  examples: readonly Example[],
  visit: (example: Example, emit: (key: K) => void) => void
): Map<K, Counter> {
  const counts = new Map<K, Counter>();
  examples.forEach((example, index) => {
    const fail = example.outcome === "fail";
    visit(example, (key) => {
      let c = counts.get(key);
      if (!c) counts.set(key, (c = {fail: 0, pass: 0, seen: -1}));
      if (c.seen === index) return;
      c.seen = index;
      if (fail) c.fail++;
      else c.pass++;
    });
  });
  return counts;
}

// ---- text ----

interface Turn {
  selector: MessageSelector;
  words: string;
  /** "no user message" for any message of a role; null where the negation reads "… does not …". */
  none: string | null;
}

function turns(examples: readonly Example[]): Turn[] {
  const roles = [...new Set(examples.flatMap((e) => e.rule.messages.map((m) => m.role)))].sort();
  const many = new Set(
    roles.filter((role) => examples.some((e) => e.rule.messages.filter((m) => m.role === role).length > 1))
  );
  const out: Turn[] = [{selector: {quantifier: "last"}, words: "the last message", none: null}];
  for (const role of roles) {
    out.push({
      selector: {role, quantifier: "any"},
      words: `${/^[aeio]/i.test(role) ? "an" : "a"} ${role} message`,
      none: `no ${role} message`
    });
    // With one message of a role per trace, its first and last are the same check as "any".
    if (many.has(role)) {
      out.push({selector: {role, quantifier: "first"}, words: `the first ${role} message`, none: null});
      out.push({selector: {role, quantifier: "last"}, words: `the last ${role} message`, none: null});
    }
  }
  return out;
}

/**
 * Every training example's n-grams per turn, as ids, read once: mining on a subset (a cross-validation fold) is
 * then a count over integer arrays, not a second pass over the text.
 */
export interface TextIndex {
  turns: {turn: Turn; mode: "contains" | "prefix"; grams: string[]; perExample: Int32Array[]}[];
}

export function indexText(examples: readonly Example[], options: GramOptions = {}): TextIndex {
  const containsGrams = gramCache(options);
  const prefixGrams = prefixCache(options);
  const modes = [
    {mode: "contains" as const, grams: containsGrams},
    {mode: "prefix" as const, grams: prefixGrams}
  ];
  return {
    turns: turns(examples).flatMap((turn) =>
      modes.map(({mode, grams}) => {
        const {role, quantifier} = turn.selector;
        const ids = new Map<string, number>();
        const names: string[] = [];
        const stamp: number[] = [];
        const perExample = examples.map((example, index) => {
          const messages = example.rule.messages;
          const chosen =
            quantifier === "any"
              ? messages.filter((m) => m.role === role)
              : [
                  quantifier === "first"
                    ? messages.find((m) => m.role === role)
                    : findLast(messages, (m) => role === undefined || m.role === role)
                ];
          const out: number[] = [];
          for (const m of chosen) {
            if (!m?.content) continue;
            for (const g of grams(m.content)) {
              let id = ids.get(g);
              if (id === undefined) {
                ids.set(g, (id = names.length));
                names.push(g);
                stamp.push(-1);
              }
              if (stamp[id] === index) continue;
              stamp[id] = index;
              out.push(id);
            }
          }
          return Int32Array.from(out);
        });
        return {turn, mode, grams: names, perExample};
      })
    )
  };
}

function textFeatures(index: TextIndex, examples: readonly Example[], members: readonly number[]): Feature[] {
  const out: Feature[] = [];
  for (const {turn, mode, grams, perExample} of index.turns) {
    const fail = new Int32Array(grams.length);
    const pass = new Int32Array(grams.length);
    for (const i of members) {
      const counts = examples[i]!.outcome === "fail" ? fail : pass;
      for (const id of perExample[i]!) counts[id]!++;
    }
    // n-grams with the same counts are mostly one phrase seen through overlapping windows ("payment amount",
    // "amount does"): the two shortest of each stand for the rest, so they do not crowd out other signals.
    const groups = new Map<number, number[]>();
    for (let id = 0; id < grams.length; id++) {
      if (fail[id]! + pass[id]! === 0) continue;
      const key = fail[id]! * 1_000_003 + pass[id]!;
      const group = groups.get(key);
      if (group) group.push(id);
      else groups.set(key, [id]);
    }
    for (const group of groups.values()) {
      group.sort((a, b) => grams[a]!.length - grams[b]!.length || (grams[a]! < grams[b]! ? -1 : 1));
      for (const id of group.slice(0, 2)) {
        const gram = grams[id]!;
        if (mode === "contains") {
          out.push(
            feature(
              {op: "contains", messages: turn.selector, value: gram, caseSensitive: false},
              `${turn.words} contains ${JSON.stringify(gram)}`,
              turn.none
                ? `${turn.none} contains ${JSON.stringify(gram)}`
                : `${turn.words} does not contain ${JSON.stringify(gram)}`,
              "text",
              fail[id]!,
              pass[id]!
            )
          );
        } else {
          // The one regex induction writes: an escaped literal anchored at the start, which the runtime's guards accept.
          const condition: Condition = {
            op: "regex",
            messages: turn.selector,
            pattern: `^\\s*${escapeRegex(gram)}`,
            flags: "i"
          };
          out.push(
            feature(
              condition,
              `${turn.words} starts with ${JSON.stringify(gram)}`,
              turn.none
                ? `${turn.none} starts with ${JSON.stringify(gram)}`
                : `${turn.words} does not start with ${JSON.stringify(gram)}`,
              "text",
              fail[id]!,
              pass[id]!
            )
          );
        }
      }
    }
  }
  return out;
}

function findLast<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}

// ---- tool calls ----

function toolFeatures(examples: readonly Example[]): Feature[] {
  const counts = tally<string>(examples, (example, emit) => {
    const perName = new Map<string, number>();
    for (const call of example.rule.toolCalls) {
      perName.set(call.name, (perName.get(call.name) ?? 0) + 1);
      emit(`called\u0000${call.name}`);
      if (call.success === false) {
        emit("failed");
        emit(`failed\u0000${call.name}`);
      } else if (call.success === true) emit(`succeeded\u0000${call.name}`);
    }
    for (const [name, n] of perName) for (const k of [2, 3, 5]) if (n >= k) emit(`times\u0000${name}\u0000${k}`);
  });
  const out: Feature[] = [];
  for (const [key, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [kind, name, k] = key.split("\u0000");
    if (kind === "failed" && name === undefined)
      out.push(
        feature({op: "tool_call", failed: true}, "some tool call failed", "no tool call failed", "tool", c.fail, c.pass)
      );
    else if (kind === "failed")
      out.push(
        feature(
          {op: "tool_call", name: name!, failed: true},
          `a call to ${name} failed`,
          `no call to ${name} failed`,
          "tool",
          c.fail,
          c.pass
        )
      );
    else if (kind === "succeeded")
      out.push(
        feature(
          {op: "tool_call", name: name!, failed: false},
          `a call to ${name} succeeded`,
          `no call to ${name} succeeded`,
          "tool",
          c.fail,
          c.pass
        )
      );
    else if (kind === "called")
      out.push(
        feature({op: "tool_call", name: name!}, `${name} is called`, `${name} is never called`, "tool", c.fail, c.pass)
      );
    else
      out.push(
        feature(
          {op: "tool_call", name: name!, count: {gte: Number(k)}},
          `${name} is called at least ${k} times`,
          `${name} is called fewer than ${k} times`,
          "tool",
          c.fail,
          c.pass
        )
      );
  }
  return out;
}

// ---- span attributes ----

/** A JSONPath the runtime resolves to the attribute `key` (flattened keys with dots resolve as one key). */
export function attributePath(key: string): string {
  if (/^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/.test(key)) return `$.${key}`;
  return `$['${key.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
}

function spanFeatures(examples: readonly Example[], minSupport: number): Feature[] {
  const numbers = new Map<string, number[]>();
  const counts = tally<string>(examples, (example, emit) => {
    const seen = new Map<string, number>();
    for (const span of example.rule.spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        if (typeof value === "string" && value.length > 0 && value.length <= 100)
          emit(`${key}\u0000${JSON.stringify(value)}`);
        else if (typeof value === "boolean") emit(`${key}\u0000${value}`);
        else if (typeof value === "number" && Number.isFinite(value))
          seen.set(key, Math.max(seen.get(key) ?? -Infinity, value));
      }
    }
    for (const [key, max] of seen) {
      const list = numbers.get(key);
      if (list) list.push(max);
      else numbers.set(key, [max]);
    }
  });
  const out: Feature[] = [];
  const perKey = new Map<string, number>();
  for (const [k, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const cut = k.indexOf("\u0000");
    const key = k.slice(0, cut);
    const value = JSON.parse(k.slice(cut + 1)) as string | boolean;
    // A key with hundreds of values (ids, timestamps) names single traces, not a kind of trace.
    if (c.fail + c.pass < minSupport || (perKey.get(key) ?? 0) >= 30) continue;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    out.push(
      feature(
        {op: "jsonpath", path: attributePath(key), test: {equals: value}, quantifier: "any"},
        `a span's ${key} is ${JSON.stringify(value)}`,
        `no span's ${key} is ${JSON.stringify(value)}`,
        "span",
        c.fail,
        c.pass
      )
    );
  }
  for (const [key, values] of [...numbers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const at of cutPoints(values)) {
      const counted = countWhere(examples, (e) =>
        e.rule.spans.some((s) => typeof s.attributes[key] === "number" && (s.attributes[key] as number) >= at)
      );
      out.push(
        feature(
          {op: "jsonpath", path: attributePath(key), test: {gte: at}, quantifier: "any"},
          `a span's ${key} is at least ${at}`,
          `no span's ${key} is at least ${at}`,
          "span",
          counted.fail,
          counted.pass
        )
      );
    }
  }
  return out;
}

// ---- trace numbers and status ----

/** Up to 16 thresholds: every distinct value when few, else evenly spaced quantiles. */
export function cutPoints(values: readonly number[]): number[] {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= 16) return distinct;
  const sorted = [...values].sort((a, b) => a - b);
  return [...new Set(Array.from({length: 15}, (_, i) => sorted[Math.floor(((i + 1) / 16) * sorted.length)]!))];
}

function countWhere(examples: readonly Example[], test: (example: Example) => boolean): {fail: number; pass: number} {
  let fail = 0;
  let pass = 0;
  for (const e of examples) if (test(e)) e.outcome === "fail" ? fail++ : pass++;
  return {fail, pass};
}

function numberFeatures(examples: readonly Example[]): Feature[] {
  const out: Feature[] = [];
  for (const field of TRACE_FIELDS) {
    const values = examples
      .map((e) => e.rule.fields[field])
      .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (!values.length) continue;
    for (const at of cutPoints(values)) {
      const atLeast = countWhere(examples, (e) => (e.rule.fields[field] ?? -Infinity) >= at);
      out.push(
        feature(
          {op: "threshold", field, test: {gte: at}, missing: "pass"},
          `${field} ≥ ${at}`,
          `${field} < ${at} or unknown`,
          "number",
          atLeast.fail,
          atLeast.pass
        )
      );
      const atMost = countWhere(examples, (e) => e.rule.fields[field] != null && e.rule.fields[field]! <= at);
      out.push(
        feature(
          {op: "threshold", field, test: {lte: at}, missing: "pass"},
          `${field} ≤ ${at}`,
          `${field} > ${at} or unknown`,
          "number",
          atMost.fail,
          atMost.pass
        )
      );
    }
  }
  return out;
}

function statusFeatures(examples: readonly Example[]): Feature[] {
  return (["error", "ok", "unset"] as const).map((is) => {
    const c = countWhere(examples, (e) => e.rule.status === is);
    return feature(
      {op: "status", is},
      `the trace's status is ${is}`,
      `the trace's status is not ${is}`,
      "status",
      c.fail,
      c.pass
    );
  });
}
