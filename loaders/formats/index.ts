/**
 * @module Every format reader, in the order `detectFormat` tries them on a file's first record.
 *
 * The order runs from the most specific shape to the least: OTLP requests (`resourceSpans` / `resourceLogs`),
 * then the single-purpose envelopes (τ-bench runs, Who&When runs), chat transcripts (`messages` of role-bearing
 * objects), and last span attribute maps, whose only mark is attribute-like key names. Each reader's `detect`
 * looks at the top-level shape only, never at deep content, so detection costs nothing next to reading.
 */
import {chatJsonlReader} from "./chatJsonl.js";
import {openinferenceReader} from "./openinference.js";
import {otlpReader} from "./otlp.js";
import type {FormatReader} from "./reader.js";
import {tauBenchReader} from "./tauBench.js";
import {whoAndWhenReader} from "./whoAndWhen.js";

export const READERS: FormatReader[] = [
  otlpReader,
  tauBenchReader,
  whoAndWhenReader,
  chatJsonlReader,
  openinferenceReader
];

/** The reader whose shape the record `value` has, or undefined when none recognises it. */
export function detectFormat(value: unknown, fileName: string): FormatReader | undefined {
  for (const reader of READERS) if (reader.detect(value, fileName)) return reader;
  return undefined;
}
