/**
 * @module Where a queue stands: per annotator, what they have done and what is left for them; per queue, the
 * traces that still lack the number of annotators the queue asks for.
 */
import type {Queue, QueueItem} from "../schemas/queue.js";

export interface LabelRef {
  traceId: string;
  criterion: string;
  annotator: string;
}

export interface AnnotatorProgress {
  annotator: string;
  done: number;
  /** Items this annotator has not labelled that still need an annotator. */
  remaining: number;
}

export interface QueueProgress {
  total: number;
  /** Items with as many distinct annotators as the queue asks for. */
  complete: number;
  remaining: number;
  annotators: AnnotatorProgress[];
}

/**
 * Distinct annotators assigned to the queue who labelled each of its traces on its criterion. Anyone else's label
 * (an imported grader's, a passer-by's) is not a review the queue asked for: counting it would mark a trace
 * complete that one assigned annotator labelled, and the second would never be asked.
 */
export function labelledBy(queue: Queue, labels: Iterable<LabelRef>): Map<string, Set<string>> {
  const inQueue = new Set(queue.items.map((i) => i.traceId));
  const assigned = new Set(queue.annotators);
  const by = new Map<string, Set<string>>();
  for (const label of labels) {
    if (label.criterion !== queue.criterion || !inQueue.has(label.traceId) || !assigned.has(label.annotator)) continue;
    let set = by.get(label.traceId);
    if (!set) by.set(label.traceId, (set = new Set()));
    set.add(label.annotator);
  }
  return by;
}

export function queueProgress(queue: Queue, labels: Iterable<LabelRef>): QueueProgress {
  const by = labelledBy(queue, labels);
  const needs = (item: QueueItem) => (by.get(item.traceId)?.size ?? 0) < queue.annotatorsPerTrace;
  const complete = queue.items.filter((item) => !needs(item)).length;
  return {
    total: queue.items.length,
    complete,
    remaining: queue.items.length - complete,
    annotators: queue.annotators.map((annotator) => ({
      annotator,
      done: queue.items.filter((item) => by.get(item.traceId)?.has(annotator)).length,
      remaining: queue.items.filter((item) => needs(item) && !by.get(item.traceId)?.has(annotator)).length
    }))
  };
}

/** The annotator's work list in queue order: items they have not labelled that still need someone. */
export function itemsFor(queue: Queue, annotator: string, labels: Iterable<LabelRef>): QueueItem[] {
  const by = labelledBy(queue, labels);
  return queue.items.filter((item) => {
    const set = by.get(item.traceId);
    return !set?.has(annotator) && (set?.size ?? 0) < queue.annotatorsPerTrace;
  });
}

/** A bulk action's targets: exactly the items the current view shows, never the whole queue. */
export function bulkTargets(items: readonly QueueItem[], shown: (item: QueueItem) => boolean): string[] {
  return items.filter(shown).map((item) => item.traceId);
}
