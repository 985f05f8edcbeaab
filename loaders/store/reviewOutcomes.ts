/** @module The `review_outcomes` table: a copy of the review-outcome file, rebuilt whole in one transaction. */
import {DuckDBTimestampValue, type DuckDBConnection} from "@duckdb/node-api";
import type {ReviewOutcome} from "../../src/core/schemas/reviewOutcome.js";

export async function mirrorReviewOutcomes(
  connection: DuckDBConnection,
  outcomes: readonly ReviewOutcome[]
): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run("DELETE FROM review_outcomes");
    // The appender: a promotion records one outcome per case, and the whole file is copied each time.
    const appender = await connection.createAppender("review_outcomes");
    try {
      const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
      for (const [seq, o] of outcomes.entries()) {
        appender.appendInteger(seq);
        for (const value of [o.id, o.traceId, o.queueId, o.outcome, o.note, o.dataset?.name ?? null]) text(value);
        if (o.dataset) appender.appendInteger(o.dataset.version);
        else appender.appendNull();
        text(o.evaluatorId);
        appender.appendVarchar(o.by);
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(o.at)) * 1000n));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}
