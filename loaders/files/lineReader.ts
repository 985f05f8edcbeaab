/**
 * @module Reading a file of lines as a stream of fixed-size chunks, a line at a time, never as one string: an
 * append-only file grows without bound (past the 512 MB a JavaScript string can hold), and a reader holds at most
 * one chunk and the line it is in.
 */
import {closeSync, existsSync, fstatSync, openSync, readSync} from "node:fs";

/** Where a reader stands: the byte offset after the last line it took, and that line's number (from 1). */
export interface LinePosition {
  offset: number;
  line: number;
}

export interface ReadLinesOptions {
  from?: LinePosition;
  /** Take an unterminated last line too (marked torn); otherwise it is left for its writer to finish. */
  final?: boolean;
  /** Bytes read at a time. */
  chunkBytes?: number;
}

export interface ReadLinesEnd extends LinePosition {
  /** The largest buffer the read held, in bytes: one chunk plus the line it was in. */
  peakBufferBytes: number;
}

/** One line, decoded, with the position after it; `torn` for an unterminated last line. */
export interface TextLine {
  text: string;
  at: LinePosition;
  torn: boolean;
}

const CHUNK_BYTES = 1 << 20;

/** Yields each line from `from` to the end of the file; returns where it stopped. The file stays open until the generator ends. */
export function* readLines(file: string, options: ReadLinesOptions = {}): Generator<TextLine, ReadLinesEnd, undefined> {
  let {offset, line} = options.from ?? {offset: 0, line: 0};
  if (!existsSync(file)) return {offset, line, peakBufferBytes: 0};
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const fd = openSync(file, "r");
  let peakBufferBytes = 0;
  try {
    // `pending` holds the start of a line that a chunk boundary cut; it outgrows a chunk only while one line does.
    let pending: Buffer = Buffer.alloc(0);
    // A follower reads a few new lines after every write: a chunk no larger than what is there keeps that cheap.
    // Unzeroed, since only the bytes a read fills are ever looked at.
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(4096, fstatSync(fd).size - offset)));
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, offset + pending.length);
      if (n === 0) break;
      const bytes = pending.length ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      peakBufferBytes = Math.max(peakBufferBytes, chunk.length + bytes.length);
      let start = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        offset += newline + 1 - start;
        line++;
        const text = bytes.toString("utf8", start, newline);
        start = newline + 1;
        yield {text, at: {offset, line}, torn: false};
      }
      pending = Buffer.from(bytes.subarray(start));
    }
    if (options.final && pending.length) {
      // The fragment is consumed: the next writer starts a new line after it, which reads as an empty line.
      offset += pending.length;
      line++;
      yield {text: pending.toString("utf8"), at: {offset, line}, torn: true};
    }
  } finally {
    closeSync(fd);
  }
  return {offset, line, peakBufferBytes};
}
