/**
 * @module The rows of a labels file: people's labels and judges' verdicts of the same items, one label per row,
 * as CSV (a header line, then one record per line) or JSON Lines (one object per line). Fields:
 *
 * - `item` (required): the item's id, any text; the same id in several rows is the same item.
 * - `criterion` (required): what the label judges, e.g. a failure mode; each criterion is a set of its own.
 * - `annotator` or `judge` (exactly one): who labelled; an annotator is a person, a judge an LLM evaluator.
 * - `verdict` (required for annotators): `pass` or `fail`. A judge's empty verdict, `error`, or a NaN in JSON is an
 *   answer that could not be read: an error, never a verdict.
 * - `text` (optional): the item's text.
 *
 * A row that breaks a rule is rejected with its line and the reason; the other rows are kept. A record never spans
 * lines (write text with line breaks as JSON Lines, where they are `\n`).
 */
import {parsePythonJson} from "./pythonJson.js";

export const LABEL_FIELDS = ["item", "criterion", "annotator", "judge", "verdict", "text"] as const;

export interface LabelRow {
  line: number;
  item: string;
  criterion: string;
  rater: string;
  kind: "human" | "judge";
  /** `pass` or `fail`; null for a judge's answer that could not be read. */
  verdict: "pass" | "fail" | null;
  /** The verdict as the file wrote it. */
  raw: string | null;
  text: string | null;
}

export interface RejectedLine {
  line: number;
  reason: string;
  /** The line as it was read. */
  text: string;
}

export interface LabelRows {
  rows: LabelRow[];
  rejected: RejectedLine[];
  /** NaN and ±Infinity values read as missing. */
  nonFinite: number;
}

/** The fields of one CSV line; null when a quote is left open. Quotes double to escape, as RFC 4180 has it. */
export function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      // Text after a closing quote and before the comma belongs to no field: the quoting is broken.
      if (i < line.length && line[i] !== ",") return null;
    } else {
      const end = line.indexOf(",", i);
      field = line.slice(i, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r?\n/);
}

const cell = (value: unknown): string | null | undefined =>
  value === null || value === undefined
    ? null
    : typeof value === "string"
      ? value.trim()
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : undefined;

/** One record's fields, checked; a string is the reason it is rejected. */
function toRow(record: Record<string, unknown>, line: number): LabelRow | string {
  const fields = {} as Record<(typeof LABEL_FIELDS)[number], string | null>;
  for (const name of LABEL_FIELDS) {
    const value = cell(record[name]);
    if (value === undefined) return `${name} must be text, not ${Array.isArray(record[name]) ? "a list" : "an object"}`;
    fields[name] = value === "" ? null : value;
  }
  const {item, criterion, annotator, judge, verdict, text} = fields;
  if (!item) return "no item: every row names the item it labels";
  if (!criterion) return "no criterion: every row names what its label judges";
  if (annotator && judge) return "both an annotator and a judge: a row is one label by one of them";
  if (!annotator && !judge) return "neither an annotator nor a judge: name who gave the label";
  const v = verdict?.toLowerCase() ?? null;
  if (v === "pass" || v === "fail")
    return {
      line,
      item,
      criterion,
      rater: (annotator ?? judge)!,
      kind: annotator ? "human" : "judge",
      verdict: v,
      raw: verdict,
      text
    };
  if (judge && (v === null || v === "error"))
    return {line, item, criterion, rater: judge, kind: "judge", verdict: null, raw: verdict, text};
  return v === null
    ? "no verdict: an annotator's label is pass or fail"
    : `verdict ${JSON.stringify(verdict)} is neither pass nor fail${judge ? " (nor empty or error, an unreadable answer)" : ""}`;
}

/** Reads a labels file's text; `format` is how it is written. */
export function parseLabelRows(text: string, format: "csv" | "jsonl"): LabelRows {
  const rows: LabelRow[] = [];
  const rejected: RejectedLine[] = [];
  let nonFinite = 0;
  const all = lines(text);
  let header: string[] | null = null;
  all.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let record: Record<string, unknown>;
    if (format === "jsonl") {
      let value: unknown;
      try {
        const parsed = parsePythonJson(raw);
        value = parsed.value;
        nonFinite += parsed.nonFinite;
      } catch (error) {
        rejected.push({line, reason: `not valid JSON: ${(error as Error).message}`, text: raw});
        return;
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        rejected.push({line, reason: "not a JSON object", text: raw});
        return;
      }
      record = value as Record<string, unknown>;
    } else {
      const fields = csvFields(raw);
      if (!fields) {
        rejected.push({line, reason: "a quoted field is not closed on its line", text: raw});
        return;
      }
      if (!header) {
        header = fields.map((f) => f.trim().toLowerCase());
        const missing = ["item", "criterion", "verdict"].filter((f) => !header!.includes(f));
        if (!header.includes("annotator") && !header.includes("judge")) missing.push("annotator or judge");
        if (missing.length) {
          rejected.push({line, reason: `the header has no column ${missing.join(", ")}`, text: raw});
          header = null;
        }
        return;
      }
      if (fields.length !== header.length) {
        rejected.push({line, reason: `${fields.length} fields where the header has ${header.length}`, text: raw});
        return;
      }
      record = Object.fromEntries(header.map((h, j) => [h, fields[j]]));
    }
    const row = toRow(record, line);
    if (typeof row === "string") rejected.push({line, reason: row, text: raw});
    else rows.push(row);
  });
  return dedupe(rows, rejected, nonFinite, all);
}

/** One label per (item, criterion, rater), and one role per rater: a later row that breaks either is rejected. */
function dedupe(rows: LabelRow[], rejected: RejectedLine[], nonFinite: number, text: string[]): LabelRows {
  const seen = new Map<string, number>();
  const role = new Map<string, {kind: string; line: number}>();
  const kept: LabelRow[] = [];
  for (const r of rows) {
    const key = JSON.stringify([r.item, r.criterion, r.rater]);
    const first = seen.get(key);
    const known = role.get(r.rater);
    if (first !== undefined) {
      rejected.push({
        line: r.line,
        reason: `a second label by ${r.rater} of item ${r.item} on ${r.criterion} (first on line ${first})`,
        text: text[r.line - 1]!
      });
      continue;
    }
    if (known && known.kind !== r.kind) {
      rejected.push({
        line: r.line,
        reason: `${r.rater} is ${known.kind === "human" ? "an annotator" : "a judge"} on line ${known.line}; one name is one role`,
        text: text[r.line - 1]!
      });
      continue;
    }
    seen.set(key, r.line);
    if (!known) role.set(r.rater, {kind: r.kind, line: r.line});
    kept.push(r);
  }
  rejected.sort((a, b) => a.line - b.line);
  return {rows: kept, rejected, nonFinite};
}
