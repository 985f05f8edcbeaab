/**
 * @module Reflective prompt evolution for an LLM judge, after GEPA (Agrawal et al. 2025, "GEPA: Reflective Prompt
 * Evolution Can Outperform Reinforcement Learning"). The judge and the reflection model are injected
 * (`evaluate`, `reflect`), so this loop is pure and deterministic for a given seed and answers.
 *
 * 1. Score the seed prompt on the Pareto set, a stratified subset of the training examples.
 * 2. Repeat: sample a parent from the Pareto frontier (paretoFrontier.ts); judge a minibatch of training examples
 *    with it; when it made mistakes, show the reflection model every verdict on the minibatch, with the
 *    annotators' explanations, and ask for a better prompt; reject proposals that are invalid (the injected
 *    `validate`), unchanged or already tried; judge the minibatch with the child and keep it only when it scores
 *    strictly better there, then score it on the Pareto set.
 * 3. Stop before a step could overrun the call budget (judge calls plus reflection calls), when the parents
 *    stop making mistakes, or when interrupted. The best candidate is the best Pareto-set aggregate.
 *
 * A judge call that fails is an error with no score, never a verdict: it neither wins an example nor counts
 * against a prompt. Verdicts are cached per (prompt, example), so re-judging costs no call.
 */
import type {Outcome} from "../schemas/evaluator.js";
import {seededRandom, type Random} from "../calibration/rng.js";
import {bestCandidate, paretoFrontier, sampleParent, type Frontier} from "./paretoFrontier.js";

export interface EvolutionExample {
  traceId: string;
  outcome: Outcome;
}

/** One judge answer on one example: a verdict, or the reason there is none. */
export type JudgeOutcome = {verdict: Outcome; reasoning: string} | {error: string};

/** What `evaluate` returns: one outcome per example asked about, in order, and the calls it made. */
export interface Evaluation {
  results: JudgeOutcome[];
  calls: number;
}

/** What the loop reads of an `AbortSignal` (core has no DOM or Node types); the injected calls take the real one. */
export interface StopSignal {
  readonly aborted: boolean;
}

export interface EvaluateOptions {
  /** Calls made so far by this evaluation, for a live progress figure. */
  onCalls?: (calls: number) => void;
}

export interface ExampleFeedback<T> {
  example: T;
  verdict: Outcome;
  reasoning: string;
  correct: boolean;
}

export interface ReflectionRequest<T> {
  prompt: string;
  feedback: ExampleFeedback<T>[];
}

/** `answered`: the reflection model answered, but with nothing usable (a rejection); otherwise the call failed. */
export type Proposal = {ok: true; prompt: string; rationale: string} | {ok: false; error: string; answered: boolean};

export interface EvolutionProgress {
  calls: number;
  budget: number;
  iteration: number;
  candidates: number;
  bestAggregate: number | null;
}

export interface EvolutionOptions<T extends EvolutionExample> {
  seedPrompt: string;
  train: readonly T[];
  evaluate(prompt: string, examples: readonly T[], options: EvaluateOptions): Promise<Evaluation>;
  /** One reflection call. */
  reflect(request: ReflectionRequest<T>): Promise<Proposal>;
  /** Why a proposed prompt cannot be used, or null when it can. */
  validate(prompt: string): string | null;
  /** Judge calls plus reflection calls this loop may make. */
  budget: number;
  /** Examples per reflection step (GEPA's default: 3). */
  minibatchSize?: number;
  /** Most training examples in the Pareto set (default 40); all of them when there are fewer. */
  paretoSize?: number;
  seed?: number;
  /** A safety net; the budget or convergence normally stops the loop first. */
  maxIterations?: number;
  onProgress?: (progress: EvolutionProgress) => void;
  /** Checked between steps: an interrupted loop returns what it has. */
  signal?: StopSignal;
}

export interface Candidate {
  id: number;
  parent: number | null;
  iteration: number;
  prompt: string;
  rationale: string | null;
  /** Per Pareto-set example: 1 right, 0 wrong, null no verdict. */
  scores: (number | null)[];
  /** Balanced accuracy on the Pareto set's verdicts. */
  aggregate: number | null;
}

export type IterationOutcome =
  "accepted" | "not-better" | "rejected" | "reflection-failed" | "no-mistakes" | "no-verdicts";

export interface IterationRecord {
  iteration: number;
  parent: number;
  minibatch: string[];
  parentScores: (number | null)[];
  /** The new candidate's id when accepted. */
  candidate: number | null;
  prompt: string | null;
  rationale: string | null;
  childScores: (number | null)[] | null;
  accepted: boolean;
  outcome: IterationOutcome;
  reason: string;
  calls: number;
}

export type StopReason = "budget" | "no-mistakes" | "max-iterations" | "interrupted";

export interface EvolutionResult {
  candidates: Candidate[];
  /** Trace ids of the Pareto set, in the order of each candidate's `scores`. */
  paretoSet: string[];
  frontier: number[];
  best: number;
  history: IterationRecord[];
  calls: {judge: number; reflection: number; total: number};
  budget: number;
  /** Proposals refused: invalid, malformed, unchanged or already tried. */
  rejected: number;
  reflectionErrors: number;
  judgeErrors: number;
  /** Distinct error and rejection messages, the first few. */
  errors: string[];
  stopped: StopReason;
}

/** Balanced accuracy of the verdicts among `indices` (mean of the per-class accuracy), or null without any. */
function balancedAccuracy(scores: readonly (number | null)[], outcomes: readonly Outcome[]): number | null {
  const byClass = new Map<Outcome, {right: number; n: number}>();
  scores.forEach((s, i) => {
    if (s === null) return;
    const c = byClass.get(outcomes[i]!) ?? {right: 0, n: 0};
    c.right += s;
    c.n++;
    byClass.set(outcomes[i]!, c);
  });
  if (!byClass.size) return null;
  return [...byClass.values()].reduce((sum, c) => sum + c.right / c.n, 0) / byClass.size;
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A stratified sample of `size` training indices, each class in its share and present when it exists. */
export function paretoIndices(outcomes: readonly Outcome[], size: number, random: Random): number[] {
  if (outcomes.length <= size) return outcomes.map((_, i) => i);
  const picked: number[] = [];
  for (const outcome of ["fail", "pass"] as const) {
    const members = outcomes.flatMap((o, i) => (o === outcome ? [i] : []));
    if (!members.length) continue;
    const share = Math.max(1, Math.round((size * members.length) / outcomes.length));
    picked.push(...shuffled(members, random).slice(0, share));
  }
  return picked.sort((a, b) => a - b);
}

const frontierOf = (candidates: readonly Candidate[]): Frontier =>
  paretoFrontier({scores: candidates.map((c) => c.scores), aggregate: candidates.map((c) => c.aggregate)});

export async function evolvePrompt<T extends EvolutionExample>(options: EvolutionOptions<T>): Promise<EvolutionResult> {
  const {train, budget} = options;
  if (!train.length) throw new RangeError("prompt evolution needs training examples");
  const random = seededRandom(options.seed ?? 1);
  const m = Math.min(options.minibatchSize ?? 3, train.length);
  const outcomes = train.map((e) => e.outcome);
  const pareto = paretoIndices(outcomes, options.paretoSize ?? 40, random);
  if (pareto.length > budget) {
    throw new RangeError(
      `a budget of ${budget} calls cannot even score the seed prompt on the ${pareto.length} Pareto-set examples`
    );
  }
  // Minibatch scores are weighted so that each class counts as much as the other, as the aggregate does.
  const failShare = outcomes.filter((o) => o === "fail").length / train.length;
  const weight = (i: number) =>
    failShare === 0 || failShare === 1 ? 1 : outcomes[i] === "fail" ? 0.5 / failShare : 0.5 / (1 - failShare);

  const cache = new Map<string, Map<number, JudgeOutcome>>();
  const calls = {judge: 0, reflection: 0};
  const used = () => calls.judge + calls.reflection;
  const errors: string[] = [];
  const noteError = (message: string) => void (errors.length < 20 && !errors.includes(message) && errors.push(message));
  let judgeErrors = 0;
  let rejected = 0;
  let reflectionErrors = 0;
  const candidates: Candidate[] = [];
  const history: IterationRecord[] = [];
  const tried = new Set<string>([options.seedPrompt]);
  let iteration = 0;

  const progress = (extra = 0) =>
    options.onProgress?.({
      calls: used() + extra,
      budget,
      iteration,
      candidates: candidates.length,
      bestAggregate: candidates.length ? candidates[bestCandidate(candidates.map((c) => c.aggregate))]!.aggregate : null
    });
  const uncached = (prompt: string, indices: readonly number[]) => indices.filter((i) => !cache.get(prompt)?.has(i));

  /** The prompt's outcome on each index: cached verdicts cost nothing, the rest are judged now. */
  const judge = async (prompt: string, indices: readonly number[]): Promise<JudgeOutcome[]> => {
    const todo = uncached(prompt, indices);
    const fresh = new Map<number, JudgeOutcome>();
    if (todo.length) {
      const evaluation = await options.evaluate(
        prompt,
        todo.map((i) => train[i]!),
        {onCalls: (n) => progress(n)}
      );
      if (evaluation.results.length !== todo.length)
        throw new Error(`evaluate answered ${evaluation.results.length} outcomes for ${todo.length} examples`);
      calls.judge += evaluation.calls;
      let known = cache.get(prompt);
      if (!known) cache.set(prompt, (known = new Map()));
      evaluation.results.forEach((result, k) => {
        fresh.set(todo[k]!, result);
        if ("error" in result) {
          judgeErrors++;
          noteError(`judge: ${result.error}`);
        } else known!.set(todo[k]!, result);
      });
      progress();
    }
    return indices.map((i) => fresh.get(i) ?? cache.get(prompt)!.get(i)!);
  };
  const scoreOf = (result: JudgeOutcome, i: number) =>
    "error" in result ? null : result.verdict === outcomes[i] ? 1 : 0;
  const addCandidate = async (prompt: string, parent: number | null, rationale: string | null) => {
    const results = await judge(prompt, pareto);
    const scores = results.map((r, k) => scoreOf(r, pareto[k]!));
    const candidate: Candidate = {
      id: candidates.length,
      parent,
      iteration,
      prompt,
      rationale,
      scores,
      aggregate: balancedAccuracy(
        scores,
        pareto.map((i) => outcomes[i]!)
      )
    };
    candidates.push(candidate);
    return candidate;
  };

  await addCandidate(options.seedPrompt, null, null);
  progress();

  let queue: number[] = [];
  const nextMinibatch = () => {
    if (queue.length < m) {
      const leftover = new Set(queue);
      queue = [
        ...queue,
        ...shuffled(
          train.map((_, i) => i).filter((i) => !leftover.has(i)),
          random
        )
      ];
    }
    return queue.splice(0, m);
  };
  const paretoSet = new Set(pareto);
  const epoch = Math.ceil(train.length / m);
  let quiet = 0;
  let frontier: Frontier | null = null;
  let stopped: StopReason = "max-iterations";
  const maxIterations = options.maxIterations ?? 10_000;

  while (iteration < maxIterations) {
    if (options.signal?.aborted) {
      stopped = "interrupted";
      break;
    }
    // Scores never change once a candidate is scored, so the frontier changes only when a candidate is added.
    frontier ??= frontierOf(candidates);
    const parent = candidates[sampleParent(frontier, random) ?? bestCandidate(candidates.map((c) => c.aggregate))]!;
    const minibatch = nextMinibatch();
    // The most this step can cost: the parent's unjudged minibatch, one reflection, the child's minibatch, and
    // the child's Pareto-set examples outside the minibatch. A step that might not fit is not started.
    const worst =
      uncached(parent.prompt, minibatch).length +
      1 +
      m +
      pareto.length -
      minibatch.filter((i) => paretoSet.has(i)).length;
    if (used() + worst > budget) {
      stopped = "budget";
      break;
    }
    iteration++;
    const before = used();
    const record = (fields: Omit<IterationRecord, "iteration" | "parent" | "minibatch" | "calls">) =>
      history.push({
        iteration,
        parent: parent.id,
        minibatch: minibatch.map((i) => train[i]!.traceId),
        ...fields,
        calls: used() - before
      });

    const parentResults = await judge(parent.prompt, minibatch);
    const parentScores = parentResults.map((r, k) => scoreOf(r, minibatch[k]!));
    const feedback = parentResults.flatMap((r, k) =>
      "error" in r
        ? []
        : [
            {
              example: train[minibatch[k]!]!,
              verdict: r.verdict,
              reasoning: r.reasoning,
              correct: r.verdict === outcomes[minibatch[k]!]
            }
          ]
    );
    const empty = {candidate: null, prompt: null, rationale: null, childScores: null, accepted: false};
    if (!feedback.some((f) => !f.correct)) {
      quiet = used() === before ? quiet + 1 : 0;
      record(
        feedback.length
          ? {...empty, parentScores, outcome: "no-mistakes", reason: "the parent made no mistake on this minibatch"}
          : {...empty, parentScores, outcome: "no-verdicts", reason: "every judge call on this minibatch failed"}
      );
      if (quiet >= epoch) {
        stopped = "no-mistakes";
        break;
      }
      continue;
    }
    quiet = 0;

    calls.reflection++;
    const proposal = await options.reflect({prompt: parent.prompt, feedback});
    progress();
    if (!proposal.ok) {
      if (proposal.answered) rejected++;
      else reflectionErrors++;
      noteError(`reflection: ${proposal.error}`);
      record({
        ...empty,
        parentScores,
        outcome: proposal.answered ? "rejected" : "reflection-failed",
        reason: proposal.error
      });
      continue;
    }
    const invalid = tried.has(proposal.prompt)
      ? proposal.prompt === parent.prompt
        ? "the proposal repeats the parent's prompt"
        : "the proposal repeats a prompt already tried"
      : options.validate(proposal.prompt);
    if (invalid !== null) {
      rejected++;
      noteError(`proposal rejected: ${invalid}`);
      record({
        ...empty,
        prompt: proposal.prompt,
        rationale: proposal.rationale,
        parentScores,
        outcome: "rejected",
        reason: invalid
      });
      continue;
    }
    tried.add(proposal.prompt);

    const childScores = (await judge(proposal.prompt, minibatch)).map((r, k) => scoreOf(r, minibatch[k]!));
    let parentSum = 0;
    let childSum = 0;
    let compared = 0;
    minibatch.forEach((i, k) => {
      if (parentScores[k] == null || childScores[k] == null) return;
      parentSum += parentScores[k]! * weight(i);
      childSum += childScores[k]! * weight(i);
      compared++;
    });
    const fields = {prompt: proposal.prompt, rationale: proposal.rationale, parentScores, childScores};
    if (!(compared > 0 && childSum > parentSum)) {
      const reason =
        compared === 0
          ? "no example got a verdict from both prompts"
          : `minibatch score ${childSum.toFixed(2)} is not above the parent's ${parentSum.toFixed(2)}`;
      record({...fields, candidate: null, accepted: false, outcome: "not-better", reason});
      continue;
    }
    const child = await addCandidate(proposal.prompt, parent.id, proposal.rationale);
    frontier = null;
    record({
      ...fields,
      candidate: child.id,
      accepted: true,
      outcome: "accepted",
      reason: `minibatch score ${childSum.toFixed(2)} beats the parent's ${parentSum.toFixed(2)}`
    });
    progress();
  }

  return {
    candidates,
    paretoSet: pareto.map((i) => train[i]!.traceId),
    frontier: (frontier ?? frontierOf(candidates)).candidates,
    best: bestCandidate(candidates.map((c) => c.aggregate)),
    history,
    calls: {...calls, total: used()},
    budget,
    rejected,
    reflectionErrors,
    judgeErrors,
    errors,
    stopped
  };
}
