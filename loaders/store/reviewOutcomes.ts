/** @module The `review_outcomes` table: a copy of the review-outcome file, rebuilt whole in one transaction. */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {ReviewOutcome} from "../../src/core/schemas/reviewOutcome.js";

export async function mirrorReviewOutcomes(connection: DuckDBConnection, outcomes: readonly ReviewOutcome[]): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run("DELETE FROM review_outcomes");
    const insert = await connection.prepare("INSERT INTO review_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMP)");
    try {
      for (const [seq, o] of outcomes.entries()) {
        insert.bind([seq, o.id, o.traceId, o.queueId, o.outcome, o.note, o.dataset?.name ?? null, o.dataset?.version ?? null, o.evaluatorId, o.by, o.at]);
        await insert.run();
      }
    } finally {
      insert.destroySync();
    }
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}
