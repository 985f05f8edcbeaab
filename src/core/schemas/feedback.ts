/**
 * @module What an app sends to `POST /api/feedback`: one end user's thumbs, score or comment on a trace (or one of its
 * spans), named by the app's own id so that a retry stores it once.
 *
 * The names follow Langfuse's scores (`traceId`, `observationId`, `name`, `value`, `comment`) and LangSmith's
 * feedback (`key`, `score`, `correction`), so a client written for either needs little change: `spanId` or
 * `observationId` names the span, `name` or `key` the criterion, `value` or `score` the answer.
 */
import {z} from "zod";

/** The most feedback one request may carry (`{feedback: [...]}`); Langfuse batches scores by the same number. */
export const FEEDBACK_BATCH_LIMIT = 100;

const text = z.string().min(1);

export const FeedbackSchema = z
  .object({
    /** The client's own id for this feedback: sending it again stores nothing new. */
    id: text.max(200),
    traceId: text,
    spanId: text.nullish(),
    observationId: text.nullish(),
    /** The rubric criterion it answers; `overall` (the whole trace passes or fails) when absent. */
    name: text.nullish(),
    key: text.nullish(),
    /** true/false (thumbs), a score from 0 to 1, stars from 1 to 5, "up"/"down", or a category of the criterion. */
    value: z.union([z.boolean(), z.number().finite(), text]).nullish(),
    score: z.union([z.boolean(), z.number().finite()]).nullish(),
    comment: z.string().nullish(),
    /** What the answer should have been. */
    correction: z.string().nullish(),
    /** The end user who gave it, as the app knows them; recorded as the label's annotator. */
    userId: text.max(200).nullish(),
    /** When the user gave it: an ISO date, or epoch seconds or milliseconds (default: when it arrives). */
    createdAt: z.union([z.number().finite(), text]).nullish()
  })
  .strict()
  .refine((f) => !(f.spanId && f.observationId && f.spanId !== f.observationId), {
    message: "spanId and observationId name the same span; send one"
  })
  .refine((f) => !(f.name && f.key && f.name !== f.key), {message: "name and key name the same criterion; send one"})
  .refine((f) => (f.value ?? f.score ?? null) !== null || !!f.comment, {
    message: "feedback says something: send a value (true/false, a 0–1 score, 1–5 stars, a category) or a comment"
  });
export type Feedback = z.infer<typeof FeedbackSchema>;

/** A request: one feedback, or a batch of them under `feedback`. */
export const FeedbackBatchSchema = z
  .object({
    feedback: z.array(z.unknown()).min(1).max(FEEDBACK_BATCH_LIMIT)
  })
  .strict();

/** What the server answers for each feedback: the stored label's id, and whether this request stored it. */
export const FeedbackReceiptSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  traceId: z.string(),
  status: z.enum(["created", "duplicate"])
});
export type FeedbackReceipt = z.infer<typeof FeedbackReceiptSchema>;
