/**
 * @module The failure-mode registry's format: one event a line in `<workspace>/failure-modes.jsonl`, appended and
 * never rewritten, so the history of every mode (who promoted it from which cluster, each state it went through)
 * survives; the `failure_modes` table is a mirror rebuilt from these events and the store.
 */
import {z} from "zod";

/** The lifecycle, in order; `regressed` is where a resolved mode goes when it is seen again. */
export const FAILURE_MODE_STATES = [
  "new",
  "triaged",
  "annotated",
  "has_evaluator",
  "fix_shipped",
  "verified_resolved",
  "regressed"
] as const;
export const FailureModeStateSchema = z.enum(FAILURE_MODE_STATES);
export type FailureModeState = z.infer<typeof FailureModeStateSchema>;

export const FailureModeNameSchema = z
  .string()
  .trim()
  .min(1, "a failure mode needs a name")
  .max(120, "a failure-mode name has at most 120 characters")
  .refine((name) => !/[\u0000-\u001f]/.test(name), "a failure-mode name cannot hold control characters");

const Base = {version: z.literal(1), at: z.iso.datetime(), name: FailureModeNameSchema};

/**
 * A cluster linked to a mode, with the ids of the traces it held when it was promoted: the traces a person looked
 * at when naming the mode. A signature cluster is also found again by its signature in later runs, and its members
 * there count too; a semantic or topic cluster's id names another group in the next run, so its promoted traces are
 * all that stays. Links written before every kind kept its traces hold none for signature clusters.
 */
export const ClusterLinkSchema = z.object({
  clusterId: z.string(),
  kind: z.enum(["signature", "semantic", "topic"]),
  signature: z.string().nullable(),
  traceIds: z.array(z.string())
});
export type ClusterLink = z.infer<typeof ClusterLinkSchema>;

export const PromoteEventSchema = z.object({
  ...Base,
  type: z.literal("promote"),
  description: z.string().max(4000).nullable(),
  cluster: ClusterLinkSchema.nullable()
});

export const SetStateEventSchema = z.object({
  ...Base,
  type: z.literal("set-state"),
  state: FailureModeStateSchema,
  note: z.string().max(4000).nullable()
});

export const FailureModeEventSchema = z.discriminatedUnion("type", [PromoteEventSchema, SetStateEventSchema]);
export type FailureModeEvent = z.infer<typeof FailureModeEventSchema>;
export type PromoteEvent = z.infer<typeof PromoteEventSchema>;
export type SetStateEvent = z.infer<typeof SetStateEventSchema>;
