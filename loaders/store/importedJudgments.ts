/**
 * @module Writes an imported judgment set into the store: the labels as given (imported_judgments), the binary
 * ground truth from the human majority (imported_ground_truth), each annotator's binary labels
 * (imported_human_labels), each judge's verdicts (judge_verdicts, one evaluator version per judge file), and the
 * set itself with its null rule (imported_sets). Importing the same source again replaces the sets it wrote before,
 * and only those: every delete is scoped to the set's name.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {NULL_RULES, type NullRule} from "../../src/core/calibration/judgmentSetStats.js";
import type {JudgmentSet} from "../../src/core/schemas/judgmentSet.js";
import {registerEvaluatorVersion} from "./calibration.js";
import {tableExists} from "./db.js";
import {insertRows} from "./insertRows.js";
import {writeVerdicts, type VerdictRow} from "./judgeVerdicts.js";
import {sha256Hex} from "../formats/hash.js";

export interface ImportSummary {
  dataset: string;
  criterion: string;
  nullAs: NullRule;
  /** NaN and ±Infinity values in the source files, read as missing. */
  nonFinite: number;
  items: number;
  groundTruth: number;
  humanLabels: number;
  verdicts: {
    evaluatorId: string;
    evaluatorVersion: string;
    pass: number;
    fail: number;
    errors: number;
    leftOut: number;
  }[];
  rejected: JudgmentSet["rejected"];
}

export interface ImportOptions {
  /** Whether a judge's raw label is an unreadable answer, stored as an error. */
  unparseable: (rawLabel: string | null) => boolean;
  now?: Date;
}

const sha12 = (text: string) => sha256Hex(text).slice(0, 12);

export function importRunId(dataset: string): string {
  return `import-${dataset}`;
}

export async function writeJudgmentSet(
  connection: DuckDBConnection,
  set: JudgmentSet,
  options: ImportOptions
): Promise<ImportSummary> {
  const [summary] = await writeJudgmentSets(connection, [set], set.dataset, options);
  return summary!;
}

/**
 * Writes the sets one import read from `source`, in one transaction, after removing every set that source wrote
 * before (a criterion dropped from a labels file goes too) and any earlier set of the same names.
 */
export async function writeJudgmentSets(
  connection: DuckDBConnection,
  sets: readonly JudgmentSet[],
  source: string,
  options: ImportOptions
): Promise<ImportSummary[]> {
  await connection.run("BEGIN TRANSACTION");
  try {
    const earlier = await connection.runAndReadAll("SELECT DISTINCT dataset FROM imported_sets WHERE source = ?", [
      source
    ]);
    const names = new Set([...earlier.getRows().map((r) => String(r[0])), ...sets.map((s) => s.dataset)]);
    for (const dataset of names) await deleteSet(connection, dataset);
    const summaries: ImportSummary[] = [];
    for (const [i, set] of sets.entries()) {
      const now = options.now ?? new Date();
      // Each set's evaluator versions get their own seconds, so sets of one import never share a first-seen time.
      summaries.push(
        await writeSet(connection, set, source, {...options, now: new Date(now.getTime() + i * 3_600_000)})
      );
    }
    await connection.run("COMMIT");
    return summaries;
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/** Removes one set's rows from every table an import writes, and no other set's. */
async function deleteSet(connection: DuckDBConnection, dataset: string): Promise<void> {
  // Ground truth is keyed by trace and criterion: only this set's traces, so another set of the same criterion stays.
  await connection.run(
    `DELETE FROM imported_ground_truth WHERE trace_id IN (SELECT trace_id FROM imported_judgments WHERE dataset = ?)
       AND criterion IN (SELECT criterion FROM imported_sets WHERE dataset = ?
                         UNION SELECT criterion FROM evaluator_versions
                         WHERE kind = 'imported' AND json_extract_string(spec, '$.importedFrom') = ?)`,
    [dataset, dataset, dataset]
  );
  await connection.run("DELETE FROM imported_judgments WHERE dataset = ?", [dataset]);
  await connection.run("DELETE FROM imported_human_labels WHERE source = ?", [dataset]);
  await connection.run("DELETE FROM judge_verdicts WHERE run_id = ?", [importRunId(dataset)]);
  await connection.run(
    "DELETE FROM evaluator_versions WHERE kind = 'imported' AND json_extract_string(spec, '$.importedFrom') = ?",
    [dataset]
  );
  await connection.run("DELETE FROM imported_items WHERE dataset = ?", [dataset]);
  await connection.run("DELETE FROM imported_sets WHERE dataset = ?", [dataset]);
}

async function writeSet(
  connection: DuckDBConnection,
  set: JudgmentSet,
  source: string,
  options: ImportOptions
): Promise<ImportSummary> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const traceOf = new Map(set.items.map((i) => [i.itemId, i.traceId]));
  const kindOf = new Map(set.raters.map((r) => [r.rater, r]));
  const outcome = (label: string | null): "pass" | "fail" | null =>
    label === set.binary.fail ? "fail" : label === set.binary.pass ? "pass" : null;
  const datasetVersion = `${set.dataset}-${sha12(JSON.stringify(set.labels.filter((l) => kindOf.get(l.rater)?.kind === "human")))}`;
  const runId = importRunId(set.dataset);

  {
    await connection.run("INSERT INTO imported_sets VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", [
      set.dataset,
      source,
      set.format,
      set.criterion,
      set.nullAs,
      set.nonFinite,
      at
    ]);
    await insertRows(
      connection,
      "imported_items",
      4,
      set.items.flatMap((i) => (i.text ? [[set.dataset, i.itemId, i.traceId, i.text]] : []))
    );
    await insertRows(
      connection,
      "imported_judgments",
      8,
      set.labels.map((l) => [
        set.dataset,
        l.itemId,
        traceOf.get(l.itemId)!,
        l.rater,
        kindOf.get(l.rater)!.kind,
        l.rawLabel,
        l.label,
        l.reasoning
      ])
    );

    // Ground truth: the class most of the item's annotators chose, when more than half chose it.
    const byItem = new Map<string, {rater: string; label: string | null}[]>();
    for (const l of set.labels) {
      if (kindOf.get(l.rater)?.kind !== "human") continue;
      let votes = byItem.get(l.itemId);
      if (!votes) byItem.set(l.itemId, (votes = []));
      votes.push({rater: l.rater, label: l.label});
    }
    const truth: (string | boolean | null)[][] = [];
    for (const [itemId, votes] of byItem) {
      const counts = new Map<string | null, number>();
      for (const v of votes) counts.set(v.label, (counts.get(v.label) ?? 0) + 1);
      const [top, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      if (count * 2 <= votes.length) continue;
      const pass = outcome(top);
      if (pass === null) continue;
      const decidedBy = votes.length === 1 ? "single" : count === votes.length ? "unanimous" : "majority";
      const explanation = `votes: ${votes.map((v) => `${v.rater} ${v.label ?? "none"}`).join(", ")}`;
      truth.push([
        traceOf.get(itemId)!,
        set.criterion,
        pass === "pass",
        pass === "fail" ? set.failureMode : null,
        explanation,
        decidedBy
      ]);
    }
    await insertRows(connection, "imported_ground_truth", 6, truth);

    const human = set.labels.flatMap((l) => {
      const o = kindOf.get(l.rater)?.kind === "human" ? outcome(l.label) : null;
      return o === null
        ? []
        : [
            [
              traceOf.get(l.itemId)!,
              null,
              set.criterion,
              l.rater,
              o === "pass",
              null,
              l.rawLabel,
              o === "fail" ? set.failureMode : null,
              l.reasoning,
              set.dataset,
              at
            ]
          ];
    });
    await insertRows(connection, "imported_human_labels", 11, human, [, , , , , , , , , , "TIMESTAMP"]);

    const summary: ImportSummary = {
      dataset: set.dataset,
      criterion: set.criterion,
      nullAs: set.nullAs,
      nonFinite: set.nonFinite,
      items: set.items.length,
      groundTruth: truth.length,
      humanLabels: human.length,
      verdicts: [],
      rejected: set.rejected
    };
    const judges = set.raters.filter((r) => r.kind === "judge");
    for (const [order, rater] of judges.entries()) {
      const evaluatorId = rater.evaluator ?? `${set.dataset}-${rater.rater}`.toLowerCase();
      const evaluatorVersion = `${rater.version ?? "imported"}+${(rater.sourceHash ?? sha12(rater.rater)).slice(0, 12)}`;
      // Versions of one evaluator are a second apart, in the order the set lists them, so their history has an order.
      await registerEvaluatorVersion(connection, {
        evaluatorId,
        evaluatorVersion,
        criterion: set.criterion,
        failureMode: set.failureMode,
        kind: "imported",
        judgeModel: rater.model,
        spec: {importedFrom: set.dataset, rater: rater.rater},
        firstSeen: new Date(now.getTime() + order * 1000)
      });
      const counts = {evaluatorId, evaluatorVersion, pass: 0, fail: 0, errors: 0, leftOut: 0};
      const rows: VerdictRow[] = [];
      for (const l of set.labels) {
        if (l.rater !== rater.rater) continue;
        const base = {
          runId,
          evaluatorId,
          evaluatorVersion,
          traceId: traceOf.get(l.itemId)!,
          judgeModel: rater.model,
          promptHash: null,
          datasetVersion,
          inputTokens: null,
          outputTokens: null,
          costUsd: null,
          createdAt: now
        };
        if (options.unparseable(l.rawLabel)) {
          counts.errors++;
          rows.push({
            ...base,
            outcome: "error",
            reasoning: null,
            error: `the judge's answer could not be parsed (${JSON.stringify(l.rawLabel)})`
          });
          continue;
        }
        const o = outcome(l.label);
        if (o === null) {
          counts.leftOut++;
          continue;
        }
        counts[o]++;
        rows.push({...base, outcome: o, reasoning: l.reasoning, error: null});
      }
      await writeVerdicts(connection, rows);
      summary.verdicts.push(counts);
    }
    return summary;
  }
}

/** Each imported set's null rule; a set imported before the rule was recorded counts nulls as missing, as it did. */
export async function readNullRules(connection: DuckDBConnection): Promise<Map<string, NullRule>> {
  if (!(await tableExists(connection, "imported_sets"))) return new Map();
  const reader = await connection.runAndReadAll("SELECT dataset, null_as FROM imported_sets");
  return new Map(
    reader
      .getRows()
      .map(([d, n]) => [String(d), (NULL_RULES as readonly string[]).includes(String(n)) ? (n as NullRule) : "missing"])
  );
}

/** The classes of an imported set's labels: for each item, every rater's class. */
export async function readImportedClasses(
  connection: DuckDBConnection,
  dataset?: string
): Promise<{dataset: string; itemId: string; rater: string; kind: string; label: string | null}[]> {
  const reader = await connection.runAndReadAll(
    `SELECT dataset, item_id, rater, rater_kind, label FROM imported_judgments ${dataset ? "WHERE dataset = ?" : ""} ORDER BY dataset, item_id, rater`,
    dataset ? [dataset] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    dataset: String(r.dataset),
    itemId: String(r.item_id),
    rater: String(r.rater),
    kind: String(r.rater_kind),
    label: (r.label as string | null) ?? null
  }));
}
