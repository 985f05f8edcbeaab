/**
 * @module A pairwise judge over a list of pairs: every pair asked twice, once with each output first, through the
 * judges' bounded pool (`runPool`) and chat client (and retry policy). A failed call or an unreadable answer is kept
 * as an error for that order, never read as a preference.
 *
 * Answers are cached by the exact request (spec version, model, rendered messages), so asking the same pairs again
 * costs no calls; `maxCalls` bounds the calls one run makes, and an order it leaves unasked gets no answer at all.
 */
import {joinOrders, pairClass, type PairJudgment} from "../../src/core/pairwise/orders.js";
import {renderPairwisePrompt, type Order, type Pair} from "../../src/core/pairwise/prompt.js";
import {
  PAIRWISE_ANSWER_JSON_SCHEMA,
  PairwiseAnswerSchema,
  type PairwiseAnswer,
  type PairwiseSpec
} from "../../src/core/schemas/pairwise.js";
import {sha256Hex} from "../formats/hash.js";
import {createChatClient, parseJsonAnswer, type AnswerShape, type ChatClientOptions} from "../judge/chatClient.js";
import {runPool} from "../judge/pool.js";
import type {PairwiseCache} from "../store/pairwiseVerdicts.js";

const ANSWER: AnswerShape<PairwiseAnswer> = {
  name: "preference",
  jsonSchema: PAIRWISE_ANSWER_JSON_SCHEMA,
  parse: (content) => parseJsonAnswer(content, PairwiseAnswerSchema, {who: "judge", what: "preference"})
};

export interface PairwiseCall {
  pairId: string;
  order: Order;
  answer: PairwiseAnswer | null;
  error: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** The request's key in the cache, and whether the answer came from it. */
  cacheKey: string;
  cached: boolean;
}

export interface PairwiseRun {
  judgments: PairJudgment[];
  /** One per order asked or answered from the cache; orders left by `maxCalls` or an interruption have none. */
  calls: PairwiseCall[];
  errors: number;
  /** Calls made, answers taken from the cache, and orders left unasked because `maxCalls` was spent. */
  made: number;
  cached: number;
  skipped: number;
  interrupted: boolean;
}

export interface PairwiseProgress {
  done: number;
  total: number;
  calls: number;
  cached: number;
  errors: number;
}

export interface JudgePairsOptions {
  spec: PairwiseSpec;
  pairs: readonly Pair[];
  client: ChatClientOptions;
  /** Asks this model instead of the spec's. */
  model?: string;
  concurrency?: number;
  cache?: PairwiseCache;
  maxCalls?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PairwiseProgress) => void;
}

/** The cache key of one request: whatever could change the answer is in it. */
export function pairwiseCacheKey(spec: PairwiseSpec, model: string, pair: Pair, order: Order): string {
  return sha256Hex(
    JSON.stringify([
      spec.id,
      spec.version,
      model,
      spec.judge.temperature,
      spec.judge.maxTokens,
      renderPairwisePrompt(spec, pair, order)
    ])
  );
}

export async function judgePairs(options: JudgePairsOptions): Promise<PairwiseRun> {
  const chat = createChatClient(options.client);
  const {spec} = options;
  const model = options.model ?? spec.judge.model;
  const jobs = options.pairs.flatMap((pair) =>
    (["1-first", "2-first"] as const).map((order) => ({pair, order, key: pairwiseCacheKey(spec, model, pair, order)}))
  );
  const cached = options.cache ? await options.cache.get([...new Set(jobs.map((j) => j.key))]) : new Map();
  const calls: (PairwiseCall | undefined)[] = new Array(jobs.length);
  const progress: PairwiseProgress = {done: 0, total: jobs.length, calls: 0, cached: 0, errors: 0};
  let skipped = 0;
  const maxCalls = options.maxCalls ?? Infinity;
  // A tie from a spec that forbids it is an answer outside what was asked: an error, not a preference.
  const forbidden = (answer: PairwiseAnswer) => !spec.allowTie && answer.preference === "tie";
  await runPool(
    jobs,
    options.concurrency ?? 8,
    async ({pair, order, key}, index) => {
      const base = {pairId: pair.pairId, order, cacheKey: key};
      const hit = cached.get(key);
      if (hit && !forbidden(hit.answer)) {
        calls[index] = {...base, ...hit, error: null, cached: true};
        progress.cached++;
      } else if (progress.calls >= maxCalls) {
        skipped++;
        progress.total--;
        options.onProgress?.({...progress});
        return;
      } else {
        progress.calls++;
        const result = await chat.call(
          {
            model,
            temperature: spec.judge.temperature,
            maxTokens: spec.judge.maxTokens,
            messages: renderPairwisePrompt(spec, pair, order)
          },
          ANSWER,
          options.signal
        );
        // An interrupted call is neither an answer nor an error: the order is simply not asked yet.
        if (!result.ok && result.error === "interrupted") return "stop";
        const bad = result.ok && forbidden(result.value);
        calls[index] = {
          ...base,
          answer: result.ok && !bad ? result.value : null,
          error: result.ok ? (bad ? "the judge answered tie, which this spec does not allow" : null) : result.error,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          cached: false
        };
        if (calls[index]!.error) progress.errors++;
      }
      progress.done++;
      options.onProgress?.({...progress});
    },
    options.signal
  );
  // Jobs run pair by pair, 1-first then 2-first, so a pair's two calls sit at 2i and 2i + 1.
  const classAt = (index: number) => {
    const call = calls[index];
    return call?.answer ? pairClass(call.answer.preference, call.order) : null;
  };
  const answered = calls.filter((c): c is PairwiseCall => c !== undefined);
  return {
    judgments: options.pairs.map((p, i) => joinOrders(p.pairId, classAt(2 * i), classAt(2 * i + 1))),
    calls: answered,
    errors: answered.filter((c) => c.error !== null).length,
    made: progress.calls,
    cached: progress.cached,
    skipped,
    interrupted: options.signal?.aborted ?? false
  };
}
