/**
 * @module How feedback sent to `POST /api/feedback` (src/core/schemas/feedback.ts) becomes a label: an `end_user`
 * label on the criterion it names, its value read as pass/fail and a score the way imported thumbs are.
 *
 * End-user labels are a signal for review queues, never ground truth (loaders/store/annotationViews.ts).
 */
import type {Annotation, NewAnnotation} from "../schemas/annotation.js";
import type {Feedback} from "../schemas/feedback.js";
import type {Criterion} from "../schemas/rubric.js";
import {parseTime, parseVerdict} from "./feedbackMapping.js";

/** The annotator of feedback that names no user. */
export const END_USER = "end-user";

/** A label's fields as a client's feedback gives them; `createdAt` is null when the server is to stamp it. */
export type FeedbackFields = NewAnnotation & {createdAt: number | null};
export type FeedbackLabel = {fields: FeedbackFields} | {error: string};

/** The label a feedback becomes, or why it cannot be one. `criterion` is the rubric's, when it has that criterion. */
export function feedbackLabel(feedback: Feedback, criterion: Criterion | undefined): FeedbackLabel {
  const criterionId = feedback.name ?? feedback.key ?? "overall";
  const raw = feedback.value ?? feedback.score ?? null;
  let answer: {pass: boolean | null; score: number | null; label: string | null} = {
    pass: null,
    score: null,
    label: null
  };
  // A category or free text is an answer in its own words; anything else is read as a verdict.
  if (typeof raw === "string" && (criterion?.kind === "categorical" || criterion?.kind === "text")) {
    answer = {pass: null, score: null, label: raw};
  } else if (raw !== null) {
    const verdict = parseVerdict(raw);
    if ("error" in verdict)
      return {
        error: `${verdict.error}: value is true/false, a score from 0 to 1, stars from 1 to 5, or "up"/"down"`
      };
    answer = {pass: verdict.pass, score: verdict.score, label: null};
  }
  const createdAt =
    feedback.createdAt === null || feedback.createdAt === undefined ? null : parseTime(feedback.createdAt);
  if (feedback.createdAt !== null && feedback.createdAt !== undefined && createdAt === null)
    return {
      error: `unreadable createdAt ${JSON.stringify(feedback.createdAt)}: send an ISO date or epoch milliseconds`
    };
  const spanId = feedback.spanId ?? feedback.observationId ?? null;
  return {
    fields: {
      traceId: feedback.traceId,
      criterion: criterionId,
      ...answer,
      explanation: feedback.comment ?? null,
      correctedOutput: feedback.correction ?? null,
      source: "end_user",
      annotator: feedback.userId ?? END_USER,
      scope: spanId === null ? {kind: "trace"} : {kind: "span", spanId},
      createdAt
    }
  };
}

/** The fields that make two feedbacks the same; the time it arrived is not one of them, unless the client set it. */
const SAME = ["traceId", "criterion", "label", "explanation", "correctedOutput", "source", "annotator"] as const;

/** Whether a stored label says what this feedback says: a retry, not a different feedback under a reused id. */
export function sameFeedback(stored: Annotation, f: FeedbackFields): boolean {
  if (SAME.some((k) => (stored[k] ?? null) !== (f[k] ?? null))) return false;
  if (JSON.stringify(stored.scope) !== JSON.stringify(f.scope)) return false;
  // The store may derive pass or score where the feedback left them out; only what the feedback gave is compared.
  if (f.pass !== null && f.pass !== undefined && stored.pass !== f.pass) return false;
  if (f.score !== null && f.score !== undefined && stored.score !== f.score) return false;
  return f.createdAt === null || stored.createdAt === f.createdAt;
}
