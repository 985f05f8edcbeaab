/**
 * @module The prompt that asks a model for a draft failure description of one flagged trace (open coding): one or
 * two sentences saying what went wrong and where, quoting the step. The answer is JSON `{"description": "…"}`.
 * Changing the wording means bumping `FAILURE_DRAFT_PROMPT_VERSION`, so older drafts are redrafted.
 */
import {z} from "zod";
import type {ChatMessage} from "../evaluator/judgePrompt.js";

const SYSTEM = [
  "You read the evidence of one failed run of an LLM application: errors, failed tool results, the turns around",
  "the first failure, the final answer, and any notes by people or judges.",
  "Write one or two sentences saying what went wrong and where, quoting the failing step or tool by name.",
  "Describe the failure, not the user's topic. Do not guess beyond the evidence.",
  'Answer with JSON only: {"description": "<one or two sentences>"}.'
].join(" ");

export function draftPrompt(evidence: string): ChatMessage[] {
  return [
    {role: "system", content: SYSTEM},
    {role: "user", content: `Evidence:\n${evidence || "(no evidence text: the run was only flagged)"}`}
  ];
}

export const DraftAnswerSchema = z.object({description: z.string().trim().min(1).max(2000)});

export const DRAFT_ANSWER_JSON_SCHEMA = {
  type: "object",
  properties: {description: {type: "string"}},
  required: ["description"],
  additionalProperties: false
};
