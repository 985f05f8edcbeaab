/**
 * @module The workspace's DuckDB tables. Only modules under `loaders/store/` name these tables in SQL.
 *
 * There are no primary keys: DuckDB's ART indexes slow bulk appends several-fold, so ingest dedupes set-wise
 * (an anti-join from staging tables) instead. Times are TIMESTAMP (UTC, microseconds); unknown numbers are NULL.
 */

/** Bumped when a table changes shape; `openStore` refuses a newer workspace and migrates older ones. */
export const STORE_VERSION = 1;

export const TABLES = {
  /** What each input said about a trace as a whole, one row per (source record, trace); `traces` is derived. */
  trace_sources: `
    trace_id VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    ord BIGINT NOT NULL,
    row_hash VARCHAR NOT NULL,
    session_id VARCHAR,
    user_id VARCHAR,
    name VARCHAR,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    status VARCHAR,
    model VARCHAR,
    prompt_version VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    tags VARCHAR[],
    metadata JSON`,
  /** One row per trace, derived from trace_sources and the trace's spans, messages, tool calls and feedback. */
  traces: `
    trace_id VARCHAR NOT NULL,
    session_id VARCHAR,
    user_id VARCHAR,
    name VARCHAR,
    format VARCHAR NOT NULL,
    source_file VARCHAR,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    latency_ms DOUBLE,
    status VARCHAR NOT NULL,
    model VARCHAR,
    prompt_version VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    total_tokens BIGINT,
    cost_usd DOUBLE,
    span_count INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    tool_call_count INTEGER NOT NULL,
    tool_error_count INTEGER NOT NULL,
    feedback_count INTEGER NOT NULL,
    tags VARCHAR[],
    metadata JSON,
    first_user_message VARCHAR,
    ingested_at TIMESTAMP NOT NULL`,
  spans: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR NOT NULL,
    parent_span_id VARCHAR,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    start_time TIMESTAMP,
    end_time TIMESTAMP,
    duration_ms DOUBLE,
    status VARCHAR NOT NULL,
    status_message VARCHAR,
    model VARCHAR,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost_usd DOUBLE,
    attributes JSON`,
  messages: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR,
    idx INTEGER NOT NULL,
    direction VARCHAR NOT NULL,
    turn INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    name VARCHAR,
    content VARCHAR,
    tool_call_id VARCHAR`,
  tool_calls: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR,
    call_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    arguments VARCHAR,
    result VARCHAR,
    success BOOLEAN,
    error VARCHAR`,
  feedback: `
    trace_id VARCHAR NOT NULL,
    span_id VARCHAR,
    name VARCHAR NOT NULL,
    value DOUBLE,
    label VARCHAR,
    comment VARCHAR,
    source VARCHAR NOT NULL`,
  /**
   * Annotation: a mirror of the annotation log (`annotations/events.jsonl`), one row per event in log order
   * (`seq`). The log is the record; this table is rebuilt from it whenever the two disagree. The views
   * `human_labels` and `ground_truth` (loaders/store/annotationViews.ts) are derived from it.
   */
  annotation_events: `
    seq BIGINT NOT NULL,
    event_id VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    event_at TIMESTAMP NOT NULL,
    event_by VARCHAR NOT NULL,
    annotation_id VARCHAR NOT NULL,
    trace_id VARCHAR,
    span_id VARCHAR,
    criterion VARCHAR,
    annotator VARCHAR,
    pass BOOLEAN,
    score DOUBLE,
    label VARCHAR,
    failure_mode VARCHAR,
    explanation VARCHAR,
    source VARCHAR,
    annotated_at TIMESTAMP,
    body JSON`
} as const;

export type TableName = keyof typeof TABLES;
