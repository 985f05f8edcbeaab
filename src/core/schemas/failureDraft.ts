/**
 * @module A drafted failure description: one or two sentences a model wrote about what went wrong in one flagged
 * trace, and where, quoting the step. Drafts are not labels: nobody has checked them, so they are stored apart
 * (the `failure_drafts` table) and shown as drafts, to be accepted, edited or ignored by an annotator.
 *
 * A draft is keyed by the trace, the model and the prompt version, and remembers the SHA-256 of the evidence text
 * it was written from: when a trace's evidence changes (new spans, new feedback) the old draft is no longer reused.
 */
import {z} from "zod";

/** Bumped when the drafting prompt changes, so drafts of an older prompt are told apart and redrafted. */
export const FAILURE_DRAFT_PROMPT_VERSION = "draft-1";

export const FailureDraftSchema = z
  .object({
    traceId: z.string().min(1),
    /** The model that wrote it, as the endpoint named it in the request. */
    model: z.string().min(1),
    promptVersion: z.string().min(1),
    /** SHA-256 (hex) of the evidence text the model was shown. */
    evidenceHash: z.string().regex(/^[0-9a-f]{64}$/, "an evidence hash is 64 hex digits"),
    text: z.string().trim().min(1, "a draft has text").max(2000, "a draft has at most 2,000 characters"),
    createdAt: z.iso.datetime()
  })
  .strict();
export type FailureDraft = z.infer<typeof FailureDraftSchema>;
