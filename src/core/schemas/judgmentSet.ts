/**
 * @module Judgment sets: the same items labelled by people and by LLM judges, imported to calibrate against
 * (PandaLM, LLMBar). Each source format is read into one `JudgmentSet`; the records of the source files are
 * validated by the schemas here.
 */
import {z} from "zod";
import type {PreferenceClass} from "../calibration/judgmentSetStats.js";

export {PREFERENCE_CLASSES, type PreferenceClass} from "../calibration/judgmentSetStats.js";

/** A model's answer as the file holds it: six PandaLM responses are JSON booleans (`true`), kept as their text. */
const AnswerTextSchema = z.union([z.string(), z.boolean(), z.number()]).transform(String);

/** PandaLM `testset-v1.json`: three annotators' preference (1, 2, or 0 for a tie) per comparison. */
export const PandalmItemSchema = z.object({
  idx: z.number().int().nonnegative(),
  instruction: z.string(),
  input: z.string(),
  response1: AnswerTextSchema,
  response2: AnswerTextSchema,
  cmp_key: z.string(),
  annotator1: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  annotator2: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  annotator3: z.union([z.literal(0), z.literal(1), z.literal(2)])
});
export const PandalmGptSchema = z.object({
  idx: z.number().int().nonnegative(),
  gpt_result: z.string(),
  gpt_reason: z.string()
});
export const PandalmLocalSchema = z.object({
  idx: z.number().int().nonnegative(),
  pandalm_result: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  pandalm_reason: z.string()
});

/** LLMBar `dataset.json` items, and `result.json` items with the judge's verdicts. */
export const LlmbarItemSchema = z.object({
  input: z.string(),
  output_1: z.string(),
  output_2: z.string(),
  label: z.union([z.literal(1), z.literal(2)])
});
export const LlmbarResultSchema = LlmbarItemSchema.extend({
  results: z.array(z.unknown()).min(1)
});

export interface JudgmentSet {
  dataset: string;
  /** The criterion its labels are ground truth for. */
  criterion: string;
  failureMode: string;
  /** Which class is the failure (positive) class of the binary view, which the pass class; others are left out. */
  binary: {fail: PreferenceClass; pass: PreferenceClass};
  items: {itemId: string; traceId: string}[];
  /**
   * Who labelled. A judge rater becomes an evaluator version: `evaluator` and `version` name it when several raters
   * are versions of one evaluator (the same judge with a revised prompt), else the set and rater name it. Versions
   * of one evaluator are dated in the order they are listed here.
   */
  raters: {
    rater: string;
    kind: "human" | "judge";
    model: string | null;
    sourceHash: string | null;
    evaluator?: string;
    version?: string;
  }[];
  labels: {
    itemId: string;
    rater: string;
    rawLabel: string | null;
    label: PreferenceClass | null;
    reasoning: string | null;
  }[];
  /** Records that could not be read, by file and position; the rest is imported. */
  rejected: {file: string; index: number; reason: string}[];
}
