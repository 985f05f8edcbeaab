/**
 * @module The failure signature of one trace: a few facts read off its structure — the first failing tool and its
 * error template, the agent or step where it went wrong, retrieval misses, the final status and negative
 * feedback — joined into a key. Traces with equal keys form one signature cluster, so a reviewer sees "38 traces:
 * book_reservation failed with 'payment amount does not add up' · reward=fail" once instead of 38 times.
 * Deterministic and explainable: every part of the key is a fact a person can check in the trace.
 */
import {maxOf} from "./extent.js";
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
  failedTools: {name: string; error: string | null; parentName: string | null}[];
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

export interface Signature {
  traceId: string;
  /** The parts joined by " | "; equal keys mean one cluster. */
  key: string;
  parts: string[];
  /** 0–1: how bad the worst cue is (status error 1, negative feedback 0.8, tool or span error 0.6, retrieval miss 0.4). */
  severity: number;
}

function isNegative(feedback: FeedbackInput, options: SignatureOptions): boolean {
  if (feedback.label !== null) return options.negativeLabels.includes(feedback.label.toLowerCase());
  return false;
}

/** The signature of a trace with at least one failure cue, or null for a trace with none. */
export function signatureOf(
  input: SignatureInput,
  options: SignatureOptions = DEFAULT_SIGNATURE_OPTIONS
): Signature | null {
  const parts: string[] = [];
  let severity = 0;
  const tool = input.failedTools[0];
  if (tool) {
    const where = tool.parentName ? ` in ${tool.parentName}` : "";
    parts.push(`tool ${tool.name} failed${where}: ${tool.error ? errorTemplate(tool.error) : "(no message)"}`);
    severity = Math.max(severity, 0.6);
  }
  const span = input.errorSpans[0];
  if (span && !tool) {
    parts.push(`${span.kind} ${span.name} failed${span.message ? `: ${errorTemplate(span.message)}` : ""}`);
    severity = Math.max(severity, 0.6);
  }
  if (input.retrievalMisses.length > 0) {
    parts.push(`retrieval miss in ${[...new Set(input.retrievalMisses)].sort().join(", ")}`);
    severity = Math.max(severity, 0.4);
  }
  if (!options.ignoreFeedback) {
    const blamed = input.feedback.filter((f) => f.label !== null && options.attributionFeedback.includes(f.name));
    for (const f of blamed) parts.push(`blamed agent ${f.label}`);
    const negative = input.feedback.filter((f) => isNegative(f, options));
    const names = [...new Set(negative.map((f) => `${f.name}=${f.label!.toLowerCase()}`))].sort();
    if (names.length > 0) {
      parts.push(`feedback ${names.join(", ")}`);
      severity = Math.max(severity, 0.8);
    }
    if (blamed.length > 0) severity = Math.max(severity, 0.8);
  }
  if (input.status === "error") severity = 1;
  if (parts.length === 0 && input.status !== "error") return null;
  parts.push(`status ${input.status}`);
  return {traceId: input.traceId, key: parts.join(" | "), parts, severity};
}

export interface SignatureCluster {
  clusterId: string;
  key: string;
  /** The key as one line for people: its parts joined by " · ". */
  name: string;
  parts: string[];
  severity: number;
  traceIds: string[];
}

/** Groups signatures by key, largest first (then by key, so the order never depends on input order). */
export function clusterSignatures(signatures: readonly Signature[]): SignatureCluster[] {
  const groups = new Map<string, Signature[]>();
  for (const s of signatures) {
    const group = groups.get(s.key);
    if (group) group.push(s);
    else groups.set(s.key, [s]);
  }
  return [...groups.entries()]
    .map(([key, members]) => ({
      clusterId: `sig-${shortHash(key)}`,
      key,
      name: members[0]!.parts.join(" · "),
      parts: members[0]!.parts,
      severity: maxOf(members.map((m) => m.severity)),
      traceIds: members.map((m) => m.traceId).sort()
    }))
    .sort((a, b) => b.traceIds.length - a.traceIds.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
