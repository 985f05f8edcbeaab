/**
 * @module Evaluator specs: the single source of their type. A spec is a JSON file in `evaluators/` that names the
 * failure mode it detects, the rubric criterion its verdicts are calibrated against, and how it decides:
 *
 * - `rule`: a declarative check (regex or contains on chosen messages, JSONPath on span attributes, tool-call
 *   predicates, numeric thresholds, and/or/not). Specs never carry code; the runtime in `core/evaluator/rule.ts`
 *   interprets these shapes and nothing else.
 * - `llm_judge`: a prompt template, model, temperature and few-shot examples; the judge answers with a structured
 *   verdict (`JudgeVerdictSchema`) and pass or fail is read from that object's `verdict` field alone.
 * - `hybrid`: a rule prefilter first; only traces it matches go to the judge.
 *
 * A rule's condition describes the failure: when it holds, the outcome is `fail` (the positive class).
 */
import {z} from "zod";
import {issueLines} from "./issues.js";

/** The spec file format's own version; readers refuse newer ones. */
export const EVALUATOR_SPEC_FORMAT = 1;

export const ScopeSchema = z.enum(["trace", "span", "thread"]);
export type Scope = z.infer<typeof ScopeSchema>;

export const OutcomeSchema = z.enum(["pass", "fail"]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Which messages a text check reads. Every field narrows; an empty selector means every message. */
export const MessageSelectorSchema = z
  .object({
    role: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    direction: z.enum(["input", "output", "transcript"]).optional(),
    /** `any` (default): some selected message matches; `all`: every one does; `first`/`last`: that one does. */
    quantifier: z.enum(["any", "all", "first", "last"]).default("any")
  })
  .strict();
export type MessageSelector = z.infer<typeof MessageSelectorSchema>;

/** A comparison with a number; at least one bound. */
const NumericTestSchema = z
  .object({
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    eq: z.number().optional()
  })
  .strict()
  .refine((t) => Object.values(t).some((v) => v !== undefined), {
    message: "a numeric test needs one of gt, gte, lt, lte, eq"
  });
export type NumericTest = z.infer<typeof NumericTestSchema>;

/** Regexes from specs run on untrusted text, matched by RE2 in linear time (see evaluator/linearRegex.ts); keep them short. */
const PatternSchema = z.string().min(1).max(500);
const FlagsSchema = z
  .string()
  .regex(/^[imsu]*$/, "regex flags may only be i, m, s, u")
  .default("");

/** The trace-level numbers a threshold can test, as the store holds them. */
export const TRACE_FIELDS = [
  "latency_ms",
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cost_usd",
  "span_count",
  "message_count",
  "tool_call_count",
  "tool_error_count",
  "feedback_count"
] as const;

const RegexCondition = z
  .object({
    op: z.literal("regex"),
    messages: MessageSelectorSchema.default({quantifier: "any"}),
    pattern: PatternSchema,
    flags: FlagsSchema
  })
  .strict();
const ContainsCondition = z
  .object({
    op: z.literal("contains"),
    messages: MessageSelectorSchema.default({quantifier: "any"}),
    value: z.string().min(1),
    caseSensitive: z.boolean().default(false)
  })
  .strict();
const JsonPathTestSchema = z.union([
  z.object({exists: z.boolean()}).strict(),
  z.object({equals: z.union([z.string(), z.number(), z.boolean(), z.null()])}).strict(),
  z.object({matches: PatternSchema, flags: FlagsSchema}).strict(),
  NumericTestSchema
]);
const JsonPathCondition = z
  .object({
    op: z.literal("jsonpath"),
    /** A JSONPath subset: `$`, `.key`, `['key']`, `[n]`, `[*]`. Flattened keys with dots (`gen_ai.usage.input_tokens`) resolve too. */
    path: z.string().regex(/^\$/, "a JSONPath starts with $"),
    /** Only spans with this kind or name are read; every span when absent. */
    spanKind: z.string().optional(),
    spanName: z.string().optional(),
    test: JsonPathTestSchema,
    quantifier: z.enum(["any", "all"]).default("any")
  })
  .strict();
const ToolCallCondition = z
  .object({
    op: z.literal("tool_call"),
    name: z.string().optional(),
    /** `true`: only failed calls count; `false`: only successful ones. */
    failed: z.boolean().optional(),
    argumentsContain: z.string().optional(),
    resultContains: z.string().optional(),
    /** How many matching calls make the condition true; at least one when absent. */
    count: NumericTestSchema.optional()
  })
  .strict();
const ThresholdCondition = z
  .object({
    op: z.literal("threshold"),
    field: z.enum(TRACE_FIELDS),
    test: NumericTestSchema,
    missing: z.enum(["pass", "fail"]).default("pass")
  })
  .strict();
const StatusCondition = z.object({op: z.literal("status"), is: z.enum(["ok", "error", "unset"])}).strict();
/**
 * Holds when the trace's output does not match what its dataset case expects (`src/core/evaluator/reference.ts`):
 * a rule with it fails a candidate's answer that misses the reference. Read on traces that are dataset cases or an
 * experiment's cases; `missing` says what a trace with no expected value gets.
 */
const ExpectedMismatchCondition = z
  .object({
    op: z.literal("expected_mismatch"),
    check: z.enum(["exact", "normalized", "contains", "json", "tool_calls", "numeric"]),
    /** The case's field to compare with: its expected output (default) or its expected behaviour. */
    expected: z.enum(["output", "behaviour"]).default("output"),
    /** `json`: the JSONPaths compared (the whole value when absent); `tool_calls`: the argument paths compared. */
    paths: z.array(z.string().regex(/^\$/, "a JSONPath starts with $")).optional(),
    /** `tool_calls`: whether the expected calls must come in their order (default: any order). */
    ordered: z.boolean().default(false),
    /** `numeric`: the largest absolute difference allowed, and the largest relative one. */
    tolerance: z.number().min(0).default(0),
    relativeTolerance: z.number().min(0).default(0),
    /** `contains`: case-sensitive (default: not). */
    caseSensitive: z.boolean().default(false),
    missing: z.enum(["pass", "fail"]).default("fail")
  })
  .strict();

export type Condition =
  | z.infer<typeof RegexCondition>
  | z.infer<typeof ContainsCondition>
  | z.infer<typeof JsonPathCondition>
  | z.infer<typeof ToolCallCondition>
  | z.infer<typeof ThresholdCondition>
  | z.infer<typeof StatusCondition>
  | z.infer<typeof ExpectedMismatchCondition>
  | {op: "and"; all: Condition[]}
  | {op: "or"; any: Condition[]}
  | {op: "not"; condition: Condition};

export const ConditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z.discriminatedUnion("op", [
    RegexCondition,
    ContainsCondition,
    JsonPathCondition,
    ToolCallCondition,
    ThresholdCondition,
    StatusCondition,
    ExpectedMismatchCondition,
    z.object({op: z.literal("and"), all: z.array(ConditionSchema).min(1)}).strict(),
    z.object({op: z.literal("or"), any: z.array(ConditionSchema).min(1)}).strict(),
    z.object({op: z.literal("not"), condition: ConditionSchema}).strict()
  ])
) as z.ZodType<Condition, unknown>;

/** The placeholders a judge prompt may use; any other `{{name}}` is a spec error, so a typo cannot slip through. */
export const PLACEHOLDERS = [
  "trace",
  "input",
  "output",
  "references",
  "criterion",
  "failure_mode",
  "examples",
  "expected"
] as const;

export const FewShotExampleSchema = z
  .object({trace: z.string().min(1), verdict: OutcomeSchema, reasoning: z.string().min(1)})
  .strict();

export const JudgeSpecSchema = z
  .object({
    model: z.string().min(1),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().positive().max(32_768).default(1024),
    system: z.string().default("You are a careful evaluator. Answer only with the JSON object you are asked for."),
    /** The user message: `{{trace}}`, `{{input}}`, `{{output}}`, `{{references}}`, `{{criterion}}`, `{{failure_mode}}`, `{{examples}}`, `{{expected}}` (the dataset case's expected output, else its expected behaviour). */
    prompt: z.string().min(1),
    references: z.array(z.object({name: z.string().min(1), text: z.string()}).strict()).default([]),
    examples: z.array(FewShotExampleSchema).default([]),
    /** Longest trace text put in the prompt; longer traces are cut in the middle and say so. */
    maxTraceChars: z.number().int().positive().default(24_000)
  })
  .strict()
  .superRefine((judge, ctx) => {
    for (const match of judge.prompt.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
        ctx.addIssue({
          code: "custom",
          path: ["prompt"],
          message: `unknown placeholder {{${match[1]}}}; use one of ${PLACEHOLDERS.join(", ")}`
        });
      }
    }
    if (!/\{\{\s*(trace|input|output)\s*\}\}/.test(judge.prompt)) {
      ctx.addIssue({
        code: "custom",
        path: ["prompt"],
        message: "the prompt must show the judge the trace: add {{trace}}, {{input}} or {{output}}"
      });
    }
  });
export type JudgeSpec = z.infer<typeof JudgeSpecSchema>;

/** Where a spec came from: the spec it was derived from and why it changed. */
export const LineageSchema = z
  .object({
    derivedFrom: z.object({id: z.string(), version: z.string()}).strict().nullable().default(null),
    note: z.string().default("")
  })
  .strict();

const IdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "an id is lower-case letters, digits, '.', '_' or '-', at most 100");

/**
 * The calibration figures a spec carries: the human-vs-evaluator confusion matrix of one evaluator version on
 * labels it did not learn from. They belong to `evaluatorVersion`: once the deciding content changes, the spec's
 * version changes and these figures describe an older evaluator, so the gate treats it as uncalibrated.
 * Kept out of the content hash (see `specContent`), so recording figures never makes a new version.
 */
const ConfusionCountsSchema = z
  .object({
    tp: z.number().int().nonnegative(),
    fp: z.number().int().nonnegative(),
    fn: z.number().int().nonnegative(),
    tn: z.number().int().nonnegative()
  })
  .strict();

export const SpecCalibrationSchema = z
  .object({
    /** `<version>+<12 hex digits>` of the spec these figures were measured on. */
    evaluatorVersion: z.string().min(1),
    criterion: z.string().min(1),
    /** Where the human labels came from, e.g. "workspace data/: ground truth of 'overall', 142 traces". */
    labels: z.string(),
    measuredAt: z.iso.datetime(),
    /**
     * The version of the ground truth these figures were measured on: `<criterion>@<12 hex digits>`, a hash of the
     * criterion's ground-truth rows (trace, pass, failure mode). A workspace whose labels hash otherwise has changed
     * since. Absent in figures recorded before label sets had versions.
     */
    labelSet: z.string().min(1).optional(),
    /** `held-out`: labels kept out of generation; `all`: every label (a spec written by hand, calibrated later). */
    split: z.enum(["held-out", "all"]),
    /** The evidence: traces that fail the criterion for another named failure mode are left out. */
    confusion: ConfusionCountsSchema,
    /**
     * The same traces as the gate sees them: a trace that fails the criterion for another failure mode is not this
     * failure, so it counts as a pass. The corrected failure rate reads the evaluator's error rates here, because
     * it corrects every gated trace, other failures included. Absent in older figures (the gate then uses `confusion`).
     */
    population: ConfusionCountsSchema.optional(),
    /** null when undefined (a class missing on one side); `mccUndefined` then says why. */
    mcc: z.number().min(-1).max(1).nullable(),
    mccUndefined: z.string().optional(),
    /**
     * 95 % interval of the MCC: Bayesian, from the confusion cells' Dirichlet posterior under Jeffreys' prior
     * (`src/core/calibration/posterior.ts`). Specs written before it hold a bootstrap interval; the gate recomputes
     * the interval from `confusion` either way.
     */
    mccInterval: z.tuple([z.number(), z.number()]).nullable(),
    /** The share of the interval's draws where MCC was undefined and left out (0 for the posterior). */
    mccIntervalUndefined: z.number().min(0).max(1).optional(),
    /** The same figures on the training split, and for a generated judge the seed prompt's held-out MCC. */
    train: z
      .object({
        n: z.number().int().nonnegative(),
        mcc: z.number().nullable(),
        /**
         * The traces the evaluator was learned from. Kept in the spec, beside the figures they qualify, so that every
         * reader of the spec (a later `calibrate update`, the page, a CI gate with no workspace) leaves the same
         * in-sample labels out of the evidence.
         */
        traceIds: z.array(z.string()).optional()
      })
      .strict()
      .optional(),
    baseline: z.object({name: z.string(), mcc: z.number().nullable()}).strict().optional()
  })
  .strict();
export type SpecCalibration = z.infer<typeof SpecCalibrationSchema>;

/** What the gate asks of an evaluator's verdicts on a candidate: a pass-rate floor. */
export const GateThresholdSchema = z
  .object({
    /** The candidate fails this evaluator when fewer than this share of its traces pass (0–1). */
    minPassRate: z.number().min(0).max(1).default(0.95)
  })
  .strict();
export type GateThreshold = z.infer<typeof GateThresholdSchema>;

/**
 * How a spec runs on live traffic (`plumbline online run`, and `plumbline start` in the background). Kept out of
 * the content hash (see `specContent`): how often an evaluator runs does not change what it decides.
 */
export const OnlineSchema = z
  .object({
    /**
     * The share of complete traces evaluated (0–1). Which traces is decided by a hash of the trace id and the
     * evaluator id, so a restart, or a second pass, makes the same choice.
     */
    sample: z.number().min(0).max(1).default(1),
    /** A trace is complete once no span has arrived for this many seconds. */
    quietSeconds: z.number().nonnegative().default(60),
    /** Judge calls allowed (LLM judges and hybrids); once spent, calls stop and the traces wait, unjudged. */
    budget: z
      .object({
        perHour: z.number().int().nonnegative().nullable().default(null),
        perDay: z.number().int().nonnegative().nullable().default(null)
      })
      .strict()
      .default({perHour: null, perDay: null})
  })
  .strict();
export type Online = z.infer<typeof OnlineSchema>;

const common = {
  format: z.literal(EVALUATOR_SPEC_FORMAT).default(EVALUATOR_SPEC_FORMAT),
  id: IdSchema,
  /** The human version (`1.2.0`); the stored evaluator version also carries a hash of the spec's content. */
  version: z.string().regex(/^[0-9A-Za-z.-]{1,40}$/, "a version is letters, digits, '.' or '-'"),
  description: z.string().default(""),
  failureMode: z.string().min(1),
  criterion: z.string().min(1),
  scope: ScopeSchema.default("trace"),
  lineage: LineageSchema.default({derivedFrom: null, note: ""}),
  gate: GateThresholdSchema.optional(),
  calibration: SpecCalibrationSchema.optional(),
  online: OnlineSchema.optional()
};

export const EvaluatorSpecSchema = z.discriminatedUnion("kind", [
  z.object({...common, kind: z.literal("rule"), rule: ConditionSchema}).strict(),
  z.object({...common, kind: z.literal("llm_judge"), judge: JudgeSpecSchema}).strict(),
  z
    .object({
      ...common,
      kind: z.literal("hybrid"),
      /** Only traces the prefilter matches go to the judge; the rest get `otherwise` without a call. */
      prefilter: ConditionSchema,
      otherwise: OutcomeSchema.default("pass"),
      judge: JudgeSpecSchema
    })
    .strict()
]);
export type EvaluatorSpec = z.infer<typeof EvaluatorSpecSchema>;
/** A spec as a person writes it, before defaults. */
export type EvaluatorSpecInput = z.input<typeof EvaluatorSpecSchema>;

/**
 * What a judge must answer. Reasoning comes first so the model writes it before committing to a verdict; the
 * outcome is this object's `verdict`, never a word found in the reasoning.
 */
export const JudgeVerdictSchema = z.object({reasoning: z.string().min(1).max(20_000), verdict: OutcomeSchema}).strict();
export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

/** JSON Schema of the verdict, for `response_format: json_schema` (strict mode needs every property required). */
export const JUDGE_VERDICT_JSON_SCHEMA = {
  type: "object",
  properties: {reasoning: {type: "string"}, verdict: {type: "string", enum: ["pass", "fail"]}},
  required: ["reasoning", "verdict"],
  additionalProperties: false
} as const;

/**
 * The part of a spec that decides verdicts, in a canonical JSON form (sorted keys). Its hash is the content half of
 * the evaluator version: editing the description, lineage, gate threshold, online settings or recorded calibration
 * does not start a new calibration, editing the rule, prompt, model, examples or criterion does.
 */
export function specContent(spec: EvaluatorSpec): string {
  const {description: _d, lineage: _l, version: _v, calibration: _c, gate: _g, online: _o, ...decisive} = spec;
  return canonicalJson(decisive);
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The stored evaluator version: the human version plus the first 12 hex digits of the content hash. */
export function evaluatorVersion(spec: Pick<EvaluatorSpec, "version">, contentHash: string): string {
  return `${spec.version}+${contentHash.slice(0, 12)}`;
}

/** Reads a spec: a clear, path-qualified message per problem instead of a zod dump. */
export function parseEvaluatorSpec(value: unknown): {spec: EvaluatorSpec} | {errors: string[]} {
  if (
    value &&
    typeof value === "object" &&
    "format" in value &&
    typeof (value as {format: unknown}).format === "number"
  ) {
    const format = (value as {format: number}).format;
    if (format > EVALUATOR_SPEC_FORMAT)
      return {
        errors: [
          `spec format ${format} is newer than this Plumbline reads (${EVALUATOR_SPEC_FORMAT}); upgrade Plumbline`
        ]
      };
  }
  const result = EvaluatorSpecSchema.safeParse(value);
  if (result.success) return {spec: result.data};
  return {errors: issueLines(result.error, "(spec)")};
}
