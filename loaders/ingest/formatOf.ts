/** @module Choosing a file's reader: by name (`--format`) or by the shape of its first record. */
import {FORMATS, type Format} from "../../src/core/schemas/trace.js";
import {READERS, detectFormat} from "../formats/index.js";
import type {FormatReader} from "../formats/reader.js";

export class UnknownFormatError extends Error {
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

/** The reader for a file whose first record (or whole document) is `value`; arrays may hold records. */
export function detectReader(value: unknown, fileName: string): FormatReader {
  const direct = detectFormat(value, fileName);
  if (direct) return direct;
  if (Array.isArray(value) && value.length > 0) {
    const element = detectFormat(value[0], fileName);
    if (element?.splitArrays) return element;
  }
  throw new UnknownFormatError(
    `${fileName}: unknown format; known formats: ${READERS.map((r) => `${r.format} (${r.description})`).join("; ")}. ` +
      "Name one with --format if the file is one of these."
  );
}
