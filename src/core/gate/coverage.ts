/**
 * @module Failure-mode coverage of a suite: of the active failure modes, the share that has a trusted evaluator (one
 * that blocks or reports in this run), with every uncovered mode and why. Active modes are the registry's, in every
 * state but `verified_resolved`, plus the modes the suite's specs name that the registry does not know (or every
 * spec's mode, when there is no registry). A spec for a resolved mode does not make it active again.
 */
import type {Coverage, CoverageMode, GateEvaluator} from "../schemas/gateReport.js";
import {statusText} from "./format.js";

export interface RegistryMode {
  name: string;
  state: string;
}

export function suiteCoverage(
  registry: readonly RegistryMode[] | null,
  evaluators: readonly GateEvaluator[]
): Coverage {
  const states = new Map<string, string>();
  for (const mode of registry ?? []) states.set(mode.name.trim(), mode.state);
  const names = new Set<string>();
  for (const [name, state] of states) if (state !== "verified_resolved") names.add(name);
  for (const e of evaluators) if (!states.has(e.failureMode)) names.add(e.failureMode);
  const modes = [...names]
    .sort((a, b) => a.localeCompare(b))
    .map((name): CoverageMode => {
      const mine = evaluators.filter((e) => e.failureMode === name);
      const trusted = mine.filter((e) => e.role !== "skipped").map((e) => e.id);
      const why = trusted.length
        ? ""
        : mine.length
          ? mine.map((e) => `${e.id}: ${statusText(e)} (${e.reason})`).join("; ")
          : "no evaluator in the suite";
      return {name, state: states.get(name) ?? null, evaluators: trusted, covered: trusted.length > 0, why};
    });
  const covered = modes.filter((m) => m.covered).length;
  return {
    active: modes.length,
    covered,
    share: modes.length ? covered / modes.length : null,
    registry: registry !== null,
    modes
  };
}
