/**
 * @module The review-outcome file, `<workspace>/annotations/review-outcomes.jsonl`: one outcome per line,
 * appended, never rewritten. The file is the record; the `review_outcomes` table mirrors it for SQL after every
 * write. A line that does not parse is reported with its line number and reason, and every other line still counts.
 */
import {randomUUID} from "node:crypto";
import {appendFileSync, existsSync, mkdirSync, readFileSync} from "node:fs";
import {dirname, join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {issueText} from "../../src/core/schemas/issues.js";
import {REVIEW_OUTCOME_VERSION, ReviewOutcomeSchema, type ReviewOutcome} from "../../src/core/schemas/reviewOutcome.js";
import {jsonLines} from "../files/jsonLines.js";
import {mirrorReviewOutcomes} from "../store/reviewOutcomes.js";
import {annotationDir} from "./log.js";

export const outcomesPath = (workspace: string) => join(annotationDir(workspace), "review-outcomes.jsonl");

export interface OutcomeProblem {
  file: string;
  line: number;
  reason: string;
}

export function readOutcomes(workspace: string): {outcomes: ReviewOutcome[]; problems: OutcomeProblem[]} {
  const file = outcomesPath(workspace);
  if (!existsSync(file)) return {outcomes: [], problems: []};
  const outcomes: ReviewOutcome[] = [];
  const problems: OutcomeProblem[] = [];
  for (const entry of jsonLines(readFileSync(file, "utf8"))) {
    const line = entry.line;
    if ("error" in entry) {
      problems.push({file, line, reason: `not JSON (${entry.error})`});
      continue;
    }
    const value = entry.value;
    const version = value && typeof value === "object" ? (value as {version?: unknown}).version : undefined;
    if (typeof version === "number" && version > REVIEW_OUTCOME_VERSION) {
      problems.push({
        file,
        line,
        reason: `review outcome version ${version} is newer than this Plumbline reads (${REVIEW_OUTCOME_VERSION}); upgrade Plumbline`
      });
      continue;
    }
    const parsed = ReviewOutcomeSchema.safeParse(value);
    if (parsed.success) outcomes.push(parsed.data);
    else problems.push({file, line, reason: issueText(parsed.error, "outcome")});
  }
  return {outcomes, problems};
}

export type NewOutcome = Omit<ReviewOutcome, "version" | "id" | "at" | "note" | "dataset" | "evaluatorId"> &
  Partial<Pick<ReviewOutcome, "note" | "dataset" | "evaluatorId">>;

/**
 * Appends the outcomes in one write (validated first, so a bad one writes nothing) and refreshes the mirror
 * through `connection`.
 */
export async function recordOutcomes(
  connection: DuckDBConnection,
  workspace: string,
  items: readonly NewOutcome[],
  at: Date
): Promise<ReviewOutcome[]> {
  const valid = items.map((o) =>
    ReviewOutcomeSchema.parse({version: REVIEW_OUTCOME_VERSION, id: randomUUID(), at: at.toISOString(), ...o})
  );
  if (valid.length) {
    const file = outcomesPath(workspace);
    mkdirSync(dirname(file), {recursive: true});
    // A torn last line gets a newline first, so the new outcomes are not glued to it.
    const torn =
      existsSync(file) &&
      (() => {
        const text = readFileSync(file, "utf8");
        return text.length > 0 && !text.endsWith("\n");
      })();
    appendFileSync(file, `${torn ? "\n" : ""}${valid.map((o) => JSON.stringify(o)).join("\n")}\n`, "utf8");
  }
  await mirrorReviewOutcomes(connection, readOutcomes(workspace).outcomes);
  return valid;
}
