/**
 * @module A pairwise judge's messages for one pair in one presentation order. The two outputs are shown as "A" and
 * "B"; which of the pair's outputs is A is the caller's choice (`first`), so the same function renders both orders.
 * Placeholders are filled in one pass, so output text that happens to contain `{{criterion}}` is never expanded.
 */
import {cutMiddle, type ChatMessage} from "../evaluator/judgePrompt.js";
import type {PairwiseSpec} from "../schemas/pairwise.js";

/** One input and the two outputs being compared, numbered as the pair holds them (1 and 2). */
export interface Pair {
  pairId: string;
  input: string;
  output1: string;
  output2: string;
}

/** Which of the pair's outputs is shown first (as A). */
export type Order = "1-first" | "2-first";

export function renderPairwisePrompt(spec: PairwiseSpec, pair: Pair, order: Order): ChatMessage[] {
  const [a, b] = order === "1-first" ? [pair.output1, pair.output2] : [pair.output2, pair.output1];
  const max = spec.judge.maxOutputChars;
  const values: Record<string, string> = {
    input: cutMiddle(pair.input, max),
    output_a: cutMiddle(a, max),
    output_b: cutMiddle(b, max),
    criterion: spec.criterion
  };
  const user = spec.judge.prompt.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => values[name] ?? "");
  const choices = spec.allowTie ? '"A" | "B" | "tie"' : '"A" | "B"';
  const instructions =
    `Answer with one JSON object: {"reasoning": "<why, briefly>", "preference": ${choices}}. ` +
    `"A" means output A is better for the criterion "${spec.criterion}", "B" that output B is` +
    (spec.allowTie ? ', "tie" that neither is.' : "; you must choose one.");
  return [
    {role: "system", content: `${spec.judge.system}\n\n${instructions}`},
    {role: "user", content: user}
  ];
}
