/**
 * @module Which completed reviews led somewhere. A review is complete when its queue item has as many distinct
 * annotators as the queue asks for; it led nowhere when no outcome was recorded for it, or only `none`.
 */
import {labelledBy, type LabelRef} from "../queue/progress.js";
import type {Queue} from "../schemas/queue.js";
import {REVIEW_OUTCOMES, type ReviewOutcomeKind} from "./outcomeKinds.js";
import type {ReviewOutcome} from "../schemas/reviewOutcome.js";

export interface CompletedReview {
  queueId: string;
  queueName: string;
  traceId: string;
  criterion: string;
  annotators: string[];
  /** Every outcome recorded for this review, oldest first. */
  outcomes: ReviewOutcome[];
  ledNowhere: boolean;
}

export interface ReviewSummary {
  completed: number;
  ledNowhere: number;
  /** Reviews with at least one outcome of each kind. */
  byOutcome: Record<ReviewOutcomeKind, number>;
  reviews: CompletedReview[];
}

/** An outcome belongs to a review when it names the review's trace and its queue, or names no queue. */
function belongs(outcome: ReviewOutcome, queueId: string, traceId: string): boolean {
  return outcome.traceId === traceId && (outcome.queueId === null || outcome.queueId === queueId);
}

export function summarizeReviews(
  queues: readonly Queue[],
  labels: Iterable<LabelRef>,
  outcomes: readonly ReviewOutcome[]
): ReviewSummary {
  const all = [...labels];
  const byTrace = new Map<string, ReviewOutcome[]>();
  for (const o of outcomes) {
    const list = byTrace.get(o.traceId);
    if (list) list.push(o);
    else byTrace.set(o.traceId, [o]);
  }
  const reviews: CompletedReview[] = [];
  for (const queue of queues) {
    const by = labelledBy(queue, all);
    for (const item of queue.items) {
      const annotators = by.get(item.traceId);
      if (!annotators || annotators.size < queue.annotatorsPerTrace) continue;
      const mine = (byTrace.get(item.traceId) ?? [])
        .filter((o) => belongs(o, queue.id, item.traceId))
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      reviews.push({
        queueId: queue.id,
        queueName: queue.name,
        traceId: item.traceId,
        criterion: queue.criterion,
        annotators: [...annotators].sort(),
        outcomes: mine,
        ledNowhere: mine.every((o) => o.outcome === "none")
      });
    }
  }
  const byOutcome = Object.fromEntries(
    REVIEW_OUTCOMES.map((k) => [k, reviews.filter((r) => r.outcomes.some((o) => o.outcome === k)).length])
  ) as Record<ReviewOutcomeKind, number>;
  return {completed: reviews.length, ledNowhere: reviews.filter((r) => r.ledNowhere).length, byOutcome, reviews};
}
