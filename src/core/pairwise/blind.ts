/**
 * @module Blind pairwise review: each reviewer sees a pair's two outputs as "A" and "B" in an order of their own,
 * drawn from a hash of the reviewer and the pair, so that a reload shows the same order, different reviewers see
 * different ones, and no reviewer can tell which candidate is which. A choice of A, B or tie is read back into the
 * pair's numbering through the revealed mapping, which the label keeps beside the choice.
 */
import {shortHash} from "../clusters/hash.js";
import type {PreferenceClass} from "../calibration/judgmentSetStats.js";
import {pairClass} from "./orders.js";
import type {Order} from "./prompt.js";

export type BlindChoice = "A" | "B" | "tie";

/** Which of the pair's outputs this reviewer sees first (as A). */
export function blindOrder(reviewer: string, pairId: string): Order {
  // The hash's first hex digit is uniform, so its parity is a fair coin per (reviewer, pair).
  return parseInt(shortHash(`${reviewer}\u0000${pairId}`).slice(0, 1), 16) % 2 === 0 ? "1-first" : "2-first";
}

/** A blind choice in the pair's numbering, given the order it was shown in. */
export function revealChoice(choice: BlindChoice, order: Order): PreferenceClass {
  return pairClass(choice, order);
}
