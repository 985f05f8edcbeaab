/**
 * @module A gate run's findings about failure modes, written to the registry: a mode whose fix shipped (or that was
 * resolved) and that a trusted evaluator fails again is moved to `regressed`, one event in the registry's log with
 * the run named in its note. A mode whose fix shipped and that now passes is only proposed for `verified_resolved`
 * in the run's record; a person confirms it (`plumbline failure-mode set-state <name> verified_resolved`).
 */
import {gateTransitions, type ModeResult} from "../../src/core/failureModes/gateTransitions.js";
import type {FailureModeState} from "../../src/core/schemas/failureMode.js";
import type {GateRun, GateTransition} from "../../src/core/schemas/gateReport.js";
import {setState} from "./actions.js";

/** What each trusted (blocking) evaluator that ran says about its failure mode. */
export function modeResults(run: Pick<GateRun, "evaluators">): ModeResult[] {
  return run.evaluators
    .filter((e) => e.role === "blocks" && e.outcome !== "skipped" && e.outcome !== "error")
    .map((e) => ({failureMode: e.failureMode, evaluator: e.id, failed: e.outcome === "blocked"}));
}

export interface TransitionOptions {
  workspace: string;
  evaluatorsDir: string;
  now: number;
}

/**
 * The run's transitions against the registry's states (`states`: the registry as the gate read it), with the
 * regressions applied to the registry. Returns the run with `transitions` set.
 */
export async function recordTransitions(
  run: GateRun,
  states: ReadonlyMap<string, FailureModeState>,
  options: TransitionOptions
): Promise<GateRun> {
  const transitions: GateTransition[] = gateTransitions(modeResults(run), states);
  const candidate = `${run.candidate.kind} ${run.candidate.name}${run.candidate.version ? `@${run.candidate.version}` : ""}`;
  for (const t of transitions) {
    if (t.kind !== "regressed") continue;
    await setState(
      {workspace: options.workspace, evaluatorsDir: options.evaluatorsDir, now: options.now},
      {
        name: t.failureMode,
        state: "regressed",
        note: `gate run ${run.runId} on ${candidate}: failed again by ${t.failedBy.join(", ")}`
      }
    );
  }
  return {...run, transitions};
}
