/**
 * @module The trust policy: which evidence lets an evaluator's calibration block a deployment (`point`: the MCC's
 * value alone; `interval`: the value, its interval's lower bound and enough human labels of each class). See
 * `src/core/calibration/trust.ts` for the rule and why it is the default.
 */
import {z} from "zod";

export const TrustModeSchema = z.enum(["point", "interval"]);
export type TrustMode = z.infer<typeof TrustModeSchema>;

export const TrustPolicySchema = z
  .object({
    mode: TrustModeSchema,
    /** Human labels of each class (fail, pass) below which the calibration warns, and `interval` does not block. */
    minPerClass: z.number().int().nonnegative()
  })
  .strict();
export type TrustPolicy = z.infer<typeof TrustPolicySchema>;
