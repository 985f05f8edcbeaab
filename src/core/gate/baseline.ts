/**
 * @module The gate against a baseline experiment: on top of each evaluator's pass-rate threshold, a trusted
 * evaluator blocks when the candidate passes significantly less often than the baseline on the same cases. The
 * test is the one-sided exact McNemar test on the cases whose verdict changed (see `experiments/compareStats.ts`),
 * at the level `alpha` the run states; a report-only evaluator that is significantly worse warns.
 */
import type {Comparison} from "../experiments/compare.js";
import type {GateEvaluator, GateRun} from "../schemas/gateReport.js";
import {formatP} from "./format.js";
import {blockingModes} from "./report.js";

export const DEFAULT_ALPHA = 0.05;

export function applyBaseline(run: GateRun, comparison: Comparison, alpha = DEFAULT_ALPHA): GateRun {
  const rows = new Map(comparison.evaluators.map((e) => [e.evaluator, e]));
  const evaluators = run.evaluators.map((e): GateEvaluator => {
    const row = rows.get(e.id);
    if (e.role === "skipped" || !row) return e;
    const significant = row.regressed.length > row.improved.length && row.test.pWorse < alpha;
    const baseline = {
      experiment: comparison.a,
      paired: row.paired,
      passRate: row.a.rate,
      candidatePassRate: row.b.rate,
      regressed: row.regressed,
      improved: row.improved.length,
      pWorse: row.test.pWorse,
      alpha,
      significant
    };
    if (!significant || e.outcome === "blocked" || e.outcome === "error") return {...e, baseline};
    const why =
      `significantly below the baseline ${comparison.a}: ${row.regressed.length} cases regressed, ${row.improved.length} improved ` +
      `(one-sided exact McNemar p = ${formatP(row.test.pWorse)} < ${alpha})`;
    return {
      ...e,
      baseline,
      reason: e.reason ? `${e.reason}; ${why}` : why,
      outcome: e.role === "blocks" ? "blocked" : e.outcome === "passed" ? "warned" : e.outcome
    };
  });
  const blockedBy = blockingModes(evaluators);
  return {...run, evaluators, blocked: blockedBy.length > 0, blockedBy, baseline: {experiment: comparison.a, alpha}};
}
