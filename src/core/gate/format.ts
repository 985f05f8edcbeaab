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
