/**
 * @module The contract between the ingest pipeline and one input format.
 *
 * The pipeline streams a file, splits it into records (a JSON Lines line, a whole JSON document, or each element
 * of a top-level array when the format says so), parses each record with `JSON.parse`, and hands the value here.
 * A reader turns one record into a Fragment of the normalized model, or throws `RecordError` with a reason that
 * a person can act on; the pipeline quarantines that record with its file and line and goes on.
 */
import type {Fragment, Format} from "../../src/core/schemas/trace.js";

export interface RecordContext {
  /** The file's path as the user gave it. */
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  /** 0-based position of the record within the file (element index for arrays, line count for JSON Lines). */
  ordinal: number;
  /** The record's raw text, for content-hash ids where the source has none. */
  text: string;
}

export interface FormatReader {
  format: Format;
  /** One line of what this format is, for `--help` and the unknown-format error. */
  description: string;
  /** True when a parsed record has this format's shape. Checked on the file's first record only. */
  detect(value: unknown, fileName: string): boolean;
  /** Whether a top-level JSON array is a list of records (τ-bench runs) rather than one record. */
  splitArrays: boolean;
  /** Turns one record into normalized rows. Throws RecordError when the record is malformed. */
  read(value: unknown, context: RecordContext): Fragment;
}

/** A malformed record: the pipeline reports `file:line: reason` and quarantines the record. */
export class RecordError extends Error {
  override readonly name = "RecordError";
}
