/**
 * @module Two experiments side by side: the same dataset's cases run by a baseline (A) and a candidate (B), each
 * output judged by the same evaluators. Per evaluator, both pass rates over the cases both sides have a verdict on
 * (pairing is what lets McNemar's test see a difference much smaller than two independent rates would), the paired
 * difference, the exact test, and which cases regressed, improved or stayed. Per case, both outputs with their
 * verdicts; cost and latency per side.
 */
import {quantile} from "../monitor/percentile.js";
import {mcnemarExact, type McNemar} from "./compareStats.js";

export type Verdict = "pass" | "fail";

/** One case as one experiment ran it. Output text is the model's and untrusted: shown as text, never as markup. */
export interface ExperimentCase {
  caseId: string;
  traceId: string | null;
  input: string;
  output: string | null;
  /** The run's error when the candidate produced no output. */
  error: string | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** Per evaluator id, its verdict; an evaluator that errored or did not run is absent. */
  verdicts: Readonly<Record<string, Verdict>>;
}

export interface ExperimentSide {
  name: string;
  cases: readonly ExperimentCase[];
}

export interface EvaluatorComparison {
  evaluator: string;
  /** Cases both sides have a verdict on: the rates and the test are over these. */
  paired: number;
  /** Cases one side has a verdict on and the other not (an error, a missing case): left out and counted. */
  unpaired: number;
  a: {pass: number; rate: number | null};
  b: {pass: number; rate: number | null};
  /** B's pass rate minus A's, over the paired cases. */
  difference: number | null;
  test: McNemar;
  regressed: string[];
  improved: string[];
  stayedPass: string[];
  stayedFail: string[];
}

export interface SideCase {
  traceId: string | null;
  output: string | null;
  error: string | null;
  costUsd: number | null;
  latencyMs: number | null;
  verdicts: Readonly<Record<string, Verdict>>;
}

export interface CaseComparison {
  caseId: string;
  input: string;
  a: SideCase | null;
  b: SideCase | null;
  /** Evaluators whose verdict went pass → fail on this case, and fail → pass. */
  regressed: string[];
  improved: string[];
}

export interface Spend {
  cases: number;
  /** Cases with a known cost, and their total and mean. */
  costed: number;
  totalCostUsd: number | null;
  meanCostUsd: number | null;
  timed: number;
  meanLatencyMs: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  errors: number;
}

export interface Comparison {
  a: string;
  b: string;
  evaluators: EvaluatorComparison[];
  cases: CaseComparison[];
  spend: {a: Spend; b: Spend};
}

function spendOf(cases: readonly ExperimentCase[]): Spend {
  const costs = cases.flatMap((c) => (c.costUsd === null ? [] : [c.costUsd]));
  const latencies = cases.flatMap((c) => (c.latencyMs === null ? [] : [c.latencyMs]));
  const total = costs.reduce((s, x) => s + x, 0);
  return {
    cases: cases.length,
    costed: costs.length,
    totalCostUsd: costs.length ? total : null,
    meanCostUsd: costs.length ? total / costs.length : null,
    timed: latencies.length,
    meanLatencyMs: latencies.length ? latencies.reduce((s, x) => s + x, 0) / latencies.length : null,
    p50LatencyMs: quantile(latencies, 0.5),
    p95LatencyMs: quantile(latencies, 0.95),
    errors: cases.filter((c) => c.error !== null).length
  };
}

const sideCase = (c: ExperimentCase): SideCase => ({
  traceId: c.traceId,
  output: c.output,
  error: c.error,
  costUsd: c.costUsd,
  latencyMs: c.latencyMs,
  verdicts: c.verdicts
});

export function compareExperiments(a: ExperimentSide, b: ExperimentSide): Comparison {
  const byId = (side: ExperimentSide) => new Map(side.cases.map((c) => [c.caseId, c]));
  const aCases = byId(a);
  const bCases = byId(b);
  // Cases in A's order, then any only B ran: a stable order that follows the dataset.
  const caseIds = [...aCases.keys(), ...[...bCases.keys()].filter((id) => !aCases.has(id))];
  const evaluatorIds = [...new Set([...a.cases, ...b.cases].flatMap((c) => Object.keys(c.verdicts)))].sort();

  const evaluators = evaluatorIds.map((evaluator): EvaluatorComparison => {
    const row: EvaluatorComparison = {
      evaluator,
      paired: 0,
      unpaired: 0,
      a: {pass: 0, rate: null},
      b: {pass: 0, rate: null},
      difference: null,
      test: mcnemarExact(0, 0),
      regressed: [],
      improved: [],
      stayedPass: [],
      stayedFail: []
    };
    for (const id of caseIds) {
      const va = aCases.get(id)?.verdicts[evaluator];
      const vb = bCases.get(id)?.verdicts[evaluator];
      if (va === undefined && vb === undefined) continue;
      if (va === undefined || vb === undefined) {
        row.unpaired++;
        continue;
      }
      row.paired++;
      if (va === "pass") row.a.pass++;
      if (vb === "pass") row.b.pass++;
      (va === "pass"
        ? vb === "pass"
          ? row.stayedPass
          : row.regressed
        : vb === "pass"
          ? row.improved
          : row.stayedFail
      ).push(id);
    }
    if (row.paired) {
      row.a.rate = row.a.pass / row.paired;
      row.b.rate = row.b.pass / row.paired;
      row.difference = row.b.rate - row.a.rate;
    }
    row.test = mcnemarExact(row.regressed.length, row.improved.length);
    return row;
  });

  const cases = caseIds.map((caseId): CaseComparison => {
    const ca = aCases.get(caseId) ?? null;
    const cb = bCases.get(caseId) ?? null;
    const regressed: string[] = [];
    const improved: string[] = [];
    for (const e of evaluatorIds) {
      const va = ca?.verdicts[e];
      const vb = cb?.verdicts[e];
      if (va === "pass" && vb === "fail") regressed.push(e);
      if (va === "fail" && vb === "pass") improved.push(e);
    }
    return {
      caseId,
      input: (ca ?? cb)!.input,
      a: ca && sideCase(ca),
      b: cb && sideCase(cb),
      regressed,
      improved
    };
  });

  return {a: a.name, b: b.name, evaluators, cases, spend: {a: spendOf(a.cases), b: spendOf(b.cases)}};
}
