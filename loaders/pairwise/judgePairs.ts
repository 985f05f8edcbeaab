/**
 * @module A pairwise judge over a list of pairs: every pair asked twice, once with each output first, through the
 * same chat client (and retry policy) as the trace judges. A failed call or an unreadable answer is kept as an
 * error for that order, never read as a preference.
 */
import {joinOrders, pairClass, type PairJudgment} from "../../src/core/pairwise/orders.js";
import {renderPairwisePrompt, type Order, type Pair} from "../../src/core/pairwise/prompt.js";
import {
  PAIRWISE_ANSWER_JSON_SCHEMA,
  PairwiseAnswerSchema,
  type PairwiseAnswer,
  type PairwiseSpec
} from "../../src/core/schemas/pairwise.js";
import {createChatClient, parseJsonAnswer, type AnswerShape, type ChatClientOptions} from "../judge/chatClient.js";

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
}

export interface PairwiseRun {
  judgments: PairJudgment[];
  calls: PairwiseCall[];
  errors: number;
}

export interface JudgePairsOptions {
  spec: PairwiseSpec;
  pairs: readonly Pair[];
  client: ChatClientOptions;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function judgePairs(options: JudgePairsOptions): Promise<PairwiseRun> {
  const chat = createChatClient(options.client);
  const {spec} = options;
  const jobs = options.pairs.flatMap((pair) => (["1-first", "2-first"] as const).map((order) => ({pair, order})));
  const calls: PairwiseCall[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length && !options.signal?.aborted) {
      const index = next++;
      const {pair, order} = jobs[index]!;
      const result = await chat.call(
        {
          model: spec.judge.model,
          temperature: spec.judge.temperature,
          maxTokens: spec.judge.maxTokens,
          messages: renderPairwisePrompt(spec, pair, order)
        },
        ANSWER,
        options.signal
      );
      // A tie from a spec that forbids it is an answer outside what was asked: an error, not a preference.
      const forbiddenTie = result.ok && !spec.allowTie && result.value.preference === "tie";
      calls[index] = {
        pairId: pair.pairId,
        order,
        answer: result.ok && !forbiddenTie ? result.value : null,
        error: result.ok
          ? forbiddenTie
            ? "the judge answered tie, which this spec does not allow"
            : null
          : result.error,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens
      };
      options.onProgress?.(++done, jobs.length);
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, jobs.length || 1));
  await Promise.all(Array.from({length: concurrency}, worker));
  // Jobs run pair by pair, 1-first then 2-first, so a pair's two calls sit at 2i and 2i + 1.
  const classAt = (index: number) => {
    const call = calls[index];
    return call?.answer ? pairClass(call.answer.preference, call.order) : null;
  };
  const answered = calls.filter(Boolean);
  return {
    judgments: options.pairs.map((p, i) => joinOrders(p.pairId, classAt(2 * i), classAt(2 * i + 1))),
    calls: answered,
    errors: answered.filter((c) => c.error !== null).length + (jobs.length - answered.length)
  };
}
