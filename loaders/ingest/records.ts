/**
 * @module Splitting an input file into records without holding it in memory.
 *
 * JSON Lines files are read in blocks cut at newlines; each block is decoded as a whole (one native call) and
 * only a block with invalid UTF-8 is decoded line by line to find the bad lines. A file whose first line is not
 * JSON on its own is a single document (pretty-printed JSON), read whole.
 */
import {isAscii} from "node:buffer";
import {openSync, readSync, closeSync, readFileSync, statSync} from "node:fs";
import {open} from "node:fs/promises";
import type {RawRecord} from "./convert.js";

const strict = new TextDecoder("utf-8", {fatal: true});
const BLOCK = 1 << 20;

/** Largest single JSON document read whole; larger inputs should be JSON Lines. */
export const MAX_DOCUMENT_BYTES = 1 << 30;

export type FileMode = {mode: "lines"; first: unknown} | {mode: "document"};

function decodeLine(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

function stripCR(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Whether a line holds nothing but whitespace; a line that starts with a printable ASCII character cannot. */
function blank(line: string): boolean {
  const first = line.charCodeAt(0);
  return line.length === 0 || ((first <= 32 || first >= 127) && line.trim() === "");
}

/**
 * Turns a block of whole lines into records. `firstLine` is the 1-based number of the block's first line.
 *
 * Each line is decoded into a string of its own. Decoding the whole block first and splitting it cost more than
 * parsing the lines: a block's string is a megabyte or more, which V8 keeps outside its heap, and allocating and
 * collecting one per block took 2.5 ms of CPU a megabyte against 0.07 ms for the same bytes as line strings.
 */
export function recordsFromBlock(block: Uint8Array, firstLine: number): RawRecord[] {
  const records: RawRecord[] = [];
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  // Most trace exports are pure ASCII (JSON escapes what is not): such a block's lines are copied into one-byte
  // strings, several times faster than a strict UTF-8 decoder reads them.
  const ascii = isAscii(bytes);
  let start = 0;
  let lineNumber = firstLine;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    if (ascii) {
      const line = bytes.toString("latin1", start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
      if (!blank(line)) records.push({text: line, line: lineNumber, ordinal: lineNumber - 1});
    } else {
      const lineBytes = bytes.subarray(start, end);
      const line = decodeLine(lineBytes);
      if (line === null) {
        records.push({text: null, base64: lineBytes.toString("base64"), line: lineNumber, ordinal: lineNumber - 1});
      } else {
        const text = stripCR(line);
        if (!blank(text)) records.push({text, line: lineNumber, ordinal: lineNumber - 1});
      }
    }
    start = end + 1;
    lineNumber++;
  }
  return records;
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  let at = bytes.indexOf(10);
  while (at !== -1) {
    count++;
    at = bytes.indexOf(10, at + 1);
  }
  return count;
}

/**
 * Reads a file in blocks of whole lines. Each block has an ArrayBuffer of its own (the partial line after its last
 * newline is copied out into the next block's), so it can be transferred to a worker thread instead of copied,
 * and no pooled or concatenated buffer is left for the garbage collector to chase.
 */
export async function* lineBlocks(path: string): AsyncGenerator<{block: Uint8Array; firstLine: number}> {
  const handle = await open(path, "r");
  try {
    let carry: Uint8Array = new Uint8Array(0);
    let line = 1;
    for (;;) {
      // A line longer than a block doubles the next read, so a very long line costs linear, not quadratic, copying.
      const buffer = Buffer.allocUnsafeSlow(carry.length + Math.max(BLOCK, carry.length));
      buffer.set(carry, 0);
      const {bytesRead} = await handle.read(buffer, carry.length, buffer.length - carry.length, null);
      const filled = carry.length + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) yield {block: buffer.subarray(0, filled), firstLine: line};
        return;
      }
      const cut = buffer.lastIndexOf(10, filled - 1);
      if (cut === -1) {
        carry = buffer.subarray(0, filled);
        continue;
      }
      carry = Uint8Array.prototype.slice.call(buffer, cut + 1, filled);
      const block = buffer.subarray(0, cut);
      // Counted before the block is handed on: a worker pool takes its buffer away.
      const lines = countNewlines(block) + 1;
      yield {block, firstLine: line};
      line += lines;
    }
  } finally {
    await handle.close();
  }
}

/** Reads lines from the start of a file until `count` non-blank lines are found (or the file ends). */
function headLines(path: string, count: number): string[] {
  const fd = openSync(path, "r");
  try {
    const lines: string[] = [];
    let pending = "";
    const buffer = Buffer.alloc(1 << 16);
    let position = 0;
    const decoder = new TextDecoder("utf-8");
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      position += read;
      pending += decoder.decode(buffer.subarray(0, read), {stream: read > 0});
      let at: number;
      while ((at = pending.indexOf("\n")) !== -1) {
        const line = stripCR(pending.slice(0, at));
        pending = pending.slice(at + 1);
        if (line.trim() !== "") lines.push(line);
        if (lines.length >= count) return lines;
      }
      if (read === 0) {
        if (pending.trim() !== "") lines.push(pending);
        return lines;
      }
      // A first line longer than 256 MiB is not a JSON Lines record anyone wants; treat the file as a document.
      if (pending.length > 1 << 28) return lines;
    }
  } finally {
    closeSync(fd);
  }
}

function parses(text: string | undefined): {ok: true; value: unknown} | {ok: false} {
  if (text === undefined) return {ok: false};
  try {
    return {ok: true, value: JSON.parse(text)};
  } catch {
    return {ok: false};
  }
}

/**
 * Decides how a file is split. JSON Lines when its first non-blank line is JSON by itself, or when its first line
 * is broken but the next one parses (a truncated first record must not turn the file into one bad document).
 */
export function fileMode(path: string): FileMode {
  const [first, second] = headLines(path, 2);
  const parsedFirst = parses(first);
  if (parsedFirst.ok) {
    // A JSON array written on one line (as JSON.stringify writes it) is a document whose elements are the records.
    if (Array.isArray(parsedFirst.value) && !second?.trim()) return {mode: "document"};
    // A single-line file is a document and a JSON Lines file of one record alike; lines mode reads both.
    return {mode: "lines", first: parsedFirst.value};
  }
  // A line holding only a bracket opens a pretty-printed document, whatever the next line looks like.
  const trimmed = first?.trim() ?? "";
  const opensDocument = trimmed === "{" || trimmed === "[";
  const parsedSecond = parses(second);
  if (!opensDocument && parsedSecond.ok) return {mode: "lines", first: parsedSecond.value};
  return {mode: "document"};
}

/** Reads a whole document: its text, or null with base64 bytes when it is not UTF-8. */
export function readDocument(path: string): RawRecord {
  const size = statSync(path).size;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new Error(`${path} is a single JSON document of ${size} bytes; write it as JSON Lines (one record a line) to ingest it`);
  }
  const bytes = readFileSync(path);
  const text = decodeLine(bytes);
  return text === null
    ? {text: null, base64: bytes.toString("base64"), line: 1, ordinal: 0}
    : {text, line: 1, ordinal: 0};
}

/** 1-based line of a character offset, for JSON parse errors that name a position. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
