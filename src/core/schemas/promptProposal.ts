/**
 * @module What the reflection model answers when asked to improve a judge prompt: the whole new prompt template
 * and why it should judge better. The prompt is validated as a judge prompt (placeholders) before it is tried.
 */
import {z} from "zod";

export const PromptProposalSchema = z
  .object({
    /** The complete new user-message template, placeholders included. */
    prompt: z.string().min(1).max(20_000),
    /** What was wrong with the old prompt and what the new one changes. */
    rationale: z.string().max(5_000)
  })
  .strict();
export type PromptProposal = z.infer<typeof PromptProposalSchema>;

/** JSON Schema of the proposal, for `response_format: json_schema` (strict mode needs every property required). */
export const PROMPT_PROPOSAL_JSON_SCHEMA = {
  type: "object",
  properties: {prompt: {type: "string"}, rationale: {type: "string"}},
  required: ["prompt", "rationale"],
  additionalProperties: false
} as const;
