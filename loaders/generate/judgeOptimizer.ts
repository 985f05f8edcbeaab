/**
 * @module A calibrated LLM judge from labelled traces: the seed prompt is evolved by reflection on the judge's
 * mistakes against the annotators' explanations (`core/generate/promptEvolution.ts`), then the best prompt and
 * the seed are both judged on held-out labels. The result is a versioned `llm_judge` spec carrying its calibration
 * figures, with the seed prompt's held-out MCC as the baseline.
 *
 * The call budget covers everything: the held-out judging of the seed and the best prompt is set aside first
 * (two calls per held-out example) and the search gets the rest, so a run never makes more calls than asked.
 * Judge calls go through `runJudge` (bounded concurrency, retries in the judge client); a failed call is an error
 * with no verdict and is left out of every confusion matrix, counted.
 */
import type {z} from "zod";
import {PlumblineError} from "../errors.js";
import {createJudgeClient, type JudgeClient, type ResponseFormat} from "../judge/judgeClient.js";
import {memoryRunStore, runJudge} from "../judge/runner.js";
import {versionOf} from "../judge/specFile.js";
import type {LabelledExample, Split} from "../../src/core/generate/examples.js";
import {
  evolvePrompt,
  type Candidate,
  type IterationRecord,
  type JudgeOutcome,
  type StopReason
} from "../../src/core/generate/promptEvolution.js";
import {confusion, type Confusion} from "../../src/core/calibration/confusion.js";
import {mcc} from "../../src/core/calibration/judgeAgreement.js";
import {calibrationFromConfusion} from "../../src/core/calibration/specCalibration.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {
  EvaluatorSpecSchema,
  JudgeSpecSchema,
  type EvaluatorSpec,
  type JudgeSpec,
  type Outcome,
  type SpecCalibration
} from "../../src/core/schemas/evaluator.js";
import {createReflector, type Reflector} from "./reflection.js";

export interface OptimizerProgress {
  phase: "search" | "held-out";
  /** Calls made so far, judge and reflection, out of `budget`. */
  calls: number;
  budget: number;
  candidates: number;
  /** The best candidate's balanced accuracy on the Pareto set so far. */
  bestAggregate: number | null;
}

export interface JudgeOptimizerOptions {
  /** Already split by the caller: the search learns from `train` only; `heldOut` measures the result. */
  examples: Split<LabelledExample>;
  /** The seed prompt, with the model, references and few-shot examples every candidate keeps. */
  seed: JudgeSpec;
  failureMode: string;
  criterion: string;
  client: JudgeClient;
  reflector: Reflector;
  /** Most calls in all: search (judge and reflection) plus the held-out judging of the seed and the best prompt. */
  budget: number;
  minibatchSize?: number;
  paretoSize?: number;
  randomSeed?: number;
  /** Judge calls in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: OptimizerProgress) => void;
  signal?: AbortSignal;
}

/** A prompt's verdicts against the labels: errors (no verdict) are counted and left out of the matrix. */
export interface JudgeFigures {
  n: number;
  errors: number;
  confusion: Confusion;
  mcc: number | null;
  mccUndefined?: string;
}

export interface JudgeOptimization {
  best: JudgeSpec;
  bestCandidate: number;
  bestHeldOut: JudgeFigures;
  seedHeldOut: JudgeFigures;
  /** The best prompt on the Pareto set, the part of train every candidate is scored on. */
  bestTrain: JudgeFigures;
  calls: {judge: number; reflection: number; heldOut: number; total: number};
  budget: number;
  frontier: number[];
  candidates: Omit<Candidate, "scores">[];
  history: IterationRecord[];
  errors: {judge: number; reflection: number; rejected: number; messages: string[]};
  stopped: StopReason;
}

/** A judge that cannot be generated for a reason the user can fix (a missing key, a small budget, a dead endpoint). */
export class JudgeOptimizerError extends PlumblineError {
  override readonly name = "JudgeOptimizerError";
}

/** Calls the held-out evaluation may need, and the least budget that leaves the search one step. */
export function budgetNeeds(options: {train: number; heldOut: number; minibatchSize?: number; paretoSize?: number}): {
  heldOut: number;
  minimum: number;
} {
  const pareto = Math.min(options.train, options.paretoSize ?? 40);
  const m = Math.min(options.minibatchSize ?? 3, options.train);
  const heldOut = 2 * options.heldOut;
  return {heldOut, minimum: heldOut + pareto + 2 * m + 1 + pareto};
}

export function figuresOf(pairs: readonly {human: Outcome; judge: Outcome | null}[]): JudgeFigures {
  const judged = pairs.filter((p): p is {human: Outcome; judge: Outcome} => p.judge !== null);
  const c = confusion(judged);
  const metric = mcc(c);
  return {
    n: judged.length,
    errors: pairs.length - judged.length,
    confusion: c,
    mcc: "value" in metric ? metric.value : null,
    ...("undefined" in metric ? {mccUndefined: metric.undefined} : {})
  };
}

export async function generateJudgeSpec(options: JudgeOptimizerOptions): Promise<JudgeOptimization> {
  const {train, heldOut} = options.examples;
  const {failureMode, criterion, budget} = options;
  const needs = budgetNeeds({
    train: train.length,
    heldOut: heldOut.length,
    ...pick(options, "minibatchSize", "paretoSize")
  });
  if (!train.length || !heldOut.length)
    throw new RangeError(
      `prompt optimization needs training and held-out examples (got ${train.length} and ${heldOut.length})`
    );
  if (budget < needs.minimum) {
    throw new RangeError(
      `a budget of ${budget} calls is too small: judging the seed and the best prompt on ${heldOut.length} held-out examples takes up to ${needs.heldOut}, ` +
        `and one search step on top of scoring the seed needs ${needs.minimum - needs.heldOut}; give at least ${needs.minimum}`
    );
  }

  const store = memoryRunStore();
  let runs = 0;
  let offset = 0;
  let phase: OptimizerProgress["phase"] = "search";
  let lastSearch = {candidates: 1, bestAggregate: null as number | null};
  const report = (calls: number) => options.onProgress?.({phase, calls: offset + calls, budget, ...lastSearch});

  /** One judge run of `prompt` over `examples`: a verdict or an error per example, in order. */
  const judgeWith = async (
    prompt: string,
    examples: readonly LabelledExample[],
    onCalls?: (n: number) => void
  ): Promise<{results: JudgeOutcome[]; calls: number}> => {
    const judge: JudgeSpec = {...options.seed, prompt};
    const spec = EvaluatorSpecSchema.parse({
      id: "candidate",
      version: "0",
      failureMode,
      criterion,
      kind: "llm_judge",
      judge
    });
    const runId = `candidate-${++runs}`;
    const summary = await runJudge({
      spec,
      evaluatorVersion: versionOf(spec).version,
      items: examples,
      store,
      runId,
      datasetVersion: "prompt-optimization",
      client: options.client,
      concurrency: options.concurrency ?? 4,
      ...(options.signal ? {signal: options.signal} : {}),
      onProgress: (p) => onCalls?.(p.calls)
    });
    const rows = new Map(store.rows.filter((r) => r.runId === runId).map((r) => [r.traceId, r]));
    const results = examples.map((e): JudgeOutcome => {
      const row = rows.get(e.traceId);
      if (!row) return {error: "not judged: the run was interrupted"};
      if (row.outcome === "error") return {error: row.error ?? "the judge call failed"};
      return {verdict: row.outcome, reasoning: row.reasoning ?? ""};
    });
    return {results, calls: summary.calls};
  };

  const evolution = await evolvePrompt<LabelledExample>({
    seedPrompt: options.seed.prompt,
    train,
    budget: budget - needs.heldOut,
    ...pick(options, "minibatchSize", "paretoSize"),
    ...(options.randomSeed === undefined ? {} : {seed: options.randomSeed}),
    ...(options.signal ? {signal: options.signal} : {}),
    evaluate: (prompt, examples, {onCalls}) => judgeWith(prompt, examples, onCalls),
    reflect: ({prompt, feedback}) =>
      options.reflector.propose({prompt, failureMode, criterion, feedback}, options.signal),
    validate: (prompt) => {
      const result = JudgeSpecSchema.safeParse({...options.seed, prompt});
      return result.success ? null : issueText(result.error, "(judge)");
    },
    onProgress: (p) => {
      lastSearch = {candidates: p.candidates, bestAggregate: p.bestAggregate};
      options.onProgress?.({phase, calls: p.calls, budget, ...lastSearch});
    }
  });

  phase = "held-out";
  offset = evolution.calls.total;
  const best = evolution.candidates[evolution.best]!;
  const messages = [...evolution.errors];
  let heldOutCalls = 0;
  const heldOutFigures = async (prompt: string) => {
    const {results, calls} = await judgeWith(prompt, heldOut, report);
    offset += calls;
    heldOutCalls += calls;
    report(0);
    for (const r of results)
      if ("error" in r && messages.length < 20 && !messages.includes(`judge: ${r.error}`))
        messages.push(`judge: ${r.error}`);
    return {
      figures: figuresOf(results.map((r, i) => ({human: heldOut[i]!.outcome, judge: "error" in r ? null : r.verdict}))),
      errors: results.filter((r) => "error" in r).length
    };
  };
  const seedRun = await heldOutFigures(options.seed.prompt);
  const bestRun = evolution.best === 0 ? seedRun : await heldOutFigures(best.prompt);

  const outcomeOf = new Map(train.map((e) => [e.traceId, e.outcome]));
  const paretoOutcomes = evolution.paretoSet.map((id) => outcomeOf.get(id)!);
  const bestTrain = figuresOf(
    best.scores.map((s, i) => {
      const human = paretoOutcomes[i]!;
      const other: Outcome = human === "fail" ? "pass" : "fail";
      return {human, judge: s === null ? null : s === 1 ? human : other};
    })
  );

  return {
    best: {...options.seed, prompt: best.prompt},
    bestCandidate: best.id,
    bestHeldOut: bestRun.figures,
    seedHeldOut: seedRun.figures,
    bestTrain,
    calls: {
      judge: evolution.calls.judge,
      reflection: evolution.calls.reflection,
      heldOut: heldOutCalls,
      total: evolution.calls.total + heldOutCalls
    },
    budget,
    frontier: evolution.frontier,
    candidates: evolution.candidates.map(({scores: _scores, ...rest}) => rest),
    history: evolution.history,
    errors: {
      judge: evolution.judgeErrors + seedRun.errors + (evolution.best === 0 ? 0 : bestRun.errors),
      reflection: evolution.reflectionErrors,
      rejected: evolution.rejected,
      messages
    },
    stopped: evolution.stopped
  };
}

/** The progress bar's detail text: what the calls are for, how many candidates, how good the best is. */
export function progressDetail(p: OptimizerProgress): string {
  const best = p.bestAggregate === null ? "" : `, best ${(p.bestAggregate * 100).toFixed(0)}% balanced accuracy`;
  return `${p.phase === "search" ? "searching" : "judging held-out"}: ${p.candidates} prompt${p.candidates === 1 ? "" : "s"}${best}`;
}

function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** The seed prompt when none is given: the failure mode and criterion, and the whole trace. */
export const DEFAULT_SEED_PROMPT =
  "Here is a trace of an AI application: the conversation, with the tool calls it made.\n\n{{trace}}\n\n" +
  'Does this trace show the failure "{{failure_mode}}" (rubric criterion: {{criterion}})?';

export type GeneratedJudgeSpec = Extract<EvaluatorSpec, {kind: "llm_judge"}> & {calibration: SpecCalibration};

/** What the `generate` command hands over: no connection, only the examples it read and its options. */
export interface GenerateJudgeInput {
  examples: Split<LabelledExample>;
  failureMode: string;
  criterion: string;
  /** The spec id (default: the failure mode as a slug). */
  id?: string;
  version?: string;
  description?: string;
  /** Where the labels came from, recorded in the calibration block. */
  labels?: string;
  /** The seed judge (default: `DEFAULT_SEED_PROMPT` on `model`). */
  seedJudge?: z.input<typeof JudgeSpecSchema>;
  /** The judge model when no seed judge is given (default: `PLUMBLINE_JUDGE_MODEL` from `env`, else gpt-4o-mini). */
  model?: string;
  /** The reflection model (default: the judge's model). */
  reflectionModel?: string;
  /** Where the endpoint and key are read: `OPENAI_BASE_URL` and `apiKeyEnv` (default `OPENAI_API_KEY`). */
  env?: NodeJS.ProcessEnv;
  baseURL?: string;
  apiKeyEnv?: string;
  responseFormat?: ResponseFormat;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Most calls in all (default 400). */
  budget?: number;
  minibatchSize?: number;
  paretoSize?: number;
  seed?: number;
  concurrency?: number;
  onProgress?: (progress: OptimizerProgress) => void;
  /** Receives the whole optimization record (candidates, history, calls) for a report. */
  onResult?: (optimization: JudgeOptimization) => void;
  signal?: AbortSignal;
  now?: () => Date;
  /** Injected for tests: waits between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export function slugOf(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "judge"
  );
}

/**
 * The `--method judge` of `plumbline generate`: evolves the judge prompt and returns the spec to write, carrying
 * its held-out calibration (with the seed prompt as baseline). Problems the user can fix are `JudgeOptimizerError`s.
 */
export async function generateJudge(input: GenerateJudgeInput): Promise<GeneratedJudgeSpec> {
  const env = input.env ?? process.env;
  const keyVar = input.apiKeyEnv ?? "OPENAI_API_KEY";
  const apiKey = env[keyVar];
  if (!apiKey)
    throw new JudgeOptimizerError(
      `generating a judge calls an LLM and $${keyVar} is not set; export it (or name another variable with --api-key-env)`
    );
  const baseURL = input.baseURL ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
  const model = input.model ?? env.PLUMBLINE_JUDGE_MODEL ?? "gpt-4o-mini";
  const seedParsed = JudgeSpecSchema.safeParse(input.seedJudge ?? {model, prompt: DEFAULT_SEED_PROMPT});
  if (!seedParsed.success)
    throw new JudgeOptimizerError(`invalid seed judge: ${issueText(seedParsed.error, "(judge)")}`);
  const seed = seedParsed.data;
  const connection = {
    baseURL,
    apiKey,
    ...pick(input, "responseFormat", "timeoutMs", "maxAttempts", "sleep")
  };
  let optimization: JudgeOptimization;
  try {
    optimization = await generateJudgeSpec({
      examples: input.examples,
      seed,
      failureMode: input.failureMode,
      criterion: input.criterion,
      client: createJudgeClient(connection),
      reflector: createReflector({...connection, model: input.reflectionModel ?? seed.model}),
      budget: input.budget ?? 400,
      ...pick(input, "minibatchSize", "paretoSize", "concurrency", "onProgress", "signal"),
      ...(input.seed === undefined ? {} : {randomSeed: input.seed})
    });
  } catch (error) {
    if (error instanceof RangeError) throw new JudgeOptimizerError(error.message, 2);
    throw error;
  }
  if (optimization.stopped === "interrupted" || input.signal?.aborted)
    throw new JudgeOptimizerError("interrupted: no judge written", 130);
  input.onResult?.(optimization);
  if (optimization.bestHeldOut.n === 0) {
    const first = optimization.errors.messages.find((m) => m.startsWith("judge: "))?.slice(7) ?? "no answer";
    throw new JudgeOptimizerError(
      `every held-out judge call failed, so the judge cannot be calibrated and none is written (${first}); check the endpoint and try again`
    );
  }

  const {best, bestHeldOut, seedHeldOut, bestTrain, calls} = optimization;
  const fmt = (x: number | null) => (x === null ? "undefined" : x.toFixed(3));
  const spec = EvaluatorSpecSchema.parse({
    id: input.id ?? slugOf(input.failureMode),
    version: input.version ?? "1.0.0",
    description:
      input.description ??
      `LLM judge for "${input.failureMode}", its prompt evolved by reflection on the annotators' explanations.`,
    failureMode: input.failureMode,
    criterion: input.criterion,
    scope: "trace",
    kind: "llm_judge",
    judge: best,
    lineage: {
      derivedFrom: null,
      note:
        `prompt evolved from the seed prompt (candidate ${optimization.bestCandidate} of ${optimization.candidates.length}): ` +
        `held-out MCC ${fmt(bestHeldOut.mcc)} vs ${fmt(seedHeldOut.mcc)} for the seed; ${calls.total} calls of a budget of ${optimization.budget}`
    }
  }) as Extract<EvaluatorSpec, {kind: "llm_judge"}>;
  const errorsNote = bestHeldOut.errors
    ? `; ${bestHeldOut.errors} held-out judge call${bestHeldOut.errors === 1 ? " failed and is" : "s failed and are"} left out`
    : "";
  const calibration = calibrationFromConfusion(bestHeldOut.confusion, {
    evaluatorVersion: versionOf(spec).version,
    criterion: input.criterion,
    labels:
      (input.labels ?? `${input.examples.heldOut.length} held-out labelled traces of "${input.failureMode}"`) +
      errorsNote,
    split: "held-out",
    measuredAt: (input.now?.() ?? new Date()).toISOString(),
    train: {n: bestTrain.n, mcc: bestTrain.mcc},
    baseline: {name: "seed prompt", mcc: seedHeldOut.mcc}
  });
  return {...spec, calibration};
}
