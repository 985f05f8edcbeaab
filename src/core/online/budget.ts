/**
 * @module An online evaluator's call budget: how many judge calls it may still make now, given the calls its
 * online passes made in the last hour and the last day.
 */
import type {Online} from "../schemas/evaluator.js";

export interface CallsSpent {
  lastHour: number;
  lastDay: number;
}

export interface BudgetLeft {
  /** Calls allowed now; null when the spec sets no cap. */
  calls: number | null;
  /** Which cap binds, for the message when it is spent: "200 calls per hour". */
  limit: string | null;
}

export function budgetLeft(budget: Online["budget"], spent: CallsSpent): BudgetLeft {
  const caps: {left: number; limit: string}[] = [];
  if (budget.perHour !== null)
    caps.push({left: budget.perHour - spent.lastHour, limit: `${budget.perHour} calls per hour`});
  if (budget.perDay !== null) caps.push({left: budget.perDay - spent.lastDay, limit: `${budget.perDay} calls per day`});
  if (!caps.length) return {calls: null, limit: null};
  const tightest = caps.reduce((a, b) => (b.left < a.left ? b : a));
  return {calls: Math.max(0, tightest.left), limit: tightest.limit};
}
