/**
 * @module Staging: how normalized rows travel from the readers into the store.
 *
 * Spans, messages and tool calls are staged as Parquet (see `loaders/ingest/parquetWriter.ts`): encoded column by
 * column in JavaScript and read by DuckDB's parallel Parquet reader with next to no parsing. Trace sources and
 * feedback, few rows with nested values, are staged as JSON Lines for DuckDB's JSON reader. The merge then
 * dedupes set-wise: an anti-join drops what the store already holds, so re-ingesting the same input adds nothing,
 * and rows repeated within the batch are removed after the insert.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {ColumnSpec} from "./parquetWriter.js";
import {sqlString} from "../store/sqlString.js";

/** The kinds of staged rows and the file stem each is written to. */
export const STAGED_KINDS = ["sources", "spans", "messages", "toolCalls", "feedback"] as const;
export type StagedKind = (typeof STAGED_KINDS)[number];
export type ParquetStagedKind = "spans" | "messages" | "toolCalls";
export type JsonStagedKind = Exclude<StagedKind, ParquetStagedKind>;

/**
 * Columns of the Parquet-staged kinds, named like the model's properties so the merge reads both formats alike.
 * `StagingWriter` writes them in this order.
 */
export const STAGED_COLUMNS: Record<ParquetStagedKind, readonly ColumnSpec[]> = {
  spans: [
    {name: "traceId", type: "string"},
    {name: "spanId", type: "string"},
    {name: "parentSpanId", type: "string"},
    {name: "name", type: "string"},
    {name: "kind", type: "string"},
    {name: "startTime", type: "double"},
    {name: "endTime", type: "double"},
    {name: "status", type: "string"},
    {name: "statusMessage", type: "string"},
    {name: "model", type: "string"},
    {name: "inputTokens", type: "double"},
    {name: "outputTokens", type: "double"},
    {name: "costUsd", type: "double"},
    {name: "attributes", type: "json"}
  ],
  messages: [
    {name: "traceId", type: "string"},
    {name: "spanId", type: "string"},
    {name: "index", type: "int32"},
    {name: "direction", type: "string"},
    {name: "turn", type: "int32"},
    {name: "role", type: "string"},
    {name: "name", type: "string"},
    {name: "content", type: "string"},
    {name: "toolCallId", type: "string"}
  ],
  toolCalls: [
    {name: "traceId", type: "string"},
    {name: "spanId", type: "string"},
    {name: "callId", type: "string"},
    {name: "index", type: "int32"},
    {name: "name", type: "string"},
    {name: "arguments", type: "string"},
    {name: "result", type: "string"},
    {name: "success", type: "boolean"},
    {name: "error", type: "string"}
  ]
};

function isParquetStaged(kind: StagedKind): kind is ParquetStagedKind {
  return kind in STAGED_COLUMNS;
}

/**
 * Column types for `read_json` of the JSON-staged kinds, keyed by the JSON property names the model uses. `_o` is
 * the record ordinal and `_f` the index of the input file in this ingest (only on sources). The `fu` columns of a
 * source row hold the trace's first user message within its record, or `fuUnresolved` when the record cannot tell
 * (see `firstUserMessages` in the stager); they are not stored.
 */
const COLUMNS: Record<JsonStagedKind, Record<string, string>> = {
  sources: {
    _o: "BIGINT",
    _f: "INTEGER",
    traceId: "VARCHAR",
    sessionId: "VARCHAR",
    userId: "VARCHAR",
    name: "VARCHAR",
    startTime: "DOUBLE",
    endTime: "DOUBLE",
    status: "VARCHAR",
    model: "VARCHAR",
    promptVersion: "VARCHAR",
    inputTokens: "DOUBLE",
    outputTokens: "DOUBLE",
    costUsd: "DOUBLE",
    tags: "VARCHAR[]",
    metadata: "JSON",
    fuStart: "BIGINT",
    fuDirection: "VARCHAR",
    fuIndex: "INTEGER",
    fuContent: "VARCHAR",
    fuUnresolved: "BOOLEAN"
  },
  feedback: {
    traceId: "VARCHAR",
    spanId: "VARCHAR",
    name: "VARCHAR",
    value: "DOUBLE",
    label: "VARCHAR",
    comment: "VARCHAR",
    source: "VARCHAR"
  }
};

function columnsLiteral(kind: JsonStagedKind): string {
  return `{${Object.entries(COLUMNS[kind])
    .map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`)
    .join(", ")}}`;
}

/**
 * Microseconds since the epoch from fractional milliseconds; NULL stays NULL. The stager already stores times and
 * token counts beyond the store's range as unknown and flags them; TRY_CAST makes the same rule hold for any value
 * that reaches the merge some other way, instead of failing the whole merge.
 */
function ts(column: string): string {
  return `make_timestamp(TRY_CAST(round(${column} * 1000) AS BIGINT))`;
}

/** A count as BIGINT, NULL when it does not fit. */
function bigint(expression: string): string {
  return `TRY_CAST(${expression} AS BIGINT)`;
}

export interface StagedFiles {
  sources: string[];
  spans: string[];
  messages: string[];
  toolCalls: string[];
  feedback: string[];
}

export function emptyFiles(): StagedFiles {
  return {sources: [], spans: [], messages: [], toolCalls: [], feedback: []};
}

export interface InputFile {
  path: string;
  format: string;
}

export interface MergeCounts {
  /** Traces that were not in the store before. */
  traces: number;
  spans: number;
  messages: number;
  toolCalls: number;
  feedback: number;
  /** Traces whose derived row was rebuilt (new or touched by this ingest). */
  tracesTouched: number;
  /** Spans given again (by trace and span id) with other content; one copy is kept (see `insertNew`). */
  conflictingSpans: number;
}

/** A span whose id came with two contents. */
export interface SpanConflict {
  traceId: string;
  spanId: string;
  /** Whether the copy kept was already in the store (otherwise both came in the same merge). */
  stored: boolean;
}

/** Spans named per merge with other content; the rest are counted only. */
const CONFLICT_SAMPLE = 5;

/** Reports how long each step of a merge took, for `plumbline ingest --timings`. */
export type Timings = (step: string, ms: number) => void;

/**
 * Loads staged files (Parquet and JSON Lines) into the store, deduplicated, and rebuilds the derived rows they
 * touch. Rows go from DuckDB's readers straight into their tables, never through an in-memory copy, so memory
 * stays flat whatever the size of the input; DuckDB spills to `temp_directory` when a join needs more.
 */
export async function mergeStaged(
  connection: DuckDBConnection,
  staged: StagedFiles,
  inputs: InputFile[],
  ingestedAt: Date,
  timings: Timings = () => {}
): Promise<MergeCounts & {conflictSample: SpanConflict[]}> {
  let original: string | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await mergeOnce(connection, staged, inputs, ingestedAt, timings);
      } catch (error) {
        if (!/Out of Memory Error/.test(String(error)) || attempt >= MORE_MEMORY.length) throw error;
        original ??= String(
          (await connection.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]
        );
        const limit = MORE_MEMORY[attempt];
        await connection.run(limit === null ? "RESET memory_limit" : `SET memory_limit = '${limit}'`);
      }
    }
  } finally {
    if (original !== null) await connection.run(`SET memory_limit = '${original}'`);
  }
}

/** DuckDB's memory for the merges of one opening of the store, unless the caller asks for another. */
export const MERGE_MEMORY_LIMIT = "512MB";

/**
 * Bounds DuckDB's memory for the merges that follow on `connection`: past the limit a merge spills to the
 * workspace's temp folder, and the buffer pool caches no more of the store than that (left at DuckDB's default, most
 * of the machine's memory, a long-lived opening kept more and more of a growing store's blocks). Buffer blocks come
 * from a pool of that size, kept for the instance's life: allocated and freed through the general allocator, every
 * merge faulted its blocks' pages in afresh (1M spans: about 0.8 s less CPU, 50–100 MB more peak memory).
 */
export async function limitMergeMemory(connection: DuckDBConnection, limit = MERGE_MEMORY_LIMIT): Promise<void> {
  await connection.run(`SET memory_limit = '${limit}'`);
  await connection.run(`SET block_allocator_memory = '${limit}'`);
}

/**
 * Memory limits a merge is tried again under, after rolling back, when it ran out of the one it was given; null is
 * DuckDB's default (most of the machine's memory). The ingest's limit keeps its memory flat on ordinary traces, but
 * a segment of long transcripts (1,000 user messages of 800 KB) needs more to derive its trace rows, and failing
 * the ingest would lose what was read.
 */
const MORE_MEMORY: readonly (string | null)[] = ["2GB", null];

async function mergeOnce(
  connection: DuckDBConnection,
  staged: StagedFiles,
  inputs: InputFile[],
  ingestedAt: Date,
  timings: Timings
): Promise<MergeCounts & {conflictSample: SpanConflict[]}> {
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings(name, performance.now() - started);
    return result;
  };
  // Insertion order carries no meaning in these tables; dropping it lets DuckDB insert in parallel.
  await connection.run("SET preserve_insertion_order = false");
  await connection.run("BEGIN TRANSACTION");
  try {
    await step("load trace sources", async () => {
      const columns = Object.entries(COLUMNS.sources)
        .map(([name, type]) => `"${name}" ${type}`)
        .join(", ");
      await connection.run(`CREATE OR REPLACE TEMP TABLE stage_sources (${columns})`);
      if (staged.sources.length)
        await connection.run(`INSERT INTO stage_sources SELECT * FROM ${reader(staged, "sources")}`);
      await connection.run("CREATE OR REPLACE TEMP TABLE stage_inputs (f INTEGER, path VARCHAR, format VARCHAR)");
      for (const [index, input] of inputs.entries()) {
        await connection.run("INSERT INTO stage_inputs VALUES (?, ?, ?)", [index, input.path, input.format]);
      }
    });
    // Every trace a staged row mentions has a source row (the stager writes one), so sources name them all.
    // Rows can only repeat stored ones for traces the store already has: the anti-joins look at those alone, and
    // when the batch holds only new traces (a fresh workspace, new production traffic) they are skipped.
    const existing = await step("find known traces", async () => {
      await connection.run(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT traceId AS trace_id FROM stage_sources"
      );
      await connection.run(
        "CREATE OR REPLACE TEMP TABLE known_traces AS SELECT trace_id FROM traces WHERE trace_id IN (SELECT trace_id FROM touched)"
      );
      return scalar(connection, "SELECT count(*) FROM known_traces");
    });
    const conflicts: SpanConflict[] = [];
    const {counts, firstNew} = await mergeTables(connection, staged, step, existing > 0, conflicts);
    const {newTraces, rebuilt} = await step("rebuild traces", () =>
      rebuildTraces(connection, ingestedAt, existing, firstNew)
    );
    await step("commit", () => connection.run("COMMIT"));
    return {
      ...counts,
      traces: newTraces,
      tracesTouched: rebuilt,
      conflictingSpans: conflicts.length,
      conflictSample: conflicts.slice(0, CONFLICT_SAMPLE)
    };
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  } finally {
    await connection.run("DROP TABLE IF EXISTS stage_sources");
    await connection.run("DROP TABLE IF EXISTS stage_inputs");
    await connection.run("DROP TABLE IF EXISTS touched");
    await connection.run("DROP TABLE IF EXISTS known_traces");
  }
}

/**
 * The largest row a record may stage. DuckDB's JSON reader sizes its buffers from this, so it bounds the merge's
 * memory; the same bound holds for the Parquet-staged kinds, so a record is judged alike whatever its rows are
 * staged as, and the stager rejects it whole (see `stageFragment`) rather than stage part of it.
 */
export const MAX_ROW_BYTES = 32 << 20;

/** DuckDB's parallel reader over one kind's staged files. */
function reader(staged: StagedFiles, kind: StagedKind): string {
  const list = `[${staged[kind].map(sqlString).join(", ")}]`;
  if (isParquetStaged(kind)) return `read_parquet(${list})`;
  return `read_json(${list}, format = 'newline_delimited', columns = ${columnsLiteral(kind)}, maximum_object_size = ${MAX_ROW_BYTES})`;
}

async function changes(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await connection.run(sql);
  return Number(result.rowsChanged);
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await connection.runAndReadAll(sql);
  return Number(result.getRows()[0]?.[0] ?? 0);
}

/** The first row id each merged table gave this batch's rows: every row after it was appended by this merge. */
type FirstNew = Partial<Record<"trace_sources" | "spans" | "messages" | "tool_calls" | "feedback", number>>;

/**
 * How a table's rows are compared when the same key comes twice: the stored columns that hold its content. Given
 * for spans, whose copies with other content are reported (`SpanConflict`).
 */
interface ConflictCheck {
  columns: string;
  /** The staged row's content as the stored columns hold it (the same expressions as the insert's). */
  staged: string;
  out: SpanConflict[];
}

/**
 * Inserts the staged rows that `target` does not hold yet (an anti-join on the key). Rows repeated within the
 * batch itself are rare; they are found afterwards among the rows just appended (whose row ids all follow the
 * table's previous last one) and all but one removed, which costs a scan of the new keys instead of sorting or
 * materializing every staged row, large attribute payloads included.
 *
 * Which copy stays: a row the store already holds is never replaced by a later ingest; among copies in the same
 * merge, the one with the lowest row id, which is the one DuckDB appended first (its parallel reader gives no
 * guarantee that this is the first in the input). With `conflicts`, copies whose content differs are reported;
 * that check only runs where repeats were found, so ingests without repeats pay nothing for it.
 */
async function insertNew(
  connection: DuckDBConnection,
  source: string,
  target: keyof FirstNew,
  key: string[],
  select: string,
  match: string,
  known: boolean,
  firstNewOf: FirstNew,
  conflicts?: ConflictCheck
): Promise<number> {
  const firstNew = await scalar(connection, `SELECT coalesce(max(rowid) + 1, 0) FROM ${target}`);
  firstNewOf[target] = firstNew;
  const stored = `(SELECT * FROM ${target} WHERE trace_id IN (SELECT trace_id FROM known_traces))`;
  if (known && conflicts) {
    // Staged copies of stored spans are dropped by the anti-join below; those with other content are named first.
    const rows = (
      await connection.runAndReadAll(`SELECT t.trace_id, t.span_id FROM ${source} s JOIN ${stored} t ON ${match}
      WHERE hash(${conflicts.staged}) <> hash(${conflicts.columns
        .split(", ")
        .map((c) => `t.${c}`)
        .join(", ")})
      GROUP BY ALL ORDER BY ALL`)
    ).getRows();
    for (const [traceId, spanId] of rows)
      conflicts.out.push({traceId: String(traceId), spanId: String(spanId), stored: true});
  }
  const inserted = await changes(
    connection,
    known
      ? `INSERT INTO ${target} SELECT ${select} FROM ${source} s ANTI JOIN ${stored} t ON ${match}`
      : `INSERT INTO ${target} SELECT ${select} FROM ${source} s`
  );
  if (inserted === 0) return 0;
  const keys = key.join(", ");
  // Distinct hashes are counted, a cheaper aggregate than distinct keys: equal keys hash alike, so no repeat goes
  // unseen, and the rare collision only costs the exact pass below, which counts what it removes.
  const suspect = await scalar(
    connection,
    `SELECT count(*) - count(DISTINCT hash(${keys})) FROM ${target} WHERE rowid >= ${firstNew}`
  );
  if (suspect === 0) return inserted;
  if (conflicts) {
    const rows = (
      await connection.runAndReadAll(`SELECT ${keys} FROM ${target} WHERE rowid >= ${firstNew}
      GROUP BY ${keys} HAVING count(DISTINCT hash(${conflicts.columns})) > 1 ORDER BY ALL`)
    ).getRows();
    for (const [traceId, spanId] of rows)
      conflicts.out.push({traceId: String(traceId), spanId: String(spanId), stored: false});
  }
  const removed = await changes(
    connection,
    `DELETE FROM ${target} WHERE rowid >= ${firstNew} AND rowid NOT IN (
    SELECT min(rowid) FROM ${target} WHERE rowid >= ${firstNew} GROUP BY ${keys})`
  );
  return inserted - removed;
}

async function mergeTables(
  connection: DuckDBConnection,
  staged: StagedFiles,
  step: <T>(name: string, work: () => Promise<T>) => Promise<T>,
  known: boolean,
  conflicts: SpanConflict[]
): Promise<{counts: Omit<MergeCounts, "traces" | "tracesTouched" | "conflictingSpans">; firstNew: FirstNew}> {
  const firstNew: FirstNew = {};
  await step("merge trace sources", async () => {
    // Keyed on the fly: the rows stream from the staging table into the store without a keyed copy in between.
    const keyed = `(SELECT r.*, i.format AS _format, i.path AS _path, md5(concat_ws('|', traceId, sessionId, userId,
        name, startTime, endTime, status, model, promptVersion, inputTokens, outputTokens, costUsd,
        CAST(tags AS VARCHAR), CAST(metadata AS VARCHAR))) AS row_hash
      FROM stage_sources r JOIN stage_inputs i ON i.f = r._f)`;
    await insertNew(
      connection,
      keyed,
      "trace_sources",
      ["trace_id", "row_hash"],
      `s.traceId, s._format, s._path, s._o, s.row_hash, s.sessionId, s.userId, s.name, ${ts("s.startTime")},
        ${ts("s.endTime")}, s.status, s.model, s.promptVersion, ${bigint("s.inputTokens")},
        ${bigint("s.outputTokens")}, s.costUsd, s.tags, s.metadata`,
      "t.trace_id = s.traceId AND t.row_hash = s.row_hash",
      known,
      firstNew
    );
  });
  const load = (kind: StagedKind, name: string, work: (source: string) => Promise<number>) =>
    staged[kind].length ? step(name, () => work(reader(staged, kind))) : Promise.resolve(0);
  const spanContent = `s.parentSpanId, s.name, s.kind, ${ts("s.startTime")}, ${ts("s.endTime")},
        s.endTime - s.startTime, s.status, s.statusMessage, s.model, ${bigint("s.inputTokens")},
        ${bigint("s.outputTokens")}, s.costUsd, s.attributes`;
  const spans = await load("spans", "merge spans", (source) =>
    insertNew(
      connection,
      source,
      "spans",
      ["trace_id", "span_id"],
      `s.traceId, s.spanId, ${spanContent}`,
      "t.trace_id = s.traceId AND t.span_id = s.spanId",
      known,
      firstNew,
      {
        columns:
          "parent_span_id, name, kind, start_time, end_time, duration_ms, status, status_message, model, input_tokens, output_tokens, cost_usd, attributes",
        staged: spanContent,
        out: conflicts
      }
    )
  );
  const messages = await load("messages", "merge messages", (source) =>
    insertNew(
      connection,
      source,
      "messages",
      ["trace_id", "span_id", "direction", "idx"],
      "s.traceId, s.spanId, s.index, s.direction, s.turn, s.role, s.name, s.content, s.toolCallId",
      "t.trace_id = s.traceId AND t.span_id IS NOT DISTINCT FROM s.spanId AND t.direction = s.direction AND t.idx = s.index",
      known,
      firstNew
    )
  );
  const toolCalls = await load("toolCalls", "merge tool calls", (source) =>
    insertNew(
      connection,
      source,
      "tool_calls",
      ["trace_id", "call_id"],
      "s.traceId, s.spanId, s.callId, s.index, s.name, s.arguments, s.result, s.success, s.error",
      "t.trace_id = s.traceId AND t.call_id = s.callId",
      known,
      firstNew
    )
  );
  const feedback = await load("feedback", "merge feedback", (source) =>
    insertNew(
      connection,
      source,
      "feedback",
      ["trace_id", "span_id", "name", "value", "label", "comment", "source"],
      "s.traceId, s.spanId, s.name, s.value, s.label, s.comment, s.source",
      `t.trace_id = s.traceId AND t.span_id IS NOT DISTINCT FROM s.spanId AND t.name = s.name AND t.source = s.source
        AND t.value IS NOT DISTINCT FROM s.value AND t.label IS NOT DISTINCT FROM s.label
        AND t.comment IS NOT DISTINCT FROM s.comment`,
      known,
      firstNew
    )
  );
  return {counts: {spans, messages, toolCalls, feedback}, firstNew};
}

/**
 * Rebuilds `traces` rows for every trace the staged rows mention. What a source said about the trace wins;
 * what it left unknown is derived from spans (tokens from model calls, LLM and embedding spans, so the totals
 * that enclosing agent and SDK spans repeat are not counted twice), and what neither knows stays NULL.
 */
async function rebuildTraces(
  connection: DuckDBConnection,
  ingestedAt: Date,
  existing: number,
  firstNew: FirstNew
): Promise<{newTraces: number; rebuilt: number}> {
  if (existing > 0) await connection.run("DELETE FROM traces WHERE trace_id IN (SELECT trace_id FROM known_traces)");
  // When no touched trace was stored before, its rows are exactly the ones this merge appended: a row-id range
  // scans only those, where the semi-join on `touched` would probe every row the store holds.
  const rows = (table: keyof FirstNew, alias = "") => {
    const column = alias ? `${alias}.` : "";
    if (existing > 0) return `${column}trace_id IN (SELECT trace_id FROM touched)`;
    // A table this batch staged nothing for holds no rows of its (new) traces.
    return firstNew[table] === undefined ? "false" : `${column}rowid >= ${firstNew[table]}`;
  };
  // arg_min over the record ordinal (unique per trace's source rows) is "first by ord" without the per-group sort
  // that an ordered aggregate costs.
  const first = (column: string) => `arg_min(${column}, ord) FILTER (WHERE ${column} IS NOT NULL)`;
  // A trace's first user message: the one whose span started first, then by direction and position. Only user
  // messages are joined to their spans (for the spans' start times), not every message.
  const joined = (where: string) => `
      SELECT m.trace_id,
        arg_min(m.content, (coalesce(s.start_time, '-infinity'::TIMESTAMP), m.direction, m.idx)) AS first_user_message
      FROM messages m
        LEFT JOIN (SELECT trace_id, span_id, start_time FROM spans WHERE ${rows("spans")}) s
          ON s.trace_id = m.trace_id AND s.span_id = m.span_id
      WHERE m.role = 'user' AND m.content IS NOT NULL AND ${rows("messages", "m")}${where}
      GROUP BY m.trace_id`;
  // New traces have every row in this batch, and the stager already picked each record's first user message per
  // trace with its span's start: the first of those is the trace's, with no join (a third of rebuilding the rows).
  // Traces whose records could not tell (a message naming a span of another record) are joined as above.
  const unresolved =
    existing > 0 ? 0 : await scalar(connection, "SELECT count(*) FROM stage_sources WHERE fuUnresolved");
  const unresolvedTraces = "(SELECT traceId FROM stage_sources WHERE fuUnresolved)";
  const firstUser =
    existing > 0
      ? joined("")
      : `
      SELECT traceId AS trace_id,
        arg_min(fuContent, (coalesce(make_timestamp(fuStart), '-infinity'::TIMESTAMP), fuDirection, fuIndex)) AS first_user_message
      FROM stage_sources WHERE fuContent IS NOT NULL${unresolved ? ` AND traceId NOT IN ${unresolvedTraces}` : ""}
      GROUP BY traceId${
        unresolved
          ? `
      UNION ALL ${joined(` AND m.trace_id IN ${unresolvedTraces}`)}`
          : ""
      }`;
  const rebuilt = await changes(
    connection,
    `INSERT INTO traces
    WITH src AS (
      SELECT trace_id, arg_min(format, ord) AS format, arg_min(source_file, ord) AS source_file,
        ${first("session_id")} AS session_id, ${first("user_id")} AS user_id, ${first("name")} AS name,
        ${first("start_time")} AS start_time, ${first("end_time")} AS end_time, ${first("status")} AS status,
        ${first("model")} AS model, ${first("prompt_version")} AS prompt_version,
        ${first("input_tokens")} AS input_tokens, ${first("output_tokens")} AS output_tokens,
        ${first("cost_usd")} AS cost_usd, arg_min(metadata, ord) AS metadata
      FROM trace_sources WHERE ${rows("trace_sources")} GROUP BY trace_id),
    -- An ordered list aggregate is costly per group, and most traces carry no tags: only those that do pay for it.
    tg AS (
      SELECT trace_id, flatten(list(tags ORDER BY ord)) AS tags
      FROM trace_sources WHERE ${rows("trace_sources")} AND len(tags) > 0 GROUP BY trace_id),
    sp AS (
      SELECT trace_id, count(*) AS n, min(start_time) AS start_time, max(end_time) AS end_time,
        bool_or(status = 'error') AS any_error, bool_or(status = 'ok') AS any_ok,
        coalesce(sum(input_tokens) FILTER (WHERE kind IN ('llm', 'embedding')), sum(input_tokens)) AS input_tokens,
        coalesce(sum(output_tokens) FILTER (WHERE kind IN ('llm', 'embedding')), sum(output_tokens)) AS output_tokens,
        coalesce(sum(cost_usd) FILTER (WHERE kind IN ('llm', 'embedding')), sum(cost_usd)) AS cost_usd,
        -- OTLP says nothing about a trace as a whole: its root span (or, when the root was not exported, its
        -- earliest span) names what the trace did.
        arg_min(name, (parent_span_id IS NOT NULL, coalesce(start_time, 'infinity'::TIMESTAMP))) AS root_name
      FROM spans WHERE ${rows("spans")} GROUP BY trace_id),
    -- The trace's model is its spans' most frequent one, the first seen among equals: counted per model and then
    -- picked, which costs a fraction of \`mode\`'s per-trace tally.
    md AS (
      SELECT trace_id, arg_max(model, (n, -first)) AS model FROM (
        SELECT trace_id, model, count(*) AS n, min(rowid) AS first
        FROM spans WHERE ${rows("spans")} AND model IS NOT NULL GROUP BY trace_id, model)
      GROUP BY trace_id),
    msg AS (
      SELECT trace_id, count(*) AS n FROM messages WHERE ${rows("messages")} GROUP BY trace_id),
    first_user AS (${firstUser}),
    tc AS (
      SELECT trace_id, count(*) AS n, count(*) FILTER (WHERE success = false) AS errors
      FROM tool_calls WHERE ${rows("tool_calls")} GROUP BY trace_id),
    fb AS (
      SELECT trace_id, count(*) AS n FROM feedback WHERE ${rows("feedback")} GROUP BY trace_id)
    SELECT t.trace_id, src.session_id, src.user_id, coalesce(src.name, sp.root_name),
      coalesce(src.format, 'unknown'), src.source_file,
      coalesce(src.start_time, sp.start_time) AS st, coalesce(src.end_time, sp.end_time) AS et,
      epoch_us(coalesce(src.end_time, sp.end_time)) / 1000.0 - epoch_us(coalesce(src.start_time, sp.start_time)) / 1000.0,
      coalesce(src.status, CASE WHEN sp.any_error OR coalesce(tc.errors, 0) > 0 THEN 'error'
        WHEN sp.any_ok THEN 'ok' ELSE 'unset' END),
      coalesce(src.model, md.model), src.prompt_version,
      ${bigint("coalesce(src.input_tokens, sp.input_tokens)")}, ${bigint("coalesce(src.output_tokens, sp.output_tokens)")},
      ${bigint("CAST(coalesce(src.input_tokens, sp.input_tokens) AS HUGEINT) + coalesce(src.output_tokens, sp.output_tokens)")},
      coalesce(src.cost_usd, sp.cost_usd),
      coalesce(sp.n, 0), coalesce(msg.n, 0), coalesce(tc.n, 0), coalesce(tc.errors, 0), coalesce(fb.n, 0),
      coalesce(tg.tags, []), coalesce(src.metadata, '{}'), first_user.first_user_message,
      make_timestamp(${ingestedAt.getTime() * 1000})
    FROM touched t
      LEFT JOIN src USING (trace_id) LEFT JOIN tg USING (trace_id) LEFT JOIN sp USING (trace_id) LEFT JOIN md USING (trace_id)
      LEFT JOIN msg USING (trace_id)
      LEFT JOIN first_user USING (trace_id)
      LEFT JOIN tc USING (trace_id) LEFT JOIN fb USING (trace_id)`
  );
  return {newTraces: rebuilt - existing, rebuilt};
}
