/**
 * @module What a message that reports a failure reads like, for traces whose tools record no failure: multi-agent
 * runs where a code runner prints a failed exit code or a traceback, an agent says it hit an error, or an
 * orchestrator notes in its ledger that no progress is being made or that the team is looping. The first such
 * message stands for the trace's first failure, as the first failed tool call does where there is one.
 *
 * One pattern for both engines: the store matches it in SQL (DuckDB's RE2, case-insensitive option `i`) and tests
 * and pages in JavaScript (`showsFailure`), so it keeps to the syntax the two share.
 */
export const FAILURE_CUE = [
  String.raw`exit ?code:? *[1-9]`,
  String.raw`execution failed`,
  String.raw`traceback \(most recent call last\)`,
  String.raw`\b(?:error|exception)\b`,
  String.raw`"is_progress_being_made": *\{[^}]*"answer": *false`,
  String.raw`"is_in_loop": *\{[^}]*"answer": *true`
].join("|");

const cue = new RegExp(FAILURE_CUE, "i");

/** True when a message's text reads as a failure report (see `FAILURE_CUE`). */
export function showsFailure(text: string): boolean {
  return cue.test(text);
}

/**
 * What a code runner's message starts with: the exit code of what it ran. Its speaker executes and reports, and
 * decides nothing, so it is never the agent that closed a run.
 */
export const CODE_RUNNER_OUTPUT = String.raw`^\s*exit ?code:? *-?[0-9]`;
