/**
 * @module A metric's value, or why it has none. A metric that cannot be computed (a class absent, a zero
 * denominator) says so in words instead of becoming 0 or NaN, so a page or a gate can never mistake "no evidence"
 * for "no agreement".
 */
export type Metric = {value: number} | {undefined: string};

export function defined(value: number): Metric {
  return {value};
}

export function undefinedBecause(reason: string): Metric {
  return {undefined: reason};
}

export function isDefined(metric: Metric): metric is {value: number} {
  return "value" in metric;
}

/** `numerator / denominator`, or undefined with `reason` when the denominator is 0. */
export function ratio(numerator: number, denominator: number, reason: string): Metric {
  return denominator === 0 ? {undefined: reason} : {value: numerator / denominator};
}

/** The value, or `fallback` for an undefined metric; for sorting and charts that must place every row. */
export function valueOr(metric: Metric, fallback: number | null = null): number | null {
  return "value" in metric ? metric.value : fallback;
}
