/**
 * @module How a row of exported feedback (an app's thumbs log, a support-ticket CSV, a QA review sheet) becomes a
 * label: which column holds what (named by the user, or recognised from common header names), and how a
 * verdict written as 👍, "down", 0, "FAIL" or 4/5 reads as pass or fail, and how a ticket's priority or a QA sheet's
 * severity ("urgent", "P1", "Sev 2", "minor") reads as one of the four severities.
 */
import type {Severity} from "../schemas/annotation.js";

export const FEEDBACK_FIELDS = [
  "traceId",
  "spanId",
  "verdict",
  "explanation",
  "annotator",
  "failureMode",
  "criterion",
  "time",
  "correctedOutput",
  "severity"
] as const;
export type FeedbackField = (typeof FEEDBACK_FIELDS)[number];
export type ColumnMapping = Partial<Record<FeedbackField, string>>;

/** Header names recognised for each field, compared lower-case with spaces, dashes and dots as underscores. */
const ALIASES: Record<FeedbackField, string[]> = {
  traceId: ["trace_id", "traceid", "trace", "langfuse_trace_id", "run_id", "request_id", "conversation_id"],
  spanId: ["span_id", "spanid", "observation_id"],
  verdict: [
    "verdict",
    "thumbs",
    "thumb",
    "rating",
    "vote",
    "feedback",
    "pass",
    "result",
    "score",
    "outcome",
    "grade",
    "qa_result"
  ],
  explanation: [
    "explanation",
    "comment",
    "comments",
    "note",
    "notes",
    "reason",
    "description",
    "body",
    "text",
    "feedback_text",
    "details"
  ],
  annotator: [
    "annotator",
    "reviewer",
    "qa_reviewer",
    "user",
    "user_id",
    "userid",
    "author",
    "agent",
    "email",
    "reported_by",
    "reporter",
    "customer",
    "customer_email",
    "customer_id"
  ],
  failureMode: ["failure_mode", "failuremode", "category", "issue_type", "issue", "tag", "error_type"],
  criterion: ["criterion", "rubric_criterion", "question"],
  time: ["created_at", "timestamp", "time", "date", "submitted_at", "reviewed_at"],
  correctedOutput: ["expected_output", "expected", "corrected_output", "correct_answer", "ideal_response", "reference"],
  severity: ["severity", "sev", "priority", "impact", "urgency"]
};

const normalizeHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, "_");

/** Maps fields to the input's headers: the explicit mapping first, then recognised names. */
export function detectColumns(headers: readonly string[], explicit: ColumnMapping = {}): ColumnMapping {
  const byName = new Map(headers.map((h) => [normalizeHeader(h), h]));
  const used = new Set(Object.values(explicit));
  const out: ColumnMapping = {...explicit};
  for (const field of FEEDBACK_FIELDS) {
    if (out[field] !== undefined) continue;
    const hit = ALIASES[field].map((alias) => byName.get(alias)).find((h) => h !== undefined && !used.has(h));
    if (hit !== undefined) {
      out[field] = hit;
      used.add(hit);
    }
  }
  return out;
}

const PASS = new Set([
  "up",
  "thumbs_up",
  "thumbsup",
  "👍",
  "+1",
  "true",
  "yes",
  "y",
  "pass",
  "passed",
  "good",
  "positive",
  "like",
  "ok",
  "correct"
]);
const FAIL = new Set([
  "down",
  "thumbs_down",
  "thumbsdown",
  "👎",
  "-1",
  "false",
  "no",
  "n",
  "fail",
  "failed",
  "bad",
  "negative",
  "dislike",
  "incorrect",
  "wrong"
]);

export type Verdict = {pass: boolean; score: number | null} | {error: string};

/**
 * Reads a verdict. Numbers: 0 and 1 are fail and pass; other values in [0, 1] are scores (pass at 0.5); 1–5 is a
 * star rating (pass at 4). Anything else is an error naming the value, so the row is reported, not guessed.
 */
export function parseVerdict(raw: unknown): Verdict {
  if (typeof raw === "boolean") return {pass: raw, score: raw ? 1 : 0};
  const text = String(raw ?? "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  if (!text) return {error: "no verdict"};
  if (PASS.has(text)) return {pass: true, score: 1};
  if (FAIL.has(text)) return {pass: false, score: 0};
  const n = Number(text);
  if (Number.isFinite(n)) {
    if (n >= 0 && n <= 1) return {pass: n >= 0.5, score: n};
    if (Number.isInteger(n) && n >= 1 && n <= 5) return {pass: n >= 4, score: (n - 1) / 4};
  }
  return {error: `unrecognised verdict: ${JSON.stringify(String(raw))}`};
}

/** Epoch milliseconds from an ISO date, or epoch seconds/milliseconds; null when absent or unreadable. */
export function parseTime(raw: unknown): number | null {
  if (raw === null || raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  const t = Date.parse(String(raw));
  return Number.isFinite(t) ? t : null;
}

/** Severity words of common trackers (Zendesk, Jira, PagerDuty, Sentry, QA sheets), by the severity they mean. */
const SEVERITY_WORDS: Record<Severity, string[]> = {
  low: ["low", "lowest", "minor", "trivial", "info", "p4", "p5", "sev4", "sev5", "s4", "4"],
  medium: ["medium", "normal", "moderate", "warning", "p3", "sev3", "s3", "3"],
  high: ["high", "major", "error", "p2", "sev2", "s2", "2"],
  critical: ["critical", "urgent", "highest", "blocker", "fatal", "p0", "p1", "sev0", "sev1", "s0", "s1", "1", "0"]
};
const SEVERITY_OF = new Map(
  Object.entries(SEVERITY_WORDS).flatMap(([severity, words]) => words.map((w) => [w, severity as Severity]))
);

/**
 * Reads a severity; null when absent. Anything unrecognised is an error naming the value, so the row is reported
 * rather than imported with a guessed severity.
 */
export function parseSeverity(raw: unknown): {severity: Severity | null} | {error: string} {
  if (raw === null || raw === undefined) return {severity: null};
  const text = String(raw)
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
  if (!text) return {severity: null};
  const severity = SEVERITY_OF.get(text);
  return severity ? {severity} : {error: `unrecognised severity: ${JSON.stringify(String(raw))}`};
}
