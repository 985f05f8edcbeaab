/**
 * @module Wilson score intervals for a single rate (accuracy, TPR, TNR, precision): k successes in n trials. Unlike
 * the bootstrap, which gives 10 of 10 the interval [1, 1], Wilson's stays inside [0, 1] and keeps a width at 0 and n
 * successes (10 of 10: [0.72, 1]); it is closed-form, so it needs no draws and is the same everywhere.
 */
import type {Interval} from "./bootstrap.js";

/**
 * The standard normal quantile, by Acklam's rational approximation (relative error below 1.2e-9), so that any
 * confidence level gets its z without a statistics library.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`invalid probability: ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** The Wilson score interval of `successes` out of `trials`; undefined, with `reason`, when there are no trials. */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95, reason = "no trials"): Interval {
  if (trials === 0) return {undefined: reason};
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return {
    low: Math.max(0, center - half),
    high: Math.min(1, center + half),
    confidence,
    method: "wilson",
    draws: 0,
    undefinedShare: 0
  };
}
