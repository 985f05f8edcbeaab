/**
 * @module Pairwise judge specs: an LLM judge that is shown one input and two outputs and says which is better for
 * one criterion (or that neither is). It judges a pair, not a trace, so it is a spec kind of its own beside the
 * trace evaluators of `evaluator.ts`, read from its own file. Each pair is judged twice, once in each presentation
 * order, because LLM judges favour a position; how often the two orders agree is reported beside every figure.
 */
import {z} from "zod";
import {issueLines} from "./issues.js";

export const PAIRWISE_SPEC_FORMAT = 1;

/** What a pairwise prompt may fill in; any other `{{name}}` is a spec error. */
export const PAIRWISE_PLACEHOLDERS = ["input", "output_a", "output_b", "criterion"] as const;

export const PairwiseSpecSchema = z
  .object({
    format: z.literal(PAIRWISE_SPEC_FORMAT).default(PAIRWISE_SPEC_FORMAT),
    kind: z.literal("pairwise_judge"),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "an id is lower-case letters, digits, '.', '_' or '-'"),
    version: z.string().regex(/^[0-9A-Za-z.-]{1,40}$/, "a version is letters, digits, '.' or '-'"),
    description: z.string().default(""),
    /** The criterion one output is better than the other for, in words the judge reads. */
    criterion: z.string().min(1),
    /** Whether the judge may answer "tie"; without it every pair must be decided. */
    allowTie: z.boolean().default(true),
    judge: z
      .object({
        model: z.string().min(1),
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().max(32_768).default(1024),
        system: z.string().default("You are a careful evaluator. Answer only with the JSON object you are asked for."),
        prompt: z.string().min(1),
        /** Longest output text put in the prompt; longer ones are cut in the middle and say so. */
        maxOutputChars: z.number().int().positive().default(12_000)
      })
      .strict()
      .superRefine((judge, ctx) => {
        for (const match of judge.prompt.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
          if (!(PAIRWISE_PLACEHOLDERS as readonly string[]).includes(match[1]!))
            ctx.addIssue({
              code: "custom",
              path: ["prompt"],
              message: `unknown placeholder {{${match[1]}}}; use one of ${PAIRWISE_PLACEHOLDERS.join(", ")}`
            });
        }
        for (const needed of ["output_a", "output_b"])
          if (!new RegExp(`\\{\\{\\s*${needed}\\s*\\}\\}`).test(judge.prompt))
            ctx.addIssue({code: "custom", path: ["prompt"], message: `the prompt must show {{${needed}}}`});
      })
  })
  .strict();
export type PairwiseSpec = z.infer<typeof PairwiseSpecSchema>;
export type PairwiseSpecInput = z.input<typeof PairwiseSpecSchema>;

/** The judge's answer, about the outputs as it was shown them (A first, B second). Reasoning comes first. */
export const PairwiseAnswerSchema = z
  .object({reasoning: z.string().min(1).max(20_000), preference: z.enum(["A", "B", "tie"])})
  .strict();
export type PairwiseAnswer = z.infer<typeof PairwiseAnswerSchema>;

export const PAIRWISE_ANSWER_JSON_SCHEMA = {
  type: "object",
  properties: {reasoning: {type: "string"}, preference: {type: "string", enum: ["A", "B", "tie"]}},
  required: ["reasoning", "preference"],
  additionalProperties: false
} as const;

export function parsePairwiseSpec(value: unknown): {spec: PairwiseSpec} | {errors: string[]} {
  const format = (value as {format?: unknown} | null)?.format;
  if (typeof format === "number" && format > PAIRWISE_SPEC_FORMAT)
    return {
      errors: [`spec format ${format} is newer than this Plumbline reads (${PAIRWISE_SPEC_FORMAT}); upgrade Plumbline`]
    };
  const result = PairwiseSpecSchema.safeParse(value);
  return result.success ? {spec: result.data} : {errors: issueLines(result.error, "(spec)")};
}
