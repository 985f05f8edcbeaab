/**
 * @module The kinds of review outcome, apart from their zod schema: pages import this list, and pages import no
 * zod (its `new Function` feature test is a violation under the strict Content-Security-Policy).
 */
export const REVIEW_OUTCOMES = ["evaluator_updated", "new_evaluator", "dataset_case", "product_fix", "none"] as const;
export type ReviewOutcomeKind = (typeof REVIEW_OUTCOMES)[number];
