/**
 * @module The pairwise review log, `annotations/pairwise.jsonl`: reviewers' choices between two experiments'
 * outputs, one JSON event per line, appended and never rewritten, through the same writer as the label log (O_APPEND,
 * fsync before a choice is acknowledged, a fresh line after a torn one), so a crash, a reload or two reviewers at once
 * lose nothing. It is a file of its own, not lines in `events.jsonl`: a choice is about a pair of outputs, not a
 * trace, and every reader of labels (the store mirror, the snapshot, exports, an older Plumbline) would otherwise have
 * to step over it.
 *
 * `openPairwiseReview` is the one place choices are written: it checks each against the schema and the blind order,
 * appends it, and folds the log (other processes' appends included) as it is followed.
 */
import {randomUUID} from "node:crypto";
import {join} from "node:path";
import {currentChoices, type PairwiseChoice} from "../../src/core/pairwise/review.js";
import {pairwiseChoiceEvent, parsePairwiseChoiceEvent} from "../../src/core/schemas/pairwiseChoice.js";
import {readLines, type LinePosition} from "../files/lineReader.js";
import {annotationDir, openLogWriter, type LogProblem} from "./log.js";
import {AnnotationError} from "./service.js";

export function pairwiseLogPath(workspace: string): string {
  return join(annotationDir(workspace), "pairwise.jsonl");
}

/**
 * Reads the log from `from` to its end, one line at a time. Bad lines are problems with their line number, never
 * fatal; an unterminated last line is left for its writer unless `final`, when it is reported as torn.
 */
export function scanPairwiseLog(
  file: string,
  onChoice: (choice: PairwiseChoice) => void,
  options: {from?: LinePosition; final?: boolean} = {}
): {position: LinePosition; problems: LogProblem[]} {
  const problems: LogProblem[] = [];
  const lines = readLines(file, options);
  for (let next = lines.next(); ; next = lines.next()) {
    if (next.done) return {position: {offset: next.value.offset, line: next.value.line}, problems};
    const {text, at, torn} = next.value;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = torn
        ? "torn last line (the writer stopped mid-write); ignored"
        : `not JSON: ${(error as Error).message}`;
      problems.push({file, line: at.line, reason, torn});
      continue;
    }
    const parsed = parsePairwiseChoiceEvent(value);
    if (parsed.ok) onChoice(parsed.event);
    else problems.push({file, line: at.line, reason: parsed.reason, torn});
  }
}

/** Every choice in the workspace's log, in log order, and the log's problems. Never writes. */
export function readPairwiseChoices(workspace: string): {choices: PairwiseChoice[]; problems: LogProblem[]} {
  const choices: PairwiseChoice[] = [];
  const {problems} = scanPairwiseLog(pairwiseLogPath(workspace), (c) => void choices.push(c), {final: true});
  return {choices, problems};
}

export interface PairwiseReview {
  readonly problems: readonly LogProblem[];
  /** Appends a reviewer's choice (durable before it resolves); refuses one that breaks the schema or the blind order. */
  choose(input: unknown): Promise<PairwiseChoice>;
  /** The choices that count (the last per pair and reviewer), optionally of one pair of experiments. */
  current(experiments?: readonly [string, string]): PairwiseChoice[];
  close(): Promise<void>;
}

export function openPairwiseReview(options: {
  workspace: string;
  clock?: () => number;
  newId?: () => string;
}): PairwiseReview {
  const file = pairwiseLogPath(options.workspace);
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? randomUUID;
  // Choices are few beside labels (one per reviewer and pair), so the whole log is kept folded in memory.
  const events: PairwiseChoice[] = [];
  let position: LinePosition = {offset: 0, line: 0};
  const problems: LogProblem[] = [];
  const sync = (final = false) => {
    const read = scanPairwiseLog(file, (c) => void events.push(c), {from: position, final});
    position = read.position;
    problems.push(...read.problems);
  };
  sync(true);
  const writer = openLogWriter<PairwiseChoice>(file);
  let writes: Promise<unknown> = Promise.resolve();
  return {
    problems,
    choose(input) {
      const next = writes.then(async () => {
        const made = pairwiseChoiceEvent(input, {eventId: newId(), at: clock()});
        if ("error" in made) throw new AnnotationError(made.error);
        await writer.append([made.event]);
        // Read back, after anything another process appended before it, so the fold is always in log order.
        sync();
        return made.event;
      });
      writes = next.catch(() => undefined);
      return next;
    },
    current(experiments) {
      sync();
      const all = currentChoices(events);
      return experiments
        ? all.filter((c) => c.experiments[0] === experiments[0] && c.experiments[1] === experiments[1])
        : all;
    },
    async close() {
      await writes;
      await writer.close();
    }
  };
}
