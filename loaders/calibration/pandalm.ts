/**
 * @module PandaLM's test set as a judgment set: 999 pairwise comparisons, three human annotators, and the stored
 * verdicts of gpt-3.5-turbo and PandaLM-7B (github.com/WeOpenML/PandaLM, `data/`).
 *
 * Classes follow the source: 1 = response 1 better, 2 = response 2 better, 0 = tie. gpt-3.5-turbo's "Tie" is a tie;
 * its 25 "garbage" answers (unparseable) are null labels, which the three-class figures count as ties by default
 * (`nullAs` "tie"), the rule that reproduces the published accuracy/precision/recall/F1 table; "wrong" or "missing"
 * count them against the judge or leave them out. In the pass/fail view they are errors, never verdicts.
 * A NaN where a label belongs (Python's JSON) is a missing label.
 * The pass/fail view is the binary preference matrix of the README: the failure (positive class) is "response 1 is
 * better", i.e. response 2 fails the comparison; ties on either side are left out.
 */
import {readFileSync} from "node:fs";
import {join} from "node:path";
import type {z} from "zod";
import {parsePythonJson} from "../../src/core/calibration/pythonJson.js";
import {
  PandalmGptSchema,
  PandalmItemSchema,
  PandalmLocalSchema,
  type JudgmentSet,
  type NullRule,
  type PreferenceClass
} from "../../src/core/schemas/judgmentSet.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {sha256Hex} from "../formats/hash.js";

export const PANDALM_FILES = {
  humans: "testset-v1.json",
  gpt: "gpt-3.5-turbo-testset-v1.json",
  local: "pandalm-7b-testset-v1.json"
} as const;

const CLASS: Record<string, PreferenceClass> = {"0": "tie", "1": "1", "2": "2", Tie: "tie"};

/** The class of a label; null for a missing or unreadable one, which the set's figures count by its null rule. */
const classOf = (raw: string | number | null): PreferenceClass | null =>
  raw === null ? null : (CLASS[String(raw)] ?? null);

function readArray<T>(
  dir: string,
  file: string,
  schema: z.ZodType<T>,
  rejected: JudgmentSet["rejected"]
): {records: T[]; hash: string; nonFinite: number} {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  let value: unknown;
  let nonFinite: number;
  try {
    ({value, nonFinite} = parsePythonJson(text));
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new Error(`${path}: expected a JSON array of items`);
  const records: T[] = [];
  value.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) records.push(result.data);
    else rejected.push({file: path, index, reason: issueText(result.error)});
  });
  return {records, hash: sha256Hex(text), nonFinite};
}

export interface PandalmOptions {
  /** The set's name (default `pandalm`). */
  name?: string;
  /** How an unparseable answer counts in the three-class figures (default: a tie, the rule behind the paper). */
  nullAs?: NullRule;
}

export function readPandalm(dir: string, options: PandalmOptions = {}): JudgmentSet {
  const nullAs = options.nullAs ?? "tie";
  const name = options.name ?? "pandalm";
  const rejected: JudgmentSet["rejected"] = [];
  const humans = readArray(dir, PANDALM_FILES.humans, PandalmItemSchema, rejected);
  const gpt = readArray(dir, PANDALM_FILES.gpt, PandalmGptSchema, rejected);
  const local = readArray(dir, PANDALM_FILES.local, PandalmLocalSchema, rejected);
  const set: JudgmentSet = {
    dataset: name,
    format: "pandalm",
    nullAs,
    nonFinite: humans.nonFinite + gpt.nonFinite + local.nonFinite,
    criterion: `${name}-preference`,
    failureMode: "response 2 is worse than response 1",
    binary: {fail: "1", pass: "2"},
    items: [],
    raters: [
      {rater: "annotator1", kind: "human", model: null, sourceHash: null},
      {rater: "annotator2", kind: "human", model: null, sourceHash: null},
      {rater: "annotator3", kind: "human", model: null, sourceHash: null},
      {rater: "gpt-3.5-turbo", kind: "judge", model: "gpt-3.5-turbo", sourceHash: gpt.hash},
      {rater: "pandalm-7b", kind: "judge", model: "PandaLM-7B", sourceHash: local.hash}
    ],
    labels: [],
    rejected
  };
  const known = new Set<string>();
  for (const item of humans.records) {
    const itemId = String(item.idx);
    known.add(itemId);
    set.items.push({itemId, traceId: `${name}-${item.idx}`});
    for (const rater of ["annotator1", "annotator2", "annotator3"] as const) {
      const raw = item[rater];
      set.labels.push({
        itemId,
        rater,
        rawLabel: raw === null ? null : String(raw),
        label: classOf(raw),
        reasoning: null
      });
    }
  }
  for (const g of gpt.records) {
    const itemId = String(g.idx);
    if (!known.has(itemId)) continue;
    const label = classOf(g.gpt_result);
    if (label === null && g.gpt_result !== null && !isUnparseable(g.gpt_result))
      rejected.push({
        file: join(dir, PANDALM_FILES.gpt),
        index: g.idx,
        reason: `unknown gpt_result ${JSON.stringify(g.gpt_result)}`
      });
    set.labels.push({itemId, rater: "gpt-3.5-turbo", rawLabel: g.gpt_result, label, reasoning: g.gpt_reason || null});
  }
  for (const p of local.records) {
    const itemId = String(p.idx);
    if (!known.has(itemId)) continue;
    set.labels.push({
      itemId,
      rater: "pandalm-7b",
      rawLabel: p.pandalm_result === null ? null : String(p.pandalm_result),
      label: classOf(p.pandalm_result),
      reasoning: p.pandalm_reason || null
    });
  }
  return set;
}

/** Whether a judge's raw label is an answer that could not be read (an error in the pass/fail view). */
export function isUnparseable(rawLabel: string | null): boolean {
  return rawLabel === null || rawLabel === "garbage";
}
