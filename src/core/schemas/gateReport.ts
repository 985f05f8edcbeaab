/**
 * @module The gate's report: what `plumbline gate` decided about one candidate, per evaluator and as a whole, with
 * the failure-mode coverage of the suite. The CLI prints it, renders it as JUnit XML and Markdown, and appends it as
 * one line to `<workspace>/gate-runs.jsonl`, which the suite page reads. Trace text never enters it: traces appear
 * by id only.
 */
import {z} from "zod";
import {SpecCalibrationSchema} from "./evaluator.js";
import {TrustPolicySchema} from "./trustPolicy.js";

/** The report format's own version; readers skip lines of a newer one and say so. */
export const GATE_REPORT_FORMAT = 1;

/** What an evaluator's calibration lets it do in this run. */
export const GateRoleSchema = z.enum(["blocks", "reports", "skipped"]);
export type GateRole = z.infer<typeof GateRoleSchema>;

/**
 * `passed`: ran and met its pass-rate threshold; `blocked`: a blocking evaluator below its threshold; `warned`: a
 * report-only evaluator below its threshold; `skipped`: not trusted or uncalibrated, not run; `error`: ran but every
 * judge call failed, so there is no verdict to decide on.
 */
export const GateOutcomeSchema = z.enum(["passed", "blocked", "warned", "skipped", "error"]);
export type GateOutcome = z.infer<typeof GateOutcomeSchema>;

const Share = z.number().min(0).max(1);

export const GateEvaluatorSchema = z
  .object({
    id: z.string(),
    /** The spec file's name inside the suite folder. */
    file: z.string(),
    kind: z.enum(["rule", "llm_judge", "hybrid"]),
    failureMode: z.string(),
    criterion: z.string(),
    scope: z.enum(["trace", "span", "thread"]),
    /** `<version>+<12 hex digits>` of the spec as it is now. */
    evaluatorVersion: z.string(),
    role: GateRoleSchema,
    calibrationStatus: z.enum(["blocks", "reports", "not-trusted", "uncalibrated"]),
    reason: z.string(),
    /** What the calibration's evidence lacks: too few human labels of a class, an interval across a threshold. */
    warnings: z.array(z.string()).default([]),
    /** The MCC alone would block, but the evidence falls short of the run's trust policy: the evaluator reports. */
    weakEvidence: z.boolean().default(false),
    calibration: SpecCalibrationSchema.nullable(),
    /** Whether the recorded calibration belongs to the current version; null when none is recorded. */
    versionMatch: z.boolean().nullable(),
    /**
     * Which calibration the role was decided on: when it was measured, on which label-set version (null for figures
     * recorded before label sets had versions), on how many labels and which split. Null when none is recorded.
     */
    snapshot: z
      .object({
        at: z.iso.datetime(),
        labelSet: z.string().nullable(),
        n: z.number().int().nonnegative(),
        split: z.enum(["held-out", "all"])
      })
      .strict()
      .nullable()
      .default(null),
    /**
     * Set when the gate read a workspace whose labels changed since that calibration and disagree with it (another
     * status, or an MCC moved by more than half the recorded interval): what they say now, and what to run.
     */
    labelDrift: z.string().nullable().default(null),
    minPassRate: Share,
    thresholdFrom: z.enum(["spec", "option"]),
    /** Verdicts per trace; null when the evaluator was not run. Errors are failed judge calls, never verdicts. */
    counts: z
      .object({
        traces: z.number().int().nonnegative(),
        pass: z.number().int().nonnegative(),
        fail: z.number().int().nonnegative(),
        errors: z.number().int().nonnegative()
      })
      .strict()
      .nullable(),
    passRate: Share.nullable(),
    /** The raw share of judged traces the evaluator failed. */
    failRate: Share.nullable(),
    /** The failure rate corrected for the evaluator's measured errors (Rogan–Gladen), with its 95 % interval. */
    correctedFailRate: z
      .object({
        value: Share.nullable(),
        interval: z.tuple([z.number(), z.number()]).nullable(),
        /** The share of the interval's draws where the correction was undefined (TPR + TNR ≤ 1), left out. */
        undefinedShare: Share.optional(),
        undefined: z.string().nullable()
      })
      .strict()
      .nullable(),
    /** The first failing trace ids (at most 20), to start looking from. */
    failingTraces: z.array(z.string()),
    calls: z.number().int().nonnegative(),
    outcome: GateOutcomeSchema,
    /**
     * Against a baseline experiment (`gate --experiment B --baseline A`): both pass rates over the cases both ran,
     * the cases that regressed (passed in the baseline, fail now) and improved, and the one-sided exact McNemar
     * p-value of "the candidate passes less often". Absent when the gate had no baseline.
     */
    baseline: z
      .object({
        experiment: z.string(),
        paired: z.number().int().nonnegative(),
        passRate: Share.nullable(),
        candidatePassRate: Share.nullable(),
        regressed: z.array(z.string()),
        improved: z.number().int().nonnegative(),
        pWorse: Share,
        alpha: Share,
        /** Significantly below the baseline at `alpha`: a blocking evaluator then blocks. */
        significant: z.boolean()
      })
      .strict()
      .optional()
  })
  .strict();
export type GateEvaluator = z.infer<typeof GateEvaluatorSchema>;

export const CoverageModeSchema = z
  .object({
    name: z.string(),
    /** The registry's state, or null for a mode only the suite's specs name. */
    state: z.string().nullable(),
    /** Trusted evaluators (they block or report) of this mode. */
    evaluators: z.array(z.string()),
    covered: z.boolean(),
    /** Why it is uncovered: no evaluator at all, or what keeps its evaluators from being trusted. */
    why: z.string()
  })
  .strict();
export type CoverageMode = z.infer<typeof CoverageModeSchema>;

export const CoverageSchema = z
  .object({
    active: z.number().int().nonnegative(),
    covered: z.number().int().nonnegative(),
    /** covered / active; null when there is no active mode. */
    share: Share.nullable(),
    /** Whether a failure-mode registry was read, or only the specs' own modes count. */
    registry: z.boolean(),
    modes: z.array(CoverageModeSchema)
  })
  .strict();
export type Coverage = z.infer<typeof CoverageSchema>;

/**
 * What the run says about a failure mode it covers (see `core/failureModes/gateTransitions.ts`): still failing,
 * regressed (moved to `regressed` by this run), proposed for `verified_resolved` (a person confirms), or passing.
 */
export const GateTransitionSchema = z
  .object({
    failureMode: z.string(),
    kind: z.enum(["still-failing", "regressed", "proposed-resolved", "passing"]),
    from: z.string().nullable(),
    to: z.string().nullable(),
    evaluators: z.array(z.string()),
    failedBy: z.array(z.string())
  })
  .strict();
export type GateTransition = z.infer<typeof GateTransitionSchema>;

export const GateRunSchema = z
  .object({
    format: z.literal(GATE_REPORT_FORMAT),
    runId: z.string(),
    label: z.string(),
    at: z.iso.datetime(),
    durationMs: z.number().nonnegative(),
    suite: z.string(),
    candidate: z
      .object({
        kind: z.enum(["traces", "dataset-file", "dataset", "experiment"]),
        /** File names, or the dataset's name. */
        name: z.string(),
        version: z.string().nullable(),
        traces: z.number().int().nonnegative(),
        /** Records of the input that could not be read (traces files only; a bad dataset line stops the gate). */
        rejected: z.number().int().nonnegative()
      })
      .strict(),
    blocked: z.boolean(),
    /** The failure modes whose blocking evaluators failed the candidate (or could not judge it). */
    blockedBy: z.array(z.object({failureMode: z.string(), evaluators: z.array(z.string())}).strict()),
    evaluators: z.array(GateEvaluatorSchema),
    coverage: CoverageSchema,
    thresholds: z
      .object({
        block: z.number(),
        report: z.number(),
        defaultMinPassRate: Share,
        /** Runs recorded before the policy existed decided on the MCC's value alone. */
        trust: TrustPolicySchema.default({mode: "point", minPerClass: 20})
      })
      .strict(),
    /** The baseline experiment the candidate was compared with, and the test's level. */
    baseline: z.object({experiment: z.string(), alpha: Share}).strict().optional(),
    /** Per covered failure mode, what this run found (runs with a workspace registry). */
    transitions: z.array(GateTransitionSchema).optional()
  })
  .strict();
export type GateRun = z.infer<typeof GateRunSchema>;
