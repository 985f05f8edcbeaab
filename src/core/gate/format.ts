/** @module How the gate's reports write a share and a corrected rate; free of schemas, so pages can use it too. */
import type {GateEvaluator} from "../schemas/gateReport.js";

export const percent = (x: number | null, digits = 1): string => (x === null ? "—" : `${(x * 100).toFixed(digits)} %`);

/** "12.0 % [8.1 %, 16.3 %]", or why there is no corrected rate. */
export function correctedText(e: GateEvaluator): string {
  const c = e.correctedFailRate;
  if (!c) return "—";
  if (c.value === null) return `undefined (${c.undefined ?? "no reason"})`;
  return c.interval ? `${percent(c.value)} [${percent(c.interval[0])}, ${percent(c.interval[1])}]` : percent(c.value);
}

/** "measured 2026-11-23 on overall@f727c4675ccf, n 33 held-out": the calibration the role was decided on. */
export function snapshotText(e: GateEvaluator): string {
  const s = e.snapshot;
  if (!s) return "no calibration recorded";
  return `measured ${s.at.slice(0, 10)} on ${s.labelSet ?? "unversioned labels"}, n ${s.n} ${s.split}`;
}
