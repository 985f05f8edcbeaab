/** @module `--trust` and `--min-per-class`: the trust policy of the verbs that decide or print a gate status. */
import {DEFAULT_TRUST_POLICY, type TrustPolicy} from "../../src/core/calibration/trust.js";
import {TrustModeSchema} from "../../src/core/schemas/trustPolicy.js";
import {usageError} from "./error.js";

/** The lines each such verb's --help gives the two options. */
export const TRUST_HELP = `  --trust <policy>        interval (default) or point: which evidence lets an evaluator block
  --min-per-class <n>     human labels of each class the interval policy needs to block (default ${DEFAULT_TRUST_POLICY.minPerClass})`;

export const TRUST_OPTIONS = {trust: {type: "string"}, "min-per-class": {type: "string"}} as const;

/** The trust policy from `--trust` and `--min-per-class`, for any verb that decides or prints a gate status. */
export function trustPolicyOf(mode: string | undefined, minPerClass: string | undefined, verb: string): TrustPolicy {
  const parsed = TrustModeSchema.safeParse(mode ?? DEFAULT_TRUST_POLICY.mode);
  if (!parsed.success) throw usageError(`invalid --trust: ${mode} (interval or point)`, verb);
  const min = minPerClass === undefined ? DEFAULT_TRUST_POLICY.minPerClass : Number(minPerClass);
  if (!Number.isInteger(min) || min < 0)
    throw usageError(`invalid --min-per-class: ${minPerClass} (a whole number of labels, 0 or more)`, verb);
  return {mode: parsed.data, minPerClass: min};
}
