/**
 * @module The `failure_drafts` table: drafted failure descriptions, one per (trace, model, prompt version); writing
 * a newer draft for the same three replaces the older. Readers get drafts as `FailureDraftSchema` values.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {FailureDraftSchema, type FailureDraft} from "../../src/core/schemas/failureDraft.js";
import {tableExists} from "./db.js";
import {insertRows} from "./insertRows.js";

/** Stores `drafts`, replacing any earlier draft of the same trace by the same model and prompt version. */
export async function writeFailureDrafts(connection: DuckDBConnection, drafts: readonly FailureDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const rows = drafts.map((d) => FailureDraftSchema.parse(d));
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run(
      "CREATE TEMP TABLE IF NOT EXISTS draft_keys (trace_id VARCHAR, model VARCHAR, prompt VARCHAR)"
    );
    await connection.run("DELETE FROM draft_keys");
    await insertRows(
      connection,
      "draft_keys",
      3,
      rows.map((d) => [d.traceId, d.model, d.promptVersion])
    );
    await connection.run(
      `DELETE FROM failure_drafts f USING draft_keys k
       WHERE f.trace_id = k.trace_id AND f.model = k.model AND f.prompt_version = k.prompt`
    );
    const cast: (string | undefined)[] = [];
    cast[5] = "TIMESTAMP";
    await insertRows(
      connection,
      "failure_drafts",
      6,
      rows.map((d) => [d.traceId, d.model, d.promptVersion, d.evidenceHash, d.text, d.createdAt]),
      cast
    );
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/**
 * Drafts, newest first within each trace; only those of `traceIds` when given. A store written before drafts
 * existed has none.
 */
export async function readFailureDrafts(
  connection: DuckDBConnection,
  traceIds?: readonly string[]
): Promise<FailureDraft[]> {
  if (!(await tableExists(connection, "failure_drafts"))) return [];
  if (traceIds && traceIds.length === 0) return [];
  const reader = await connection.runAndReadAll(
    `SELECT trace_id, model, prompt_version, evidence_hash, text,
            strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at
     FROM failure_drafts ${traceIds ? "WHERE list_contains(?::VARCHAR[], trace_id)" : ""}
     ORDER BY trace_id, created_at DESC, model, prompt_version`,
    traceIds ? [JSON.stringify(traceIds)] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) =>
    FailureDraftSchema.parse({
      traceId: r.trace_id,
      model: r.model,
      promptVersion: r.prompt_version,
      evidenceHash: r.evidence_hash,
      text: r.text,
      createdAt: r.at
    })
  );
}

/**
 * Earlier drafts by `model` and `promptVersion`, by the hash of the evidence they were written from, with the
 * traces that have each: the draft cache. Equal evidence (the same failure ingested twice) is drafted once.
 */
export async function draftsByEvidence(
  connection: DuckDBConnection,
  model: string,
  promptVersion: string
): Promise<Map<string, {text: string; traceIds: Set<string>}>> {
  const found = new Map<string, {text: string; traceIds: Set<string>}>();
  if (!(await tableExists(connection, "failure_drafts"))) return found;
  const reader = await connection.runAndReadAll(
    `SELECT evidence_hash, arg_max(text, created_at) AS text, list(DISTINCT trace_id) AS traces FROM failure_drafts
     WHERE model = ? AND prompt_version = ? GROUP BY evidence_hash`,
    [model, promptVersion]
  );
  for (const r of reader.getRowObjectsJson())
    found.set(String(r.evidence_hash), {text: String(r.text), traceIds: new Set(r.traces as string[])});
  return found;
}
