/**
 * @module LLMBar (Natural) as a judgment set: 100 pairwise items with the authors' gold label, and the stored
 * verdicts of each judge × strategy run (github.com/princeton-nlp/LLMBar, `Dataset/LLMBar/Natural/`).
 *
 * Each run gives two raters: the verdict with output 1 shown first (`swap = False`) and with output 2 first
 * (`swap = True`, already mapped back to dataset numbering). The verdict is the last element of `results`, as
 * LLMBar's own scorer reads it. A `null` winner could not be parsed: an error, never a verdict. In the pass/fail
 * view the failure (positive class) is "output 1 is the one that follows the instruction", i.e. output 2 fails.
 * Each judge is one evaluator (two with the swapped order), whose strategies are its versions, from the plainest
 * prompt to the most elaborate, so the calibration page shows how MCC moved as the prompt was revised.
 */
import {existsSync, readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {LlmbarItemSchema, LlmbarResultSchema, type JudgmentSet} from "../../src/core/schemas/judgmentSet.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {sha256Hex} from "../formats/hash.js";

function readJson(path: string): {value: unknown; hash: string} {
  const text = readFileSync(path, "utf8");
  try {
    return {value: JSON.parse(text), hash: sha256Hex(text)};
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

/** The runs under `dir/evaluators`: `<judge>/<strategy>` folders holding a result.json. */
export function llmbarRuns(dir: string): {judge: string; strategy: string; path: string}[] {
  const root = join(dir, "evaluators");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .flatMap((judge) =>
      readdirSync(join(root, judge))
        .sort()
        .flatMap((strategy) => {
          const path = join(root, judge, strategy, "result.json");
          return existsSync(path) ? [{judge, strategy, path}] : [];
        })
    );
}

/** The paper's strategies from the plainest prompt to the most elaborate: the order they are versions in. */
const STRATEGY_ORDER = [
  "Vanilla_NoRules",
  "Vanilla",
  "Vanilla_1shot",
  "Vanilla_2shot",
  "CoT",
  "Swap",
  "Swap_CoT",
  "Metrics",
  "Reference",
  "Metrics_Reference"
];

function strategyRank(strategy: string): number {
  const i = STRATEGY_ORDER.indexOf(strategy);
  return i === -1 ? STRATEGY_ORDER.length : i;
}

function winnerOf(results: unknown[], order: "swap = False" | "swap = True"): string | null | undefined {
  const last = results[results.length - 1];
  if (!last || typeof last !== "object" || !(order in last)) return undefined;
  const verdict = (last as Record<string, unknown>)[order];
  if (!verdict || typeof verdict !== "object") return undefined;
  const winner = (verdict as {winner?: unknown}).winner;
  return winner === null ? null : typeof winner === "string" ? winner : undefined;
}

export function readLlmbar(dir: string, options: {strategies?: readonly string[]} = {}): JudgmentSet {
  const rejected: JudgmentSet["rejected"] = [];
  const datasetPath = join(dir, "dataset.json");
  const dataset = readJson(datasetPath).value;
  if (!Array.isArray(dataset)) throw new Error(`${datasetPath}: expected a JSON array of items`);
  const set: JudgmentSet = {
    dataset: "llmbar-natural",
    criterion: "llmbar-natural-preference",
    failureMode: "output 2 does not follow the instruction as well as output 1",
    binary: {fail: "1", pass: "2"},
    items: [],
    raters: [{rater: "gold", kind: "human", model: null, sourceHash: null}],
    labels: [],
    rejected
  };
  const inputs: (string | null)[] = [];
  dataset.forEach((raw, index) => {
    const item = LlmbarItemSchema.safeParse(raw);
    if (!item.success) {
      rejected.push({file: datasetPath, index, reason: issueText(item.error)});
      inputs.push(null);
      return;
    }
    inputs.push(item.data.input);
    set.items.push({itemId: String(index), traceId: `llmbar-natural-${index}`});
    set.labels.push({
      itemId: String(index),
      rater: "gold",
      rawLabel: String(item.data.label),
      label: item.data.label === 1 ? "1" : "2",
      reasoning: null
    });
  });
  const runs = llmbarRuns(dir)
    .filter((r) => !options.strategies || options.strategies.includes(r.strategy))
    .sort((a, b) => a.judge.localeCompare(b.judge) || strategyRank(a.strategy) - strategyRank(b.strategy));
  for (const run of runs) {
    const {value, hash} = readJson(run.path);
    if (!Array.isArray(value)) {
      rejected.push({file: run.path, index: -1, reason: "expected a JSON array of items"});
      continue;
    }
    for (const [order, suffix] of [
      ["swap = False", ""],
      ["swap = True", "/swapped"]
    ] as const) {
      const rater = `${run.judge}/${run.strategy}${suffix}`;
      // One evaluator per judge and presentation order; its strategies are successive versions of its prompt.
      set.raters.push({
        rater,
        kind: "judge",
        model: run.judge,
        sourceHash: sha256Hex(`${hash}${suffix}`),
        evaluator: `llmbar-natural-${run.judge}${suffix ? "-swapped" : ""}`.toLowerCase(),
        version: run.strategy.toLowerCase().replace(/_/g, "-")
      });
      value.forEach((raw, index) => {
        const result = LlmbarResultSchema.safeParse(raw);
        if (!result.success) {
          if (!suffix) rejected.push({file: run.path, index, reason: issueText(result.error)});
          return;
        }
        if (inputs[index] !== result.data.input) {
          if (!suffix)
            rejected.push({
              file: run.path,
              index,
              reason: "the item's input differs from dataset.json's item at the same position"
            });
          return;
        }
        const winner = winnerOf(result.data.results, order);
        if (winner === undefined) {
          rejected.push({file: run.path, index, reason: `no ${order} verdict in the last element of results`});
          return;
        }
        const last = result.data.results[result.data.results.length - 1] as Record<string, {completion?: unknown}>;
        const completion = last[order]?.completion;
        const reasoning = Array.isArray(completion) && typeof completion[0] === "string" ? completion[0] : null;
        set.labels.push({
          itemId: String(index),
          rater,
          rawLabel: winner,
          label: winner === "1" ? "1" : winner === "2" ? "2" : null,
          reasoning
        });
      });
    }
  }
  return set;
}
