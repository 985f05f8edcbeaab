/**
 * @module Merges staged rows into the store segment by segment while the ingest goes on reading.
 *
 * Each segment (about 512 MB of input) is merged in its own transaction as soon as it is staged, so DuckDB's work
 * overlaps the parsing of the next segment and the memory a merge needs depends on the segment, not on the file.
 * A crash mid-ingest leaves the segments merged so far; ingesting the same input again adds only the rest.
 */
import {rmSync} from "node:fs";
import type {DuckDBConnection} from "@duckdb/node-api";
import {
  emptyFiles,
  mergeStaged,
  STAGED_KINDS,
  type InputFile,
  type MergeCounts,
  type SpanConflict,
  type StagedFiles
} from "./stage.js";

/** Input bytes per segment. */
export const SEGMENT_BYTES = 512 << 20;

export class SegmentMerger {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private queued = 0;
  private readonly stepTotals = new Map<string, number>();
  readonly added: MergeCounts = {
    traces: 0,
    spans: 0,
    messages: 0,
    toolCalls: 0,
    feedback: 0,
    tracesTouched: 0,
    conflictingSpans: 0
  };
  /** The first spans each merge found given twice with other content. */
  readonly conflictSample: SpanConflict[] = [];

  constructor(
    private readonly connection: DuckDBConnection,
    /** Grows as files are read; each merge sees every input named so far. */
    private readonly inputs: InputFile[],
    private readonly ingestedAt: Date
  ) {}

  /** Queues a segment's staged files; waits while two merges are already queued, so disk use stays bounded. */
  async enqueue(parts: StagedFiles[]): Promise<void> {
    if (this.failure) throw this.failure;
    const staged = combine(parts);
    if (STAGED_KINDS.every((kind) => staged[kind].length === 0)) return;
    while (this.queued >= 2) await this.chain;
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure) return;
        const counts = await mergeStaged(this.connection, staged, this.inputs, this.ingestedAt, (step, ms) =>
          this.stepTotals.set(step, (this.stepTotals.get(step) ?? 0) + ms)
        );
        for (const key of Object.keys(this.added) as (keyof MergeCounts)[]) this.added[key] += counts[key];
        this.conflictSample.push(...counts.conflictSample.slice(0, Math.max(0, 5 - this.conflictSample.length)));
      } catch (error) {
        this.failure ??= error;
      } finally {
        for (const kind of STAGED_KINDS) for (const file of staged[kind]) rmSync(file, {force: true});
        this.queued--;
      }
    });
  }

  /** Runs a statement between merges, never under one (a setting a running merge must not see change). */
  between(sql: string): void {
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) await this.connection.run(sql);
      } catch (error) {
        this.failure ??= error;
      }
    });
  }

  /** Waits for every queued merge; throws the first failure. Returns the counts and time spent per merge step. */
  async finish(): Promise<{added: MergeCounts; steps: Map<string, number>}> {
    await this.chain;
    if (this.failure) throw this.failure;
    return {added: this.added, steps: this.stepTotals};
  }
}

function combine(parts: StagedFiles[]): StagedFiles {
  const merged = emptyFiles();
  for (const part of parts) for (const kind of STAGED_KINDS) merged[kind].push(...part[kind]);
  return merged;
}
