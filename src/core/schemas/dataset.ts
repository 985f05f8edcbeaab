/**
 * @module Evaluation datasets: named, versioned sets of cases promoted from traces. A case is self-contained: it
 * carries the trace's full context as evaluators read it (`context`), so a dataset exported to a file can be
 * gated on in CI without the workspace that produced it.
 *
 * Cases are added and removed by new versions, never edited in place; `version` counts from 1.
 */
import {z} from "zod";

export const DATASET_FORMAT = 1;

export const DatasetNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a dataset name is lower-case letters, digits, '.', '_' or '-', at most 100");

/** Why a case is in the set: a confirmed failure comes first; the others protect behaviour that works. */
export const CaseKindSchema = z.enum([
  "confirmed_failure",
  "new_topic",
  "long_output",
  "edge_case",
  "regression",
  "other"
]);
export type CaseKind = z.infer<typeof CaseKindSchema>;

const MessageSchema = z
  .object({
    role: z.string(),
    name: z.string().nullable().optional(),
    direction: z.string(),
    content: z.string().nullable(),
    spanId: z.string().nullable().optional()
  })
  .strict();
const ToolCallSchema = z
  .object({
    name: z.string(),
    arguments: z.string().nullable(),
    result: z.string().nullable(),
    success: z.boolean().nullable(),
    spanId: z.string().nullable().optional()
  })
  .strict();
const SpanSchema = z
  .object({
    spanId: z.string().optional(),
    name: z.string(),
    kind: z.string(),
    attributes: z.record(z.string(), z.unknown())
  })
  .strict();

/** A trace as evaluators read it: what `RuleContext` and the judge's `TraceForJudge` both take. */
export const CaseContextSchema = z
  .object({
    status: z.enum(["ok", "error", "unset"]),
    fields: z.record(z.string(), z.number().nullable()),
    messages: z.array(MessageSchema),
    toolCalls: z.array(ToolCallSchema),
    spans: z.array(SpanSchema)
  })
  .strict();
export type CaseContext = z.infer<typeof CaseContextSchema>;

export const DatasetCaseSchema = z
  .object({
    format: z.literal(DATASET_FORMAT).default(DATASET_FORMAT),
    /** Stable within a dataset: the source trace id, or a content hash for a case with none. */
    caseId: z.string().min(1),
    /** The first user input, for reading lists; the full context is in `context`. */
    input: z.string().nullable(),
    context: CaseContextSchema,
    /** What the output should have been (an annotator's corrected output), when known. */
    expectedOutput: z.string().nullable().default(null),
    /** The behaviour expected in words, e.g. the rubric criterion the original trace violated. */
    expectedBehaviour: z.string().nullable().default(null),
    failureMode: z.string().nullable().default(null),
    criterion: z.string().nullable().default(null),
    kind: CaseKindSchema,
    sourceTraceId: z.string().nullable(),
    addedBy: z.string().min(1),
    reason: z.string().default(""),
    addedAt: z.iso.datetime()
  })
  .strict();
export type DatasetCase = z.infer<typeof DatasetCaseSchema>;
