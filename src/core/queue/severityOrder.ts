/**
 * @module Review order by severity: traces someone has already called severe (a critical support ticket, a
 * reviewer's high) come first, worst first; the rest keep the queue's own order after them. Membership is the
 * queue's business; this only reorders.
 */
import {severityRank} from "../annotations/severity.js";
import type {Severity} from "../schemas/annotation.js";

export function orderBySeverity<T extends {traceId: string}>(
  items: readonly T[],
  severityOf: ReadonlyMap<string, Severity>
): T[] {
  const rank = (item: T) => {
    const s = severityOf.get(item.traceId);
    return s === undefined ? -1 : severityRank(s);
  };
  // Array.prototype.sort is stable: equal severities, and all the traces without one, keep their queue order.
  return [...items].sort((a, b) => rank(b) - rank(a));
}
