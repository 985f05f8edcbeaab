/**
 * @module Splitting an input file into records without holding it in memory.
 *
 * JSON Lines files are read in blocks cut at newlines; each block is decoded as a whole (one native call) and
 * only a block with invalid UTF-8 is decoded line by line to find the bad lines. A file whose first line is not
 * JSON on its own is a single document (pretty-printed JSON), read whole. Gzip-compressed files (known by their
 * first two bytes, whatever their name) are decompressed as they are read.
 */
import {isAscii} from "node:buffer";
import {closeSync, createReadStream, openSync, readFileSync, readSync, statSync} from "node:fs";
import {open} from "node:fs/promises";
import {createGunzip, gunzipSync} from "node:zlib";
import type {RawRecord} from "./convert.js";
import {bytesMayHoldSurrogates} from "./flags.js";

const strict = new TextDecoder("utf-8", {fatal: true});
const BLOCK = 1 << 20;

/** Largest single JSON document read whole; larger inputs should be JSON Lines. */
export const MAX_DOCUMENT_BYTES = 1 << 30;

/** How many records of a file its format is detected from. */
export const SAMPLE_RECORDS = 16;

/** A JSON Lines file with the values of its first records that parse (up to `SAMPLE_RECORDS`), or a document. */
export type FileMode = {mode: "lines"; sample: unknown[]} | {mode: "document"} | {mode: "empty"};

/** Whether a file is gzip-compressed: it starts with gzip's magic bytes. */
export function isGzip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** A gzip-compressed file's decompressed bytes, chunk by chunk; a read error or corrupt data ends it with an error. */
function gunzipStream(path: string): AsyncIterable<Buffer> {
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.on("error", (error) => gunzip.destroy(error));
  // A reader that stops early (format detection) destroys the gunzip stream; the file goes with it.
  gunzip.on("close", () => source.destroy());
  return source.pipe(gunzip);
}

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
  // Escaped surrogates are rare: one search of the block spares testing each line (see `convertRecords`).
  const escapes = bytesMayHoldSurrogates(bytes);
  let start = 0;
  let lineNumber = firstLine;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    if (ascii) {
      const line = bytes.toString("latin1", start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
      if (!blank(line)) records.push({text: line, line: lineNumber, ordinal: lineNumber - 1, escapes});
    } else {
      const lineBytes = bytes.subarray(start, end);
      const line = decodeLine(lineBytes);
      if (line === null) {
        records.push({
          text: null,
          base64: lineBytes.toString("base64"),
          line: lineNumber,
          ordinal: lineNumber - 1,
          escapes
        });
      } else {
        const text = stripCR(line);
        if (!blank(text)) records.push({text, line: lineNumber, ordinal: lineNumber - 1, escapes});
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
export async function* lineBlocks(path: string, gzip = false): AsyncGenerator<{block: Uint8Array; firstLine: number}> {
  if (gzip) {
    yield* gzipLineBlocks(path);
    return;
  }
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

/** `lineBlocks` for a gzip-compressed file: decompressed chunks gathered into blocks of whole lines. */
async function* gzipLineBlocks(path: string): AsyncGenerator<{block: Uint8Array; firstLine: number}> {
  let chunks: Buffer[] = [];
  let size = 0;
  let line = 1;
  // A line longer than a block waits for twice as much text before the next look, as a plain file's read doubles,
  // so a very long line costs linear, not quadratic, copying.
  let wanted = BLOCK;
  for await (const chunk of gunzipStream(path)) {
    chunks.push(chunk);
    size += chunk.length;
    if (size < wanted) continue;
    // Copied into a buffer of its own, so the block can be transferred to a worker thread like a plain file's.
    const buffer = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const c of chunks) at += c.copy(buffer, at);
    const cut = buffer.lastIndexOf(10);
    if (cut === -1) {
      chunks = [buffer];
      wanted = size * 2;
      continue;
    }
    wanted = BLOCK;
    const carry = Buffer.from(Uint8Array.prototype.slice.call(buffer, cut + 1));
    chunks = [carry];
    size = carry.length;
    const block = buffer.subarray(0, cut);
    const lines = countNewlines(block) + 1;
    yield {block, firstLine: line};
    line += lines;
  }
  if (size > 0) {
    const buffer = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const c of chunks) at += c.copy(buffer, at);
    yield {block: buffer, firstLine: line};
  }
}

/** A file's text from its start, chunk by chunk, decompressed when it is gzip; invalid UTF-8 becomes U+FFFD. */
async function* headText(path: string, gzip: boolean): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  const source: AsyncIterable<Buffer> = gzip ? gunzipStream(path) : createReadStream(path, {highWaterMark: 1 << 16});
  for await (const chunk of source) yield decoder.decode(chunk, {stream: true});
  yield decoder.decode();
}

/**
 * Reads lines from the start of a file until `count` non-blank lines are found, the file ends, or `maxChars` were
 * read (a first line longer than that is not a JSON Lines record anyone wants; the file is then a document).
 */
async function headLines(path: string, gzip: boolean, count: number, maxChars = 1 << 28): Promise<string[]> {
  const lines: string[] = [];
  // The pieces of the line being read: each piece of text is searched once, so a line of many megabytes costs
  // its length, not its length times the number of reads (as searching the whole pending text again did).
  const pieces: string[] = [];
  let read = 0;
  for await (const text of headText(path, gzip)) {
    read += text.length;
    let from = 0;
    let at: number;
    while ((at = text.indexOf("\n", from)) !== -1) {
      pieces.push(text.slice(from, at));
      const line = stripCR(pieces.join(""));
      pieces.length = 0;
      from = at + 1;
      if (line.trim() !== "") lines.push(line);
      if (lines.length >= count) return lines;
    }
    if (from < text.length) pieces.push(from === 0 ? text : text.slice(from));
    if (read > maxChars) return lines;
  }
  const rest = pieces.join("");
  if (rest.trim() !== "") lines.push(rest);
  return lines;
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
 * Decides how a file is split. JSON Lines when its first non-blank line is JSON by itself, or when, of its first
 * lines, as many parse on their own as do not (a truncated or broken first record, even one cut to "{", must not
 * turn a file of good lines into one bad document); a first line of "[" alone opens a pretty-printed document. The
 * values of the first lines that parse are the sample the file's format is detected from.
 */
export async function fileMode(path: string, gzip = false): Promise<FileMode> {
  // Enough lines to find `SAMPLE_RECORDS` that parse among some broken ones; a sample line past the first
  // megabytes would not change the decision, so long files are not read further to make it.
  const lines = await headLines(path, gzip, SAMPLE_RECORDS * 2);
  if (lines.length === 0) return {mode: "empty"};
  const parsed = lines.map(parses);
  const sample = parsed.flatMap((p) => (p.ok ? [p.value] : [])).slice(0, SAMPLE_RECORDS);
  const first = parsed[0]!;
  if (first.ok) {
    // A JSON array written on one line (as JSON.stringify writes it) is a document whose elements are the records.
    if (Array.isArray(first.value) && lines.length === 1) return {mode: "document"};
    // A single-line file is a document and a JSON Lines file of one record alike; lines mode reads both.
    return {mode: "lines", sample};
  }
  // An array's first line: a JSON Lines record is an object, and no cut of one leaves "[" (where `[`, one element
  // per line, `]` would pass for JSON Lines below).
  if (lines[0]!.trim() === "[") return {mode: "document"};
  // Lines of a pretty-printed document rarely parse alone (they end in commas); records of JSON Lines do. This holds
  // for a first line of "{" too: a record cut after its first byte, which must not make its file one bad document.
  const records = parsed.slice(1).filter((p) => p.ok && typeof p.value === "object" && p.value !== null).length;
  if (records > 0 && records * 2 >= lines.length - 1) return {mode: "lines", sample};
  return {mode: "document"};
}

/** Reads a whole document: its text, or null with base64 bytes when it is not UTF-8. */
export function readDocument(path: string, gzip = false): RawRecord {
  const size = statSync(path).size;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new Error(
      `${path} is a single JSON document of ${size} bytes; write it as JSON Lines (one record a line) to ingest it`
    );
  }
  let bytes: Buffer;
  if (!gzip) bytes = readFileSync(path);
  else {
    try {
      bytes = gunzipSync(readFileSync(path), {maxOutputLength: MAX_DOCUMENT_BYTES});
    } catch (error) {
      if (error instanceof RangeError) {
        throw new Error(
          `${path} holds a single JSON document of more than ${MAX_DOCUMENT_BYTES} bytes; write it as JSON Lines (one record a line) to ingest it`
        );
      }
      throw new Error(`${path} is not valid gzip: ${(error as Error).message}`);
    }
  }
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
