/** @module How the gate's reports write a share, a corrected rate and a trust status; free of schemas, so pages can use it too. */
import {trustText} from "../calibration/trust.js";
import type {GateEvaluator, GateRun, GateTransition} from "../schemas/gateReport.js";

export const percent = (x: number | null, digits = 1): string => (x === null ? "—" : `${(x * 100).toFixed(digits)} %`);

/** "12.0 % [8.1 %, 16.3 %]", or why there is no corrected rate; with the share of draws left out, when any were. */
export function correctedText(e: GateEvaluator): string {
  const c = e.correctedFailRate;
  if (!c) return "—";
  if (c.value === null) return `undefined (${c.undefined ?? "no reason"})`;
  if (!c.interval) return percent(c.value);
  const left = c.undefinedShare ? ` (${percent(c.undefinedShare, 0)} of draws no better than chance, left out)` : "";
  return `${percent(c.value)} [${percent(c.interval[0])}, ${percent(c.interval[1])}]${left}`;
}

/** The evaluator's trust status in the words every report uses: "blocks", "reports (weak evidence: …)", … */
export function statusText(
  e: Pick<GateEvaluator, "calibrationStatus" | "warnings" | "weakEvidence" | "calibration">
): string {
  return trustText(
    {status: e.calibrationStatus, warnings: e.warnings, weakEvidence: e.weakEvidence},
    e.calibration?.mcc ?? null
  );
}

/** The warnings not already in `statusText` (there, weak evidence lists them). */
export function extraWarnings(e: Pick<GateEvaluator, "warnings" | "weakEvidence">): string[] {
  return e.weakEvidence ? [] : e.warnings;
}

/** "interval: blocking needs MCC ≥ 0.6, its 95 % interval's lower bound ≥ 0.4 and 20 human labels of each class". */
export function policyText(run: Pick<GateRun, "thresholds">): string {
  const t = run.thresholds;
  return t.trust.mode === "point"
    ? `point: MCC ≥ ${t.block} blocks, whatever its interval and label counts`
    : `interval: blocking needs MCC ≥ ${t.block}, its 95 % interval's lower bound ≥ ${t.report} and at least ${t.trust.minPerClass} human labels of each class`;
}

/** "measured 2026-11-23 on overall@f727c4675ccf, n 33 held-out": the calibration the role was decided on. */
export function snapshotText(e: GateEvaluator): string {
  const s = e.snapshot;
  if (!s) return "no calibration recorded";
  return `measured ${s.at.slice(0, 10)} on ${s.labelSet ?? "unversioned labels"}, n ${s.n} ${s.split}`;
}

/** What a run found about one failure mode, in words. */
export function transitionText(t: GateTransition): string {
  const by = t.failedBy.length ? ` (${t.failedBy.join(", ")})` : "";
  switch (t.kind) {
    case "regressed":
      return `regressed: was ${t.from}, fails again${by}; moved to regressed`;
    case "proposed-resolved":
      return "fix shipped and now passes; proposed for verified_resolved (confirm with `plumbline failure-mode set-state <name> verified_resolved`)";
    case "still-failing":
      return `still failing${by}${t.from ? ` (${t.from})` : ""}`;
    case "passing":
      return `passing${t.from ? ` (${t.from})` : ""}`;
  }
}

/** A p-value in a few significant digits; tiny ones in exponent form. */
export function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
