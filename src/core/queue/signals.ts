/**
 * @module What makes a trace worth a person's time: the signals a queue is prioritized by, and how each turns a
 * trace's features into a contribution to its priority. Each contribution is kept with a sentence saying why,
 * so the queue can show a reviewer what made a trace rise.
 */
import {z} from "zod";
import {groupedModifiedZ, OUTLIER_Z} from "./robust.js";

/** Phrases that mark an answer the model itself was unsure of. Matched case-insensitively in assistant text. */
export const HEDGING_MARKERS = [
  "i'm not sure",
  "i am not sure",
  "i'm not certain",
  "i am not certain",
  "i cannot be certain",
  "i can't be certain",
  "i don't know",
  "i do not know",
  "i'm unable to confirm",
  "i am unable to confirm",
  "i might be wrong",
  "i may be mistaken",
  "i apologize for the confusion"
] as const;

/** Per-trace facts the store computes (loaders/store/queueFeatures.ts); null where unknown. */
export const TraceFeaturesSchema = z.object({
  traceId: z.string(),
  model: z.string().nullable(),
  status: z.string().nullable(),
  format: z.string().nullable(),
  name: z.string().nullable(),
  latencyMs: z.number().nullable(),
  totalTokens: z.number().nullable(),
  costUsd: z.number().nullable(),
  messageCount: z.number(),
  toolErrors: z.number(),
  /** Tool calls repeating an earlier call of the same trace with the same name and arguments. */
  retries: z.number(),
  negativeFeedback: z.number(),
  escalations: z.number(),
  /** Other traces of the same user or session that opened with the same request. */
  resubmissions: z.number(),
  hedges: z.number(),
  /** Judge verdicts that contradict a human label on the same trace. */
  judgeDisagreements: z.number(),
  /** The trace's signature cluster, with its size and whether any of its traces has a judge verdict. */
  clusterId: z.string().nullable(),
  clusterSize: z.number().nullable(),
  clusterEvaluated: z.boolean().nullable()
});
export type TraceFeatures = z.infer<typeof TraceFeaturesSchema>;

export const SIGNALS = [
  "negative_feedback",
  "escalation",
  "tool_errors",
  "retries",
  "resubmitted",
  "long_session",
  "token_outlier",
  "cost_outlier",
  "latency_outlier",
  "hedging",
  "judge_disagreement",
  "unevaluated_cluster"
] as const;
export type Signal = (typeof SIGNALS)[number];

export const SignalWeightsSchema = z.object(
  Object.fromEntries(SIGNALS.map((s) => [s, z.number().min(0)])) as Record<Signal, z.ZodNumber>
);
export type SignalWeights = Record<Signal, number>;

export const DEFAULT_WEIGHTS: SignalWeights = {
  negative_feedback: 3,
  escalation: 3,
  tool_errors: 2,
  retries: 1,
  resubmitted: 1.5,
  long_session: 1,
  token_outlier: 1,
  cost_outlier: 1,
  latency_outlier: 1,
  hedging: 1,
  judge_disagreement: 3,
  unevaluated_cluster: 1
};

export interface Contribution {
  signal: Signal;
  /** The weighted amount this signal adds before the cluster weight. */
  points: number;
  reason: string;
}

/** Counts beyond this add nothing more: the fifth tool error says little the third did not. */
const COUNT_CAP = 3;
const capped = (n: number) => Math.min(n, COUNT_CAP);
/** How far past the outlier threshold a z-score is, in thresholds, capped: 1 at the threshold, at most 3. */
const outlierStrength = (z: number | null) => (z === null || z < OUTLIER_Z ? 0 : Math.min(z / OUTLIER_Z, 3));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Each trace's contributions, in the order of SIGNALS, leaving out signals that add nothing. */
export function contributions(
  traces: readonly TraceFeatures[],
  weights: SignalWeights = DEFAULT_WEIGHTS
): Contribution[][] {
  const models = traces.map((t) => t.model);
  const tokenZ = groupedModifiedZ(
    traces.map((t) => t.totalTokens),
    models
  );
  const costZ = groupedModifiedZ(
    traces.map((t) => t.costUsd),
    models
  );
  const latencyZ = groupedModifiedZ(
    traces.map((t) => t.latencyMs),
    models
  );
  // Session length is compared across the workspace: a long conversation is unusual whatever model ran it.
  const lengthZ = groupedModifiedZ(
    traces.map((t) => t.messageCount),
    traces.map(() => null)
  );
  return traces.map((t, i) => {
    const out: Contribution[] = [];
    const add = (signal: Signal, strength: number, reason: string) => {
      if (strength > 0 && weights[signal] > 0) out.push({signal, points: weights[signal] * strength, reason});
    };
    add(
      "negative_feedback",
      capped(t.negativeFeedback),
      `${plural(t.negativeFeedback, "negative feedback")} (thumbs down)`
    );
    add("escalation", capped(t.escalations), `${plural(t.escalations, "escalation")} to a human or support`);
    add("tool_errors", capped(t.toolErrors), `${plural(t.toolErrors, "failed tool call")}`);
    add("retries", capped(t.retries), `${plural(t.retries, "repeated tool call")} with the same arguments`);
    add(
      "resubmitted",
      Math.min(t.resubmissions, 1),
      `the same request was sent ${plural(t.resubmissions, "other time")}`
    );
    const z = {tokens: tokenZ[i]!, cost: costZ[i]!, latency: latencyZ[i]!, length: lengthZ[i]!};
    add(
      "long_session",
      outlierStrength(z.length),
      `unusually long: ${t.messageCount} messages (robust z ${z.length?.toFixed(1)})`
    );
    add(
      "token_outlier",
      outlierStrength(z.tokens),
      `tokens far above this model's median (robust z ${z.tokens?.toFixed(1)})`
    );
    add("cost_outlier", outlierStrength(z.cost), `cost far above this model's median (robust z ${z.cost?.toFixed(1)})`);
    add(
      "latency_outlier",
      outlierStrength(z.latency),
      `latency far above this model's median (robust z ${z.latency?.toFixed(1)})`
    );
    add("hedging", capped(t.hedges), `${plural(t.hedges, "hedging answer")} ("I'm not sure"…)`);
    add(
      "judge_disagreement",
      capped(t.judgeDisagreements),
      `a judge and a person disagree (${plural(t.judgeDisagreements, "verdict")})`
    );
    add(
      "unevaluated_cluster",
      t.clusterId !== null && t.clusterEvaluated === false ? 1 : 0,
      "its failure cluster has no evaluator yet"
    );
    return out;
  });
}

/**
 * The weight of a trace's cluster volume: 1 + ln(size), 1 with no cluster. A larger cluster matters more (its
 * failure hits more users), but sub-linearly, so one huge cluster cannot fill a queue by itself.
 */
export function clusterWeight(size: number | null): number {
  return size !== null && size > 1 ? 1 + Math.log(size) : 1;
}
