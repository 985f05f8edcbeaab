/**
 * @module What a gate run says about each failure mode it covers, read against the mode's lifecycle state: a mode
 * still open and still failing; a mode whose fix shipped (or that was resolved) failing again, a regression the gate
 * records by moving it to `regressed`; and a mode whose fix shipped that now passes, proposed for `verified_resolved`
 * with the run as evidence. The proposal is never applied by the gate: a person confirms it.
 */
import type {FailureModeState} from "../schemas/failureMode.js";

export type TransitionKind = "still-failing" | "regressed" | "proposed-resolved" | "passing";

export interface ModeTransition {
  failureMode: string;
  kind: TransitionKind;
  /** The registry's state before the run (null for a mode only the suite's specs name). */
  from: FailureModeState | null;
  /** The state the gate moved it to (`regressed`), or proposes (`verified_resolved`); null when none. */
  to: FailureModeState | null;
  /** The trusted evaluators of the mode that ran, and those that failed the candidate. */
  evaluators: string[];
  failedBy: string[];
}

export interface ModeResult {
  failureMode: string;
  evaluator: string;
  /** Whether the evaluator failed the candidate (below its threshold, or significantly below the baseline). */
  failed: boolean;
}

/** One transition per failure mode with a trusted evaluator that ran, in name order. */
export function gateTransitions(
  results: readonly ModeResult[],
  states: ReadonlyMap<string, FailureModeState>
): ModeTransition[] {
  const byMode = new Map<string, ModeResult[]>();
  for (const r of results) {
    const list = byMode.get(r.failureMode) ?? [];
    list.push(r);
    byMode.set(r.failureMode, list);
  }
  return [...byMode.keys()].sort().map((failureMode): ModeTransition => {
    const list = byMode.get(failureMode)!;
    const failedBy = list.filter((r) => r.failed).map((r) => r.evaluator);
    const from = states.get(failureMode) ?? null;
    const base = {failureMode, from, evaluators: list.map((r) => r.evaluator), failedBy};
    if (failedBy.length) {
      if (from === "fix_shipped" || from === "verified_resolved") return {...base, kind: "regressed", to: "regressed"};
      return {...base, kind: "still-failing", to: null};
    }
    if (from === "fix_shipped") return {...base, kind: "proposed-resolved", to: "verified_resolved"};
    return {...base, kind: "passing", to: null};
  });
}
