/**
 * @module Mirrors the annotation log into the `annotation_events` table.
 *
 * The log is the record and the table a copy for SQL: one row per event that changed a label, holding the label
 * as that event left it (an edit stored as a patch is folded onto the label first), in log order (`seq`). The
 * mirror remembers in `plumbline_meta` how far into the log it has got (a byte offset), so each sync streams only
 * the lines appended since, and a start on a large unchanged log reads none of it. When the remembered place does
 * not fit the log (a log restored or replaced, a table copied from elsewhere), the table is rebuilt from the log,
 * so the two never drift apart for longer than one sync.
 */
import {DuckDBTimestampValue, listValue, type DuckDBAppender, type DuckDBConnection} from "@duckdb/node-api";
import {
  applyAnnotationEvent,
  AnnotationSchema,
  eventAnnotationId,
  type Annotation,
  type AnnotationEvent
} from "../../src/core/schemas/annotation.js";
import {logEntries, logHead, placeFits, type LogPosition} from "./log.js";

type Cell = {kind: "bigint" | "varchar" | "timestamp" | "boolean" | "double"; value: unknown};

const big = (value: number): Cell => ({kind: "bigint", value});
const str = (value: string | null): Cell => ({kind: "varchar", value});
const time = (ms: number | null): Cell => ({kind: "timestamp", value: ms});

function row(event: AnnotationEvent, seq: number, label: Annotation | "deleted"): Cell[] {
  const head = [big(seq), str(event.eventId), str(event.op), time(event.at), str(event.by)];
  if (label === "deleted")
    return [
      ...head,
      str(eventAnnotationId(event)),
      ...Array.from({length: 11}, () => str(null)),
      str(JSON.stringify(event))
    ];
  const a = label;
  const spanId = a.scope.kind === "span" ? a.scope.spanId : a.scope.kind === "text" ? a.scope.spanId : null;
  return [
    ...head,
    str(a.id),
    str(a.traceId),
    str(spanId),
    str(a.criterion),
    str(a.annotator),
    {kind: "boolean", value: a.pass},
    {kind: "double", value: a.score},
    str(a.label),
    str(a.failureMode),
    str(a.explanation),
    str(a.source),
    time(a.createdAt),
    str(JSON.stringify(a))
  ];
}

function append(appender: DuckDBAppender, cell: Cell): void {
  if (cell.value === null || cell.value === undefined) return appender.appendNull();
  switch (cell.kind) {
    case "bigint":
      return appender.appendBigInt(BigInt(cell.value as number));
    case "varchar":
      return appender.appendVarchar(cell.value as string);
    case "timestamp":
      return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round((cell.value as number) * 1000))));
    case "boolean":
      return appender.appendBoolean(cell.value as boolean);
    case "double":
      return appender.appendDouble(cell.value as number);
  }
}

/** How far the table mirrors the log: the position after the last line taken, the next event's seq, the rows. */
interface Mirrored extends LogPosition {
  seq: number;
  rows: number;
  /** The log's first bytes, which name its first event: a different log under the same name starts differently. */
  head: string;
}

const KEY = "annotation_log_mirror";
/**
 * Events appended per transaction, and a bound on their bytes: a long catch-up holds one batch at a time, and
 * fewer, larger commits keep DuckDB's write-ahead log and checkpoints from dominating (5,000 a batch took twice as long).
 */
const BATCH_EVENTS = 50_000;
const BATCH_BYTES = 64 << 20;

async function readMirrored(connection: DuckDBConnection): Promise<Mirrored | null> {
  const value = (
    await connection.runAndReadAll("SELECT value FROM plumbline_meta WHERE key = ?", [KEY])
  ).getRows()[0]?.[0];
  if (typeof value !== "string") return null;
  try {
    const parsed = JSON.parse(value) as Partial<Mirrored>;
    const numbers = [parsed.offset, parsed.line, parsed.seq, parsed.rows];
    return numbers.every((n) => Number.isSafeInteger(n) && n! >= 0) && typeof parsed.head === "string"
      ? (parsed as Mirrored)
      : null;
  } catch {
    return null;
  }
}

async function writeMirrored(connection: DuckDBConnection, mirrored: Mirrored): Promise<void> {
  await connection.run("DELETE FROM plumbline_meta WHERE key = ?", [KEY]);
  await connection.run("INSERT INTO plumbline_meta VALUES (?, ?)", [KEY, JSON.stringify(mirrored)]);
}

const count = async (connection: DuckDBConnection) =>
  Number((await connection.runAndReadAll("SELECT count(*)::BIGINT FROM annotation_events")).getRows()[0]![0]);

/**
 * Where to continue from: the remembered place when it still fits the log and the table, else the start (with the
 * table emptied). Rows past the remembered place (a sync stopped between its rows and its record) are dropped.
 */
async function resume(connection: DuckDBConnection, file: string): Promise<Mirrored> {
  const mirrored = await readMirrored(connection);
  if (mirrored && placeFits(file, Buffer.from(mirrored.head, "base64"), mirrored.offset)) {
    let rows = await count(connection);
    if (rows > mirrored.rows) {
      await connection.run("DELETE FROM annotation_events WHERE seq >= ?", [mirrored.seq]);
      rows = await count(connection);
    }
    if (rows === mirrored.rows) return mirrored;
  }
  await connection.run("DELETE FROM annotation_events");
  return {offset: 0, line: 0, seq: 0, rows: 0, head: ""};
}

/** The labels the table holds for `ids`, as the last event before this sync left them; deleted ones are absent. */
async function labelsInTable(connection: DuckDBConnection, ids: readonly string[]): Promise<Annotation[]> {
  if (!ids.length) return [];
  const reader = await connection.runAndReadAll(
    `SELECT body FROM annotation_events
    WHERE annotation_id IN (SELECT unnest(?::VARCHAR[]))
    QUALIFY row_number() OVER (PARTITION BY annotation_id ORDER BY seq DESC) = 1 AND op <> 'delete'`,
    [listValue([...ids])]
  );
  return reader.getRows().map((r) => AnnotationSchema.parse(JSON.parse(String(r[0]))));
}

export interface MirrorResult {
  /** Rows appended by this sync. */
  appended: number;
  /** The byte offset of the log the table now mirrors up to. */
  offset: number;
}

/**
 * Brings `annotation_events` up to the log in `file`, reading only what it has not mirrored yet. Events go in
 * through DuckDB's appender in batches, each committed with the place it reached, so a sync that stops midway
 * leaves a table the next one continues from. An unterminated last line is left for its writer to finish.
 */
export async function mirrorAnnotationLog(connection: DuckDBConnection, file: string): Promise<MirrorResult> {
  const mirrored = await resume(connection, file);
  const head = logHead(file).toString("base64");
  // Labels this sync has seen, as it has left them; a label from before it is looked up in the table, once.
  const current = new Map<string, Annotation>();
  const looked = new Set<string>();
  const fromTable = mirrored.rows > 0;
  let appended = 0;
  let batch: {event: AnnotationEvent; at: LogPosition}[] = [];
  let batchStart = mirrored.offset;
  let place: Mirrored = mirrored;

  const flush = async (to: LogPosition) => {
    if (fromTable) {
      const missing = [...new Set(batch.map(({event}) => eventAnnotationId(event)))].filter(
        (id) => !looked.has(id) && !current.has(id)
      );
      for (const id of missing) looked.add(id);
      for (const label of await labelsInTable(connection, missing)) current.set(label.id, label);
    }
    const before = place.rows;
    let seq = place.seq;
    let rows = place.rows;
    await connection.run("BEGIN TRANSACTION");
    try {
      if (batch.length) {
        const appender = await connection.createAppender("annotation_events");
        try {
          for (const {event} of batch) {
            if (event.op === "create") looked.add(event.annotation.id);
            const label = applyAnnotationEvent(current, event);
            if (label !== null) {
              for (const cell of row(event, seq, label)) append(appender, cell);
              appender.endRow();
              rows++;
            }
            seq++;
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
      }
      place = {offset: to.offset, line: to.line, seq, rows, head};
      await writeMirrored(connection, place);
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
    appended += place.rows - before;
    batch = [];
    batchStart = to.offset;
  };

  const entries = logEntries(file, {from: {offset: mirrored.offset, line: mirrored.line}});
  let last: LogPosition = mirrored;
  for (let next = entries.next(); !next.done; next = entries.next()) {
    const entry = next.value;
    last = entry.at;
    if ("event" in entry) batch.push(entry);
    if (batch.length >= BATCH_EVENTS || entry.at.offset - batchStart >= BATCH_BYTES) await flush(entry.at);
  }
  if (batch.length || last.offset !== place.offset || place.head !== head) await flush(last);
  return {appended, offset: place.offset};
}
