/**
 * @module Agreement between two raters over k classes (e.g. a pairwise preference: first better, second better,
 * tie): accuracy, macro-averaged precision, recall and F1 (per-class F1 averaged), and Cohen's kappa.
 */
import {defined, undefinedBecause, type Metric} from "./metric.js";

/** `matrix[i][j]` counts items the reference put in class i and the rater in class j. */
export type MultiConfusion = number[][];

export function multiConfusion<T>(pairs: Iterable<{reference: T; rater: T}>, classes: readonly T[]): MultiConfusion {
  const index = new Map(classes.map((c, i) => [c, i]));
  const m = classes.map(() => classes.map(() => 0));
  for (const {reference, rater} of pairs) {
    const i = index.get(reference);
    const j = index.get(rater);
    if (i === undefined || j === undefined)
      throw new Error(`invalid class: ${String(i === undefined ? reference : rater)}`);
    m[i]![j]!++;
  }
  return m;
}

export interface MultiAgreement {
  n: number;
  accuracy: Metric;
  macroPrecision: Metric;
  macroRecall: Metric;
  macroF1: Metric;
  kappa: Metric;
  perClass: {precision: Metric; recall: Metric; f1: Metric}[];
}

/**
 * `unreadable[i]` counts items the reference put in class i for which the rater gave no readable answer, where the
 * source counts such an answer as wrong: they are in n and in their class's recall, never in any class's precision
 * (for kappa, a category the reference never uses).
 */
export function multiAgreement(m: MultiConfusion, unreadable: readonly number[] = []): MultiAgreement {
  const k = m.length;
  const rowSum = m.map((row, i) => row.reduce((a, b) => a + b, 0) + (unreadable[i] ?? 0));
  const n = rowSum.reduce((a, b) => a + b, 0);
  const colSum = m[0]!.map((_, j) => m.reduce((s, row) => s + row[j]!, 0));
  const diagonal = m.reduce((s, row, i) => s + row[i]!, 0);
  const perClass = m.map((row, i) => {
    const tp = row[i]!;
    const precision = colSum[i] === 0 ? undefinedBecause(`the rater never chose class ${i}`) : defined(tp / colSum[i]!);
    const recall =
      rowSum[i] === 0 ? undefinedBecause(`the reference never chose class ${i}`) : defined(tp / rowSum[i]!);
    const f1 =
      rowSum[i]! + colSum[i]! === 0
        ? undefinedBecause(`class ${i} never occurs`)
        : defined((2 * tp) / (rowSum[i]! + colSum[i]!));
    return {precision, recall, f1};
  });
  const macro = (pick: (c: (typeof perClass)[number]) => Metric): Metric => {
    let sum = 0;
    for (const c of perClass) {
      const v = pick(c);
      if ("undefined" in v) return v;
      sum += v.value;
    }
    return defined(sum / k);
  };
  let kappa: Metric;
  if (n === 0) kappa = undefinedBecause("no items");
  else {
    const po = diagonal / n;
    const pe = rowSum.reduce((s, r, i) => s + r * colSum[i]!, 0) / (n * n);
    kappa =
      pe === 1
        ? undefinedBecause("both raters used a single class, so chance agreement is total")
        : defined((po - pe) / (1 - pe));
  }
  return {
    n,
    accuracy: n === 0 ? undefinedBecause("no items") : defined(diagonal / n),
    macroPrecision: macro((c) => c.precision),
    macroRecall: macro((c) => c.recall),
    macroF1: macro((c) => c.f1),
    kappa,
    perClass
  };
}
