/**
 * @module Automation rules: the workspace's `automation.json`, which sends traces to review queues as evidence
 * arrives. Each rule has a trigger (a failing verdict from a trusted evaluator, a thumbs-down, a score below a
 * threshold), a queue, and the share of triggered traces it sends (chosen by a hash of trace and rule, so the
 * same traces every time). A trace is enqueued into a queue once, however often its rule fires.
 */
import {z} from "zod";
import {issueLines} from "./issues.js";

export const AUTOMATION_VERSION = 1;

const TriggerSchema = z.discriminatedUnion("on", [
  z
    .object({
      on: z.literal("verdict_fail"),
      /** The evaluator whose failing verdicts count; any evaluator in evaluators/ when absent. */
      evaluator: z.string().min(1).optional(),
      /** The trust statuses that count as trusted (see `specTrustStatus`): an uncalibrated evaluator's fail is noise. */
      trust: z
        .array(z.enum(["blocks", "reports", "not-trusted", "uncalibrated"]))
        .min(1)
        .default(["blocks", "reports"])
    })
    .strict(),
  z
    .object({
      on: z.literal("thumbs_down"),
      /** The feedback's name (e.g. "thumbs"); any feedback when absent. */
      name: z.string().min(1).optional()
    })
    .strict(),
  z
    .object({
      on: z.literal("score_below"),
      name: z.string().min(1),
      threshold: z.number()
    })
    .strict()
]);
export type Trigger = z.infer<typeof TriggerSchema>;

export const AutomationRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "a rule id is lower-case letters, digits, - and _"),
    when: TriggerSchema,
    /** The queue's id; the queue is created on the first trace it receives. */
    queue: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "a queue id is lower-case letters, digits, - and _"),
    /** The share of triggered traces enqueued (0–1). */
    share: z.number().min(0).max(1).default(1),
    /** Who reviews the queue, when the rule creates it. */
    annotators: z.array(z.string().min(1)).min(1).default(["reviewer"]),
    /** The criterion a review labels, when the rule creates the queue. */
    criterion: z.string().min(1).default("overall")
  })
  .strict();
export type AutomationRule = z.infer<typeof AutomationRuleSchema>;

export const AutomationSchema = z
  .object({
    version: z.literal(AUTOMATION_VERSION).default(AUTOMATION_VERSION),
    rules: z.array(AutomationRuleSchema).default([])
  })
  .strict()
  .superRefine((automation, ctx) => {
    const seen = new Set<string>();
    automation.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({code: "custom", path: ["rules", i, "id"], message: `duplicate rule id ${rule.id}`});
      seen.add(rule.id);
    });
  });
export type Automation = z.infer<typeof AutomationSchema>;

/** Reads an automation file's JSON: the rules, or one `path: message` line per problem. */
export function parseAutomation(value: unknown): {automation: Automation} | {errors: string[]} {
  const version = value && typeof value === "object" ? (value as {version?: unknown}).version : undefined;
  if (typeof version === "number" && version > AUTOMATION_VERSION)
    return {errors: [`automation format ${version} is newer than this Plumbline reads (${AUTOMATION_VERSION})`]};
  const result = AutomationSchema.safeParse(value);
  return result.success ? {automation: result.data} : {errors: issueLines(result.error, "(automation)")};
}

/** A trigger in words, for the Annotate page and the command's output. */
export function triggerText(trigger: Trigger): string {
  switch (trigger.on) {
    case "verdict_fail":
      return `a failing verdict from ${trigger.evaluator ?? "any evaluator"} that ${trigger.trust.join(" or ")}`;
    case "thumbs_down":
      return `thumbs-down feedback${trigger.name ? ` (${trigger.name})` : ""}`;
    case "score_below":
      return `${trigger.name} feedback below ${trigger.threshold}`;
  }
}
