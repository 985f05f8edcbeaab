/**
 * @module The pairwise review log's events (`annotations/pairwise.jsonl`): a reviewer's choice between two
 * experiments' outputs for one case, as shown (A, B or tie, in the blind order drawn for them) and as revealed (the
 * pair's output 1 or 2, and the experiment it names). The log is append-only and each event carries its format's
 * version; a newer one is refused with a message, so an old Plumbline never misreads a newer log.
 */
import {z} from "zod";
import {blindOrder, revealChoice} from "../pairwise/blind.js";
import {pairExperiments, pairIdOf, type PairwiseChoice} from "../pairwise/review.js";
import {ExperimentNameSchema} from "./experiment.js";
import {issueText} from "./issues.js";

export const PAIRWISE_CHOICE_VERSION = 1;

const ORDERS = ["1-first", "2-first"] as const;
const CHOICES = ["A", "B", "tie"] as const;

/** The longest explanation kept; a reviewer's reason is a sentence or a paragraph, not a document. */
export const MAX_EXPLANATION = 4000;

/** What a page sends: the pair, who chose, the order they were shown and what they chose as shown. */
export const NewPairwiseChoiceSchema = z
  .object({
    experiments: z.tuple([ExperimentNameSchema, ExperimentNameSchema]),
    caseId: z.string().min(1),
    reviewer: z.string().trim().min(1).max(200),
    order: z.enum(ORDERS),
    choice: z.enum(CHOICES),
    explanation: z.string().max(MAX_EXPLANATION).nullable().default(null)
  })
  .strict()
  .refine((c) => c.experiments[0] !== c.experiments[1], {message: "a pair compares two different experiments"});
export type NewPairwiseChoice = z.input<typeof NewPairwiseChoiceSchema>;

export const PairwiseChoiceEventSchema = z
  .object({
    version: z.literal(PAIRWISE_CHOICE_VERSION),
    op: z.literal("choose"),
    eventId: z.string().min(1),
    at: z.number(),
    pairId: z.string().min(1),
    experiments: z.tuple([ExperimentNameSchema, ExperimentNameSchema]),
    caseId: z.string().min(1),
    reviewer: z.string().min(1),
    order: z.enum(ORDERS),
    shown: z.enum(CHOICES),
    preference: z.enum(["1", "2", "tie"]),
    preferred: ExperimentNameSchema.nullable(),
    explanation: z.string().nullable()
  })
  .strict()
  .superRefine((e, ctx) => {
    // The revealed fields are derived from the rest; an event whose parts disagree is not trusted at all.
    if (e.pairId !== pairIdOf(e.experiments, e.caseId) || e.experiments[0] >= e.experiments[1])
      ctx.addIssue({code: "custom", path: ["pairId"], message: "the pair id does not name its experiments and case"});
    const preference = revealChoice(e.shown, e.order);
    const preferred = preference === "tie" ? null : e.experiments[preference === "1" ? 0 : 1];
    if (e.preference !== preference || e.preferred !== preferred)
      ctx.addIssue({
        code: "custom",
        path: ["preference"],
        message: "the revealed choice does not follow from the shown one"
      });
  });
export type PairwiseChoiceEvent = z.infer<typeof PairwiseChoiceEventSchema>;

/**
 * The event for a page's choice, or why it is refused. The order must be the one `blindOrder` draws for this
 * reviewer and pair, so a choice is always read back through the order the reviewer actually saw.
 */
export function pairwiseChoiceEvent(
  input: unknown,
  stamp: {eventId: string; at: number}
): {event: PairwiseChoiceEvent} | {error: string} {
  const parsed = NewPairwiseChoiceSchema.safeParse(input);
  if (!parsed.success) return {error: `invalid pairwise choice: ${issueText(parsed.error, "choice")}`};
  const c = parsed.data;
  const sorted = pairExperiments(c.experiments[0], c.experiments[1]);
  if (sorted[0] !== c.experiments[0])
    return {error: `name the experiments in the pair's order, sorted by name: [${sorted.join(", ")}]`};
  const pairId = pairIdOf(sorted, c.caseId);
  const order = blindOrder(c.reviewer, pairId);
  if (order !== c.order)
    return {error: `${c.reviewer} is shown this pair in the order ${order}, not ${c.order}; reload the page`};
  const preference = revealChoice(c.choice, order);
  return {
    event: {
      version: PAIRWISE_CHOICE_VERSION,
      op: "choose",
      ...stamp,
      pairId,
      experiments: sorted,
      caseId: c.caseId,
      reviewer: c.reviewer,
      order,
      shown: c.choice,
      preference,
      preferred: preference === "tie" ? null : sorted[preference === "1" ? 0 : 1],
      explanation: c.explanation?.trim() ? c.explanation.trim() : null
    }
  };
}

/** Parses one log line's JSON value; never throws. */
export function parsePairwiseChoiceEvent(
  value: unknown
): {ok: true; event: PairwiseChoice} | {ok: false; reason: string} {
  const version = value && typeof value === "object" ? (value as {version?: unknown}).version : undefined;
  if (typeof version === "number" && version > PAIRWISE_CHOICE_VERSION)
    return {
      ok: false,
      reason: `pairwise choice version ${version} is newer than this Plumbline reads (${PAIRWISE_CHOICE_VERSION}); upgrade Plumbline`
    };
  const parsed = PairwiseChoiceEventSchema.safeParse(value);
  if (!parsed.success) return {ok: false, reason: `invalid pairwise choice: ${issueText(parsed.error, "event")}`};
  return {ok: true, event: parsed.data};
}
