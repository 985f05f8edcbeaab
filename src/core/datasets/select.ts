/**
 * @module Which traces become dataset cases, and in what order. Confirmed failures come first: a trace whose
 * ground truth fails is what a dataset exists to keep from coming back. Then the cases worth protecting, traces
 * that work today and would be easy to break unnoticed:
 *
 * - new topic: the trace belongs to a semantic cluster (what users ask about) no case of the dataset covers yet;
 *   the first trace of each uncovered topic is taken, so a dataset spreads over topics instead of piling up in one;
 * - long output: its final answer is at least as long as the workspace's 90th percentile, where truncation and
 *   drift show first;
 * - edge case: the annotators disagreed (a majority or adjudicated decision, or a tie nobody settled), a tool
 *   failed and the trace still passed (recovery), the trace ended in error without failing review, or it gave
 *   no final answer at all.
 *
 * Everything else is left out with the reason, unless the traces were named one by one.
 */
import type {CaseKind} from "../schemas/dataset.js";

export interface TruthRow {
  criterion: string;
  pass: boolean;
  failureMode: string | null;
  explanation: string | null;
  decidedBy: string;
}

export interface Candidate {
  traceId: string;
  truth: readonly TruthRow[];
  /** Semantic clusters the trace belongs to. */
  topics: readonly string[];
  /** Characters of the final assistant answer; null when the trace has no assistant message. */
  outputChars: number | null;
  toolErrors: number;
  status: string;
  /** Annotators labelled the trace on a criterion and split evenly, so it has no ground truth there. */
  tied: boolean;
}

export interface SelectOptions {
  /** Prefer failures with this failure mode (and only those count when promoting from a failure mode). */
  failureMode?: string | null;
  /** Prefer ground truth on this criterion (a queue's criterion). */
  criterion?: string | null;
  /** Traces already in the dataset: never added twice. */
  existing: ReadonlySet<string>;
  /** Topics the dataset's cases already cover. */
  coveredTopics: ReadonlySet<string>;
  /** An answer at least this long is a long output. */
  longOutputChars: number;
  /** Keep every candidate (as kind `other` when nothing else applies): the traces were chosen by hand. */
  keepAll?: boolean;
}

export interface Pick {
  traceId: string;
  kind: CaseKind;
  /** Why the trace was chosen, in words. */
  why: string;
  /** The ground-truth row the case's expected behaviour comes from, when there is one. */
  truth: TruthRow | null;
}

export interface Selection {
  picks: Pick[];
  skipped: {traceId: string; reason: string}[];
}

const KIND_ORDER: CaseKind[] = ["confirmed_failure", "new_topic", "long_output", "edge_case", "regression", "other"];

function failureRow(c: Candidate, options: SelectOptions): TruthRow | null {
  let fails = c.truth.filter((t) => !t.pass);
  if (options.failureMode) fails = fails.filter((t) => t.failureMode === options.failureMode);
  if (!fails.length) return null;
  return (
    fails.find((t) => t.criterion === options.criterion) ?? fails.find((t) => t.criterion === "overall") ?? fails[0]!
  );
}

function passRow(c: Candidate, options: SelectOptions): TruthRow | null {
  const passes = c.truth.filter((t) => t.pass);
  return (
    passes.find((t) => t.criterion === options.criterion) ??
    passes.find((t) => t.criterion === "overall") ??
    passes[0] ??
    null
  );
}

function edgeReason(c: Candidate): string | null {
  const split = c.truth.find((t) => t.decidedBy === "majority" || t.decidedBy === "adjudicated");
  if (split)
    return `annotators disagreed on ${split.criterion} (${split.decidedBy === "majority" ? "decided by majority" : "adjudicated"})`;
  if (c.tied) return "annotators split evenly and nobody has adjudicated";
  if (c.toolErrors > 0)
    return `${c.toolErrors} tool call${c.toolErrors === 1 ? "" : "s"} failed and the trace recovered`;
  if (c.status === "error") return "the trace ended in error";
  if (c.outputChars === null || c.outputChars === 0) return "no final answer";
  return null;
}

/** Candidates in their source order → the cases to add, confirmed failures first; pure and deterministic. */
export function selectCases(candidates: readonly Candidate[], options: SelectOptions): Selection {
  const picks: Pick[] = [];
  const skipped: Selection["skipped"] = [];
  const covered = new Set(options.coveredTopics);
  const seen = new Set<string>();
  const rest: Candidate[] = [];
  for (const c of candidates) {
    if (seen.has(c.traceId)) continue;
    seen.add(c.traceId);
    if (options.existing.has(c.traceId)) {
      skipped.push({traceId: c.traceId, reason: "already in the dataset"});
      continue;
    }
    const fail = failureRow(c, options);
    if (fail) {
      const mode = fail.failureMode ? ` (${fail.failureMode})` : "";
      picks.push({
        traceId: c.traceId,
        kind: "confirmed_failure",
        why: `ground truth fails ${fail.criterion}${mode}, decided ${fail.decidedBy}`,
        truth: fail
      });
      for (const t of c.topics) covered.add(t);
    } else {
      rest.push(c);
    }
  }
  for (const c of rest) {
    const truth = passRow(c, options);
    const topic = c.topics.find((t) => !covered.has(t));
    if (topic !== undefined) {
      covered.add(topic);
      picks.push({traceId: c.traceId, kind: "new_topic", why: `first case of topic ${topic}`, truth});
      continue;
    }
    if (c.outputChars !== null && c.outputChars > 0 && c.outputChars >= options.longOutputChars) {
      picks.push({
        traceId: c.traceId,
        kind: "long_output",
        why: `a ${c.outputChars}-character answer (long from ${options.longOutputChars})`,
        truth
      });
      continue;
    }
    const edge = edgeReason(c);
    if (edge) {
      picks.push({traceId: c.traceId, kind: "edge_case", why: edge, truth});
      continue;
    }
    const failsElsewhere = options.failureMode && c.truth.some((t) => !t.pass);
    if (options.keepAll) picks.push({traceId: c.traceId, kind: "other", why: "chosen by hand", truth});
    else
      skipped.push({
        traceId: c.traceId,
        reason: failsElsewhere
          ? `fails, but not with ${options.failureMode}, and nothing else to protect`
          : "not a confirmed failure, and no new topic, long output or edge case to protect"
      });
  }
  const rank = (k: CaseKind) => KIND_ORDER.indexOf(k);
  // A stable sort keeps source order within each kind.
  picks.sort((a, b) => rank(a.kind) - rank(b.kind));
  return {picks, skipped};
}
