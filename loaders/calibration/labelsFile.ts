/**
 * @module A labels file (CSV or JSON Lines, see `src/core/calibration/labelRows.ts` for its fields) as judgment
 * sets, one per criterion: the annotators' labels are its human labels, each judge an evaluator of that criterion.
 * No trace files are needed: each item becomes a trace id of its own, `<name>-<item>`.
 */
import {readFileSync} from "node:fs";
import {basename, extname} from "node:path";
import {parseLabelRows, type LabelRow, type RejectedLine} from "../../src/core/calibration/labelRows.js";
import {slug} from "../../src/core/calibration/setName.js";
import type {JudgmentSet, NullRule} from "../../src/core/schemas/judgmentSet.js";
import {sha256Hex} from "../formats/hash.js";

export const LABEL_FILE_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"} as const;

export interface LabelsFile {
  /** The import's name: the sets are `<name>/<criterion>`. */
  name: string;
  sets: JudgmentSet[];
  rows: number;
  rejected: RejectedLine[];
  nonFinite: number;
}

export function labelsFormat(file: string): "csv" | "jsonl" | undefined {
  return (LABEL_FILE_EXTENSIONS as Record<string, "csv" | "jsonl">)[extname(file).toLowerCase()];
}

export function readLabelsFile(file: string, options: {name?: string; nullAs?: NullRule} = {}): LabelsFile {
  const format = labelsFormat(file);
  if (!format) throw new Error(`${file}: expected a .csv, .jsonl or .ndjson file`);
  const text = readFileSync(file, "utf8");
  const {rows, rejected, nonFinite} = parseLabelRows(text, format);
  const name = options.name ?? (slug(basename(file, extname(file))) || "labels");
  const byCriterion = new Map<string, LabelRow[]>();
  for (const r of rows) {
    let list = byCriterion.get(r.criterion);
    if (!list) byCriterion.set(r.criterion, (list = []));
    list.push(r);
  }
  const sets = [...byCriterion].map(([criterion, list]): JudgmentSet => {
    const items = new Map<string, string | null>();
    const raters = new Map<string, "human" | "judge">();
    for (const r of list) {
      if (!items.has(r.item) || (items.get(r.item) === null && r.text)) items.set(r.item, r.text);
      raters.set(r.rater, r.kind);
    }
    return {
      dataset: `${name}/${criterion}`,
      format: "labels",
      nullAs: options.nullAs ?? "wrong",
      nonFinite: 0,
      criterion,
      failureMode: `fails ${criterion}`,
      binary: {fail: "fail", pass: "pass"},
      items: [...items].map(([itemId, itemText]) => ({itemId, traceId: `${name}-${itemId}`, text: itemText})),
      raters: [...raters].map(([rater, kind]) => ({
        rater,
        kind,
        model: null,
        // A judge's version is the content of its verdicts: the same file imported again is the same version.
        sourceHash:
          kind === "judge"
            ? sha256Hex(JSON.stringify(list.filter((r) => r.rater === rater).map((r) => [r.item, r.raw])))
            : null
      })),
      labels: list.map((r) => ({itemId: r.item, rater: r.rater, rawLabel: r.raw, label: r.verdict, reasoning: null})),
      rejected: []
    };
  });
  // The NaN count belongs to the file; it is reported once, on its first set.
  if (sets[0]) sets[0].nonFinite = nonFinite;
  return {name, sets, rows: rows.length + rejected.length, rejected, nonFinite};
}
