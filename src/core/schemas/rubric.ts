/**
 * @module A workspace's rubric: named criteria, each a question with a kind of answer, and the failure-mode
 * categories labels may name. Rubrics are versioned twice over: `version` is the file format (older formats are
 * migrated), `revision` counts edits, and every label records the revision it was given under.
 */
import {z} from "zod";
import {SeveritySchema} from "./annotation.js";

export const RUBRIC_VERSION = 2;

export const FailureModeSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(""),
  /** How much this failure usually matters: the severity a label naming it gets when the annotator says none. */
  severity: SeveritySchema.nullable().default(null)
});
export type FailureMode = z.infer<typeof FailureModeSchema>;

const criterionBase = {
  /** The id labels and evaluator specs refer to; `overall` is the whole trace's pass/fail. */
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, "a criterion id is lower-case letters, digits and underscores"),
  question: z.string().min(1),
  /** Who adjudicates disagreements on this criterion. */
  owner: z.string().nullable().default(null)
};

export const CriterionSchema = z.discriminatedUnion("kind", [
  z.object({...criterionBase, kind: z.literal("boolean")}),
  z.object({
    ...criterionBase,
    kind: z.literal("categorical"),
    options: z.array(z.string().min(1)).min(2),
    /** The options that count as a failure, so categorical labels feed the pass/fail ground truth. */
    failing: z.array(z.string()).default([])
  }),
  z.object({
    ...criterionBase,
    kind: z.literal("numeric"),
    min: z.number(),
    max: z.number(),
    /** A score below this fails. */
    passAtLeast: z.number().nullable().default(null)
  }),
  z.object({...criterionBase, kind: z.literal("text")})
]);
export type Criterion = z.infer<typeof CriterionSchema>;

export const RubricSchema = z.object({
  version: z.literal(RUBRIC_VERSION),
  revision: z.number().int().positive(),
  name: z.string().min(1),
  criteria: z
    .array(CriterionSchema)
    .min(1)
    .refine((c) => new Set(c.map((x) => x.id)).size === c.length, {message: "criterion ids must be unique"}),
  failureModes: z.array(FailureModeSchema).default([])
});
export type Rubric = z.infer<typeof RubricSchema>;

/** Version 1 had yes/no questions only and failure modes as bare names. */
const RubricV1Schema = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  questions: z.array(z.object({id: z.string(), text: z.string()})).min(1),
  failureModes: z.array(z.string()).default([])
});

/** Reads a rubric in any known format version; throws `invalid rubric: …` with what is wrong. */
export function parseRubric(value: unknown): Rubric {
  const version = value && typeof value === "object" ? (value as {version?: unknown}).version : undefined;
  if (typeof version === "number" && version > RUBRIC_VERSION) {
    throw new Error(`invalid rubric: format version ${version} is newer than this Plumbline reads (${RUBRIC_VERSION})`);
  }
  if (version === 1) {
    const old = RubricV1Schema.safeParse(value);
    if (!old.success) throw new Error(`invalid rubric: ${z.prettifyError(old.error)}`);
    value = {
      version: RUBRIC_VERSION,
      revision: 1,
      name: old.data.name,
      criteria: old.data.questions.map((q) => ({id: q.id, question: q.text, kind: "boolean"})),
      failureModes: old.data.failureModes.map((name) => ({name}))
    };
  }
  const parsed = RubricSchema.safeParse(value);
  if (!parsed.success) throw new Error(`invalid rubric: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Whether an answer passes the criterion; null when the answer says nothing about pass or fail. */
export function answerPasses(
  criterion: Criterion,
  answer: {pass: boolean | null; label: string | null; score: number | null}
): boolean | null {
  if (answer.pass !== null) return answer.pass;
  if (criterion.kind === "categorical" && answer.label !== null) return !criterion.failing.includes(answer.label);
  if (criterion.kind === "numeric" && criterion.passAtLeast !== null && answer.score !== null) {
    const value = criterion.min + answer.score * (criterion.max - criterion.min);
    return value >= criterion.passAtLeast;
  }
  return null;
}

/** The failure-mode picklist: the rubric's categories, then every other name already used, newly named ones marked. */
export function failureModeChoices(rubric: Rubric, used: Iterable<string | null>): {name: string; isNew: boolean}[] {
  const known = new Set(rubric.failureModes.map((m) => m.name));
  const extra = new Set<string>();
  for (const name of used) if (name && !known.has(name)) extra.add(name);
  return [
    ...rubric.failureModes.map((m) => ({name: m.name, isNew: false})),
    ...[...extra].sort().map((name) => ({name, isNew: true}))
  ];
}
