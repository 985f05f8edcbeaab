/**
 * @module Experiments: a candidate (a task) run on every case of one dataset version, recorded so that its outputs
 * can be scored and compared with another experiment's.
 *
 * Shape (stable; a change is announced in a commit message starting "Experiment schema:"):
 *
 *   Experiment            one row of `experiments`, keyed by `name` (unique in a workspace)
 *     name, dataset, datasetVersion, task: ExperimentTask, status: running | interrupted | finished,
 *     startedAt, finishedAt | null, total (cases), done (cases with a result), errors, cached,
 *     inputTokens | null, outputTokens | null, costUsd | null (null: some case's usage is unknown)
 *   ExperimentTask        what was run: kind command | http | prompt, target (the command line, the URL, or the
 *                         prompt spec's path), version (a hash of what defines the task: the cache key's half),
 *                         promptId / promptVersion (prompt specs), model | null, gitCommit | null
 *   ExperimentResult      one row of `experiment_results` per (experiment, caseId); a rerun of a case replaces it
 *     experiment, caseId, ord (the case's place in the dataset version), traceId (the case's trace in the store,
 *     source `experiment:<name>`), status ok | error, output (ok only) | null, error (error only) | null,
 *     inputTokens, outputTokens, costUsd, latencyMs (null when unknown), attempts, cached, startedAt, finishedAt
 *
 * A task's failure is an `error` result with no output, never an output. The trace of a case is stored as any
 * other trace (its spans, messages and tool calls), so evaluators and the gate score it like production traffic;
 * `traces.metadata` carries `plumbline.experiment` and `plumbline.case_id`, which is how a reference check finds
 * the case's expected output.
 */
import {z} from "zod";
import {DatasetNameSchema} from "./dataset.js";

export const EXPERIMENT_FORMAT = 1;

/** Same alphabet as dataset names: it appears in trace sources (`experiment:<name>`) and on the command line. */
export const ExperimentNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,99}$/,
    "an experiment name is lower-case letters, digits, '.', '_' or '-', at most 100"
  );

export const TaskKindSchema = z.enum(["command", "http", "prompt"]);
export type TaskKind = z.infer<typeof TaskKindSchema>;

export const ExperimentTaskSchema = z
  .object({
    kind: TaskKindSchema,
    /** The command line, the endpoint's URL (its query and any credentials left out), or the prompt spec's path. */
    target: z.string().min(1),
    /** Hash of what defines the task (the command line, the URL, the prompt spec's content): half the cache key. */
    version: z.string().min(1),
    promptId: z.string().nullable().default(null),
    promptVersion: z.number().int().nullable().default(null),
    model: z.string().nullable().default(null),
    /** The commit checked out where the experiment ran, when that is a git repository. */
    gitCommit: z.string().nullable().default(null)
  })
  .strict();
export type ExperimentTask = z.infer<typeof ExperimentTaskSchema>;

export const ExperimentStatusSchema = z.enum(["running", "interrupted", "finished"]);
export type ExperimentStatus = z.infer<typeof ExperimentStatusSchema>;

export const ExperimentSchema = z
  .object({
    format: z.literal(EXPERIMENT_FORMAT).default(EXPERIMENT_FORMAT),
    name: ExperimentNameSchema,
    dataset: DatasetNameSchema,
    datasetVersion: z.number().int().min(1),
    task: ExperimentTaskSchema,
    status: ExperimentStatusSchema,
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    total: z.number().int().min(0),
    done: z.number().int().min(0),
    errors: z.number().int().min(0),
    cached: z.number().int().min(0),
    inputTokens: z.number().int().nullable(),
    outputTokens: z.number().int().nullable(),
    costUsd: z.number().nullable()
  })
  .strict();
export type Experiment = z.infer<typeof ExperimentSchema>;

export const ExperimentResultSchema = z
  .object({
    experiment: ExperimentNameSchema,
    caseId: z.string().min(1),
    ord: z.number().int().min(0),
    traceId: z.string().min(1),
    status: z.enum(["ok", "error"]),
    output: z.string().nullable(),
    error: z.string().nullable(),
    inputTokens: z.number().int().nullable(),
    outputTokens: z.number().int().nullable(),
    costUsd: z.number().nullable(),
    latencyMs: z.number().nullable(),
    attempts: z.number().int().min(0),
    /**
     * Answered from the task cache: no call was made. Its tokens, cost and latency are those of the call that made
     * the answer, so experiments compare like with like; a run's budget counts only its own calls.
     */
    cached: z.boolean(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime()
  })
  .strict()
  .refine((r) => (r.status === "ok" ? r.error === null : r.output === null), {
    message: "an ok result has no error, an error result no output"
  });
export type ExperimentResult = z.infer<typeof ExperimentResultSchema>;

/** Trace metadata keys that tie a stored trace to its experiment and case. */
export const EXPERIMENT_METADATA = {experiment: "plumbline.experiment", caseId: "plumbline.case_id"} as const;

/** The trace source an experiment's traces carry. */
export const experimentSource = (name: string) => `experiment:${name}`;
