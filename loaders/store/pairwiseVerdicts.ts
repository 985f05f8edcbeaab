/**
 * @module The `pairwise_verdicts` and `pairwise_cache` tables: what `plumbline pairwise judge` asked and was
 * answered, read back by the pairwise agreement (the command's and the Pairwise review page's).
 */
import {listValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";
import type {PreferenceClass} from "../../src/core/calibration/judgmentSetStats.js";
import type {PairwiseVerdict} from "../../src/core/pairwise/review.js";
import {tableExists} from "./db.js";
import {insertRows} from "./insertRows.js";

/** A cached answer: the judge's answer as it was shown the outputs, and what the call that made it used. */
export interface CachedAnswer {
  answer: {preference: "A" | "B" | "tie"; reasoning: string};
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Where a pairwise judge run looks up answers it was given before, by request key. */
export interface PairwiseCache {
  get(keys: readonly string[]): Promise<Map<string, CachedAnswer>>;
}

export interface PairwiseVerdictRow {
  runId: string;
  judgeId: string;
  judgeVersion: string;
  judgeModel: string;
  experiments: readonly [string, string];
  caseId: string;
  pairId: string;
  order: "1-first" | "2-first";
  answer: "A" | "B" | "tie" | null;
  preference: PreferenceClass | null;
  reasoning: string | null;
  error: string | null;
  cached: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheKey: string;
}

/** Writes one run's answers, and its fresh successful ones into the cache, in one transaction. */
export async function writePairwiseVerdicts(
  connection: DuckDBConnection,
  rows: readonly PairwiseVerdictRow[],
  now = new Date()
): Promise<void> {
  const at = now.toISOString();
  await connection.run("BEGIN TRANSACTION");
  try {
    await insertRows(
      connection,
      "pairwise_verdicts",
      17,
      rows.map((r): DuckDBValue[] => [
        r.runId,
        r.judgeId,
        r.judgeVersion,
        r.judgeModel,
        r.experiments[0],
        r.experiments[1],
        r.caseId,
        r.pairId,
        r.order,
        r.answer,
        r.preference,
        r.reasoning,
        r.error,
        r.cached,
        r.inputTokens,
        r.outputTokens,
        at
      ]),
      [, , , , , , , , , , , , , , , , "TIMESTAMP"]
    );
    const fresh = rows.filter((r) => !r.cached && r.answer !== null && r.reasoning !== null);
    await insertRows(
      connection,
      "pairwise_cache",
      6,
      fresh.map((r) => [r.cacheKey, r.answer, r.reasoning, r.inputTokens, r.outputTokens, at]),
      [, , , , , "TIMESTAMP"]
    );
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export function duckdbPairwiseCache(connection: DuckDBConnection): PairwiseCache {
  return {
    async get(keys) {
      const found = new Map<string, CachedAnswer>();
      if (!keys.length || !(await tableExists(connection, "pairwise_cache"))) return found;
      const reader = await connection.runAndReadAll(
        `SELECT cache_key, answer, reasoning, input_tokens, output_tokens FROM pairwise_cache
         WHERE cache_key IN (SELECT unnest(?::VARCHAR[]))
         QUALIFY row_number() OVER (PARTITION BY cache_key ORDER BY created_at DESC) = 1`,
        [listValue([...keys])]
      );
      for (const [key, answer, reasoning, input, output] of reader.getRows())
        found.set(String(key), {
          answer: {preference: String(answer) as "A" | "B" | "tie", reasoning: String(reasoning)},
          inputTokens: input == null ? null : Number(input),
          outputTokens: output == null ? null : Number(output)
        });
      return found;
    }
  };
}

/**
 * Every pairwise judge's latest answer per pair and order on one pair of experiments (names sorted), or on all of
 * them. A failed call counts as no answer (a null preference).
 */
export async function readPairwiseVerdicts(
  connection: DuckDBConnection,
  experiments?: readonly [string, string]
): Promise<(PairwiseVerdict & {experiments: [string, string]; caseId: string})[]> {
  if (!(await tableExists(connection, "pairwise_verdicts"))) return [];
  const where = experiments ? "WHERE experiment_1 = ? AND experiment_2 = ?" : "";
  const reader = await connection.runAndReadAll(
    `SELECT judge_id, pair_id, shown_order, preference, experiment_1, experiment_2, case_id FROM pairwise_verdicts ${where}
     QUALIFY row_number() OVER (PARTITION BY judge_id, pair_id, shown_order ORDER BY created_at DESC, (error IS NULL) DESC) = 1
     ORDER BY judge_id, experiment_1, experiment_2, pair_id, shown_order`,
    experiments ? [experiments[0], experiments[1]] : []
  );
  return reader.getRows().map(([judgeId, pairId, order, preference, e1, e2, caseId]) => ({
    judgeId: String(judgeId),
    pairId: String(pairId),
    order: String(order) as "1-first" | "2-first",
    preference: preference == null ? null : (String(preference) as PreferenceClass),
    experiments: [String(e1), String(e2)],
    caseId: String(caseId)
  }));
}
