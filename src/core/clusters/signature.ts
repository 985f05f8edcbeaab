/**
 * @module The failure signature of one trace: what went wrong, read off its structure, as a key. Traces with equal
 * keys form one signature cluster, so a reviewer sees "38 traces: book_reservation failed: payment amount does not
 * add up" once instead of 38 times.
 *
 * The key names one failure once. It is made of what went wrong — the first failing tool (or, when no tool failed,
 * the first failing step) with its normalised error, retrieval misses, and for a trace with no structural failure
 * the kind of miss (a blamed agent, negative feedback, an error status) — and never of where the trace came from
 * or incidental structure: the file or format it was read from, the agent or parent span that made the call, the
 * span kind a format gives a step, the trace's final status when a tool failure explains it, or whether anyone left
 * feedback on it. So the same failing run ingested from two files or two formats (OTLP and a chat transcript)
 * has one key. Deterministic and explainable: every part is a fact a person can check in the trace.
 */
import {errorTemplate} from "./errorTemplate.js";
import {shortHash} from "./hash.js";

export interface FeedbackInput {
  name: string;
  label: string | null;
  value: number | null;
}

/** What the store knows about one trace that matters for its signature, each list in trace order. */
export interface SignatureInput {
  traceId: string;
  status: string;
  /** Failed tool calls; not who called them, since a signature never names the caller. */
  failedTools: {name: string; error: string | null}[];
  /** Spans with status error that are not tool calls, deepest first within the trace's order. */
  errorSpans: {name: string; kind: string; message: string | null}[];
  /** Retriever spans that returned no documents. */
  retrievalMisses: string[];
  feedback: FeedbackInput[];
}

export interface SignatureOptions {
  /** Feedback names whose label names the agent a person blamed (Who&When's `mistake_agent`). */
  attributionFeedback: readonly string[];
  /** Labels that mark feedback as negative, compared in lower case. */
  negativeLabels: readonly string[];
  /** Leave feedback out of the signature (to measure how well structure alone separates failures). */
  ignoreFeedback: boolean;
}

export const DEFAULT_SIGNATURE_OPTIONS: SignatureOptions = {
  attributionFeedback: ["mistake_agent", "blamed_agent", "failure_agent"],
  negativeLabels: [
    "fail",
    "failed",
    "failure",
    "negative",
    "thumbs_down",
    "thumbsdown",
    "bad",
    "incorrect",
    "wrong",
    "down",
    "👎"
  ],
  ignoreFeedback: false
};

/** What a signature is made of: the fields of the trace its key is read from, in key order. */
export type SignatureField =
  | "failing tool"
  | "failing step"
  | "normalised error"
  | "retrieval miss"
  | "blamed agent"
  | "negative feedback"
  | "error status";

export interface Signature {
  traceId: string;
  /** The parts joined by " | "; equal keys mean one cluster. */
  key: string;
  parts: string[];
  madeOf: SignatureField[];
  /** 0–1: how bad the worst cue is (status error 1, negative feedback 0.8, tool or span error 0.6, retrieval miss 0.4). */
  severity: number;
}

function isNegative(feedback: FeedbackInput, options: SignatureOptions): boolean {
  if (feedback.label !== null) return options.negativeLabels.includes(feedback.label.toLowerCase());
  return false;
}

/** Text → its template; `signatureOf` takes one so that a batch can normalise each kind of error once. */
export type Templater = (error: string) => string;

/**
 * An error as a template, without the generic "Error:" a format may put in front: a chat transcript's failed tool
 * result reads "Error: upstream timed out" where OTLP's span status says "upstream timed out".
 */
export function failureTemplate(error: string): string {
  return errorTemplate(error.replace(/^\s*(?:error|exception)\s*:\s*/i, ""));
}

/**
 * An error with every digit but 0 read as 1: two errors that differ only in their digits have one shape, and one
 * template when the template keeps no digit. No rule of `errorTemplate` tells digits apart except the 0 of a "0x"
 * hex number, which the shape keeps, so matches fall at the same places in an error and in its shape.
 */
function digitShape(error: string): string {
  return error.replace(/[1-9]/g, "1");
}

/**
 * `failureTemplate` remembered by the error's digit shape. Production errors repeat verbatim or differ only in an
 * id or a count, so a run normalises each shape once; a template that kept a digit is made from the error itself,
 * since there the shape's 1s would show. Past `limit` shapes it starts afresh, so a run holds a bounded map.
 */
export function cachedFailureTemplate(limit = 100_000): Templater {
  let cache = new Map<string, string | null>();
  return (error) => {
    const shape = digitShape(error);
    let template = cache.get(shape);
    if (template === undefined) {
      template = failureTemplate(shape);
      if (/\d/.test(template)) template = null;
      if (cache.size >= limit) cache = new Map();
      cache.set(shape, template);
    }
    return template ?? failureTemplate(error);
  };
}

/** The signature of a trace with at least one failure cue, or null for a trace with none. */
export function signatureOf(
  input: SignatureInput,
  options: SignatureOptions = DEFAULT_SIGNATURE_OPTIONS,
  template: Templater = failureTemplate
): Signature | null {
  const parts: string[] = [];
  const madeOf: SignatureField[] = [];
  let severity = 0;
  const tool = input.failedTools[0];
  const span = input.errorSpans[0];
  if (tool) {
    parts.push(`tool ${tool.name} failed: ${tool.error ? template(tool.error) : "(no message)"}`);
    madeOf.push("failing tool", "normalised error");
    severity = 0.6;
  } else if (span) {
    parts.push(`step ${span.name} failed${span.message ? `: ${template(span.message)}` : ""}`);
    madeOf.push("failing step", ...(span.message ? (["normalised error"] as const) : []));
    severity = 0.6;
  }
  const misses = input.retrievalMisses;
  if (misses.length > 0) {
    parts.push(`retrieval miss in ${misses.length === 1 ? misses[0] : [...new Set(misses)].sort().join(", ")}`);
    madeOf.push("retrieval miss");
    severity = Math.max(severity, 0.4);
  }
  const structural = parts.length > 0;
  const feedback = input.feedback;
  if (!options.ignoreFeedback && feedback.length > 0) {
    const blames = (f: FeedbackInput) => f.label !== null && options.attributionFeedback.includes(f.name);
    if (structural) {
      // Feedback names the failure only where the structure shows none: added to a tool failure, it would split one
      // failure by whether somebody happened to leave a thumbs-down. It still weighs on the severity.
      if (feedback.some((f) => blames(f) || isNegative(f, options))) severity = Math.max(severity, 0.8);
    } else {
      const blamed = [...new Set(feedback.filter(blames).map((f) => f.label!))].sort();
      const negative = [
        ...new Set(feedback.filter((f) => isNegative(f, options)).map((f) => `${f.name}=${f.label!.toLowerCase()}`))
      ].sort();
      if (blamed.length > 0 || negative.length > 0) severity = Math.max(severity, 0.8);
      if (blamed.length > 0) {
        parts.push(`blamed agent ${blamed.join(", ")}`);
        madeOf.push("blamed agent");
      } else if (negative.length > 0) {
        parts.push(`negative feedback ${negative.join(", ")}`);
        madeOf.push("negative feedback");
      }
    }
  }
  if (input.status === "error") severity = 1;
  if (parts.length === 0) {
    if (input.status !== "error") return null;
    parts.push("error status");
    madeOf.push("error status");
  }
  return {traceId: input.traceId, key: parts.join(" | "), parts, madeOf, severity};
}

/** One field of a signature with the value its traces share ("failing tool": "cancel_reservation"). */
export interface SignatureFieldValue {
  field: SignatureField;
  value: string;
}

/** The fields a signature stands on when no tool or step failed and no retrieval missed: the kind of miss. */
export const FALLBACK_FIELDS: readonly SignatureField[] = ["blamed agent", "negative feedback", "error status"];

const MISSES = " | retrieval miss in ";

/**
 * The fields a signature key is made of with their values, read back from the key itself (as stored in the
 * `clusters` table), in key order. A normalised error may itself hold " | ", so the key is read by its shape rather
 * than split: only retrieval misses can follow a failing tool or step.
 */
export function signatureFieldValues(key: string): SignatureFieldValue[] {
  const out: SignatureFieldValue[] = [];
  let head = key;
  let misses: string | null = null;
  if (key.startsWith("retrieval miss in ")) {
    misses = key.slice("retrieval miss in ".length);
    head = "";
  } else if (/^(?:tool|step) /.test(key) && key.lastIndexOf(MISSES) >= 0) {
    misses = key.slice(key.lastIndexOf(MISSES) + MISSES.length);
    head = key.slice(0, key.lastIndexOf(MISSES));
  }
  const failed = /^(tool|step) (.+?) failed(?:: ([\s\S]*))?$/.exec(head);
  if (failed) {
    out.push({field: failed[1] === "tool" ? "failing tool" : "failing step", value: failed[2]!});
    if (failed[3] !== undefined) out.push({field: "normalised error", value: failed[3]});
  } else if (head.startsWith("blamed agent ")) out.push({field: "blamed agent", value: head.slice(13)});
  else if (head.startsWith("negative feedback ")) out.push({field: "negative feedback", value: head.slice(18)});
  else if (head === "error status") out.push({field: "error status", value: "error"});
  if (misses !== null) out.push({field: "retrieval miss", value: misses});
  return out;
}

/** The fields a signature key is made of, read back from the key itself (as stored in the `clusters` table). */
export function signatureFields(key: string): SignatureField[] {
  return signatureFieldValues(key).map((f) => f.field);
}

export interface SignatureCluster {
  clusterId: string;
  key: string;
  /** The key as one line for people: its parts joined by " · ". */
  name: string;
  parts: string[];
  madeOf: SignatureField[];
  severity: number;
  traceIds: string[];
}

/** Every flagged trace in input order with its severity, beside the clusters they form. */
export interface SignatureGrouping {
  clusters: SignatureCluster[];
  flagged: string[];
  severities: number[];
}

/**
 * The signature clusters of many traces: traces with equal keys form one cluster, largest first (then by key, so the
 * order never depends on input order). Grouped as the traces are read: no per-trace signature outlives its trace (a million of them kept alive cost more
 * in garbage collection than making them), and each distinct error text is normalised once.
 */
export function groupSignatures(
  inputs: Iterable<SignatureInput>,
  options: SignatureOptions = DEFAULT_SIGNATURE_OPTIONS
): SignatureGrouping {
  const template = cachedFailureTemplate();
  const groups = new Map<string, {first: Signature; severity: number; traceIds: string[]}>();
  const flagged: string[] = [];
  const severities: number[] = [];
  for (const input of inputs) {
    const s = signatureOf(input, options, template);
    if (!s) continue;
    flagged.push(s.traceId);
    severities.push(s.severity);
    const group = groups.get(s.key);
    if (!group) groups.set(s.key, {first: s, severity: s.severity, traceIds: [s.traceId]});
    else {
      group.traceIds.push(s.traceId);
      if (s.severity > group.severity) group.severity = s.severity;
    }
  }
  const clusters = [...groups.entries()]
    .map(([key, {first, severity, traceIds}]) => ({
      clusterId: `sig-${shortHash(key)}`,
      key,
      name: first.parts.join(" · "),
      parts: first.parts,
      madeOf: first.madeOf,
      severity,
      traceIds: traceIds.sort()
    }))
    .sort((a, b) => b.traceIds.length - a.traceIds.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {clusters, flagged, severities};
}
