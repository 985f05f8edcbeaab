/**
 * @module Every format reader, in the order `detectFormat` tries them on a file's first record.
 *
 * The order runs from the most specific shape to the least: OTLP requests (`resourceSpans` / `resourceLogs`),
 * Langfuse exports (`{trace, observations}`), LangSmith payloads (`{post, patch}`) and runs (`id` + `run_type`),
 * then the dataset envelopes (τ-bench runs `{task_id, trial, traj, reward}`, Who&When runs `{history,
 * question_ID, mistake_agent}`), chat transcripts (`messages` of role-bearing objects, or such an array), and last
 * span attribute maps and Vercel span captures, whose only mark is attribute-like key names or `spanContext`.
 * Each `detect` looks at the top-level shape only, never at deep content, so detection costs nothing next to
 * reading. Files that are none of these (a capture summary, Langfuse's expected-message files) detect as nothing.
 */
import {chatJsonlReader} from "./chatJsonl.js";
import {langfuseReader} from "./langfuse.js";
import {langsmithReader} from "./langsmith.js";
import {openinferenceReader} from "./openinference.js";
import {otlpReader} from "./otlp.js";
import type {FormatReader} from "./reader.js";
import {tauBenchReader} from "./tauBench.js";
import {whoAndWhenReader} from "./whoAndWhen.js";

export const READERS: FormatReader[] = [
  otlpReader,
  langfuseReader,
  langsmithReader,
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
