/**
 * @module The four severities a label, a rubric's failure mode or an imported row may carry, worst last. Kept apart
 * from the zod schemas so that browser code can list them without loading zod, whose probe for `eval` breaks the
 * page's Content-Security-Policy.
 */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
