/**
 * @module Judgment sets: the same items labelled by people and by LLM judges, imported to calibrate against
 * (PandaLM, LLMBar). Each source format is read into one `JudgmentSet`; the records of the source files are
 * validated by the schemas here.
 */
import {z} from "zod";
import type {NullRule} from "../calibration/judgmentSetStats.js";

export {
  NULL_RULES,
  PREFERENCE_CLASSES,
  SWAPPED_SUFFIX,
  type NullRule,
  type PreferenceClass
} from "../calibration/judgmentSetStats.js";

/** A model's answer as the file holds it: six PandaLM responses are JSON booleans (`true`), kept as their text. */
const AnswerTextSchema = z.union([z.string(), z.boolean(), z.number()]).transform(String);

/** A preference as PandaLM writes it: 1, 2, or 0 for a tie; null where the file held NaN (a missing label). */
const PandalmClassSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.null()]);

/** PandaLM `testset-v1.json`: three annotators' preference (1, 2, or 0 for a tie) per comparison. */
export const PandalmItemSchema = z.object({
  idx: z.number().int().nonnegative(),
  instruction: z.string(),
  input: z.string(),
  response1: AnswerTextSchema,
  response2: AnswerTextSchema,
  cmp_key: z.string(),
  annotator1: PandalmClassSchema,
  annotator2: PandalmClassSchema,
  annotator3: PandalmClassSchema
});
export const PandalmGptSchema = z.object({
  idx: z.number().int().nonnegative(),
  gpt_result: z.string().nullable(),
  gpt_reason: z.string()
});
export const PandalmLocalSchema = z.object({
  idx: z.number().int().nonnegative(),
  pandalm_result: PandalmClassSchema,
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
  /** The set's name: every row it writes to the store carries it, and importing it again replaces only those. */
  dataset: string;
  /** The source format it was read from (pandalm, llmbar, labels). */
  format: string;
  /** How a judge's unreadable answer counts in the set's figures, by the source's own rule unless overridden. */
  nullAs: NullRule;
  /** NaN and ±Infinity values in the source files, read as missing. */
  nonFinite: number;
  /** The criterion its labels are ground truth for. */
  criterion: string;
  failureMode: string;
  /** Which class is the failure (positive) class of the binary view, which the pass class; others are left out. */
  binary: {fail: string; pass: string};
  /** The items; `text` is the item's own text where the source gives it (a labels file's `text` column). */
  items: {itemId: string; traceId: string; text?: string | null}[];
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
    /** The class: a preference class for pairwise sets, `pass` or `fail` for pass/fail labels; null when none. */
    label: string | null;
    reasoning: string | null;
  }[];
  /** Records that could not be read, by file and position; the rest is imported. */
  rejected: {file: string; index: number; reason: string}[];
}
