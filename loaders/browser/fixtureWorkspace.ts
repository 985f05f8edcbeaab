/**
 * @module Small workspaces for browser tests, written through the store's own staging and merge.
 *
 * A fixture names its rows in the normalized trace model, so page tests do not depend on every input format,
 * while the per-trace aggregates the pages show are derived by the same SQL as a real ingest.
 */
import {mkdirSync} from "node:fs";
import type {Feedback, Format, Message, Span, ToolCall, TraceInfo} from "../../src/core/schemas/trace.js";
import {storeFragments} from "../ingest/storeFragments.js";

/** One trace as a fixture: what a format reader would produce for it, plus the format it came from. */
export interface FixtureTrace {
  format: Format;
  info: TraceInfo;
  spans: Span[];
  messages: Message[];
  toolCalls: ToolCall[];
  feedback: Feedback[];
}

/** Writes the traces into a new or existing workspace folder (one transaction). */
export async function writeFixtureWorkspace(workspace: string, traces: readonly FixtureTrace[]): Promise<void> {
  mkdirSync(workspace, {recursive: true});
  await storeFragments(
    workspace,
    traces.map(({format, info, spans, messages, toolCalls, feedback}) => ({
      format,
      source: "fixture",
      fragment: {traces: [info], spans, messages, toolCalls, feedback}
    }))
  );
}
