/**
 * @module The registry's append-only event file, `<workspace>/failure-modes.jsonl`. Each event is validated
 * before it is written; a line that does not parse when read (a torn write, a hand edit) is reported with its
 * line number and reason and skipped, and every other event still applies.
 */
import {appendFileSync, existsSync, mkdirSync, readFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {FailureModeEventSchema, type FailureModeEvent} from "../../src/core/schemas/failureMode.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {jsonLines} from "../files/jsonLines.js";

export const EVENT_FILE = "failure-modes.jsonl";

export const eventLogPath = (workspace: string) => join(workspace, EVENT_FILE);

export interface EventProblem {
  file: string;
  line: number;
  reason: string;
}

export function readEvents(path: string): {events: FailureModeEvent[]; problems: EventProblem[]} {
  if (!existsSync(path)) return {events: [], problems: []};
  const events: FailureModeEvent[] = [];
  const problems: EventProblem[] = [];
  for (const entry of jsonLines(readFileSync(path, "utf8"))) {
    if ("error" in entry) {
      problems.push({file: path, line: entry.line, reason: `not JSON (${entry.error})`});
      continue;
    }
    const parsed = FailureModeEventSchema.safeParse(entry.value);
    if (parsed.success) events.push(parsed.data);
    else problems.push({file: path, line: entry.line, reason: issueText(parsed.error, "event")});
  }
  return {events, problems};
}

/** Appends one event as one line; a single write on a file opened for appending, so lines never interleave. */
export function appendEvent(path: string, event: FailureModeEvent): FailureModeEvent {
  const valid = FailureModeEventSchema.parse(event);
  mkdirSync(dirname(path), {recursive: true});
  // A file whose last line was torn gets a newline first, so the new event is not glued to the broken one.
  const needsNewline =
    existsSync(path) && !readFileSync(path, "utf8").endsWith("\n") && readFileSync(path, "utf8").length > 0;
  appendFileSync(path, `${needsNewline ? "\n" : ""}${JSON.stringify(valid)}\n`, "utf8");
  return valid;
}
