/**
 * @module Drafting failure descriptions: one chat call per flagged trace whose evidence has no draft yet by this
 * model and prompt version, through the judge's chat client (retries with backoff, the key never printed), a pool
 * of concurrent calls, the `failure_drafts` table as the cache (by SHA-256 of the evidence text, so equal evidence
 * is drafted once), and a call budget: traces beyond it keep their evidence text.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {evidenceText} from "../../src/core/clusters/evidence.js";
import {DRAFT_ANSWER_JSON_SCHEMA, DraftAnswerSchema, draftPrompt} from "../../src/core/clusters/draftPrompt.js";
import {FAILURE_DRAFT_PROMPT_VERSION, type FailureDraft} from "../../src/core/schemas/failureDraft.js";
import {sha256Hex} from "../formats/hash.js";
import {parseJsonAnswer, type AnswerShape, type ChatClient} from "../judge/chatClient.js";
import {DEFAULT_EVIDENCE_OPTIONS, readTraceEvidence, type EvidenceOptions} from "../store/clusterInputs.js";
import {draftsByEvidence, writeFailureDrafts} from "../store/failureDrafts.js";

export interface DraftOptions {
  client: ChatClient;
  model: string;
  /** Calls in flight at once. */
  concurrency: number;
  /** The most calls this run may make. */
  maxCalls: number;
  evidence?: EvidenceOptions;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface DraftSummary {
  /** Flagged traces that have a draft of the current evidence after the run. */
  drafted: number;
  /** Of those, drafted from the cache (this or an earlier run, or another trace with equal evidence). */
  cached: number;
  calls: number;
  errors: number;
  /** Traces left with their evidence text because the budget was spent. */
  skipped: number;
  firstError: string | null;
}

const SHAPE: AnswerShape<string> = {
  name: "failure_draft",
  jsonSchema: DRAFT_ANSWER_JSON_SCHEMA,
  parse: (content) => {
    const parsed = parseJsonAnswer(content, DraftAnswerSchema, {who: "model", what: "failure draft"});
    return "value" in parsed ? {value: parsed.value.description} : parsed;
  }
};

function draftRow(traceId: string, evidenceHash: string, text: string, model: string, at: Date): FailureDraft {
  return {
    traceId,
    model,
    promptVersion: FAILURE_DRAFT_PROMPT_VERSION,
    evidenceHash,
    text,
    createdAt: at.toISOString()
  };
}

/** How many traces' evidence is read at a time. */
const READ_BATCH = 5000;

export async function draftFailures(
  connection: DuckDBConnection,
  traceIds: readonly string[],
  options: DraftOptions,
  progress: (done: number, total: number) => void = () => {}
): Promise<{drafts: Map<string, string>; summary: DraftSummary}> {
  const now = options.now ?? (() => new Date());
  const cache = await draftsByEvidence(connection, options.model, FAILURE_DRAFT_PROMPT_VERSION);
  const drafts = new Map<string, string>();
  const toCall = new Map<string, {text: string; traceIds: string[]}>();
  const newRows: FailureDraft[] = [];
  let cached = 0;
  let skipped = 0;
  for (let start = 0; start < traceIds.length; start += READ_BATCH) {
    const batch = traceIds.slice(start, start + READ_BATCH);
    const evidence = await readTraceEvidence(connection, batch, options.evidence ?? DEFAULT_EVIDENCE_OPTIONS);
    for (const id of batch) {
      const text = evidenceText(evidence.get(id)!);
      const hash = sha256Hex(text);
      const known = cache.get(hash);
      if (known !== undefined) {
        drafts.set(id, known.text);
        cached++;
        // Another trace's draft of equal evidence: this trace gets its own row, so the Annotate page finds it.
        if (!known.traceIds.has(id)) newRows.push(draftRow(id, hash, known.text, options.model, now()));
        continue;
      }
      const pending = toCall.get(hash);
      if (pending) pending.traceIds.push(id);
      else if (toCall.size < options.maxCalls) toCall.set(hash, {text, traceIds: [id]});
      else skipped++;
    }
  }
  const queue = [...toCall.entries()];
  let calls = 0;
  let errors = 0;
  let done = 0;
  let firstError: string | null = null;
  progress(0, queue.length);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [hash, {text, traceIds: ids}] = next;
      if (options.signal?.aborted) break;
      calls++;
      const result = await options.client.call(
        {model: options.model, temperature: 0, maxTokens: 200, messages: draftPrompt(text)},
        SHAPE,
        options.signal
      );
      if (result.ok) {
        const at = now();
        for (const traceId of ids) {
          drafts.set(traceId, result.value);
          newRows.push(draftRow(traceId, hash, result.value, options.model, at));
        }
      } else {
        errors++;
        firstError ??= result.error;
      }
      progress(++done, calls + queue.length);
    }
  };
  await Promise.all(Array.from({length: Math.max(1, Math.min(options.concurrency, queue.length || 1))}, worker));
  // Written once at the end: the calls hold no connection, and the store takes the rows in one transaction.
  await writeFailureDrafts(connection, newRows);
  return {drafts, summary: {drafted: drafts.size, cached, calls, errors, skipped, firstError}};
}
