/** @module Choosing a file's reader: by name (`--format`) or by the shape of its first records. */
import {FORMATS, type Format} from "../../src/core/schemas/trace.js";
import {PlumblineError} from "../errors.js";
import {READERS, detectFormat} from "../formats/index.js";
import type {FormatReader} from "../formats/reader.js";

export class UnknownFormatError extends PlumblineError {
  override readonly name = "UnknownFormatError";
}

export function readerFor(format: Format): FormatReader {
  const reader = READERS.find((r) => r.format === format);
  if (!reader) throw new UnknownFormatError(`no reader for format ${format}`);
  return reader;
}

export function parseFormat(name: string): Format {
  if ((FORMATS as readonly string[]).includes(name)) return name as Format;
  throw new UnknownFormatError(`invalid format: ${name}; known formats: ${FORMATS.join(", ")}`);
}

/**
 * The reader for a file from a sample of its first records (JSON Lines), or from its one document: the format most
 * of them have, the earliest among equals, so one foreign or broken record cannot decide for a whole file. A
 * top-level array may hold the records themselves (τ-bench runs): its first elements are looked at then.
 */
export function detectReader(sample: readonly unknown[], fileName: string): FormatReader {
  const votes = new Map<FormatReader, number>();
  let best: FormatReader | undefined;
  for (const value of sample) {
    const reader = detectFormat(value, fileName) ?? elementFormat(value, fileName);
    if (!reader) continue;
    const n = (votes.get(reader) ?? 0) + 1;
    votes.set(reader, n);
    if (best === undefined || n > votes.get(best)!) best = reader;
  }
  if (best) return best;
  throw new UnknownFormatError(
    `${fileName}: unknown format; known formats: ${READERS.map((r) => `${r.format} (${r.description})`).join("; ")}. ` +
      "Name one with --format if the file is one of these."
  );
}

/** How many elements of a top-level array are looked at for a format whose records they are. */
const SAMPLE_ELEMENTS = 16;

function elementFormat(value: unknown, fileName: string): FormatReader | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const element of value.slice(0, SAMPLE_ELEMENTS)) {
    const reader = detectFormat(element, fileName);
    if (reader?.splitArrays) return reader;
  }
  return undefined;
}
