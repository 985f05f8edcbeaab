/**
 * @module Brings the store up to the intake's write-ahead log (wal.ts), through the same path as `plumbline
 * ingest`: the OTLP/JSON reader, the staging writer and the store merge, so a span received over HTTP becomes the
 * same rows as the same span read from a file, and a span given twice (by trace and span id) is stored once.
 *
 * How far each segment has been taken in is kept in `plumbline_meta` (`intake_log`, segment name → byte offset),
 * written after the merge that took the lines in: a stop between the two merges those lines again, which changes
 * nothing. A start therefore catches up from wherever the last one stopped, with no manual step.
 *
 * The lines of one catch-up are read as one record, so the spans of a trace that came in several requests are
 * read together, as a file holding all of them would be: its repeated messages are kept once and its trace row is
 * rebuilt from all its spans (the merge rebuilds every trace it touches from the store).
 *
 * `onTraces(traceIds)` is called after each merge with the ids of the traces it (re)built, for work that follows
 * new traffic (online evaluation, automation rules). It runs after the store's lock is released.
 */
import {mkdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {otlpReader} from "../formats/otlp.js";
import {makeScratchFolder, STAGING_PREFIX} from "../files/scratch.js";
import {convertRecords, emptyTally, type Rejected} from "../ingest/convert.js";
import {mergeStaged} from "../ingest/stage.js";
import {StagingWriter} from "../ingest/stagingWriter.js";
import {withConnection} from "../store/db.js";
import {intakeDir, listSegments, readWholeLines} from "./wal.js";

const KEY = "intake_log";
/** Bytes of log taken in per merge: bounds the memory a long catch-up holds (one batch at a time). */
const BATCH_BYTES = 8 << 20;

export type Offsets = Record<string, number>;

async function readOffsets(connection: DuckDBConnection): Promise<Offsets> {
  const value = (
    await connection.runAndReadAll("SELECT value FROM plumbline_meta WHERE key = ?", [KEY])
  ).getRows()[0]?.[0];
  if (typeof value !== "string") return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Offsets) : {};
  } catch {
    return {};
  }
}

async function writeOffsets(connection: DuckDBConnection, offsets: Offsets): Promise<void> {
  await connection.run("DELETE FROM plumbline_meta WHERE key = ?", [KEY]);
  await connection.run("INSERT INTO plumbline_meta VALUES (?, ?)", [KEY, JSON.stringify(offsets)]);
}

export interface CatchUpOptions {
  workspace: string;
  /** Called with the ids of the traces each merge (re)built. */
  onTraces?: (traceIds: string[]) => void;
  batchBytes?: number;
}

export interface CatchUpResult {
  /** Bytes of log taken in, per segment name. */
  taken: Record<string, number>;
  spans: number;
  traceIds: string[];
  /** Records the merge refused (a row too large for the store), written to the quarantine folder. */
  rejected: number;
}

function traceIdsOf(request: {resourceSpans?: unknown}, into: Set<string>): void {
  for (const rs of (request.resourceSpans ?? []) as {scopeSpans?: {spans?: {traceId?: unknown}[]}[]}[]) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) if (typeof span.traceId === "string") into.add(span.traceId.toLowerCase());
    }
  }
}

/** Writes records the merge path refused to the workspace's quarantine folder, as `plumbline ingest` does. */
export function quarantine(workspace: string, rejected: readonly Rejected[]): string {
  const dir = join(workspace, "quarantine");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}-intake.jsonl`);
  writeFileSync(path, rejected.map((r) => JSON.stringify(r)).join("\n") + "\n", {flag: "a"});
  return path;
}

/** Takes in every whole line the log holds past the remembered offsets; resolves once the store has them. */
export async function catchUp(options: CatchUpOptions): Promise<CatchUpResult> {
  const {workspace} = options;
  const batchBytes = options.batchBytes ?? BATCH_BYTES;
  const result: CatchUpResult = {taken: {}, spans: 0, traceIds: [], rejected: 0};
  const segments = listSegments(workspace);
  if (!segments.length) return result;
  for (;;) {
    const built = new Set<string>();
    const moved = await withConnection(workspace, async (connection) => {
      const offsets = await readOffsets(connection);
      for (const name of segments) {
        const file = join(intakeDir(workspace), name);
        const from = offsets[name] ?? 0;
        const {lines, end} = readWholeLines(file, from, batchBytes);
        if (!lines.length) continue;
        // The batch's requests read as one, so a trace's spans from several requests are read together.
        const resourceSpans: unknown[] = [];
        for (const line of lines) {
          const request = JSON.parse(line) as {resourceSpans?: unknown[]};
          traceIdsOf(request, built);
          for (const rs of request.resourceSpans ?? []) resourceSpans.push(rs);
        }
        const stagingDir = makeScratchFolder(workspace, STAGING_PREFIX);
        try {
          const writer = new StagingWriter(stagingDir, "intake");
          const tally = emptyTally();
          const text = lines.join("\n");
          convertRecords(otlpReader, [{text, value: {resourceSpans}, line: 1, ordinal: 0}], file, 0, writer, tally);
          if (tally.rejected.length) {
            // Refused whole (a row too large for the store), with nothing staged: each request is tried on its own,
            // so only the one that holds the row is quarantined.
            const alone = emptyTally();
            const records = lines.map((line, i) => ({text: line, line: i + 1, ordinal: i + 1}));
            convertRecords(otlpReader, records, file, 0, writer, alone);
            quarantine(workspace, alone.rejected);
            result.rejected += alone.rejected.length;
            tally.spans = alone.spans;
          }
          const staged = writer.close();
          await mergeStaged(connection, staged, [{path: file, format: "otlp"}], new Date());
          result.spans += tally.spans;
        } finally {
          rmSync(stagingDir, {recursive: true, force: true});
        }
        offsets[name] = end;
        await writeOffsets(connection, offsets);
        result.taken[name] = (result.taken[name] ?? 0) + (end - from);
        return true;
      }
      return false;
    });
    if (!moved) break;
    if (built.size) {
      const ids = [...built];
      result.traceIds.push(...ids);
      options.onTraces?.(ids);
    }
  }
  return result;
}
