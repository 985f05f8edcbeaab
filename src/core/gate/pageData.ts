/**
 * @module What the suite page shows, from the gate runs recorded in a workspace: the latest run whole (its
 * evaluators carry the calibration each spec recorded, so the page needs no spec files) and a line per run.
 */
import type {GateRun} from "../schemas/gateReport.js";

export interface RunLine {
  runId: string;
  label: string;
  at: string;
  blocked: boolean;
  blockedBy: string[];
  traces: number;
  evaluators: number;
  ran: number;
  coverage: number | null;
  /** Each evaluator the run did not skip: its pass rate (null with no verdict) against its threshold, by version. */
  passRates: {evaluator: string; version: string; passRate: number | null; minPassRate: number}[];
}

export interface SuitePageData {
  latest: GateRun | null;
  /** Newest first, the latest included; at most 50. */
  runs: RunLine[];
  /** Lines of the run log that could not be read. */
  problems: string[];
}

export function suitePageData(runs: readonly GateRun[], problems: string[]): SuitePageData {
  const ordered = [...runs].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return {
    latest: ordered[0] ?? null,
    runs: ordered.slice(0, 50).map((r) => ({
      runId: r.runId,
      label: r.label,
      at: r.at,
      blocked: r.blocked,
      blockedBy: r.blockedBy.map((b) => b.failureMode),
      traces: r.candidate.traces,
      evaluators: r.evaluators.length,
      ran: r.evaluators.filter((e) => e.role !== "skipped").length,
      coverage: r.coverage.share,
      passRates: r.evaluators
        .filter((e) => e.role !== "skipped")
        .map((e) => ({evaluator: e.id, version: e.evaluatorVersion, passRate: e.passRate, minPassRate: e.minPassRate}))
    })),
    problems
  };
}
