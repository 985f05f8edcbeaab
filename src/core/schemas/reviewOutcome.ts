/**
 * @module What a completed review led to. A review is one queue item once every annotator the queue asks for has
 * labelled it; its outcome says whether the work changed anything: an evaluator was updated, a new evaluator was
 * written, the trace became a dataset case, the product was fixed, or nothing came of it.
 *
 * Outcomes are events in an append-only file; a review can collect several (a dataset case and later a fix).
 */
import {z} from "zod";
import {REVIEW_OUTCOMES} from "../datasets/outcomeKinds.js";

export const REVIEW_OUTCOME_VERSION = 1;

export {REVIEW_OUTCOMES};
export const ReviewOutcomeKindSchema = z.enum(REVIEW_OUTCOMES);
export type ReviewOutcomeKind = z.infer<typeof ReviewOutcomeKindSchema>;

export const ReviewOutcomeSchema = z
  .object({
    version: z.literal(REVIEW_OUTCOME_VERSION),
    id: z.string().min(1),
    traceId: z.string().min(1),
    /** The queue the review was done in; null for an outcome about the trace in whichever queue reviewed it. */
    queueId: z.string().min(1).nullable(),
    outcome: ReviewOutcomeKindSchema,
    note: z.string().nullable().default(null),
    /** The dataset version the trace went into, for `dataset_case`. */
    dataset: z
      .object({name: z.string().min(1), version: z.number().int().positive()})
      .nullable()
      .default(null),
    /** The evaluator written or updated, for `new_evaluator` and `evaluator_updated`. */
    evaluatorId: z.string().min(1).nullable().default(null),
    by: z.string().min(1),
    at: z.iso.datetime()
  })
  .strict();
export type ReviewOutcome = z.infer<typeof ReviewOutcomeSchema>;
