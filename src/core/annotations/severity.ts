/**
 * @module The four severities, worst last, and summaries of them over many labels: the worst, the most common, and
 * each trace's worst. A label without a severity says nothing here; it is neither low nor missing from a count of
 * the rest. The list is kept apart from the zod schemas (which import it) so that browser code can use it without
 * loading zod, whose probe for `eval` breaks the page's Content-Security-Policy.
 */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** low 0 … critical 3. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export function worstSeverity(values: Iterable<Severity | null | undefined>): Severity | null {
  let worst: Severity | null = null;
  for (const v of values) if (v && (worst === null || severityRank(v) > severityRank(worst))) worst = v;
  return worst;
}

/** The severity given most often; a tie goes to the worse one, so a split never reads milder than it is. */
export function commonSeverity(values: Iterable<Severity | null | undefined>): Severity | null {
  const counts = new Map<Severity, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: Severity | null = null;
  for (const [s, n] of counts) {
    const m = best === null ? -1 : counts.get(best)!;
    if (n > m || (n === m && severityRank(s) > severityRank(best!))) best = s;
  }
  return best;
}

/** Each trace's worst severity over its labels; traces whose labels say none are absent. */
export function severityByTrace(
  labels: Iterable<{traceId: string; severity?: Severity | null}>
): Map<string, Severity> {
  const out = new Map<string, Severity>();
  for (const l of labels) {
    if (!l.severity) continue;
    const seen = out.get(l.traceId);
    if (!seen || severityRank(l.severity) > severityRank(seen)) out.set(l.traceId, l.severity);
  }
  return out;
}
