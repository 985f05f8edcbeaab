/**
 * @module An LLMBar subset (Natural, Adversarial/…) as a judgment set: pairwise items with the authors' gold label,
 * and the stored verdicts of each judge × strategy run (github.com/princeton-nlp/LLMBar, `Dataset/LLMBar/<subset>/`).
 * The set is named after its folder (`llmbar-natural`), so that subsets imported into one workspace stay apart.
 *
 * Each run gives two raters: the verdict with output 1 shown first (`swap = False`) and with output 2 first
 * (`swap = True`, already mapped back to dataset numbering). The verdict is the last element of `results`, as
 * LLMBar's own scorer reads it. A `null` winner could not be parsed: an error, never a verdict, in the pass/fail
 * view; in the set's figures it counts as wrong, LLMBar's rule. In the pass/fail view the failure (positive class)
 * is "output 1 is the one that follows the instruction", i.e. output 2 fails.
 * Each judge is one evaluator (two with the swapped order), whose strategies are its versions, from the plainest
 * prompt to the most elaborate, so the calibration page shows how MCC moved as the prompt was revised.
 */
import {existsSync, readFileSync, readdirSync} from "node:fs";
import {basename, join} from "node:path";
import {parsePythonJson} from "../../src/core/calibration/pythonJson.js";
import {
  LlmbarItemSchema,
  LlmbarResultSchema,
  SWAPPED_SUFFIX,
  type JudgmentSet,
  type NullRule
} from "../../src/core/schemas/judgmentSet.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {sha256Hex} from "../formats/hash.js";
import {setName} from "../../src/core/calibration/setName.js";

function readJson(path: string): {value: unknown; hash: string; nonFinite: number} {
  const text = readFileSync(path, "utf8");
  try {
    return {...parsePythonJson(text), hash: sha256Hex(text)};
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

/**
 * The paper's strategies in the order they are versions in. The rating strategies (each output scored alone, the
 * higher score wins) come first, plainest to most elaborate: the paper finds them weaker than comparing the two
 * outputs. Then the comparison strategies, ending with Metrics_Reference, the paper's best, as the current version.
 */
export const STRATEGY_ORDER = [
  "Rating_NoRules",
  "Rating",
  "Rating_Metrics",
  "Rating_Reference",
  "Rating_Metrics_Reference",
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

/**
 * Orders runs as versions. A strategy the list does not know goes before every known one, in name order: it is
 * kept as history but never becomes the current version that ranks the judge.
 */
export function compareStrategies(a: string, b: string): number {
  const ra = STRATEGY_ORDER.indexOf(a);
  const rb = STRATEGY_ORDER.indexOf(b);
  if (ra === -1 && rb === -1) return a.localeCompare(b);
  return ra - rb;
}

function winnerOf(results: unknown[], order: "swap = False" | "swap = True"): string | null | undefined {
  const last = results[results.length - 1];
  if (!last || typeof last !== "object" || !(order in last)) return undefined;
  const verdict = (last as Record<string, unknown>)[order];
  if (!verdict || typeof verdict !== "object") return undefined;
  const winner = (verdict as {winner?: unknown}).winner;
  return winner === null ? null : typeof winner === "string" ? winner : undefined;
}

export interface LlmbarOptions {
  /** The set's name (default `llmbar-<folder>`). */
  name?: string;
  /** How an unparseable (null) winner counts in the set's figures (default: wrong, as LLMBar's scorer counts it). */
  nullAs?: NullRule;
  strategies?: readonly string[];
}

export function readLlmbar(dir: string, options: LlmbarOptions = {}): JudgmentSet {
  const rejected: JudgmentSet["rejected"] = [];
  const datasetPath = join(dir, "dataset.json");
  const {value: dataset, nonFinite} = readJson(datasetPath);
  if (!Array.isArray(dataset)) throw new Error(`${datasetPath}: expected a JSON array of items`);
  const name = options.name ?? setName("llmbar", basename(dir));
  const set: JudgmentSet = {
    dataset: name,
    format: "llmbar",
    nullAs: options.nullAs ?? "wrong",
    nonFinite,
    criterion: `${name}-preference`,
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
    set.items.push({itemId: String(index), traceId: `${name}-${index}`});
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
    .sort((a, b) => a.judge.localeCompare(b.judge) || compareStrategies(a.strategy, b.strategy));
  for (const run of runs) {
    const {value, hash, nonFinite} = readJson(run.path);
    set.nonFinite += nonFinite;
    if (!Array.isArray(value)) {
      rejected.push({file: run.path, index: -1, reason: "expected a JSON array of items"});
      continue;
    }
    for (const [order, suffix] of [
      ["swap = False", ""],
      ["swap = True", SWAPPED_SUFFIX]
    ] as const) {
      const rater = `${run.judge}/${run.strategy}${suffix}`;
      // One evaluator per judge and presentation order; its strategies are successive versions of its prompt.
      set.raters.push({
        rater,
        kind: "judge",
        model: run.judge,
        sourceHash: sha256Hex(`${hash}${suffix}`),
        evaluator: `${name}-${run.judge}${suffix ? "-swapped" : ""}`.toLowerCase(),
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
