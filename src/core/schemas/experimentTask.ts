/**
 * @module What a task reads and answers (protocol `plumbline.task/1`), and the prompt spec, the task kind that
 * Plumbline runs itself.
 *
 * A command task gets one case as JSON on standard input and answers one JSON object on standard output; an HTTP
 * task gets the same JSON as a POST body and answers it as the response body:
 *
 *   in:  {"protocol": "plumbline.task/1", "case": {"id", "input", "context", "kind", "metadata"}}
 *   out: {"output": "...", "messages"?: [...], "tool_calls"?: [...], "metadata"?: {...}, "usage"?: {...}}
 *
 * The case's expected output and expected behaviour are never sent: they are what the candidate is checked against.
 * An answer without a string `output`, or with `error`, is the case's error.
 */
import {z} from "zod";
import {CaseContextSchema} from "./dataset.js";

export const TASK_PROTOCOL = "plumbline.task/1";

export const TaskInputSchema = z
  .object({
    protocol: z.literal(TASK_PROTOCOL),
    case: z
      .object({
        id: z.string(),
        input: z.string().nullable(),
        context: CaseContextSchema,
        kind: z.string(),
        metadata: z.record(z.string(), z.unknown())
      })
      .strict()
  })
  .strict();
export type TaskInput = z.infer<typeof TaskInputSchema>;

export const TaskMessageSchema = z.object({
  role: z.string(),
  content: z.string().nullable(),
  name: z.string().nullable().optional()
});
export type TaskMessage = z.infer<typeof TaskMessageSchema>;

export const TaskToolCallSchema = z.object({
  name: z.string().min(1),
  /** An object, or its JSON text. */
  arguments: z
    .union([z.record(z.string(), z.unknown()), z.string()])
    .nullable()
    .optional(),
  result: z.unknown().optional(),
  success: z.boolean().nullable().optional()
});
export type TaskToolCall = z.infer<typeof TaskToolCallSchema>;

export const TaskOutputSchema = z.object({
  output: z.string(),
  messages: z.array(TaskMessageSchema).optional(),
  tool_calls: z.array(TaskToolCallSchema).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  usage: z
    .object({
      input_tokens: z.number().int().min(0).nullable().optional(),
      output_tokens: z.number().int().min(0).nullable().optional(),
      cost_usd: z.number().min(0).nullable().optional()
    })
    .optional(),
  model: z.string().optional()
});
export type TaskOutput = z.infer<typeof TaskOutputSchema>;

export const PROMPT_SPEC_FORMAT = 1;

/**
 * A prompt run as a task: a messages template whose `{{input}}`, `{{case_id}}`, `{{kind}}`, `{{transcript}}` (the
 * case's messages as text) and `{{metadata.KEY}}` are filled from the case, sent to an OpenAI-compatible endpoint.
 */
export const PromptSpecSchema = z
  .object({
    format: z.literal(PROMPT_SPEC_FORMAT).default(PROMPT_SPEC_FORMAT),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a prompt id is lower-case letters, digits, '.', '_' or '-'"),
    version: z.number().int().min(1),
    model: z.string().min(1),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().min(1).default(1024),
    messages: z.array(z.object({role: z.enum(["system", "user", "assistant"]), content: z.string()}).strict()).min(1),
    /** OpenAI tool definitions, passed through as written. */
    tools: z.array(z.record(z.string(), z.unknown())).default([])
  })
  .strict();
export type PromptSpec = z.infer<typeof PromptSpecSchema>;
