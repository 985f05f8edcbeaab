/**
 * @module A spec file's text with its `calibration` block written or replaced, and every other byte as it was: a
 * person's spec keeps its key order, spacing and line ends, and a diff of a recalibration shows only the figures.
 * The rest of the text must be one JSON object (the caller has parsed it already).
 */
import type {SpecCalibration} from "../schemas/evaluator.js";

interface Member {
  key: string;
  /** Where the key's opening quote is, and where its value starts and ends (end exclusive). */
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

function skipSpace(text: string, i: number): number {
  while (isSpace(text[i])) i++;
  return i;
}

function stringEnd(text: string, i: number): number {
  // `i` is at the opening quote; returns the index after the closing one.
  for (i++; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new SyntaxError("unterminated string");
}

function valueEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] === "{" || text[i] === "[") {
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = stringEnd(text, i) - 1;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new SyntaxError("unbalanced brackets");
  }
  while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  return i;
}

/** The top-level members of the object `text` holds, and where its closing brace is. */
function members(text: string): {members: Member[]; close: number} {
  let i = skipSpace(text, 0);
  if (text[i] !== "{") throw new SyntaxError("a spec is a JSON object");
  const out: Member[] = [];
  i = skipSpace(text, i + 1);
  while (text[i] !== "}") {
    const keyStart = i;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") throw new SyntaxError(`expected ':' after ${key}`);
    const valueStart = skipSpace(text, i + 1);
    const end = valueEnd(text, valueStart);
    out.push({key, keyStart, valueStart, valueEnd: end});
    i = skipSpace(text, end);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
  return {members: out, close: i};
}

function lineIndent(text: string, at: number): string {
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, at))![0];
}

export function withCalibrationBlock(text: string, calibration: SpecCalibration): string {
  const {members: list, close} = members(text);
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const first = list[0];
  const indent = first && text.lastIndexOf("\n", first.keyStart) !== -1 ? lineIndent(text, first.keyStart) : "";
  // The block is laid out with the file's own indentation unit, nested one level under its key.
  const unit = indent || "  ";
  const block = JSON.stringify(calibration, null, unit)
    .split("\n")
    .join(newline + indent);
  const existing = list.find((m) => m.key === "calibration");
  if (existing) return text.slice(0, existing.valueStart) + block + text.slice(existing.valueEnd);
  const member = `"calibration": ${block}`;
  const last = list.at(-1);
  if (!last) return `${text.slice(0, close)}${member}${text.slice(close)}`;
  if (!indent) return `${text.slice(0, last.valueEnd)}, ${member}${text.slice(last.valueEnd)}`;
  return `${text.slice(0, last.valueEnd)},${newline}${indent}${member}${text.slice(last.valueEnd)}`;
}
