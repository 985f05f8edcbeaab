/**
 * @module A suggested label for one trace, drafted by an evaluator: a calibrated judge's verdict, or a drafted
 * failure description. The Annotate page shows it apart from the person's own label; accepting it writes a label
 * whose `acceptedFrom` names the draft.
 */
import {z} from "zod";
import {AcceptedDraftSchema, SeveritySchema} from "./annotation.js";

export const DraftSuggestionSchema = z.object({
  kind: AcceptedDraftSchema.shape.kind,
  traceId: z.string().min(1),
  criterion: z.string().min(1),
  evaluatorId: z.string().min(1),
  evaluatorVersion: z.string().nullable(),
  /** The judge run of a verdict, or the draft row of a failure description. */
  draftId: z.string().nullable(),
  /** The drafted verdict; null when the draft names a failure without a verdict. */
  pass: z.boolean().nullable(),
  failureMode: z.string().nullable(),
  explanation: z.string().nullable(),
  /** The judge's reasoning as it gave it. */
  reasoning: z.string().nullable(),
  severity: SeveritySchema.nullable(),
  /** How far the evaluator version is trusted, from its latest recorded calibration. */
  calibration: z.object({
    status: z.enum(["blocks", "reports", "not-trusted", "uncalibrated"]),
    reason: z.string(),
    mcc: z.number().nullable(),
    n: z.number().int().nonnegative()
  })
});
export type DraftSuggestion = z.infer<typeof DraftSuggestionSchema>;
